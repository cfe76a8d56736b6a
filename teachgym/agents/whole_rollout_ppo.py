"""sb3-contrib's RecurrentPPO updating on whole environment rollouts instead of padded sequences.

sb3-contrib's ``RecurrentPPO`` (docs/references.md [sb3-contrib-recurrent]) cuts each
minibatch into sequences at every episode start, at every environment change and at one
random split point per epoch, and pads every sequence to the longest: the CNN and the
LSTM then run on ``(sequences x longest sequence)`` rows, several times the
``n_steps * n_envs`` real ones once episodes are short. :class:`WholeRolloutRecurrentPPO`
keeps the rollout's own layout: a minibatch is a set of whole environments, the feature
extractor runs once on their ``k * n_steps`` real observations and the LSTM runs over each
environment's ``n_steps`` steps from the hidden state stored at the rollout's first step,
reset at episode starts as in the rollout (``RecurrentActorCriticPolicy._process_sequence``,
run here in one LSTM call per stretch of steps without an episode start). The loss is
RecurrentPPO's own ``train`` (clipped policy loss, value loss, entropy, all averaged over
the minibatch's ``mask``): only the minibatches differ.

Equal to sb3-contrib: every transition's loss term once the LSTM state entering it is the
same. At an episode start both reset the state to zero (and the reset blocks the gradient
to earlier steps in both), and each environment's first step starts from the stored
state in both, so with one minibatch and sb3-contrib's random split landing on an
environment's first step the two compute the same loss and gradient (to float rounding).
Not equal: sb3-contrib also starts a sequence at its random split point (and at
minibatch edges when there are several minibatches) from the hidden state *stored during
the rollout*, computed by the old weights and cut from the gradient; here the state there
is recomputed by the current weights (the same value only while the weights are still the
rollout's: the first minibatch of the first epoch) and the gradient flows back through it
to the episode's start (or the rollout's first step). Minibatches differ too: sb3-contrib's are
contiguous slices of the rolled env-major transitions, these are whole environments.

``batch_size`` must be a multiple of ``n_steps`` (``k * n_steps``: ``k`` whole
environments per minibatch, drawn without replacement each epoch; ``n_steps * n_envs``
is one minibatch, jaxued's setting); other sizes raise ``ValueError``.

Its policy names (``MlpLstmPolicy``, ``CnnLstmPolicy``, ``MultiInputLstmPolicy``) are
sb3-contrib's policies whose features size is a Python ``int`` (:class:`MlpLstmPolicy`), so
any features extractor, SB3's own on ``MultiDiscrete`` entries included, feeds the LSTM.

Needs sb3-contrib (``pip install 'teachgym[web]'``).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Generator
from typing import Any, ClassVar

import numpy as np
import torch
from gymnasium import spaces
from sb3_contrib import RecurrentPPO
from sb3_contrib.common.recurrent.buffers import (
    RecurrentDictRolloutBuffer,
    RecurrentRolloutBuffer,
)
from sb3_contrib.common.recurrent.policies import (
    RecurrentActorCriticCnnPolicy,
    RecurrentActorCriticPolicy,
    RecurrentMultiInputActorCriticPolicy,
)
from sb3_contrib.common.recurrent.type_aliases import (
    RecurrentDictRolloutBufferSamples,
    RecurrentRolloutBufferSamples,
    RNNStates,
)
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

from teachgym.agents.robust_ppo import flatten_for_training

_STATES = ("hidden_states_pi", "cell_states_pi", "hidden_states_vf", "cell_states_vf")


class _WholeEnvironments:
    """``get`` of a recurrent rollout buffer yielding minibatches of whole environments."""

    buffer_size: int
    n_envs: int
    full: bool
    generator_ready: bool
    observations: Any
    actions: np.ndarray
    values: np.ndarray
    log_probs: np.ndarray
    advantages: np.ndarray
    returns: np.ndarray
    episode_starts: np.ndarray
    swap_and_flatten: Any
    to_torch: Any

    def _flatten(self) -> None:
        """Lay the ``(n_steps, n_envs, ...)`` arrays out env-major, ``(n_envs * n_steps, ...)``
        (the hidden states as ``(n_envs * n_steps, layers, hidden)``), as sb3-contrib does."""
        if self.generator_ready:
            return
        for name in _STATES:
            setattr(self, name, self.swap_and_flatten(getattr(self, name).swapaxes(1, 2)))
        flatten_for_training(self, also=("episode_starts",))

    def transition_mask(self, indices: np.ndarray) -> np.ndarray:
        """Loss weight (1 or 0) of the transitions at env-major ``indices``: all 1 here."""
        return np.ones(indices.size, dtype=np.float32)

    def get(self, batch_size: int | None = None) -> Generator[Any, None, None]:
        """Minibatches of ``batch_size // n_steps`` whole environments (all if ``None``)."""
        assert self.full, "the rollout buffer must be full before training on it"
        self._flatten()
        per_batch = self.n_envs if batch_size is None else batch_size // self.buffer_size
        if per_batch < 1 or (batch_size is not None and batch_size % self.buffer_size):
            raise ValueError(whole_batch_message(batch_size, self.buffer_size, self.n_envs))
        envs = np.arange(self.n_envs)
        if per_batch < self.n_envs:
            envs = np.random.permutation(self.n_envs)
        for start in range(0, self.n_envs, per_batch):
            yield self.environments(envs[start : start + per_batch])

    def environments(self, envs: np.ndarray) -> Any:
        """The samples of environments ``envs`` (shape ``(k,)``), env-major: tensors of
        ``k * n_steps`` rows and LSTM states of shape ``(layers, k, hidden)``."""
        steps = self.buffer_size
        rows = (envs[:, None] * steps + np.arange(steps)).reshape(-1)
        first = envs * steps
        lstm = [
            self.to_torch(getattr(self, name)[first].swapaxes(0, 1)).contiguous()
            for name in _STATES
        ]
        if isinstance(self.observations, dict):
            observations: Any = {k: self.to_torch(v[rows]) for k, v in self.observations.items()}
        else:
            observations = self.to_torch(self.observations[rows])
        fields = {
            "observations": observations,
            "actions": self.to_torch(self.actions[rows]),
            "old_values": self.to_torch(self.values[rows].reshape(-1)),
            "old_log_prob": self.to_torch(self.log_probs[rows].reshape(-1)),
            "advantages": self.to_torch(self.advantages[rows].reshape(-1)),
            "returns": self.to_torch(self.returns[rows].reshape(-1)),
            "lstm_states": RNNStates((lstm[0], lstm[1]), (lstm[2], lstm[3])),
            "episode_starts": self.to_torch(self.episode_starts[rows].reshape(-1)),
            "mask": self.to_torch(self.transition_mask(rows)),
        }
        if isinstance(self.observations, dict):
            return RecurrentDictRolloutBufferSamples(**fields)
        return RecurrentRolloutBufferSamples(**fields)


def whole_batch_message(batch_size: int | None, n_steps: int, n_envs: int) -> str:
    """Why ``batch_size`` cannot be split into whole environments' rollouts."""
    return (
        f"batch_size {batch_size} is not a whole number of environment rollouts: "
        f"the whole-rollout update needs batch_size = k * n_steps (n_steps {n_steps}, "
        f"k = 1..{n_envs}; {n_steps * n_envs} is one minibatch of every environment)"
    )


class WholeRolloutBuffer(_WholeEnvironments, RecurrentRolloutBuffer):
    """A RecurrentRolloutBuffer whose minibatches are whole environments' rollouts."""


class WholeRolloutDictBuffer(_WholeEnvironments, RecurrentDictRolloutBuffer):
    """The dict-observation twin of :class:`WholeRolloutBuffer`."""


class _IntegerFeatures:
    """Makes the features extractor's ``features_dim`` a Python ``int``.

    SB3 sizes a flattened ``MultiDiscrete`` observation as ``sum(nvec)``, a numpy integer
    (``stable_baselines3.common.preprocessing.get_flattened_obs_dim``, SB3 2.9.2), which
    ``CombinedExtractor`` adds into its ``features_dim``. ``nn.Linear`` accepts that, but
    ``nn.LSTM`` refuses any ``input_size`` that is not an ``int``, so the LSTM policy of a
    MiniGrid-family observation (its ``mission`` is ``MultiDiscrete``) without the MiniGrid
    CNN failed to build.
    """

    def make_features_extractor(self) -> BaseFeaturesExtractor:
        extractor: BaseFeaturesExtractor = super().make_features_extractor()  # type: ignore[misc]
        extractor._features_dim = int(extractor.features_dim)
        return extractor


class _SegmentedSequences:
    """Runs the LSTM over a rollout in one call per stretch without an episode start.

    sb3-contrib's ``_process_sequence`` steps the LSTM one time step at a time as soon as
    any sequence of the batch has an episode start, resetting the state of the sequences
    that start at each step. Here the time axis is cut only at the steps where some
    sequence starts, and each stretch between two cuts is one LSTM call from the state
    entering it (reset for the sequences starting there): the same computation, so the
    same outputs, states and gradients to float rounding, with a few calls instead of
    ``n_steps`` when episodes are long.
    """

    @staticmethod
    def _process_sequence(
        features: torch.Tensor,
        lstm_states: tuple[torch.Tensor, torch.Tensor],
        episode_starts: torch.Tensor,
        lstm: nn.LSTM,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """LSTM outputs ``(n_seq * steps, hidden)`` (sequence-major, as sb3-contrib's) and
        the final states, for ``features`` ``(n_seq * steps, input)``, states
        ``(layers, n_seq, hidden)`` and ``episode_starts`` ``(n_seq * steps,)``."""
        n_seq = lstm_states[0].shape[1]
        sequence = features.reshape((n_seq, -1, lstm.input_size)).swapaxes(0, 1)
        starts = episode_starts.reshape((n_seq, -1)).swapaxes(0, 1)
        steps = sequence.shape[0]
        cuts = torch.nonzero(starts.any(dim=1)).flatten().tolist()
        bounds = [*sorted({0, *cuts}), steps]
        hidden, cell = lstm_states
        outputs = []
        for begin, end in itertools.pairwise(bounds):
            keep = (1.0 - starts[begin]).view(1, n_seq, 1)
            output, (hidden, cell) = lstm(sequence[begin:end], (keep * hidden, keep * cell))
            outputs.append(output)
        # sb3-contrib annotates the states as one tensor; they are (hidden, cell), as its own.
        return torch.cat(outputs).transpose(0, 1).flatten(0, 1), (hidden, cell)  # type: ignore[return-value]


class MlpLstmPolicy(_SegmentedSequences, _IntegerFeatures, RecurrentActorCriticPolicy):
    """sb3-contrib's ``MlpLstmPolicy`` with an ``int`` features size and the LSTM run
    stretch by stretch (:class:`_SegmentedSequences`)."""


class CnnLstmPolicy(_SegmentedSequences, _IntegerFeatures, RecurrentActorCriticCnnPolicy):
    """sb3-contrib's ``CnnLstmPolicy`` with an ``int`` features size and the LSTM run
    stretch by stretch."""


class MultiInputLstmPolicy(
    _SegmentedSequences, _IntegerFeatures, RecurrentMultiInputActorCriticPolicy
):
    """sb3-contrib's ``MultiInputLstmPolicy`` with an ``int`` features size and the LSTM
    run stretch by stretch."""


class WholeRolloutRecurrentPPO(RecurrentPPO):
    """sb3-contrib RecurrentPPO whose update runs on whole environment rollouts (see the
    module docstring for what equals sb3-contrib's padded update and what does not).

    Takes every argument of ``sb3_contrib.RecurrentPPO``; ``batch_size`` must be a
    multiple of ``n_steps``.
    """

    buffer_classes: tuple[type[Any], type[Any]] = (WholeRolloutBuffer, WholeRolloutDictBuffer)
    """The (flat, dict) observation buffer classes the model trains from."""
    policy_aliases: ClassVar[dict[str, type[BasePolicy]]] = {
        "MlpLstmPolicy": MlpLstmPolicy,
        "CnnLstmPolicy": CnnLstmPolicy,
        "MultiInputLstmPolicy": MultiInputLstmPolicy,
    }
    """sb3-contrib's policies under their names, sized with Python integers."""

    def _setup_model(self) -> None:
        size = self.batch_size or self.n_steps * self.n_envs
        if size % self.n_steps or size > self.n_steps * self.n_envs:
            raise ValueError(whole_batch_message(size, self.n_steps, self.n_envs))
        super()._setup_model()
        built: Any = self.rollout_buffer
        flat, dict_obs = self.buffer_classes
        buffer = dict_obs if isinstance(self.observation_space, spaces.Dict) else flat
        self.rollout_buffer = buffer(
            built.buffer_size,
            self.observation_space,
            self.action_space,
            built.hidden_state_shape,
            self.device,
            gamma=self.gamma,
            gae_lambda=self.gae_lambda,
            n_envs=self.n_envs,
        )


def padded_copy(buffer: WholeRolloutBuffer | WholeRolloutDictBuffer) -> RecurrentRolloutBuffer:
    """sb3-contrib's own (padded) buffer holding a copy of ``buffer``'s rollout, to compare
    the two updates on the same data; ``buffer`` must be full and not yet trained on."""
    assert buffer.full and not buffer.generator_ready, "copy a full rollout before training"
    dict_obs = isinstance(buffer, RecurrentDictRolloutBuffer)
    cls = RecurrentDictRolloutBuffer if dict_obs else RecurrentRolloutBuffer
    padded = cls.__new__(cls)
    padded.__dict__.update(copy.deepcopy(vars(buffer)))
    return padded  # type: ignore[return-value]
