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

    def batch(self, observations: Sequence[Any]) -> Any:
        """The observations stacked (and preprocessed) as ``predict`` takes them."""
        batch = stack_observations(observations)
        return batch if self.preprocess is None else self.preprocess(batch)

    def act_batch(
        self,
        observations: Sequence[Any],
        deterministic: bool = True,
        action_masks: np.ndarray | None = None,
    ) -> list[Any]:
        """Actions for ``observations`` (one per environment), from one ``predict`` call."""
        batch = self.batch(observations)
        extra = {} if action_masks is None else {"action_masks": action_masks}
        actions, _ = self.model.predict(batch, deterministic=deterministic, **extra)
        return list(actions)


def is_recurrent(model: Any) -> bool:
    """Whether an SB3 model's policy is recurrent (sb3-contrib's LSTM policies)."""
    return getattr(getattr(model, "policy", None), "lstm_actor", None) is not None


class RecurrentSB3Policy(SB3Policy):
    """A recurrent SB3 model (sb3-contrib's ``RecurrentPPO``) as a policy that carries the
    LSTM state of each environment slot from step to step.

    Takes the arguments of :class:`SB3Policy`. Evaluation passes ``slots`` (which
    environment each observation comes from) and ``episode_starts`` (the observation is
    a reset's); without them, observation ``i`` continues slot ``i`` (a new slot starts
    an episode).
    """

    recurrent = True

    def __init__(self, model: Any, **options: Any) -> None:
        super().__init__(model, **options)
        lstm = model.policy.lstm_actor
        self._blank = np.zeros((lstm.num_layers, lstm.hidden_size), dtype=np.float32)
        self.states: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        """Slot -> LSTM (hidden, cell) state, each of shape ``(layers, hidden size)``."""

    def act_batch(
        self,
        observations: Sequence[Any],
        deterministic: bool = True,
        action_masks: np.ndarray | None = None,
        slots: Sequence[int] | None = None,
        episode_starts: Sequence[bool] | None = None,
    ) -> list[Any]:
        """Actions for ``observations`` from one ``predict`` call, each slot's LSTM state
        carried on (and reset where an episode starts)."""
        slots = list(range(len(observations))) if slots is None else list(slots)
        if episode_starts is None:
            episode_starts = [slot not in self.states for slot in slots]
        batch = self.batch(observations)
        held = [self.states.get(slot, (self._blank, self._blank)) for slot in slots]
        state = (
            np.stack([h for h, _ in held], axis=1),
            np.stack([c for _, c in held], axis=1),
        )
        starts = np.asarray(episode_starts, dtype=bool)
        extra = {} if action_masks is None else {"action_masks": action_masks}
        actions, (hidden, cell) = self.model.predict(
            batch, state=state, episode_start=starts, deterministic=deterministic, **extra
        )
        for i, slot in enumerate(slots):
            self.states[slot] = (hidden[:, i].copy(), cell[:, i].copy())
        return list(actions)


def sb3_policy(model: Any) -> SB3Policy:
    """The policy of an SB3 model: :class:`RecurrentSB3Policy` for recurrent ones, else
    :class:`SB3Policy`."""
    return RecurrentSB3Policy(model) if is_recurrent(model) else SB3Policy(model)
