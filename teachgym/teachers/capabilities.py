"""What a teacher can declare about the students it works with.

Capabilities are declared on the :class:`~teachgym.teachers.base.Teacher`
protocol, never inferred from a class, so a teacher written outside teachgym
works with any student that uses the same capability:

- ``requires_score`` and ``score_kind``: every reported episode must carry a
  score of this kind (:data:`SCORE_KINDS`): a *learning-potential* score computed
  from one student's value estimates (PLR, Robust PLR, ACCEL; docs/references.md
  [jiang2021plr], [jiang2021rplr], [parkerholder2022]), a *regret* measured by
  a protagonist and an antagonist (PAIRED; [dennis2020]), or an episode's mean
  absolute *advantage* (DUMP, SEC; [wang2025dump], [chen2025sec]). A teacher whose
  hyperparameters decide whether it needs a score sets ``requires_score`` per
  instance. In the vector path the student that computes the score also reports the
  episode, once it knows the score.
- ``requires_success``: every reported episode must say whether it succeeded
  (``Outcome.success``, from the environment's ``info["is_success"]``); GoalGAN
  and Setter-Solver label goals by success ([florensa2018], [racaniere2020]).
- ``extras``: the optional dependency groups the teacher needs (``("torch",)``
  for the torch teachers), imported only when the teacher is built.
- ``requires_value``: every reported episode must carry the student's value
  estimate of its initial state, V(s0, task), in ``Outcome.value`` (SPDL;
  [klink2020]). A student that can give it declares ``provides_values``; SB3
  students compute it on the reset observation when the episode ends (the value
  network of PPO and A2C, the smaller critic of SAC, TD3 and DDPG at the actor's
  action, the largest Q-value of DQN), the simulated student gives its competence.
- ``requires_task_values``: the teacher asks the student's critic for its value of
  candidate tasks *before* they are played (WebRL keeps a generated task only if the
  critic's value lies in a band; [qi2024webrl]). A student that can give it declares
  ``provides_task_values`` and hands the curriculum a :data:`TaskCritic`
  (``Curriculum.provide_task_values``), which passes it to the teacher
  (``Teacher.set_task_critic``). teachgym's students value a task by resetting a scratch
  copy of their environment on it and valuing the reset observation as above.
- ``episode_score(task, trace)``: how the teacher turns a student's episode trace
  into its learning-potential score.
- ``robust`` and ``is_exploratory(task)``: the student must take no gradient step
  on episodes whose task is exploratory (Robust PLR, "PLR⊥"; [jiang2021rplr]),
  only score them.
- ``buffer_levels()``: the levels a teacher keeps, with their scores, as data
  for diagnostics (:class:`BufferedLevels`).
- ``mutates``: the teacher edits levels with the edits the environment publishes
  (``TaskEnv.edit_operators()``), which reach it as the hyperparameters
  ``edit_sizes``, ``edit_weights`` and ``edit_groups`` (the teachers layer never
  imports environments).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from teachgym.tasks import Task

LEARNING_POTENTIAL = "learning-potential"
"""A score of one episode from one student's value estimates (e.g. positive value loss)."""

REGRET = "regret"
"""A level's regret: antagonist return minus protagonist return (PAIRED)."""

ADVANTAGE = "mean-absolute-advantage"
"""The mean absolute GAE advantage of one episode, mean of ``|A_t|`` over its steps: the
learnability of DUMP and SEC (docs/references.md [wang2025dump], [chen2025sec])."""

SCORE_KINDS: tuple[str, ...] = (LEARNING_POTENTIAL, REGRET, ADVANTAGE)

TaskCritic = Callable[[Sequence[Task]], Any]
"""``critic(tasks) -> values``: a student's value V(s0, task) of each task before it is
played, an array-like of shape ``(len(tasks),)`` in the units of its value function
(discounted return; the simulated student's competence / 100)."""


@dataclass(frozen=True)
class BufferedLevels:
    """The levels a teacher keeps, as plain data.

    Attributes:
        levels: the stored tasks (each with its ``level_seed``), in buffer order.
        scores: their current scores, shape ``(len(levels),)``.
    """

    levels: list[Task]
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.levels)
