"""Curriculum glue: let a teacher drive one environment or a vector of environments.

Data flow::

    teacher.sample() --task--> env.reset(options={"task": task}) --> episode
          ^                                                           |
          +------------- teacher.update(task, outcome) <-------------+

Who does what:

- :class:`Curriculum`: a teacher plus bookkeeping (counts, listeners); hands out
  tasks and routes each finished episode to the teacher.
- :class:`CurriculumWrapper`: a teacher driving *one* environment (sample at reset,
  report at episode end), for hand-written loops and single-env students.
- :class:`TaskFeedWrapper`: the sub-environment side of the vector path. Vector envs
  reset finished sub-environments by themselves, so each sub-environment holds its
  *next* task in advance and puts a record of every finished episode in ``info``.
- :class:`TaskFeedController`: the main-process side of the vector path, independent
  of the vector-env library: it reports each finished episode to the teacher exactly
  once and hands the sub-environment that used its task a fresh one. No worker ever
  waits on the teacher.
- Adapters put the two sides together for a vector-env library:
  :class:`~teachgym.vector_curriculum.CurriculumVectorWrapper` for Gymnasium's
  ``SyncVectorEnv``/``AsyncVectorEnv`` (every autoreset mode), and
  :class:`~teachgym.agents.sb3_vec.CurriculumVecEnv` for Stable-Baselines3's VecEnvs.
- Within-episode curricula are wrappers too:
  :class:`~teachgym.subgoal_wrapper.SubgoalWrapper` shows a subgoal teacher's
  subgoals and pays their bonus, outside a :class:`CurriculumWrapper`.

This module knows the task and teacher protocols and Gymnasium only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, SupportsFloat

import gymnasium as gym

from teachgym.tasks import Task
from teachgym.teachers.base import Outcome, Teacher
from teachgym.teachers.capabilities import TaskCritic

EPISODE_INFO_KEY = "teachgym_episode"
"""``info`` key under which :class:`TaskFeedWrapper` reports a finished episode."""


@dataclass(frozen=True)
class EpisodeRecord:
    """One finished episode as the teacher saw it.

    Attributes:
        index: 0-based count of episodes reported to this curriculum.
        env_index: which sub-environment ran it (0 for a single environment).
        task: the task the episode ran on (canonical, as echoed by the env).
        outcome: return, length, success and optional score.
    """

    index: int
    env_index: int
    task: Task
    outcome: Outcome

    def to_dict(self) -> dict[str, Any]:
        return {
            "episode": self.index,
            "env_index": self.env_index,
            "task": self.task,
            **self.outcome.to_dict(),
        }


Listener = Callable[[EpisodeRecord], None]

ValueFn = Callable[[Sequence[Any]], Any]
"""``value_fn(observations) -> values``: a student's value of each reset observation
(one per episode), an array-like of shape ``(n,)``; for teachers that ``requires_value``."""

INITIAL_OBSERVATION_KEY = "initial_observation"
"""Episode-record key of the reset observation
(:attr:`TaskFeedWrapper.record_initial_observation`)."""


def attach_values(episodes: Sequence[dict[str, Any]], value_fn: ValueFn) -> None:
    """Replace the reset observation in each episode record by ``value_fn``'s value of it
    (the record's ``"value"``); records without one are left as they are."""
    recorded = [episode for episode in episodes if INITIAL_OBSERVATION_KEY in episode]
    if recorded:
        observations = [episode.pop(INITIAL_OBSERVATION_KEY) for episode in recorded]
        values = [float(v) for v in value_fn(observations)]
        if len(values) != len(recorded):
            raise ValueError(
                f"the value function returned {len(values)} values for {len(recorded)} observations"
            )
        for episode, value in zip(recorded, values, strict=True):
            episode["value"] = value


class Curriculum:
    """A teacher plus bookkeeping: hands out tasks and routes episode reports.

    Args:
        teacher: the teacher that samples tasks and learns from outcomes.
        listeners: called with each :class:`EpisodeRecord` after the teacher learned
            from it (loggers, progress bars, evaluation triggers).
    """

    def __init__(self, teacher: Teacher, listeners: Sequence[Listener] = ()) -> None:
        self.teacher = teacher
        self.listeners: list[Listener] = list(listeners)
        self.episodes_reported = 0
        self.tasks_sampled = 0

    def state_dict(self) -> dict[str, int]:
        """The bookkeeping a resumed curriculum continues from (the teacher saves its own)."""
        return {"episodes_reported": self.episodes_reported, "tasks_sampled": self.tasks_sampled}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`state_dict`: episode indices go on where they stopped."""
        counts = {key: state.get(key) for key in ("episodes_reported", "tasks_sampled")}
        for key, value in counts.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"curriculum state needs a non-negative integer {key!r}")
        self.episodes_reported = int(state["episodes_reported"])
        self.tasks_sampled = int(state["tasks_sampled"])

    def provide_task_values(self, critic: TaskCritic | None) -> None:
        """Give the teacher the student's critic of candidate tasks, ``critic(tasks) ->
        values`` (for teachers that ``requires_task_values``), or take it away with ``None``."""
        self.teacher.set_task_critic(critic)

    def next_task(self) -> Task:
        self.tasks_sampled += 1
        return self.teacher.sample()

    def report(
        self, task: Mapping[str, Any], outcome: Outcome, env_index: int = 0
    ) -> EpisodeRecord:
        """Tell the teacher how an episode on ``task`` went, then notify listeners."""
        self.teacher.update(task, outcome)
        record = EpisodeRecord(self.episodes_reported, env_index, dict(task), outcome)
        self.episodes_reported += 1
        for listener in self.listeners:
            listener(record)
        return record

    def report_info(
        self, info: Mapping[str, Any], env_index: int = 0, score: float | None = None
    ) -> EpisodeRecord | None:
        """Report the episode a :class:`TaskFeedWrapper` put in ``info``, if there is one.

        ``score`` is the student's learning-potential score of that episode, if any; the
        student's value of its initial state is read from the record's ``"value"``.
        """
        episode = info.get(EPISODE_INFO_KEY)
        if episode is None:
            return None
        outcome = Outcome(
            episode_return=episode["return"],
            length=episode["length"],
            success=episode.get("success"),
            score=score,
            value=episode.get("value"),
        )
        return self.report(episode["task"], outcome, env_index)


class TaskFeedWrapper(gym.Wrapper[Any, Any, Any, Any]):
    """Sub-environment side of the vector path: holds the next task, reports episodes in ``info``.

    ``reset()`` without an explicit ``options["task"]`` consumes the task handed over
    with :meth:`set_next_task` (or by assigning :attr:`next_task`, which is what
    Gymnasium's ``VectorEnv.set_attr`` does). With ``require_task=True`` (the vector
    path) a reset with no task pending raises instead of silently running a default level.
    At the end of an episode (terminated or truncated) the step's ``info`` gains
    ``info["teachgym_episode"] = {"task", "return", "length"}``, plus ``"success"``
    (bool) when the environment reports one (``info["is_success"]`` or
    ``info["success"]`` at the last step).
    Non-finite rewards raise ``ValueError`` at the step that produced them.

    For teachers that need the student's value of an episode's initial state
    (``requires_value``): a student that acts on this environment sets
    :attr:`initial_value` after ``reset()`` and the record carries it as ``"value"``;
    with :attr:`record_initial_observation` the record carries the reset observation
    as ``"initial_observation"`` instead, for the vector adapters to value with the
    student's ``value_fn`` in the main process (:func:`attach_values`).
    """

    def __init__(self, env: gym.Env[Any, Any], require_task: bool = False) -> None:
        super().__init__(env)
        self.require_task = require_task
        self.next_task: Task | None = None
        self.initial_value: float | None = None
        """The student's value of this episode's initial state (cleared at every reset)."""
        self.record_initial_observation = False
        """True: put the episode's reset observation in its record
        (:meth:`set_record_initial_observation` sets it through a vector env)."""
        self._task: Task | None = None
        self._initial_observation: Any = None
        self._return = 0.0
        self._length = 0

    @property
    def current_task(self) -> Task | None:
        """The task of the episode in progress (``None`` before the first reset)."""
        return self._task

    def set_record_initial_observation(self, enabled: bool) -> None:
        """Whether the records of episodes reset from now on carry their reset observation."""
        self.record_initial_observation = bool(enabled)

    def set_next_task(self, task: Mapping[str, Any]) -> None:
        """The task the next ``reset()`` without an explicit task will use."""
        self.next_task = dict(task)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        options = dict(options or {})
        if options.get("task") is None:
            if self.next_task is not None:
                options["task"] = self.next_task
                self.next_task = None
            elif self.require_task:
                raise RuntimeError(
                    "no next task was handed to this environment before reset(); the curriculum "
                    "must call set_next_task() first (this guards against silently training on a "
                    "default level)"
                )
        observation, info = self.env.reset(seed=seed, options=options)
        self._task = info.get("task", options.get("task"))
        self._return, self._length = 0.0, 0
        self.initial_value = None
        self._initial_observation = observation if self.record_initial_observation else None
        return observation, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        value = float(reward)
        if not math.isfinite(value):
            raise ValueError(
                f"the environment returned reward {value} at step {self._length + 1} of task "
                f"{self._task}; fix the reward function (or the task) before training on it"
            )
        self._return += value
        self._length += 1
        if terminated or truncated:
            success = info.get("is_success", info.get("success"))
            info = dict(info)
            episode: dict[str, Any] = {
                "task": self._task,
                "return": self._return,
                "length": self._length,
            }
            if success is not None:
                episode["success"] = bool(success)
            if self.initial_value is not None:
                episode["value"] = float(self.initial_value)
            if self._initial_observation is not None:
                episode[INITIAL_OBSERVATION_KEY] = self._initial_observation
            info[EPISODE_INFO_KEY] = episode
        return observation, reward, terminated, truncated, info


class CurriculumWrapper(TaskFeedWrapper):
    """A teacher driving one environment: sample at reset, report at episode end.

    Explicit tasks given with ``reset(options={"task": ...})`` are used as given and
    their episodes are reported too.
    """

    def __init__(self, env: gym.Env[Any, Any], curriculum: Curriculum | Teacher) -> None:
        super().__init__(env)
        self.curriculum = (
            curriculum if isinstance(curriculum, Curriculum) else Curriculum(curriculum)
        )

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        if (options or {}).get("task") is None and self.next_task is None:
            self.set_next_task(self.curriculum.next_task())
        return super().reset(seed=seed, options=options)

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = super().step(action)
        self.curriculum.report_info(info)
        return observation, reward, terminated, truncated, info


class TaskFeedController:
    """Main-process side of the vector path, independent of the vector-env library.

    Keeps one next task per sub-environment (:attr:`next_tasks`), reports each finished
    episode to the teacher exactly once and refills the sub-environments that used
    their task. An adapter tells it when that happened: for vector envs that reset
    inside the finishing step (Stable-Baselines3, Gymnasium's ``SAME_STEP``) through
    :meth:`after_step`; otherwise with :meth:`report` and :meth:`feed` separately.

    A teacher that ``requires_score`` (a declared capability) cannot learn from an
    episode before a student has scored it, so for such a teacher
    (:attr:`defers_reports`) :meth:`after_step` still refills finished
    sub-environments at once but leaves reporting to the student that scores them
    (e.g. at the end of a PPO rollout), who calls :meth:`Curriculum.report_info`
    with the episode's info and score.

    Args:
        curriculum: the curriculum (teacher) that serves all sub-environments.
        num_envs: number of sub-environments.
        send: ``send(env_index, task)`` hands ``task`` to that sub-environment's
            :class:`TaskFeedWrapper` (e.g. through SB3's ``env_method``).
    """

    def __init__(self, curriculum: Curriculum, num_envs: int, send: Callable[[int, Task], None]):
        self.curriculum = curriculum
        self.num_envs = num_envs
        self.send = send
        self.next_tasks: list[Task | None] = [None] * num_envs
        """The task each sub-environment will run at its next reset (``None``: not fed yet)."""

    @property
    def defers_reports(self) -> bool:
        """True if the student that scores episodes reports them (the teacher requires a
        score); read from the current teacher's declared capability."""
        return self.curriculum.teacher.requires_score

    def feed(self, env_indices: Iterable[int]) -> None:
        """Sample a fresh next task for each of these sub-environments and send it."""
        for i in env_indices:
            task = self.curriculum.next_task()
            self.next_tasks[i] = task
            self.send(i, task)

    def feed_all(self) -> None:
        """Give every sub-environment a task: call before a vector reset (the task the reset
        runs) and again after it (the task the next auto-reset runs)."""
        self.feed(range(self.num_envs))

    def report(
        self, info: Mapping[str, Any], env_index: int, score: float | None = None
    ) -> EpisodeRecord | None:
        """Report the episode in one sub-environment's ``info``, if it holds one."""
        return self.curriculum.report_info(info, env_index=env_index, score=score)

    def after_step(self, infos: Sequence[Mapping[str, Any]]) -> list[EpisodeRecord]:
        """Same-step resets: report each finished episode (unless deferred) and refill the
        sub-environments that used their task. ``infos[i]`` is sub-environment ``i``'s info."""
        records = []
        deferred = self.defers_reports
        for i, info in enumerate(infos):
            if info.get(EPISODE_INFO_KEY) is None:
                continue
            if not deferred:
                record = self.report(info, i)
                assert record is not None
                records.append(record)
            self.feed([i])
        return records
