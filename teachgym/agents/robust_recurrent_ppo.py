"""The LSTM actor-critic (sb3-contrib's RecurrentPPO, whole-rollout update) with the
Robust PLR switch.

The published maze agents of PLR, Robust PLR and ACCEL are LSTM policies
(docs/references.md [jiang2021rplr], [parkerholder2022]). :class:`RobustRecurrentPPO`
is :class:`~teachgym.agents.whole_rollout_ppo.WholeRolloutRecurrentPPO` whose rollout
buffer carries the same ``keep`` mask of shape ``(n_steps, n_envs)`` as
:class:`~teachgym.agents.robust_ppo.RobustPPO`'s,
set by :class:`~teachgym.agents.level_replay.LevelScoringCallback`.

Its minibatches are whole environment rollouts: a transition that
is not kept gets mask 0, so it adds nothing to the policy, value or entropy loss (nor to
the advantage normalisation), while the LSTM still runs through it. Minibatches with
fewer than two kept transitions are skipped (advantage normalisation needs two), and a
rollout with no kept transition makes no update at all. With every transition kept it
trains exactly like WholeRolloutRecurrentPPO.

Needs sb3-contrib (``pip install 'teachgym[web]'``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np

from teachgym.agents.robust_ppo import RobustUpdates, env_major, full_keep_mask
from teachgym.agents.whole_rollout_ppo import (
    WholeRolloutBuffer,
    WholeRolloutDictBuffer,
    WholeRolloutRecurrentPPO,
)

_MIN_KEPT = 2
"""Kept transitions a minibatch needs (the advantages are normalised over them)."""


class _KeptTransitions:
    """Masks the transitions ``keep`` drops out of a whole-rollout buffer's minibatches."""

    keep: np.ndarray
    _flat_keep: np.ndarray

    def reset(self) -> None:
        super().reset()  # type: ignore[misc]
        self.keep = full_keep_mask(self)

    def get(self, batch_size: int | None = None) -> Generator[Any, None, None]:
        self._flat_keep = env_major(self.keep).astype(np.float32)
        for samples in super().get(batch_size):  # type: ignore[misc]
            if int((samples.mask > 0.5).sum()) >= _MIN_KEPT:
                yield samples

    def transition_mask(self, indices: np.ndarray) -> np.ndarray:
        """1 for the kept transitions at env-major ``indices``, 0 for the others."""
        return self._flat_keep[indices]


class MaskedRecurrentRolloutBuffer(_KeptTransitions, WholeRolloutBuffer):
    """A whole-rollout buffer whose minibatches mask the transitions not kept."""


class MaskedRecurrentDictRolloutBuffer(_KeptTransitions, WholeRolloutDictBuffer):
    """The dict-observation twin of :class:`MaskedRecurrentRolloutBuffer`."""


class RobustRecurrentPPO(RobustUpdates, WholeRolloutRecurrentPPO):
    """WholeRolloutRecurrentPPO training only on the transitions its rollout buffer keeps.

    Takes every argument of ``sb3_contrib.RecurrentPPO`` (``batch_size`` a multiple of
    ``n_steps``).
    """

    buffer_classes = (MaskedRecurrentRolloutBuffer, MaskedRecurrentDictRolloutBuffer)
