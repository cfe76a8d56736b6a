"""Scoring episodes for teachers that require a score, from an SB3 on-policy rollout.

In the vector path a teacher that ``requires_score`` has its episodes reported by
the student that scores them (:attr:`~teachgym.curriculum.TaskFeedController.defers_reports`).
:class:`LevelScoringCallback` is that reporter for SB3: it reports at the end of
each rollout, when the rollout buffer holds the GAE advantages and value estimates
of every step:

1. ``_on_step`` remembers where in the buffer each finished (terminated or
   truncated) episode ends, per sub-environment;
2. ``_on_rollout_end`` cuts each episode's advantages and values out of the
   buffer (joined with the part of it collected in earlier rollouts), asks the
   teacher for its score (the ``episode_score`` hook of the teacher protocol) and
   reports the episode with that score, in the order the episodes finished;
3. for a ``robust`` teacher (Robust PLR, ACCEL, or any teacher declaring it) it
   first marks the transitions of episodes whose task the teacher calls
   exploratory (``is_exploratory``) as not kept, so :class:`RobustPPO` takes no
   gradient step on them.

Only the capabilities declared on :class:`~teachgym.teachers.Teacher` are used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper

from teachgym.agents.robust_ppo import RobustUpdates
from teachgym.agents.sb3_vec import CurriculumVecEnv
from teachgym.curriculum import EPISODE_INFO_KEY
from teachgym.teachers.level_scores import EpisodeTrace


def find_curriculum_env(venv: VecEnv) -> CurriculumVecEnv:
    """The :class:`CurriculumVecEnv` inside SB3's wrappers (e.g. ``VecTransposeImage``)."""
    env: Any = venv
    while not isinstance(env, CurriculumVecEnv):
        if not isinstance(env, VecEnvWrapper):
            raise ValueError(
                "episode scoring needs the curriculum vector env of teachgym "
                "(teachgym.agents.sb3_vec.make_curriculum_vec_env); got a "
                f"{type(venv).__name__} without one"
            )
        env = env.venv
    return env


class LevelScoringCallback(BaseCallback):
    """Reports every episode with a learning-potential score at the end of each rollout.

    Use one instance per student (it carries episodes that span rollouts). Works with
    any SB3 on-policy algorithm (sb3-contrib's RecurrentPPO too: its buffer holds the same
    advantages and values); for robust teachers the model must be robust
    (:class:`~teachgym.agents.robust_ppo.RobustUpdates`: RobustPPO, RobustRecurrentPPO).
    """

    def __init__(self) -> None:
        super().__init__()
        self._finished: list[tuple[int, int, int, dict[str, Any]]] = []
        self._start: np.ndarray = np.zeros(0, dtype=np.int64)
        self._carry: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def state_dict(self) -> dict[str, Any]:
        """The traces of episodes still running at the end of the last rollout (between two
        ``learn`` calls nothing else is pending)."""
        return {
            "carry": {i: (a.copy(), v.copy()) for i, (a, v) in self._carry.items()},
            "start": self._start.copy(),
        }

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        """Continue from :meth:`state_dict` (``None``: nothing carried)."""
        state = state or {}
        self._carry = dict(state.get("carry", {}))
        self._start = np.asarray(state.get("start", np.zeros(0)), dtype=np.int64)
        self._finished = []

    def drop_partial_episodes(self) -> None:
        """Forget the traces of episodes in progress (they restart from their beginning)."""
        self._carry = {}

    @property
    def _venv(self) -> CurriculumVecEnv:
        return find_curriculum_env(self.training_env)

    def _on_training_start(self) -> None:
        if not isinstance(self.model, OnPolicyAlgorithm):
            raise ValueError(
                f"episode scores come from an on-policy rollout buffer; "
                f"{type(self.model).__name__} has none (use PPO or A2C)"
            )
        teacher = self._venv.curriculum.teacher
        if teacher.robust and not isinstance(self.model, RobustUpdates):
            raise ValueError(
                f"teacher {teacher.name!r} forbids gradient steps on new levels; train with "
                "teachgym.agents.robust_ppo.RobustPPO (SB3Student picks it, or the recurrent "
                "twin, for 'ppo' and 'recurrent-ppo')"
            )
        if self._start.size != self.training_env.num_envs:
            self._start = np.zeros(self.training_env.num_envs, dtype=np.int64)
            self._carry = {}
        if not self._venv.controller.defers_reports:
            raise ValueError(
                f"teacher {teacher.name!r} requires no score, so the curriculum reports its "
                "episodes itself; add the scoring callback only for teachers that require one"
            )

    def _on_rollout_start(self) -> None:
        self._finished = []
        self._start[:] = 0

    def _on_step(self) -> bool:
        assert isinstance(self.model, OnPolicyAlgorithm)
        position = self.model.rollout_buffer.pos  # this step's transition is stored there next
        for env_index, info in enumerate(self.locals["infos"]):
            if info.get(EPISODE_INFO_KEY) is not None:
                start = int(self._start[env_index])
                self._finished.append((position, env_index, start, info))
                self._start[env_index] = position + 1
        return True

    def _on_rollout_end(self) -> None:
        assert isinstance(self.model, OnPolicyAlgorithm)
        buffer = self.model.rollout_buffer
        advantages, values = buffer.advantages, buffer.values
        curriculum = self._venv.curriculum
        teacher = curriculum.teacher
        robust = teacher.robust
        traces: list[tuple[int, dict[str, Any], EpisodeTrace]] = []
        keep = np.ones(advantages.shape, dtype=bool)
        for end, env_index, start, info in sorted(self._finished, key=lambda f: (f[0], f[1])):
            episode = info[EPISODE_INFO_KEY]
            carried = self._carry.pop(env_index, (np.zeros(0), np.zeros(0)))
            trace = EpisodeTrace(
                episode_return=float(episode["return"]),
                values=np.concatenate([carried[1], values[start : end + 1, env_index]]),
                advantages=np.concatenate([carried[0], advantages[start : end + 1, env_index]]),
            )
            traces.append((env_index, info, trace))
            if robust and teacher.is_exploratory(episode["task"]):
                keep[start : end + 1, env_index] = False
        current = self._venv.venv.get_attr("current_task")
        for env_index in range(advantages.shape[1]):
            start = int(self._start[env_index])
            if start >= advantages.shape[0]:
                continue
            old_adv, old_val = self._carry.get(env_index, (np.zeros(0), np.zeros(0)))
            self._carry[env_index] = (
                np.concatenate([old_adv, advantages[start:, env_index]]),
                np.concatenate([old_val, values[start:, env_index]]),
            )
            task = current[env_index]
            if robust and task and teacher.is_exploratory(task):
                keep[start:, env_index] = False
        if robust:
            assert isinstance(self.model, RobustUpdates)
            self.model.keep[...] = keep
        for env_index, info, trace in traces:
            task = info[EPISODE_INFO_KEY]["task"]
            score = teacher.episode_score(task, trace)
            curriculum.report_info(info, env_index=env_index, score=score)
        self._finished = []
