"""PPO that can leave chosen transitions out of its update (the Robust PLR switch).

Robust PLR / PLR⊥ (Jiang et al., NeurIPS 2021; docs/references.md [jiang2021rplr])
forbids gradient steps on episodes of new,
unreplayed levels: the student only scores them. :class:`RobustPPO` is SB3's PPO
with a rollout buffer that carries a ``keep`` mask of shape ``(n_steps, n_envs)``;
minibatches are drawn from the kept transitions only, and a rollout with no kept
transition makes no update at all (the weights stay exactly as they were). With
every transition kept it trains exactly like PPO. The mask is set at the end of
each rollout, before the update, by
:class:`~teachgym.agents.level_replay.LevelScoringCallback`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
from gymnasium import spaces
from stable_baselines3 import PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.buffers import DictRolloutBuffer, RolloutBuffer
from stable_baselines3.common.type_aliases import DictRolloutBufferSamples, RolloutBufferSamples

_FLAT_FIELDS = ("actions", "values", "log_probs", "advantages", "returns")


def flatten_for_training(buffer: Any, also: tuple[str, ...] = ()) -> None:
    """Flatten the ``(n_steps, n_envs, ...)`` arrays to ``(n_envs * n_steps, ...)`` once,
    as SB3's own ``get`` does (env-major order): observations, the PPO fields and the
    buffer's arrays named in ``also``."""
    if buffer.generator_ready:
        return
    if isinstance(buffer.observations, dict):
        for key, obs in buffer.observations.items():
            buffer.observations[key] = buffer.swap_and_flatten(obs)
    else:
        buffer.observations = buffer.swap_and_flatten(buffer.observations)
    for name in (*_FLAT_FIELDS, *also):
        setattr(buffer, name, buffer.swap_and_flatten(getattr(buffer, name)))
    buffer.generator_ready = True


def full_keep_mask(buffer: Any) -> np.ndarray:
    """A keep mask of shape ``(n_steps, n_envs)`` keeping every transition of ``buffer``."""
    return np.ones((buffer.buffer_size, buffer.n_envs), dtype=bool)


def env_major(keep: np.ndarray) -> np.ndarray:
    """A ``(n_steps, n_envs)`` mask flattened env by env, the order of SB3's flattened
    buffers: shape ``(n_envs * n_steps,)``."""
    return keep.T.reshape(-1)


def _kept_indices(keep: np.ndarray) -> np.ndarray:
    """Flat (env-major) indices of kept transitions; ``keep`` has shape ``(n_steps, n_envs)``."""
    return np.flatnonzero(env_major(keep))


def _kept_batches(buffer: Any, batch_size: int | None) -> Generator[Any, None, None]:
    """Shuffled minibatches of the transitions ``buffer.keep`` marks (all if ``batch_size``
    is ``None``), for both masked buffers."""
    assert buffer.full, "the rollout buffer must be full before training on it"
    kept = _kept_indices(buffer.keep)
    flatten_for_training(buffer)
    indices = kept[np.random.permutation(kept.size)]
    size = batch_size or max(kept.size, 1)
    for start in range(0, indices.size, size):
        yield buffer._get_samples(indices[start : start + size])


class MaskedRolloutBuffer(RolloutBuffer):
    """A RolloutBuffer whose ``get`` yields only transitions with ``keep[step, env]`` True."""

    keep: np.ndarray

    def reset(self) -> None:
        super().reset()
        self.keep = full_keep_mask(self)

    def get(self, batch_size: int | None = None) -> Generator[RolloutBufferSamples, None, None]:
        yield from _kept_batches(self, batch_size)


class MaskedDictRolloutBuffer(DictRolloutBuffer):
    """The dict-observation twin of :class:`MaskedRolloutBuffer`."""

    keep: np.ndarray

    def reset(self) -> None:
        super().reset()
        self.keep = full_keep_mask(self)

    def get(  # type: ignore[override]
        self, batch_size: int | None = None
    ) -> Generator[DictRolloutBufferSamples, None, None]:
        yield from _kept_batches(self, batch_size)


class RobustUpdates:
    """The Robust PLR switch of an SB3 on-policy algorithm whose rollout buffer has a
    ``keep`` mask: the update uses the kept transitions only and is skipped (the weights
    stay exactly as they were) when none is kept. Mixed in before the algorithm class
    (:class:`RobustPPO`, and ``RobustRecurrentPPO`` of
    :mod:`teachgym.agents.robust_recurrent_ppo`)."""

    trained_steps: int = 0
    """Transitions the updates have used so far (the kept ones of every rollout)."""
    rollout_buffer: Any
    logger: Any

    @property
    def keep(self) -> np.ndarray:
        """The current rollout's keep mask, shape ``(n_steps, n_envs)`` (writable)."""
        mask: np.ndarray = self.rollout_buffer.keep
        return mask

    def train(self) -> None:
        """The algorithm's update on the kept transitions; no update if none is kept."""
        kept = int(self.keep.sum())
        self.logger.record("train/kept_fraction", kept / self.keep.size)
        if kept == 0:
            self.logger.record("train/skipped_exploratory_rollout", 1)
            return
        self.trained_steps += kept
        super().train()  # type: ignore[misc]


class RobustPPO(RobustUpdates, PPO):
    """SB3 PPO training only on the transitions its rollout buffer keeps.

    Takes every argument of :class:`stable_baselines3.PPO`; ``rollout_buffer_class``
    defaults to the masked buffer matching the observation space.
    """

    def _setup_model(self) -> None:
        if self.rollout_buffer_class is None:
            dict_obs = isinstance(self.observation_space, spaces.Dict)
            self.rollout_buffer_class = MaskedDictRolloutBuffer if dict_obs else MaskedRolloutBuffer
        if not issubclass(self.rollout_buffer_class, MaskedRolloutBuffer | MaskedDictRolloutBuffer):
            raise ValueError(
                "RobustPPO needs a MaskedRolloutBuffer or MaskedDictRolloutBuffer, got "
                f"{self.rollout_buffer_class.__name__}; leave rollout_buffer_class unset"
            )
        super()._setup_model()


def trained_steps(model: BaseAlgorithm) -> int:
    """Transitions ``model``'s updates have used: the kept ones for a robust model
    (:class:`RobustUpdates`), every collected one otherwise (exact between rollouts)."""
    return model.trained_steps if isinstance(model, RobustUpdates) else model.num_timesteps
