"""Any Stable-Baselines3 algorithm as a teachgym student."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Literal

import torch
from gymnasium import spaces
from stable_baselines3 import A2C, DDPG, DQN, PPO, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback

from teachgym.agents.level_replay import LevelScoringCallback
from teachgym.agents.robust_ppo import RobustPPO
from teachgym.agents.sb3_vec import CurriculumVecEnv, make_curriculum_vec_env
from teachgym.agents.student import EnvFn, ProgressFn, Student
from teachgym.curriculum import Curriculum
from teachgym.state_io import CorruptStateError
from teachgym.teachers.capabilities import LEARNING_POTENTIAL

ALGORITHMS: dict[str, type[BaseAlgorithm]] = {
    "a2c": A2C,
    "ddpg": DDPG,
    "dqn": DQN,
    "ppo": PPO,
    "sac": SAC,
    "td3": TD3,
}
MODEL_FILE = "model.zip"


class _ProgressCallback(BaseCallback):
    def __init__(self, progress: ProgressFn) -> None:
        super().__init__()
        self.progress = progress

    def _on_step(self) -> bool:
        self.progress(self.training_env.num_envs)
        return True


def default_policy(observation_space: spaces.Space[Any]) -> str:
    """SB3 policy name: ``MultiInputPolicy`` for dict observations, else ``MlpPolicy``."""
    return "MultiInputPolicy" if isinstance(observation_space, spaces.Dict) else "MlpPolicy"


MINIGRID_KEYS = frozenset({"image", "direction", "mission"})


def default_policy_kwargs(observation_space: spaces.Space[Any]) -> dict[str, Any] | None:
    """``policy_kwargs`` suited to an observation space: the MiniGrid family's CNN for its
    ``{"image", "direction", "mission"}`` observation, else ``None`` (SB3's default)."""
    if (
        isinstance(observation_space, spaces.Dict)
        and set(observation_space.spaces) == MINIGRID_KEYS
    ):
        from teachgym.agents.minigrid_cnn import minigrid_policy_kwargs

        return minigrid_policy_kwargs()
    return None


class SB3Student(Student):
    """A Stable-Baselines3 algorithm trained through the vector-env curriculum path.

    Args:
        env_fn: builds one environment (picklable for ``vec_env="subproc"``).
        algo: one of ``a2c, ddpg, dqn, ppo, sac, td3``.
        n_envs: number of sub-environments (default 4 for on-policy, 1 otherwise).
        vec_env: ``"dummy"`` (in-process, fastest on 2 cores) or ``"subproc"``.
        seed: seed of the algorithm and the environments.
        policy: SB3 policy name or class (default from the observation space; MiniGrid
            observations also get the MiniGrid CNN unless ``policy_kwargs`` is given).
        torch_threads: torch CPU threads; 1 is fastest for small nets on 2 cores.
        callbacks: extra SB3 callbacks for every ``learn`` call.
        **algo_kwargs: hyperparameters passed to the algorithm's constructor.
    """

    name = "sb3"

    def __init__(
        self,
        env_fn: EnvFn,
        algo: str = "ppo",
        n_envs: int | None = None,
        vec_env: Literal["dummy", "subproc"] = "dummy",
        seed: int = 0,
        policy: str | None = None,
        torch_threads: int = 1,
        callbacks: list[BaseCallback] | None = None,
        **algo_kwargs: Any,
    ) -> None:
        super().__init__(env_fn, seed)
        key = algo.lower()
        if key not in ALGORITHMS:
            raise ValueError(f"unknown SB3 algorithm {algo!r}; known: {sorted(ALGORITHMS)}")
        self.algo = key
        self.on_policy = key in ("ppo", "a2c")
        self.score_kinds = frozenset({LEARNING_POTENTIAL}) if self.on_policy else frozenset()
        self.supports_robust_updates = key == "ppo"  # as RobustPPO
        self.n_envs = n_envs if n_envs is not None else (4 if self.on_policy else 1)
        self.vec_env = vec_env
        self.policy = policy
        self.torch_threads = torch_threads
        self.callbacks = list(callbacks or [])
        self.algo_kwargs = algo_kwargs
        self.venv: CurriculumVecEnv | None = None
        self.model: BaseAlgorithm | None = None
        self.scoring = LevelScoringCallback()
        """Reports episodes with scores for teachers that require one (on-policy only)."""

    def describe(self) -> str:
        return f"{self.algo!r} (SB3 {self.algo.upper()})"

    def config(self) -> dict[str, Any]:
        return {
            "algo": self.algo,
            "n_envs": self.n_envs,
            "vec_env": self.vec_env,
            "seed": self.seed,
            "policy": self.policy,
            "algo_kwargs": self.algo_kwargs,
        }

    def _ensure(self, curriculum: Curriculum) -> BaseAlgorithm:
        torch.set_num_threads(self.torch_threads)
        if self.venv is None:
            self.venv = make_curriculum_vec_env(
                self.env_fn, curriculum, self.n_envs, self.vec_env, seed=self.seed
            )
        else:
            self.venv.curriculum = curriculum
        if self.model is None:
            policy = self.policy or default_policy(self.venv.observation_space)
            kwargs = dict(self.algo_kwargs)
            if self.policy is None and "policy_kwargs" not in kwargs:
                suited = default_policy_kwargs(self.venv.observation_space)
                if suited is not None:
                    kwargs["policy_kwargs"] = suited
            algorithm = ALGORITHMS[self.algo]
            if self.algo == "ppo" and curriculum.teacher.robust:
                algorithm = RobustPPO  # Robust PLR / ACCEL: no gradient step on new levels
            try:
                self.model = algorithm(policy, self.venv, seed=self.seed, verbose=0, **kwargs)
            except TypeError as exc:
                raise ValueError(f"bad hyperparameter for SB3 {self.algo.upper()}: {exc}") from None
            except AssertionError as exc:  # SB3 asserts on unsupported spaces
                raise ValueError(f"SB3 {self.algo.upper()} cannot be used here: {exc}") from None
        elif self.model.get_env() is not self.venv:
            self.model.set_env(self.venv)
        return self.model

    def learn(
        self, curriculum: Curriculum, total_steps: int, progress: ProgressFn | None = None
    ) -> None:
        self.check_teacher(curriculum.teacher)
        model = self._ensure(curriculum)
        callbacks = list(self.callbacks)
        if curriculum.teacher.requires_score:
            callbacks.append(self.scoring)
        if progress is not None:
            callbacks.append(_ProgressCallback(progress))
        before = model.num_timesteps
        model.learn(total_steps, callback=callbacks, reset_num_timesteps=False)
        self.steps_done += model.num_timesteps - before

    def act(self, observation: Any, deterministic: bool = True) -> Any:
        if self.model is None:
            raise RuntimeError("the student has no model yet: call learn() or load() first")
        action, _ = self.model.predict(observation, deterministic=deterministic)
        return action

    def _save_model(self, directory: Path) -> None:
        if self.model is None:
            raise RuntimeError("nothing to save: the student has not learned yet")
        tmp = directory / "model.tmp.zip"
        self.model.save(tmp)
        tmp.replace(directory / MODEL_FILE)

    def _load_model(self, directory: Path) -> None:
        """Load ``model.zip`` (SB3's own format: only load checkpoints you trust)."""
        path = directory / MODEL_FILE
        if not path.exists():
            raise FileNotFoundError(f"no SB3 model at {path}")
        try:
            self.model = ALGORITHMS[self.algo].load(path, device="cpu")
        except (zipfile.BadZipFile, EOFError, KeyError, ValueError, RuntimeError) as exc:
            raise CorruptStateError(
                f"{path} cannot be loaded ({type(exc).__name__}: {exc}); the checkpoint is "
                "corrupted, delete it to start over"
            ) from None

    def close(self) -> None:
        super().close()
        if self.venv is not None:
            self.venv.close()
            self.venv = None
