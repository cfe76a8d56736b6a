"""The fixed CPPN that draws Parkour's ground and ceiling.

Architecture of TeachMyAgent's ``TanHSoftplusMixCPPN`` (docs/references.md [romac2021]):
each of the 200 terrain points feeds the row ``[x_i, v1, v2, v3]`` (``x_i = i / 199``)
through 4 -> 64 tanh -> 64 softplus -> 64 tanh -> 64 softplus -> 2, linear output, no
biases. Output column 0 is the ground, column 1 the ceiling.

The weights are teachgym's own: drawn once from :data:`CPPN_SEED` with the reference's
initialisation, a normal of mean 0 and standard deviation 2 truncated at two standard
deviations (TensorFlow's ``truncated_normal``: values beyond are re-drawn), and never
trained. The reference ships its own checkpoint instead, so the same input vector gives a
different (equally random-looking) terrain here; the task space, scales and placement are
the reference's.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

CPPN_POINTS = 200
"""Terrain points the CPPN draws (the track length in terrain steps)."""
CPPN_INPUTS = 3
"""Task values fed next to ``x``: ``v1``, ``v2``, ``v3``."""
CPPN_HIDDEN = 64
CPPN_STD = 2.0
"""Standard deviation of the weight initialisation (truncated at two of them)."""
CPPN_SEED = 20210420
"""Seed of the generator the weights are drawn from (fixed: the weights are part of the
environment's definition)."""


def truncated_normal(rng: np.random.Generator, shape: tuple[int, int], std: float) -> np.ndarray:
    """Normal(0, ``std``) values of ``shape``; any beyond two ``std`` is drawn again."""
    values = rng.normal(0.0, std, size=shape)
    outside = np.abs(values) > 2 * std
    while outside.any():
        values[outside] = rng.normal(0.0, std, size=int(outside.sum()))
        outside = np.abs(values) > 2 * std
    return values


@lru_cache(maxsize=1)
def cppn_weights(seed: int = CPPN_SEED) -> tuple[np.ndarray, ...]:
    """The five weight matrices, shapes (4, 64), (64, 64) x 3 and (64, 2) (read-only)."""
    rng = np.random.default_rng(seed)
    sizes = [CPPN_INPUTS + 1, CPPN_HIDDEN, CPPN_HIDDEN, CPPN_HIDDEN, CPPN_HIDDEN, 2]
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        matrix = truncated_normal(rng, (fan_in, fan_out), CPPN_STD)
        matrix.setflags(write=False)
        weights.append(matrix)
    return tuple(weights)


def _softplus(values: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, values)


def cppn_profiles(vector: np.ndarray | list[float]) -> np.ndarray:
    """Raw CPPN output for the input ``[v1, v2, v3]``: array (200, 2), ground and ceiling
    (not yet divided by the scale nor shifted)."""
    v = np.asarray(vector, dtype=np.float64).reshape(CPPN_INPUTS)
    x = np.arange(CPPN_POINTS, dtype=np.float64) / (CPPN_POINTS - 1)
    rows = np.empty((CPPN_POINTS, CPPN_INPUTS + 1))
    rows[:, 0] = x
    rows[:, 1:] = v
    w1, w2, w3, w4, out = cppn_weights()
    hidden = np.tanh(rows @ w1)
    hidden = _softplus(hidden @ w2)
    hidden = np.tanh(hidden @ w3)
    hidden = _softplus(hidden @ w4)
    result: np.ndarray = hidden @ out
    return result
