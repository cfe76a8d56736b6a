"""Pinned trajectories: the walker physics of the first four bodies does not drift.

Each case plays 60 seeded random actions on a seeded task and hashes every
observation (float32 bytes) and reward (float64 bytes). The digests were recorded
with the leg-pair walker builder that predates the body abstraction, so any change
to how these bodies are built, stepped or observed shows up here bit for bit.
Regenerate (only for an intended physics change) with
``python -m tests.test_walker_regression``.
"""

from __future__ import annotations

import hashlib

import gymnasium as gym
import numpy as np
import pytest

import teachgym.envs  # noqa: F401  (registers the ids)

STEPS = 60
CASES = [
    (env_id, body)
    for env_id in (
        "teachgym/StumpTracks-v0",
        "teachgym/HexagonTracks-v0",
        "teachgym/TerrainWalker-v0",
    )
    for body in ("bipedal", "short_legs", "long_legs", "quadruped")
]
PINNED = {
    (
        "teachgym/StumpTracks-v0",
        "bipedal",
    ): "865cdbd010a860df13ae2cf0e9c15b832353d15be60982dfedc8dab533aa1b39",
    (
        "teachgym/StumpTracks-v0",
        "short_legs",
    ): "6df284d1dced1c42457af20a10e631fd7a1983156823d2f3088857f5f7165637",
    (
        "teachgym/StumpTracks-v0",
        "long_legs",
    ): "08436b1da08780f96d6f47a7fee3a6237600441f47cb7f4df01392fc7378d12a",
    (
        "teachgym/StumpTracks-v0",
        "quadruped",
    ): "0d1490b08efb7c6750cb772929ad47e94a4dd8a62151f0bb9bf297d1cf77b343",
    (
        "teachgym/HexagonTracks-v0",
        "bipedal",
    ): "a1d43feadeb7a892bfe61d0cd7fb68a0fab5b92433574cfa3a12a07fd85f8b9a",
    (
        "teachgym/HexagonTracks-v0",
        "short_legs",
    ): "33aaad79cb6204784eba62e1495bfd0d1259da347f07b4809d63bb83fbabd027",
    (
        "teachgym/HexagonTracks-v0",
        "long_legs",
    ): "6cf65b8100a00ea566c5354270ef1f146dae8c26b3e7435f3106f5cf31a6f6ed",
    (
        "teachgym/HexagonTracks-v0",
        "quadruped",
    ): "7b186748804f6a51f471cf79835776c12f599ce3330bc45fcbe7595089ad80e0",
    (
        "teachgym/TerrainWalker-v0",
        "bipedal",
    ): "a82c05f37ba86f86f6f8b8b32a2917a60e526275461812dd5bb481f115a294b3",
    (
        "teachgym/TerrainWalker-v0",
        "short_legs",
    ): "6e0891084a304643ab8e71bf4d7b2db943312d43addbad2d329bd907e7bd792b",
    (
        "teachgym/TerrainWalker-v0",
        "long_legs",
    ): "6a79048cf6e71f93e9498d51473fa0a4a59f6664461f2575e73781f69faed40d",
    (
        "teachgym/TerrainWalker-v0",
        "quadruped",
    ): "50de6d9bee3ec748a4e9f366d7b7c7983d9f97a2012e2e38b588fcb5441d86da",
}


def trajectory_digest(env_id: str, body: str) -> str:
    """sha256 of the observations and rewards of the pinned 60-step episode."""
    env = gym.make(env_id, body=body)
    task = env.unwrapped.task_space.sample(np.random.default_rng(11))
    digest = hashlib.sha256()
    obs, _ = env.reset(seed=5, options={"task": task})
    digest.update(obs.tobytes())
    actions = np.random.default_rng(12).uniform(-1.2, 1.2, size=(STEPS, env.action_space.shape[0]))
    for action in actions.astype(np.float32):
        obs, reward, terminated, truncated, _ = env.step(action)
        digest.update(obs.tobytes())
        digest.update(np.float64(reward).tobytes())
        if terminated or truncated:
            break
    env.close()
    return digest.hexdigest()


@pytest.mark.parametrize(("env_id", "body"), CASES)
def test_trajectory_is_unchanged(env_id, body):
    assert trajectory_digest(env_id, body) == PINNED[(env_id, body)]


if __name__ == "__main__":
    for case in CASES:
        print(f"    {case!r}: {trajectory_digest(*case)!r},")
