"""A small CNN features extractor for the MiniGrid family's observation, for SB3 policies.

The image is minigrid's partial view: each cell a (type, colour, state) code.
It is one-hot encoded per channel (11 + 6 + 3 = 20 planes, an "ImgObsWrapper-style"
image input, which learns with PPO where a flat one-hot vector with VecNormalize
did not; docs/references.md [minigrid-obs]), passed through two 3 x 3 convolutions, and
joined with the
one-hot direction and mission code (SB3 one-hot encodes those Discrete spaces)
and any further Box entries, flattened (e.g. the ``"subgoal"`` vector that
:class:`~teachgym.subgoal_wrapper.SubgoalWrapper` adds).

Use::

    PPO("MultiInputPolicy", env, policy_kwargs=minigrid_policy_kwargs())
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from minigrid.core.constants import COLOR_TO_IDX, OBJECT_TO_IDX, STATE_TO_IDX
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from torch import nn

CODE_SIZES = (len(OBJECT_TO_IDX), len(COLOR_TO_IDX), len(STATE_TO_IDX))
"""Number of values of each image channel: object type, colour, state."""


MINIGRID_PPO_KWARGS: dict[str, Any] = {
    "batch_size": 256,
    "n_epochs": 4,
    "learning_rate": 5e-4,
    "ent_coef": 0.01,
    "gae_lambda": 0.95,
    "gamma": 0.99,
}
"""SB3 PPO hyperparameters the MiniGrid benchmarks use with :class:`MiniGridCNN`."""


class MiniGridCNN(BaseFeaturesExtractor):
    """Features of a ``{"image", "direction", "mission"}`` observation.

    Args:
        observation_space: the family's Dict space (``image`` of shape (v, v, 3), v >= 3).
        features_dim: size of the output vector.
        channels: output channels of the two convolutions.
    """

    def __init__(
        self,
        observation_space: spaces.Dict,
        features_dim: int = 128,
        channels: tuple[int, int] = (16, 32),
    ) -> None:
        super().__init__(observation_space, features_dim)
        image = observation_space.spaces.get("image")
        if not isinstance(image, spaces.Box) or len(image.shape) != 3 or image.shape[2] != 3:
            raise ValueError(
                "MiniGridCNN needs a Dict observation with an 'image' Box of shape (v, v, 3) "
                f"(the teachgym MiniGrid family), got {observation_space}"
            )
        side = image.shape[0]
        self.cnn = nn.Sequential(
            nn.Conv2d(sum(CODE_SIZES), channels[0], kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(channels[0], channels[1], kernel_size=3),
            nn.ReLU(),
            nn.Flatten(),
        )
        extra = 0
        self.extra_keys = [k for k in observation_space.spaces if k != "image"]
        for key in self.extra_keys:
            space = observation_space.spaces[key]
            if isinstance(space, spaces.Discrete):
                extra += int(space.n)
            elif isinstance(space, spaces.MultiDiscrete):
                extra += int(np.sum(space.nvec))
            elif isinstance(space, spaces.Box):
                extra += int(np.prod(space.shape))
            else:
                raise ValueError(f"MiniGridCNN: {key!r} must be Discrete, MultiDiscrete or Box")
        conv_out = channels[1] * (side - 2) ** 2
        self.head = nn.Sequential(nn.Linear(conv_out + extra, features_dim), nn.ReLU())

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        """``image`` (batch, v, v, 3) float codes; discrete entries already one-hot (SB3
        does it), Box entries as they are."""
        codes = observations["image"].long()
        planes = [
            nn.functional.one_hot(codes[..., c].clamp(0, n - 1), n)
            for c, n in enumerate(CODE_SIZES)
        ]
        image = torch.cat(planes, dim=-1).permute(0, 3, 2, 1).float()  # (batch, 20, y, x)
        parts = [self.cnn(image)] + [observations[k].float().flatten(1) for k in self.extra_keys]
        return self.head(torch.cat(parts, dim=1))


def minigrid_policy_kwargs(features_dim: int = 128, **extractor_kwargs: Any) -> dict[str, Any]:
    """``policy_kwargs`` for SB3's ``MultiInputPolicy`` with :class:`MiniGridCNN`."""
    return {
        "features_extractor_class": MiniGridCNN,
        "features_extractor_kwargs": {"features_dim": features_dim, **extractor_kwargs},
        "net_arch": {"pi": [64], "vf": [64]},
    }
