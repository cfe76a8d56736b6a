"""Zero-shot transfer to MiniWoB++: train on simulated forms only, evaluate in Chromium.

Run: ``OMP_NUM_THREADS=1 python benchmarks/miniwob_transfer.py [--steps 100000] [--episodes 100]``

Trains MaskablePPO with the DOM-aware policy (the settings of
``benchmarks/webform_learning.py``) on ``WebForm-v0`` forms (:data:`TRAIN_TASKS`):
login forms of one to three fields with mixed label styles and four distractors,
flight forms of text and date inputs, forms of selects, radio groups and checkboxes,
autocomplete forms, date pickers (``choose-date``) and flight searches with a results
page (``book-flight``); a field without any label on a quarter of the forms; a
confirmation pop-up (opened by an input's focus, with a harmful button beside the safe one) on the
pop-up forms; made-up radio option and checkbox words; half the selects starting on
their first option instead of a prompt (as ``choose-list``'s); half the asked passwords
followed by a ``verify password`` field of the same value (as ``enter-password``'s); and
(unless ``--pool-values``) text, password and email values drawn afresh each episode.
No MiniWoB++ episode is used for training. The greedy policy (masked argmax) is then
run on each MiniWoB++ task through
:class:`~teachgym.envs.webform.miniwob_bridge.MiniWoBFormEnv` (binary reward), and the
script prints per task the success rate with its 95 % Wilson interval, the mean number
of actions per episode, and the episodes ended by each cause.
"""

from __future__ import annotations

import argparse
import collections
import math
import time
from typing import Any

import numpy as np
import torch
from sb3_contrib import MaskablePPO
from stable_baselines3.common.vec_env import DummyVecEnv

from teachgym.agents.dom_policy import DomActorCriticPolicy
from teachgym.envs.webform import WebFormEnv, preset_task
from teachgym.envs.webform.miniwob_bridge import MINIWOB_FORM_TASKS

_LOGIN = {**preset_task("login"), "n_distractors": 4, "label_style": "mixed"}
_CHOICE = {**_LOGIN, "field_types": "choice", "theme": "any", "n_distractors": 0}
TRAIN_TASKS: tuple[dict[str, Any], ...] = (
    {**_LOGIN, "n_fields": 1},
    {**_LOGIN, "n_fields": 2},
    {**_LOGIN, "n_fields": 3},
    {**_LOGIN, "n_fields": 2, "popup": True},
    {**_LOGIN, "n_fields": 3, "field_types": "typed", "theme": "flight", "n_distractors": 2},
    {**_CHOICE, "n_fields": 2, "n_options": 5},
    {**_CHOICE, "n_fields": 4, "n_options": 3, "required_fraction": 0.5},
    {**_CHOICE, "n_fields": 3, "n_options": 4, "required_fraction": 0.67, "n_distractors": 1},
    {**_LOGIN, "n_fields": 1, "n_options": 5, "autocomplete": True},
    {**_LOGIN, "n_fields": 2, "autocomplete": True},
    {**_LOGIN, "n_fields": 2, "required_fraction": 0.5, "n_distractors": 0},
    preset_task("choose_date"),
    preset_task("book_flight_miniwob"),
)
"""Training forms, environment ``i`` of the vector env gets
``TRAIN_TASKS[i % len(TRAIN_TASKS)]``: login forms of one to three fields (one with a
pop-up), flight forms of text and date inputs, forms of selects, radio groups and
checkboxes of which the instruction may ask for only some, autocomplete forms
(``use-autocomplete``: type the start, pick the suggestion that ends as asked) alone
or after a login field, username-or-password forms without distractors, the
``choose_date`` preset (a date picker over 1 to 12 months, ``choose-date``) and the
``book_flight_miniwob`` preset (airport autocompletes, a date picker, Search, then book
the cheapest or shortest flight of the results page, ``book-flight``) (with
``confirm_password``, as on every login form, a password asked half the time is
followed by its ``verify password`` confirmation field, ``enter-password``'s)."""
ENV_KWARGS: dict[str, Any] = {"max_elements": 64, "max_fields": 6}
"""Observation sizes, simulator and bridge alike: 64 element slots hold a ``book-flight``
results page (the DOM policy encodes only the slots a page uses)."""
LONG_TASKS = ("choose-date", "book-flight")
"""MiniWoB++ tasks (and their variants) that get :data:`LONG_MAX_STEPS` actions per episode
in the bridge instead of its default of 10: ``choose-date``'s longest way is 14 actions
(open, 11 ``Prev``, the day, Submit), ``book-flight``'s about as long; MiniWoB++'s own
time limit still applies."""
LONG_MAX_STEPS = 30
SIMULATOR_KWARGS: dict[str, Any] = {
    "unlabelled": 0.25,
    "popup_style": "confirm",
    "fresh_choices": True,
    "preselected": 0.5,
    "confirm_password": 0.5,
}
"""The simulator's MiniWoB++-like variants used in training (see ``generate_form``)."""
GAMMA = 0.95


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a success rate (Wilson, JASA 1927)."""
    if n == 0:
        return float("nan"), float("nan")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def train(steps: int, seed: int, n_envs: int, fresh_values: bool) -> MaskablePPO:
    """MaskablePPO on TRAIN_TASKS (environment ``i`` gets task ``i % len(TRAIN_TASKS)``),
    shaped reward."""

    def make(i: int) -> WebFormEnv:
        task = TRAIN_TASKS[i % len(TRAIN_TASKS)]
        return WebFormEnv(
            task=task,
            shaping=True,
            gamma=GAMMA,
            fresh_values=fresh_values,
            **SIMULATOR_KWARGS,
            **ENV_KWARGS,
        )

    venv = DummyVecEnv([lambda i=i: make(i) for i in range(n_envs)])
    venv.seed(seed)
    model = MaskablePPO(
        DomActorCriticPolicy, venv, n_steps=128, batch_size=256, n_epochs=4,
        learning_rate=3e-4, gamma=GAMMA, ent_coef=0.01, seed=seed, verbose=0,
    )  # fmt: skip
    model.learn(steps)
    return model


def save_policy(model: MaskablePPO, path: str) -> None:
    """The policy's parameters as an ``.npz`` (one array per state-dict entry)."""
    state = model.policy.state_dict()
    np.savez(path, **{name: tensor.detach().cpu().numpy() for name, tensor in state.items()})


def load_policy(model: MaskablePPO, path: str) -> None:
    """Parameters saved by :func:`save_policy` into ``model``'s policy (same settings)."""
    with np.load(path) as saved:
        state = {name: torch.from_numpy(saved[name]) for name in saved.files}
    model.policy.load_state_dict(state)


def simulated_success(model: MaskablePPO, episodes: int, fresh_values: bool) -> list[float]:
    """Greedy success rate on each of TRAIN_TASKS in the simulator (level seeds from 10**6)."""
    rates = []
    for task in TRAIN_TASKS:
        env = WebFormEnv(task=task, fresh_values=fresh_values, **SIMULATOR_KWARGS, **ENV_KWARGS)
        wins = 0
        for episode in range(episodes):
            observation, _ = env.reset(seed=10**6 + episode)
            done = False
            while not done:
                action, _ = model.predict(
                    observation, action_masks=env.action_masks(), deterministic=True
                )
                observation, _, terminated, truncated, info = env.step(int(action))
                done = terminated or truncated
            wins += bool(info["is_success"])
        rates.append(wins / max(episodes, 1))
    return rates


def run_episode(model: MaskablePPO, env: Any, seed: int) -> tuple[bool, int, str]:
    """One greedy episode: (success, actions taken, how it ended)."""
    from teachgym.envs.webform.miniwob_bridge import MiniWoBBrowserError

    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        action, _ = model.predict(observation, action_masks=env.action_masks(), deterministic=True)
        try:
            observation, _, terminated, truncated, info = env.step(int(action))
        except MiniWoBBrowserError:
            return False, steps + 1, "browser error"
        steps += 1
        if terminated or truncated:
            break
    if info["is_success"]:
        return True, steps, "success"
    if truncated:
        return False, steps, "never submitted (truncated)"
    reason = str(info.get("miniwob_reason") or "")
    return False, steps, "timed out" if "timed out" in reason else "submitted wrong"


def build_parser() -> argparse.ArgumentParser:
    """The command-line options (every bridge task evaluated by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--n-envs", type=int, default=len(TRAIN_TASKS), help="one per training task by default"
    )
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--tasks", default=",".join(MINIWOB_FORM_TASKS))
    parser.add_argument(
        "--pool-values", action="store_true",
        help="train on the vocabulary's value pools instead of fresh values",
    )  # fmt: skip
    parser.add_argument("--sim-episodes", type=int, default=50)
    parser.add_argument(
        "--no-time-limit", action="store_true",
        help="lift MiniWoB++'s episode time limit (not its protocol: for loaded machines)",
    )  # fmt: skip
    parser.add_argument("--save-policy", help="write the trained policy's parameters (.npz)")
    parser.add_argument(
        "--load-policy", help="evaluate parameters saved by --save-policy instead of training"
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    torch.set_num_threads(1)
    start = time.perf_counter()
    values = "pool" if args.pool_values else "fresh"
    if args.load_policy:
        model = train(0, args.seed, args.n_envs, fresh_values=not args.pool_values)
        load_policy(model, args.load_policy)
        print(f"loaded the policy of {args.load_policy}")
    else:
        model = train(args.steps, args.seed, args.n_envs, fresh_values=not args.pool_values)
        elapsed = time.perf_counter() - start
        print(
            f"trained {args.steps} steps on simulated forms ({values} values), seed "
            f"{args.seed}, in {elapsed:.0f} s"
        )
    if args.save_policy:
        save_policy(model, args.save_policy)
    rates = simulated_success(model, args.sim_episodes, fresh_values=not args.pool_values)
    shown = " ".join(f"{rate:.0%}" for rate in rates)
    print(f"simulated success per training task ({args.sim_episodes} episodes each): {shown}")
    from teachgym.envs.webform.miniwob_bridge import MiniWoBFormEnv, miniwob_unavailable_reason

    reason = miniwob_unavailable_reason()
    if reason is not None:
        print(f"MiniWoB++ zero-shot evaluation skipped: {reason}")
        return
    print(f"{'task':<24} {'success':>8} {'95 % CI':>15} {'mean steps':>10}  ended by")
    for name in args.tasks.split(","):
        limit = {"max_steps": LONG_MAX_STEPS} if name.startswith(LONG_TASKS) else {}
        env = MiniWoBFormEnv(
            task={"miniwob_task": name}, time_limit=not args.no_time_limit, **limit, **ENV_KWARGS
        )
        try:
            results = [run_episode(model, env, seed=ep) for ep in range(args.episodes)]
        finally:
            env.close()
        wins = sum(ok for ok, _, _ in results)
        low, high = wilson_interval(wins, len(results))
        ended = collections.Counter(cause for _, _, cause in results)
        mean_steps = float(np.mean([steps for _, steps, _ in results])) if results else float("nan")
        causes = ", ".join(f"{cause} {count}" for cause, count in ended.most_common())
        print(
            f"{name:<24} {wins / max(len(results), 1):>8.1%} [{low:6.1%}, {high:6.1%}] "
            f"{mean_steps:>10.2f}  {causes}",
            flush=True,
        )


if __name__ == "__main__":
    main()
