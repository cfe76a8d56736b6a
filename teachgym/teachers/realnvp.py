"""The setter and judge of Setter-Solver (Racanière et al., ICLR 2020; docs/references.md
[racaniere2020]), in torch, float64.

The **setter** is a conditional RealNVP (Dinh et al. 2017) mapping a latent
z ~ N(0, I_d) and a feasibility f in (0, 1] to a goal in (0, 1)^d, with the exact log
density of the goal. As in the authors' released building blocks (used by TeachMyAgent's
``setter_solver_utils.py``; [romac2021]):

- ``n_blocks`` blocks of three affine couplings each: the second half of z moved
  conditioned on the first (``d // 2``) coordinates, then the first half conditioned on
  the second, then the even coordinates conditioned on the odd ones. Each coupling
  computes ``z_moved * scale + shift`` where ``scale = 0.01 + softplus~(s)``; ``s`` and
  ``shift`` are two highway networks (evaluated side by side, :class:`HighwayPair`) of
  the kept coordinates concatenated with f;
- a highway network: linear to ``hidden_size``, tanh, then ``layers_per_block`` highway
  blocks ``y + (tanh(a) - y) * sigmoid(g)`` with ``[a, g]`` a linear map of y, then a
  linear output;
- ``softplus~`` is the authors' slowly decaying softplus ``x (atan(x) / pi + 1/2) + 1/pi``
  (``1 / (3 pi x^2)`` below -30), after a soft clip to +-1e6;
- a final sigmoid squashes the goal into (0, 1).

log p(goal | f) = log N(z; 0, I) - sum log scale - sum log sigmoid'(logit). The reference
omits N's constant -d/2 log(2 pi); here it is included, so the density is exact (the
constant does not change any gradient).

The **judge** is an MLP (ReLU layers, one linear output) giving the logit of the
probability that the student succeeds on a goal. Linear layers start as Sonnet 1's: weights
truncated normal with standard deviation 1 / sqrt(fan_in), biases zero.

This module imports torch; :mod:`teachgym.teachers.setter_solver` imports it lazily.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from teachgym.teachers.torch_state import seeded_linear, truncated_normal

MIN_SCALE = 1e-2
"""Smallest coupling scale (keeps the inverse's division bounded)."""
INIT = "truncated-normal"
DTYPE = torch.float64


def slow_softplus(x: torch.Tensor) -> torch.Tensor:
    """The authors' softplus: ~x at +inf, ~1 / (3 pi x^2) at -inf, always positive."""
    scale = 1e6 / (math.pi / 2.0)
    x = scale * torch.atan(x / scale)
    y = x * (torch.atan(x) / math.pi + 0.5) + 1.0 / math.pi
    return torch.where(x < -30.0, 1.0 / (3.0 * math.pi * x**2), y)


def log_sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    """log sigmoid'(x) = log sigmoid(x) + log sigmoid(-x), elementwise."""
    return nn.functional.logsigmoid(x) + nn.functional.logsigmoid(-x)


class HighwayPair(nn.Module):
    """Two highway networks of the same shapes on the same input, computed side by side.

    Each is linear -> tanh -> ``n_blocks`` highway blocks -> linear (module docstring);
    their weights are separate, stacked on a leading axis of size 2, so one batched
    matrix product evaluates both (the coupling's scale and shift networks).
    """

    def __init__(
        self, fan_in: int, fan_out: int, hidden: int, n_blocks: int, rng: np.random.Generator
    ) -> None:
        super().__init__()
        sizes = [(fan_in, hidden)] + [(hidden, 2 * hidden)] * n_blocks + [(hidden, fan_out)]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for inputs, outputs in sizes:
            std = 1.0 / math.sqrt(max(inputs, 1))
            weight = np.stack([truncated_normal((inputs, outputs), std, rng) for _ in range(2)])
            self.weights.append(nn.Parameter(torch.from_numpy(weight).to(DTYPE)))
            self.biases.append(nn.Parameter(torch.zeros((2, 1, outputs), dtype=DTYPE)))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Input ``(n, fan_in)`` -> both outputs, ``(n, fan_out)`` each."""
        weights, biases = list(self.weights), list(self.biases)
        y = torch.tanh(torch.baddbmm(biases[0], x.expand(2, *x.shape), weights[0]))
        for weight, bias in zip(weights[1:-1], biases[1:-1], strict=True):
            candidate, gate = torch.baddbmm(bias, y, weight).chunk(2, dim=-1)
            y = y + (torch.tanh(candidate) - y) * torch.sigmoid(gate)
        out = torch.baddbmm(biases[-1], y, weights[-1])
        return out[0], out[1]


class Coupling(nn.Module):
    """One affine coupling: coordinates ``moved`` scaled and shifted by functions of the
    coordinates ``kept`` and the feasibility."""

    def __init__(
        self,
        kept: Sequence[int],
        moved: Sequence[int],
        hidden: int,
        n_blocks: int,
        rng: np.random.Generator,
    ) -> None:
        super().__init__()
        self.kept = list(kept)
        self.moved = list(moved)
        self.nets = HighwayPair(len(kept) + 1, len(moved), hidden, n_blocks, rng)

    def _scale_shift(self, z: torch.Tensor, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s, shift = self.nets(torch.cat([z[:, self.kept], f], dim=1))
        return MIN_SCALE + slow_softplus(s), shift

    def forward(
        self, z: torch.Tensor, log_p: torch.Tensor, f: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        scale, shift = self._scale_shift(z, f)
        out = z.clone()
        out[:, self.moved] = z[:, self.moved] * scale + shift
        return out, log_p - torch.log(scale).sum(dim=1)

    def inverse(
        self, x: torch.Tensor, log_p: torch.Tensor, f: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        scale, shift = self._scale_shift(x, f)  # the kept coordinates are unchanged
        out = x.clone()
        out[:, self.moved] = (x[:, self.moved] - shift) / scale
        return out, log_p - torch.log(scale).sum(dim=1)


def coupling_order(d: int) -> list[tuple[list[int], list[int]]]:
    """(kept, moved) of the three couplings of a block, for goals of ``d`` coordinates;
    couplings that would move nothing (``d == 1``) are left out."""
    first, rest = list(range(d // 2)), list(range(d // 2, d))
    even, odd = list(range(0, d, 2)), list(range(1, d, 2))
    order = [(first, rest), (rest, first), (odd, even)]
    return [(kept, moved) for kept, moved in order if moved]


class ConditionalRealNVP(nn.Module):
    """The setter: goals in (0, 1)^d from latents and feasibilities (module docstring).

    Args:
        d: goal size.
        hidden: width of the highway networks.
        n_blocks: blocks of three couplings.
        layers_per_block: highway blocks inside each network.
        rng: the teacher's generator (initial weights).
    """

    def __init__(
        self, d: int, hidden: int, n_blocks: int, layers_per_block: int, rng: np.random.Generator
    ) -> None:
        super().__init__()
        self.d = d
        self.couplings = nn.ModuleList(
            Coupling(kept, moved, hidden, layers_per_block, rng)
            for _ in range(n_blocks)
            for kept, moved in coupling_order(d)
        )

    def base_log_density(self, z: torch.Tensor) -> torch.Tensor:
        return -0.5 * (z**2).sum(dim=1) - 0.5 * self.d * math.log(2.0 * math.pi)

    def forward(self, z: torch.Tensor, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latents ``(n, d)`` and feasibilities ``(n, 1)`` -> goals ``(n, d)``, log p ``(n,)``."""
        log_p = self.base_log_density(z)
        for coupling in self.couplings:
            z, log_p = coupling(z, log_p, f)
        return torch.sigmoid(z), log_p - log_sigmoid_derivative(z).sum(dim=1)

    def inverse(self, goals: torch.Tensor, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Goals ``(n, d)`` in (0, 1) -> latents ``(n, d)``, log p(goal | f) ``(n,)``."""
        x = torch.logit(goals)
        log_p = -log_sigmoid_derivative(x).sum(dim=1)
        for coupling in reversed(self.couplings):
            assert isinstance(coupling, Coupling)
            x, log_p = coupling.inverse(x, log_p, f)
        return x, log_p + self.base_log_density(x)


def judge_network(d: int, layers: Sequence[int], rng: np.random.Generator) -> nn.Sequential:
    """The judge: goals ``(n, d)`` -> success logits ``(n, 1)``; ReLU hidden ``layers``."""
    sizes = [d, *layers, 1]
    modules: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        modules.append(seeded_linear(sizes[i], sizes[i + 1], rng, INIT, DTYPE))
        if i < len(sizes) - 2:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)
