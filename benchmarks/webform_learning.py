"""Learning benchmark: MaskablePPO with the DOM-aware policy on 3-field login-like forms.

Run: ``OMP_NUM_THREADS=1 python benchmarks/webform_learning.py [--steps 200000]``

Measures the steps to 90 % success (budget 200k). Training adds the potential-based
shaping of QWeb [gur2019qweb] by default (``--no-shaping`` for the sparse ±1 reward alone;
measured here with seed 0: 90 % first reached at 40k steps shaped, 90k sparse).
Every episode draws a fresh form (username, password, email; labels attached by
``<label>``, placeholder or adjacent text at random; four distractors; new values),
so success means generalising over
values, layouts and label styles. Success is measured greedily (masked argmax) on
200 fresh forms every ``--eval-every`` steps and printed as a learning curve.
With ``--miniwob-episodes N`` (needs ``teachgym[miniwob]`` and Chromium) the trained
policy is then evaluated zero-shot on MiniWoB++ ``login-user`` through
:class:`~teachgym.envs.webform.miniwob_bridge.MiniWoBFormEnv`.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import torch
from sb3_contrib import MaskablePPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import DummyVecEnv

from teachgym.agents.dom_policy import DomActorCriticPolicy
from teachgym.envs.webform import WebFormEnv, preset_task

LOGIN3_TASK = {
    **preset_task("login"),
    "n_fields": 3,
    "n_distractors": 4,
    "label_style": "mixed",
}
"""Three login fields (username, password, email), mixed label styles, four distractors."""
ENV_KWARGS: dict[str, Any] = {"max_elements": 12, "max_fields": 3}
"""Observation sizes that fit LOGIN3_TASK (3 x 2 + 4 + 1 = 11 elements)."""
GAMMA = 0.95


def evaluate(model: MaskablePPO, episodes: int, seed: int, env: Any = None) -> float:
    """Greedy success rate on ``episodes`` fresh forms (shaping plays no part in it);
    ``env`` (default: a ``WebFormEnv`` on LOGIN3_TASK) must offer ``action_masks()``."""
    env = env if env is not None else WebFormEnv(task=LOGIN3_TASK, **ENV_KWARGS)
    successes = 0
    obs, _ = env.reset(seed=seed)
    for _ in range(episodes):
        while True:
            action, _ = model.predict(obs, deterministic=True, action_masks=env.action_masks())
            obs, _, terminated, truncated, info = env.step(int(action))
            if terminated or truncated:
                successes += bool(info["is_success"])
                obs, _ = env.reset()
                break
    return successes / episodes


class _Curve(BaseCallback):
    def __init__(self, every: int, episodes: int, seed: int) -> None:
        super().__init__()
        self.every, self.episodes, self.seed = every, episodes, seed
        self.next_eval = every
        self.points: list[tuple[int, float]] = []
        self.start = time.perf_counter()

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.next_eval:
            self.next_eval += self.every
            success = evaluate(self.model, self.episodes, self.seed)  # type: ignore[arg-type]
            self.points.append((self.num_timesteps, success))
            elapsed = time.perf_counter() - self.start
            print(
                f"{self.num_timesteps:>8} steps  success {success:6.1%}  "
                f"({self.num_timesteps / elapsed:.0f} steps/s)",
                flush=True,
            )
        return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-envs", type=int, default=8)
    parser.add_argument("--eval-every", type=int, default=10_000)
    parser.add_argument("--eval-episodes", type=int, default=200)
    parser.add_argument("--miniwob-episodes", type=int, default=0)
    parser.add_argument(
        "--no-shaping",
        action="store_true",
        help="train on the sparse ±1 reward alone (default: add the potential-based shaping)",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    shaping = not args.no_shaping
    venv = DummyVecEnv(
        [
            lambda: WebFormEnv(task=LOGIN3_TASK, shaping=shaping, gamma=GAMMA, **ENV_KWARGS)
            for _ in range(args.n_envs)
        ]
    )
    venv.seed(args.seed)
    model = MaskablePPO(
        DomActorCriticPolicy,
        venv,
        n_steps=128,
        batch_size=256,
        n_epochs=4,
        learning_rate=3e-4,
        gamma=GAMMA,
        ent_coef=0.01,
        seed=args.seed,
        verbose=0,
    )
    curve = _Curve(args.eval_every, args.eval_episodes, seed=10_000 + args.seed)
    model.learn(args.steps, callback=curve)
    reached = next((steps for steps, success in curve.points if success >= 0.9), None)
    best = max((success for _, success in curve.points), default=float("nan"))
    print(
        f"3-field login-like forms, MaskablePPO + DomActorCriticPolicy, seed {args.seed}, "
        f"{'shaped' if shaping else 'sparse'} reward: "
        f"best greedy success {best:.1%}; 90 % "
        + (f"first reached at {reached} steps" if reached else f"not reached in {args.steps} steps")
    )
    final = np.mean([s for _, s in curve.points[-3:]]) if curve.points else float("nan")
    print(f"mean success over the last three evaluations: {final:.1%}")
    if args.miniwob_episodes > 0:
        from teachgym.envs.webform.miniwob_bridge import (
            MiniWoBFormEnv,
            miniwob_unavailable_reason,
        )

        reason = miniwob_unavailable_reason()
        if reason is not None:
            print(f"MiniWoB++ zero-shot evaluation skipped: {reason}")
            return
        bridge = MiniWoBFormEnv(**ENV_KWARGS)
        try:
            zero_shot = evaluate(model, args.miniwob_episodes, args.seed, env=bridge)
        finally:
            bridge.close()
        print(
            f"zero-shot MiniWoB++ login-user (Chromium), {args.miniwob_episodes} episodes: "
            f"success {zero_shot:.1%}"
        )


if __name__ == "__main__":
    main()
