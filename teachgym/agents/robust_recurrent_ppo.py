"""sb3-contrib's RecurrentPPO (an LSTM actor-critic) with the Robust PLR switch.

The published maze agents of PLR, Robust PLR and ACCEL are LSTM policies
(docs/references.md [jiang2021rplr], [parkerholder2022]). :class:`RobustRecurrentPPO`
is sb3-contrib's ``RecurrentPPO`` whose rollout buffer carries the same ``keep`` mask
of shape ``(n_steps, n_envs)`` as :class:`~teachgym.agents.robust_ppo.RobustPPO`'s,
set by :class:`~teachgym.agents.level_replay.LevelScoringCallback`.

RecurrentPPO trains on whole sequences (cut at episode starts), padded and masked;
a transition that is not kept is masked exactly like padding, so it adds nothing to
the policy, value or entropy loss, while the LSTM still runs through it. Minibatches
with fewer than two kept transitions are skipped (advantage normalisation needs two),
and a rollout with no kept transition makes no update at all. With every transition
kept it trains exactly like RecurrentPPO.

Needs sb3-contrib (``pip install 'teachgym[web]'``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
from gymnasium import spaces
from sb3_contrib import RecurrentPPO
from sb3_contrib.common.recurrent.buffers import (
    RecurrentDictRolloutBuffer,
    RecurrentRolloutBuffer,
)

from teachgym.agents.robust_ppo import RobustUpdates, env_major, full_keep_mask

_MIN_KEPT = 2
"""Kept transitions a minibatch needs (the advantages are normalised over them)."""


class _KeptSequences:
    """Masks the transitions ``keep`` drops out of a recurrent buffer's minibatches."""

    keep: np.ndarray
    pad_and_flatten: Any
    _flat_keep: np.ndarray

    def reset(self) -> None:
        super().reset()  # type: ignore[misc]
        self.keep = full_keep_mask(self)

    def get(self, batch_size: int | None = None) -> Generator[Any, None, None]:
        self._flat_keep = env_major(self.keep).astype(np.float32)
        for samples in super().get(batch_size):  # type: ignore[misc]
            if int((samples.mask > 0.5).sum()) >= _MIN_KEPT:
                yield samples

    def _get_samples(self, batch_inds: np.ndarray, env_change: np.ndarray, env: Any = None) -> Any:
        samples = super()._get_samples(batch_inds, env_change, env)  # type: ignore[misc]
        kept = self.pad_and_flatten(self._flat_keep[batch_inds])
        return samples._replace(mask=samples.mask * kept)


class MaskedRecurrentRolloutBuffer(_KeptSequences, RecurrentRolloutBuffer):  # type: ignore[misc]
    """A RecurrentRolloutBuffer whose minibatches mask the transitions not kept."""


class MaskedRecurrentDictRolloutBuffer(  # type: ignore[misc]
    _KeptSequences, RecurrentDictRolloutBuffer
):
    """The dict-observation twin of :class:`MaskedRecurrentRolloutBuffer`."""


class RobustRecurrentPPO(RobustUpdates, RecurrentPPO):
    """sb3-contrib RecurrentPPO training only on the transitions its rollout buffer keeps.

    Takes every argument of ``sb3_contrib.RecurrentPPO``.
    """

    def _setup_model(self) -> None:
        super()._setup_model()
        built = self.rollout_buffer
        masked = (
            MaskedRecurrentDictRolloutBuffer
            if isinstance(self.observation_space, spaces.Dict)
            else MaskedRecurrentRolloutBuffer
        )
        self.rollout_buffer = masked(
            built.buffer_size,
            self.observation_space,
            self.action_space,
            built.hidden_state_shape,
            self.device,
            gamma=self.gamma,
            gae_lambda=self.gae_lambda,
            n_envs=self.n_envs,
        )
