"""A Stable-Baselines3 model's value of initial states, for teachers that require values.

Teachers that declare ``requires_value`` (SPDL; docs/references.md [klink2020])
learn from V(s0, task), the student's estimate of the discounted return from an
episode's reset observation. What "the value" is depends on the algorithm:

- PPO, A2C, MaskablePPO: the value network, ``policy.predict_values``; RecurrentPPO's
  at a fresh LSTM state (zeros, an episode start);
- SAC, TD3, DDPG: the smaller of the critics' Q(s0, a) at the actor's deterministic
  action (SB3's SAC has no separate value network; this leaves out SAC's entropy
  term);
- DQN: the largest Q-value, max_a Q(s0, a).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from stable_baselines3 import DQN, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.policies import ActorCriticPolicy

from teachgym.agents.policy import is_recurrent
from teachgym.curriculum import ValueFn


def _batch(observations: Sequence[Any]) -> Any:
    """Single observations (arrays, or dicts of arrays) stacked into one batch."""
    first = observations[0]
    if isinstance(first, dict):
        return {key: np.stack([np.asarray(o[key]) for o in observations]) for key in first}
    return np.stack([np.asarray(o) for o in observations])


def _is_maskable(policy: Any) -> bool:
    """Whether ``policy`` is sb3-contrib's masked actor-critic (sb3-contrib is optional)."""
    try:
        from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
    except ImportError:
        return False
    return isinstance(policy, MaskableActorCriticPolicy)


def initial_state_values(model: BaseAlgorithm, observations: Sequence[Any]) -> np.ndarray:
    """``model``'s value of each observation (as the environment returned it), shape ``(n,)``.

    Raises:
        TypeError: for a model whose values this function does not know how to read.
    """
    policy = model.policy
    actor_critic = isinstance(policy, ActorCriticPolicy) or _is_maskable(policy)
    if not (actor_critic or isinstance(model, DQN | SAC | TD3)):
        raise TypeError(
            f"no value of initial states is known for {type(model).__name__}; "
            "use PPO, MaskablePPO, A2C, SAC, TD3, DDPG or DQN"
        )
    if len(observations) == 0:
        return np.zeros(0)
    with torch.no_grad():
        tensor, _ = policy.obs_to_tensor(_batch(observations))
        predict: Any = getattr(policy, "predict_values", None)
        if is_recurrent(model):  # the LSTM's state at an episode start
            n = len(observations)
            layers, _, hidden = getattr(policy, "lstm_hidden_state_shape")  # noqa: B009
            zeros = torch.zeros(layers, n, hidden, device=policy.device)
            starts = torch.ones(n, device=policy.device)
            values = predict(tensor, (zeros, zeros), starts).flatten()
        elif actor_critic:
            values = predict(tensor).flatten()
        elif isinstance(model, DQN):
            values = model.q_net(tensor).max(dim=1).values
        elif isinstance(model, SAC):  # the smaller critic at the actor's action
            actions = model.actor(tensor, deterministic=True)
            values = torch.cat(model.critic(tensor, actions), dim=1).min(dim=1).values
        else:
            assert isinstance(model, TD3)  # DDPG is a TD3
            values = torch.cat(model.critic(tensor, model.actor(tensor)), dim=1).min(dim=1).values
    result: np.ndarray = values.cpu().numpy().astype(np.float64)
    return result


def value_function(model: BaseAlgorithm, preprocess: Callable[[Any], Any] | None = None) -> ValueFn:
    """``initial_state_values`` bound to ``model``; ``preprocess`` (e.g. the student's
    observation normalisation) is applied to the batch of observations first."""

    def values(observations: Sequence[Any]) -> np.ndarray:
        if preprocess is not None and len(observations) > 0:
            observations = list(preprocess(_batch(observations)))
        return initial_state_values(model, observations)

    return values
