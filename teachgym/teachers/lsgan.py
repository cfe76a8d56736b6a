"""The least-squares GAN of GoalGAN (Florensa et al., ICML 2018; docs/references.md
[florensa2018]), in torch.

A generator G maps noise z ~ N(0, I) (``noise_size``) through ReLU layers to ``tanh``
outputs in [-1, 1]^d; a discriminator D (leaky-ReLU layers, slope 0.1, one linear
output) scores goals. Goals are given centred, as ``unit - 0.5`` with ``unit`` in
[0, 1]^d. One training iteration, as in TeachMyAgent's ``gan.py`` (the rllab-curriculum
GAN; [romac2021]):

1. D step on a batch of ``batch_size`` labelled goals (drawn in order, cycling) plus
   ``batch_size`` fresh G(z) labelled 0: minimise mean (2 y - 1 - D(x))^2, so goals of
   intermediate difficulty are pushed to +1, other and generated goals to -1;
2. G step on the same z: minimise mean (D(G(z)) - 1)^2.

Both use RMSprop with learning rate 1e-3 and decay 0.9 (TensorFlow 1's
``RMSPropOptimizer`` defaults). Weights start Glorot-uniform, biases at zero. Deviation:
TensorFlow 1 starts RMSprop's mean square at 1 and adds epsilon (1e-10) inside the square
root; torch starts it at 0 and adds epsilon outside, so the first steps are larger here.

This module imports torch; :mod:`teachgym.teachers.goal_gan` imports it lazily.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from teachgym.teachers.torch_state import (
    load_module_state,
    load_optimizer_state,
    module_state,
    optimizer_state,
    seeded_linear,
)

RMSPROP_DECAY = 0.9
RMSPROP_EPSILON = 1e-10
DISCRIMINATOR_SLOPE = 0.1


def _mlp(
    sizes: Sequence[int], rng: np.random.Generator, hidden: nn.Module, output: nn.Module | None
) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(seeded_linear(fan_in, fan_out, rng))
        if i < len(sizes) - 2:
            layers.append(hidden)
    if output is not None:
        layers.append(output)
    return nn.Sequential(*layers)


class LSGAN:
    """Generator and discriminator with their optimizers (module docstring).

    Args:
        goal_size: d, the number of goal coordinates.
        noise_size: size of the generator's input noise.
        generator_layers: hidden sizes of G.
        discriminator_layers: hidden sizes of D.
        rng: the teacher's generator; initial weights are drawn from it.
        learning_rate: RMSprop step size of both networks.
        batch_size: labelled goals and generated goals per iteration (each).
    """

    def __init__(
        self,
        goal_size: int,
        noise_size: int,
        generator_layers: Sequence[int],
        discriminator_layers: Sequence[int],
        rng: np.random.Generator,
        learning_rate: float = 1e-3,
        batch_size: int = 64,
    ) -> None:
        self.goal_size = goal_size
        self.noise_size = noise_size
        self.batch_size = batch_size
        self.generator = _mlp([noise_size, *generator_layers, goal_size], rng, nn.ReLU(), nn.Tanh())
        self.discriminator = _mlp(
            [goal_size, *discriminator_layers, 1], rng, nn.LeakyReLU(DISCRIMINATOR_SLOPE), None
        )
        self.generator_optimizer = torch.optim.RMSprop(
            self.generator.parameters(), lr=learning_rate, alpha=RMSPROP_DECAY, eps=RMSPROP_EPSILON
        )
        self.discriminator_optimizer = torch.optim.RMSprop(
            self.discriminator.parameters(),
            lr=learning_rate,
            alpha=RMSPROP_DECAY,
            eps=RMSPROP_EPSILON,
        )

    def generate(self, noise: np.ndarray) -> np.ndarray:
        """G(noise): shape ``(n, noise_size)`` -> ``(n, goal_size)`` in [-1, 1], float64."""
        with torch.no_grad():
            out = self.generator(torch.as_tensor(noise, dtype=torch.float32))
        return out.numpy().astype(np.float64)

    def score(self, goals: np.ndarray) -> np.ndarray:
        """D(goals) for centred goals of shape ``(n, goal_size)``: shape ``(n,)``."""
        with torch.no_grad():
            out = self.discriminator(torch.as_tensor(goals, dtype=torch.float32))
        return out.numpy()[:, 0].astype(np.float64)

    def train(
        self, goals: np.ndarray, labels: np.ndarray, iterations: int, rng: np.random.Generator
    ) -> tuple[float, float]:
        """Run ``iterations`` D and G steps on centred ``goals`` ``(n, d)`` with 0/1
        ``labels`` ``(n,)``; noise is drawn from ``rng``. Returns the last (D, G) losses."""
        x_all = torch.as_tensor(goals, dtype=torch.float32)
        y_all = torch.as_tensor(labels, dtype=torch.float32).reshape(-1, 1)
        n = x_all.shape[0]
        start = 0
        fake_labels = torch.zeros((self.batch_size, 1))
        d_loss = g_loss = torch.tensor(0.0)
        for _ in range(iterations):
            if n <= self.batch_size:
                x_real, y_real = x_all, y_all
            else:
                index = torch.as_tensor((start + np.arange(self.batch_size)) % n)
                x_real, y_real = x_all[index], y_all[index]
                start = (start + self.batch_size) % n
            noise = torch.as_tensor(
                rng.standard_normal((self.batch_size, self.noise_size)), dtype=torch.float32
            )
            with torch.no_grad():
                fake = self.generator(noise)
            x = torch.cat([x_real, fake])
            target = 2.0 * torch.cat([y_real, fake_labels]) - 1.0
            d_loss = torch.mean((target - self.discriminator(x)) ** 2)
            self.discriminator_optimizer.zero_grad()
            d_loss.backward()
            self.discriminator_optimizer.step()

            g_loss = torch.mean((self.discriminator(self.generator(noise)) - 1.0) ** 2)
            self.generator_optimizer.zero_grad()
            g_loss.backward()
            self.generator_optimizer.step()
        self.discriminator.zero_grad()
        return float(d_loss.detach()), float(g_loss.detach())

    # -- state -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "generator": module_state(self.generator),
            "discriminator": module_state(self.discriminator),
            "generator_optimizer": optimizer_state(self.generator_optimizer),
            "discriminator_optimizer": optimizer_state(self.discriminator_optimizer),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        load_module_state(self.generator, state["generator"], "GoalGAN generator")
        load_module_state(self.discriminator, state["discriminator"], "GoalGAN discriminator")
        load_optimizer_state(
            self.generator_optimizer, state["generator_optimizer"], "GoalGAN generator"
        )
        load_optimizer_state(
            self.discriminator_optimizer, state["discriminator_optimizer"], "GoalGAN discriminator"
        )
