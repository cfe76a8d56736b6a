"""A DOM-aware actor-critic for the web-form family, for sb3-contrib's MaskablePPO.

In the spirit of QWeb (Gur et al., ICLR 2019; docs/references.md [gur2019qweb]): an
element encoder and an
instruction-field encoder embed the words of each element (text, value, classes)
and of each field (key, value) with a shared bag-of-words embedding plus their
features; every (element, field) pair is scored from the two encodings and the
pair's overlap features. The scores become the logits of ``type(e, f)`` and
``select(e, f)``; ``click(e)`` adds an element-only score to a log-sum-exp over the
fields of a third pair score (clicking a checkbox or radio option depends on the
field it serves); ``scroll_up``, ``scroll_down`` and ``submit`` come from a pooled
summary of the page, which also feeds the critic. The logits follow the flat action
layout of :class:`teachgym.envs.webform.WebFormEnv` (``action_mode="flat"``).

Usage::

    from sb3_contrib import MaskablePPO
    model = MaskablePPO(DomActorCriticPolicy, env, policy_kwargs={"embed_dim": 32})
"""

from __future__ import annotations

from typing import Any

import torch
from gymnasium import spaces
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from stable_baselines3.common.type_aliases import Schedule
from torch import nn

_OBSERVATION_KEYS = (
    "element_tokens",
    "element_value_tokens",
    "element_class_tokens",
    "element_features",
    "element_mask",
    "field_key_tokens",
    "field_value_tokens",
    "field_features",
    "field_mask",
    "overlap",
    "status",
)


def _mlp(inputs: int, hidden: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())


class DomFeaturesExtractor(BaseFeaturesExtractor):
    """Web-form observation -> ``[action logits (n_actions), critic features (hidden_dim)]``.

    Args:
        observation_space: the ``Dict`` space of ``WebFormEnv``.
        embed_dim: size of the word embeddings.
        hidden_dim: size of the element, field, pair and page encodings.
    """

    def __init__(
        self, observation_space: spaces.Dict, embed_dim: int = 32, hidden_dim: int = 64
    ) -> None:
        missing = [k for k in _OBSERVATION_KEYS if k not in observation_space.spaces]
        if missing:
            raise ValueError(
                f"DomFeaturesExtractor needs a WebFormEnv observation; missing keys {missing}"
            )
        shapes: dict[str, tuple[int, ...]] = {}
        for key in _OBSERVATION_KEYS:
            shape = observation_space.spaces[key].shape
            assert shape is not None
            shapes[key] = shape
        n_elements, _ = shapes["element_tokens"]
        n_fields = shapes["field_key_tokens"][0]
        n_overlap = shapes["overlap"][-1]
        token_space = observation_space.spaces["element_tokens"]
        assert isinstance(token_space, spaces.Box)
        vocab_size = int(token_space.high.max()) + 1
        self.n_elements, self.n_fields = n_elements, n_fields
        self.n_actions = n_elements + 2 * n_elements * n_fields + 3
        super().__init__(observation_space, self.n_actions + hidden_dim)
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        element_in = 3 * embed_dim + shapes["element_features"][-1]
        field_in = 2 * embed_dim + shapes["field_features"][-1]
        self.element_encoder = _mlp(element_in, hidden_dim)
        self.field_encoder = _mlp(field_in, hidden_dim)
        self.pair_element = nn.Linear(hidden_dim, hidden_dim)
        self.pair_field = nn.Linear(hidden_dim, hidden_dim, bias=False)
        self.pair_overlap = nn.Linear(n_overlap, hidden_dim, bias=False)
        self.pair_scores = nn.Linear(hidden_dim, 3)  # type, select, click-for-field
        self.click_score = nn.Linear(hidden_dim, 1)
        self.page_encoder = _mlp(2 * hidden_dim + shapes["status"][0], hidden_dim)
        self.page_scores = nn.Linear(hidden_dim, 3)  # scroll_up, scroll_down, submit
        for head in (self.pair_scores, self.click_score, self.page_scores):
            nn.init.orthogonal_(head.weight, gain=0.01)
            nn.init.zeros_(head.bias)

    def _bag(self, tokens: torch.Tensor) -> torch.Tensor:
        """Mean embedding of the non-padding tokens: (..., T) -> (..., embed_dim)."""
        ids = tokens.long()
        present = (ids > 0).unsqueeze(-1).float()
        total = (self.embed(ids) * present).sum(dim=-2)
        return total / present.sum(dim=-2).clamp(min=1.0)

    def forward(self, observations: dict[str, torch.Tensor]) -> torch.Tensor:
        """Scores of every flat action and the page encoding, shape (B, n_actions + hidden_dim).

        Only present elements, fields and (element, field) pairs are encoded: a page
        uses a few dozen of its ``n_elements`` slots, and the pairs are most of the cost.
        Scores of absent slots are constants (``-1e4`` for the pair scores, the bias
        for ``click``); the action masks of ``WebFormEnv`` never allow those actions.
        """
        obs = observations
        batch = obs["element_tokens"].shape[0]
        element_mask = obs["element_mask"]
        field_mask = obs["field_mask"]
        present_elements = element_mask > 0.5  # (B, E)
        present_fields = field_mask > 0.5  # (B, F)
        element_rows = self.element_encoder(
            torch.cat(
                [
                    self._bag(obs["element_tokens"][present_elements]),
                    self._bag(obs["element_value_tokens"][present_elements]),
                    self._bag(obs["element_class_tokens"][present_elements]),
                    obs["element_features"][present_elements],
                ],
                dim=-1,
            )
        )  # (n present elements, H)
        field_rows = self.field_encoder(
            torch.cat(
                [
                    self._bag(obs["field_key_tokens"][present_fields]),
                    self._bag(obs["field_value_tokens"][present_fields]),
                    obs["field_features"][present_fields],
                ],
                dim=-1,
            )
        )  # (n present fields, H)
        hidden = element_rows.shape[-1]
        elements = element_rows.new_zeros(batch, self.n_elements, hidden).masked_scatter(
            present_elements.unsqueeze(-1), element_rows
        )  # (B, E, H), zero where absent
        fields = field_rows.new_zeros(batch, self.n_fields, hidden).masked_scatter(
            present_fields.unsqueeze(-1), field_rows
        )  # (B, F, H)
        element_row = torch.cumsum(present_elements.flatten(), 0).view_as(present_elements) - 1
        field_row = torch.cumsum(present_fields.flatten(), 0).view_as(present_fields) - 1
        present_pairs = present_elements.unsqueeze(2) & present_fields.unsqueeze(1)  # (B, E, F)
        b, e, f = present_pairs.nonzero(as_tuple=True)
        pairs = torch.relu(
            self.pair_element(element_rows)[element_row[b, e]]
            + self.pair_field(field_rows)[field_row[b, f]]
            + self.pair_overlap(obs["overlap"][b, e, f])
        )  # (n present pairs, H)
        scores = pairs.new_full((batch, self.n_elements, self.n_fields, 3), -1e4).index_put(
            (b, e, f), self.pair_scores(pairs)
        )  # (B, E, F, 3)
        click = self.click_score(elements).squeeze(-1) + torch.logsumexp(scores[..., 2], dim=-1)
        page = self.page_encoder(
            torch.cat(
                [  # means over the present slots (absent ones are zero)
                    elements.sum(1) / element_mask.sum(1, keepdim=True).clamp(min=1.0),
                    fields.sum(1) / field_mask.sum(1, keepdim=True).clamp(min=1.0),
                    obs["status"],
                ],
                dim=-1,
            )
        )  # (B, H)
        logits = torch.cat(
            [
                click,
                scores[..., 0].reshape(batch, -1),
                scores[..., 1].reshape(batch, -1),
                self.page_scores(page),
            ],
            dim=-1,
        )
        return torch.cat([logits, page], dim=-1)


class _SplitLatent(nn.Module):
    """Splits the extractor's output into the actor's logits and the critic's features."""

    def __init__(self, n_actions: int, hidden_dim: int) -> None:
        super().__init__()
        self.latent_dim_pi = n_actions
        self.latent_dim_vf = hidden_dim

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.forward_actor(features), self.forward_critic(features)

    def forward_actor(self, features: torch.Tensor) -> torch.Tensor:
        return features[..., : self.latent_dim_pi]

    def forward_critic(self, features: torch.Tensor) -> torch.Tensor:
        return features[..., self.latent_dim_pi :]


class DomActorCriticPolicy(MaskableActorCriticPolicy):
    """MaskablePPO policy whose logits are :class:`DomFeaturesExtractor`'s action scores.

    Args (besides MaskableActorCriticPolicy's):
        embed_dim: word embedding size.
        hidden_dim: size of the element, field, pair and page encodings.
    """

    def __init__(
        self,
        observation_space: spaces.Space[Any],
        action_space: spaces.Space[Any],
        lr_schedule: Schedule,
        embed_dim: int = 32,
        hidden_dim: int = 64,
        **kwargs: Any,
    ) -> None:
        if not isinstance(observation_space, spaces.Dict) or not isinstance(
            action_space, spaces.Discrete
        ):
            raise ValueError(
                "DomActorCriticPolicy needs WebFormEnv's Dict observation and its flat "
                f"Discrete action space (action_mode='flat'), got {observation_space} and "
                f"{action_space}"
            )
        self.hidden_dim = hidden_dim
        kwargs.update(
            features_extractor_class=DomFeaturesExtractor,
            features_extractor_kwargs={"embed_dim": embed_dim, "hidden_dim": hidden_dim},
            ortho_init=False,
            share_features_extractor=True,
        )
        super().__init__(observation_space, action_space, lr_schedule, **kwargs)
        extractor = self.features_extractor
        assert isinstance(extractor, DomFeaturesExtractor)
        if extractor.n_actions != int(action_space.n):
            raise ValueError(
                f"the observation describes {extractor.n_actions} flat actions but the action "
                f"space has {action_space.n}: use WebFormEnv with action_mode='flat'"
            )

    def _build_mlp_extractor(self) -> None:
        extractor = self.features_extractor
        assert isinstance(extractor, DomFeaturesExtractor)
        self.mlp_extractor = _SplitLatent(extractor.n_actions, self.hidden_dim)  # type: ignore[assignment]

    def _build(self, lr_schedule: Schedule) -> None:
        self._build_mlp_extractor()
        self.action_net = nn.Identity()
        self.value_net = nn.Linear(self.hidden_dim, 1)
        self.optimizer = self.optimizer_class(
            self.parameters(),
            lr=lr_schedule(1),  # type: ignore[call-arg]
            **self.optimizer_kwargs,
        )
