"""A student that is not SB3: REINFORCE with a linear softmax policy, trained by one readable loop.

This file is an example outside the package: it shows that a CleanRL-style
training loop (docs/references.md [huang2022cleanrl]) takes a teacher with one
line: build the vector env with ``make_curriculum_vector_env(env_fn, curriculum,
...)`` instead of ``gymnasium.vector.SyncVectorEnv(env_fns)``; nothing else
changes. The loop never talks to the teacher: the vector env reports every
finished episode and hands out the next tasks.

The algorithm is episodic REINFORCE with a reinforcement baseline (see
docs/references.md [williams1992]): after each episode, every step's action
log-probability is pushed up in proportion to the discounted return that
followed it minus a running average of episode returns.

The policy is linear in the flattened observation (plus a bias):
``pi(a | s) = softmax(W^T [s, 1])_a`` with ``W`` of shape
``(observation size + 1, number of actions)``, so it needs a ``Box`` observation
space and a ``Discrete`` action space.

Use it by name wherever a student name is accepted once this directory is on
``sys.path``: ``cleanrl_student:CleanRLStudent``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode

from teachgym.agents.student import EnvFn, ProgressFn, Student
from teachgym.curriculum import Curriculum
from teachgym.vector_curriculum import CurriculumVectorWrapper, make_curriculum_vector_env


class CleanRLStudent(Student):
    """REINFORCE with a baseline on a linear softmax policy, over a Gymnasium vector env.

    Args:
        env_fn: builds one environment (``Box`` observations, ``Discrete`` actions).
        seed: seeds the policy's action sampling and the vector env's first reset.
        num_envs: sub-environments stepped together (one learning step per episode).
        vectorization_mode: ``"sync"`` (one process) or ``"async"`` (one process each).
        learning_rate: step size of the policy-gradient ascent.
        gamma: discount of the returns that weight each step.
        baseline_rate: weight of each new episode return in the running baseline.
    """

    name = "cleanrl-reinforce"

    def __init__(
        self,
        env_fn: EnvFn,
        seed: int = 0,
        num_envs: int = 4,
        vectorization_mode: str = "sync",
        learning_rate: float = 0.05,
        gamma: float = 0.99,
        baseline_rate: float = 0.05,
    ) -> None:
        super().__init__(env_fn, seed)
        probe = env_fn()
        if not isinstance(probe.observation_space, spaces.Box):
            raise TypeError(f"needs a Box observation space, got {probe.observation_space}")
        if not isinstance(probe.action_space, spaces.Discrete):
            raise TypeError(f"needs a Discrete action space, got {probe.action_space}")
        self.n_features = int(np.prod(probe.observation_space.shape)) + 1
        self.n_actions = int(probe.action_space.n)
        probe.close()
        self.num_envs = num_envs
        self.vectorization_mode = vectorization_mode
        self.learning_rate = learning_rate
        self.gamma = gamma
        self.baseline_rate = baseline_rate
        self.weights = np.zeros((self.n_features, self.n_actions))
        self.baseline = 0.0
        self.episodes_done = 0
        self.rng = np.random.default_rng(seed)
        self.envs: CurriculumVectorWrapper | None = None
        self._observations = np.zeros(0)
        self._episodes: list[list[tuple[np.ndarray, int, float]]] = []
        """Per sub-environment, the (features, action, reward) steps of its running episode."""

    # -- the policy -------------------------------------------------------------
    def features(self, observations: np.ndarray) -> np.ndarray:
        """``[s, 1]`` for a batch of observations, shape ``(batch, n_features)``."""
        flat = np.asarray(observations, dtype=np.float64).reshape(len(observations), -1)
        return np.hstack([flat, np.ones((len(flat), 1))])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Action probabilities, shape ``(batch, n_actions)``."""
        logits = features @ self.weights
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def act(self, observation: Any, deterministic: bool = True) -> int:
        probs = self.probabilities(self.features(np.asarray(observation)[None]))[0]
        if deterministic:
            return int(np.argmax(probs))
        return int(self.rng.choice(self.n_actions, p=probs))

    def act_batch(self, observations: Sequence[Any], deterministic: bool = True) -> list[Any]:
        probs = self.probabilities(self.features(np.asarray(observations)))
        if deterministic:
            return [int(a) for a in probs.argmax(axis=1)]
        return [int(self.rng.choice(self.n_actions, p=p)) for p in probs]

    # -- training ---------------------------------------------------------------
    @property
    def step_granularity(self) -> int:
        """One vector step: ``num_envs`` environment steps."""
        return self.num_envs

    def rounded_steps(self, steps: int) -> int:
        return -(-steps // self.num_envs) * self.num_envs

    def learn(
        self, curriculum: Curriculum, total_steps: int, progress: ProgressFn | None = None
    ) -> None:
        self.check_teacher(curriculum.teacher)  # it gives no scores: refuses e.g. PLR
        if self.envs is None or self.envs.curriculum is not curriculum:
            if self.envs is not None:
                self.envs.close()
            # The one curriculum-specific line: a vector env that a teacher drives.
            self.envs = make_curriculum_vector_env(
                self.env_fn,
                curriculum,
                self.num_envs,
                self.vectorization_mode,  # type: ignore[arg-type]
                autoreset_mode=AutoresetMode.SAME_STEP,
            )
            self._observations, _ = self.envs.reset(seed=self.seed)
            self._episodes = [[] for _ in range(self.num_envs)]
        envs = self.envs
        for _ in range(self.rounded_steps(total_steps) // self.num_envs):  # whole vector steps
            features = self.features(self._observations)
            probs = self.probabilities(features)
            actions = np.array([self.rng.choice(self.n_actions, p=p) for p in probs])
            self._observations, rewards, terminations, truncations, _ = envs.step(actions)
            for i in range(self.num_envs):
                self._episodes[i].append((features[i], int(actions[i]), float(rewards[i])))
                if terminations[i] or truncations[i]:  # SAME_STEP: already reset
                    self._update(self._episodes[i])
                    self._episodes[i] = []
            self.steps_done += self.num_envs
            if progress is not None:
                progress(self.num_envs)

    def _update(self, episode: list[tuple[np.ndarray, int, float]]) -> None:
        """One REINFORCE step on a finished episode."""
        returns = np.zeros(len(episode))
        following = 0.0
        for t in range(len(episode) - 1, -1, -1):
            following = episode[t][2] + self.gamma * following
            returns[t] = following
        features = np.array([step[0] for step in episode])
        actions = np.array([step[1] for step in episode])
        probs = self.probabilities(features)
        # grad of log pi(a|s) w.r.t. W = s (one_hot(a) - pi(.|s))^T
        score = -probs
        score[np.arange(len(episode)), actions] += 1.0
        advantages = returns - self.baseline
        self.weights += self.learning_rate * features.T @ (advantages[:, None] * score)
        self.baseline += self.baseline_rate * (returns[0] - self.baseline)
        self.episodes_done += 1

    # -- checkpoints ------------------------------------------------------------
    def _save_model(self, directory: Path) -> None:
        np.savez(directory / "policy.npz", weights=self.weights, baseline=self.baseline)

    def _load_model(self, directory: Path) -> None:
        with np.load(directory / "policy.npz") as saved:
            if saved["weights"].shape != self.weights.shape:
                raise ValueError(
                    f"saved policy has shape {saved['weights'].shape}, this environment needs "
                    f"{self.weights.shape}; build the student for the same environment"
                )
            self.weights = saved["weights"].copy()
            self.baseline = float(saved["baseline"])

    def close(self) -> None:
        if self.envs is not None:
            self.envs.close()
            self.envs = None
        super().close()
