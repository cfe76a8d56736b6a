"""Learning benchmark: MaskablePPO with the DOM-aware policy on 3-field login-like forms.

Run: ``OMP_NUM_THREADS=1 python benchmarks/webform_learning.py [--steps 200000]``

Measures the steps to 90 % success (budget 200k). Training adds the potential-based
shaping of QWeb [gur2019qweb] by default (``--no-shaping`` for the sparse ±1 reward alone;
measured here with seed 0: 90 % first reached at 40k steps shaped, 90k sparse).
Every episode draws a fresh form (username, password, email; labels attached by
``<label>``, placeholder or adjacent text at random; four distractors; new values),
so success means generalising over
values, layouts and label styles. Success is measured greedily (masked argmax) on
200 fresh forms (one per evaluation seed) every ``--eval-every`` steps and printed as
a learning curve.
With ``--miniwob-episodes N`` (needs ``teachgym[miniwob]`` and Chromium) the trained
policy is then evaluated zero-shot on MiniWoB++ ``login-user`` through
:class:`~teachgym.envs.webform.miniwob_bridge.MiniWoBFormEnv`.
"""

from __future__ import annotations

import argparse
import functools
import time
from typing import Any

import numpy as np
import torch
from sb3_contrib import MaskablePPO
from stable_baselines3.common.vec_env import DummyVecEnv

from teachgym.agents.dom_policy import DomActorCriticPolicy
from teachgym.agents.policy import SB3Policy
from teachgym.envs.webform import WebFormEnv, preset_task
from teachgym.evaluation import evaluate
from teachgym.evaluation.periodic import EvaluationPoint, PeriodicEvaluator

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


def form_env() -> WebFormEnv:
    """An evaluation environment on LOGIN3_TASK (sparse reward: shaping plays no part)."""
    return WebFormEnv(task=LOGIN3_TASK, **ENV_KWARGS)


def masked_policy(model: MaskablePPO) -> SB3Policy:
    """The greedy policy is the masked argmax: evaluation passes each env's action mask."""
    return SB3Policy(model, action_masks=True)


def learning_curve(every: int, episodes: int, seed: int) -> PeriodicEvaluator:
    """Greedy success on ``episodes`` fresh forms (episode ``k`` reset with ``seed + k``)
    every ``every`` environment steps, printed as a learning curve."""
    start = time.perf_counter()

    def report(point: EvaluationPoint) -> None:
        elapsed = time.perf_counter() - start
        print(
            f"{point.env_steps:>8} steps  success {point.evaluation.success_rate:6.1%}  "
            f"({point.env_steps / elapsed:.0f} steps/s)",
            flush=True,
        )

    return PeriodicEvaluator(
        form_env, [LOGIN3_TASK], every, episodes_per_task=episodes, seed=seed,
        deterministic=True, policy=masked_policy, on_evaluation=report,
    )  # fmt: skip


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
    curve = learning_curve(args.eval_every, args.eval_episodes, seed=10_000 + args.seed)
    model.learn(args.steps, callback=curve)
    points = [(p.env_steps, float(p.evaluation.success_rate or 0.0)) for p in curve.points]
    reached = next((steps for steps, success in points if success >= 0.9), None)
    best = max((success for _, success in points), default=float("nan"))
    print(
        f"3-field login-like forms, MaskablePPO + DomActorCriticPolicy, seed {args.seed}, "
        f"{'shaped' if shaping else 'sparse'} reward: "
        f"best greedy success {best:.1%}; 90 % "
        + (f"first reached at {reached} steps" if reached else f"not reached in {args.steps} steps")
    )
    final = np.mean([s for _, s in points[-3:]]) if points else float("nan")
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
        zero_shot = evaluate(
            masked_policy(model), [MiniWoBFormEnv.default_task],
            functools.partial(MiniWoBFormEnv, **ENV_KWARGS), args.miniwob_episodes,
            seed=args.seed, deterministic=True, max_envs=1,  # one browser at a time
        ).success_rate  # fmt: skip
        print(
            f"zero-shot MiniWoB++ login-user (Chromium), {args.miniwob_episodes} episodes: "
            f"success {zero_shot:.1%}"
        )


if __name__ == "__main__":
    main()
