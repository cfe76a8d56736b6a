"""The acting protocol evaluation needs, and an adapter for Stable-Baselines3 models.

A *policy* is anything with ``act(observation, deterministic) -> action`` (every
:class:`~teachgym.agents.student.Student` is one). It may also offer
``act_batch(observations, deterministic) -> actions``, one call for several
environments side by side; :class:`SB3Policy` does, with one ``predict`` per call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Policy(Protocol):
    """Chooses one action for one observation."""

    def act(self, observation: Any, deterministic: bool = True) -> Any: ...


def stack_observations(observations: Sequence[Any]) -> Any:
    """One batch from single observations: arrays stacked on a new first axis, dict
    observations key by key (SB3's vectorised observation layout)."""
    if not observations:
        raise ValueError("stack_observations needs at least one observation")
    first = observations[0]
    if isinstance(first, dict):
        return {key: np.stack([np.asarray(o[key]) for o in observations]) for key in first}
    return np.stack([np.asarray(o) for o in observations])


class SB3Policy:
    """A Stable-Baselines3 model (anything with SB3's ``predict``) as a policy.

    Args:
        model: the model, e.g. ``PPO`` or ``MaskablePPO``.
        action_masks: pass each environment's ``action_masks()`` to ``predict``
            (sb3-contrib's ``MaskablePPO``); evaluation supplies them.
        preprocess: applied to each observation batch before ``predict``, e.g.
            ``VecNormalize.normalize_obs``.
    """

    def __init__(
        self,
        model: Any,
        action_masks: bool = False,
        preprocess: Callable[[Any], Any] | None = None,
    ) -> None:
        if not callable(getattr(model, "predict", None)):
            raise TypeError(f"SB3Policy needs a model with predict(), got {type(model).__name__}")
        self.model = model
        self.uses_action_masks = action_masks
        self.preprocess = preprocess

    def act(self, observation: Any, deterministic: bool = True) -> Any:
        return self.act_batch([observation], deterministic)[0]

    def act_batch(
        self,
        observations: Sequence[Any],
        deterministic: bool = True,
        action_masks: np.ndarray | None = None,
    ) -> list[Any]:
        """Actions for ``observations`` (one per environment), from one ``predict`` call."""
        batch = stack_observations(observations)
        if self.preprocess is not None:
            batch = self.preprocess(batch)
        extra = {} if action_masks is None else {"action_masks": action_masks}
        actions, _ = self.model.predict(batch, deterministic=deterministic, **extra)
        return list(actions)
