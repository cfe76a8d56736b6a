"""Parity of ``teachgym/WebForm-v0`` with headless Chromium on many trajectories.

Run: ``python benchmarks/webform_parity.py [--n 200] [--seed 0] [--variant miniwob]``

Measures the agreement between the simulation and Chromium on at least
200 scripted and random trajectories across the difficulty range. The trajectories
(:func:`~teachgym.envs.webform.trajectories.trajectory_suite`) are the four presets
then uniform random tasks, cycling through the oracle's plan, the plan with random
actions slipped in, and random actions. Agreement means: every action possible in
both or neither, the same control values, page, pop-up, scroll and submitted flag
after every action, and the same final success. ``--variant miniwob`` replays the
MiniWoB++ widgets instead (unlabelled inputs, a confirmation pop-up on every form:
see :data:`~teachgym.envs.webform.trajectories.VARIANTS`); ``--variant autocomplete``
and ``--variant date_picker`` put an autocomplete input / a date picker on every form,
``--variant flight_results`` a date picker and a flight-results page,
``--variant confirm_password`` a login form whose password is followed by its
``verify password`` confirmation field.
Needs ``teachgym[web]`` and Debian's
``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from teachgym.envs.webform.browser import (
    ChromiumSession,
    check_parity,
    chromium_unavailable_reason,
)
from teachgym.envs.webform.trajectories import VARIANTS, trajectory_suite


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="number of trajectories")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="default")
    args = parser.parse_args(argv)
    reason = chromium_unavailable_reason()
    if reason is not None:
        sys.exit(f"webform_parity needs headless Chromium: {reason}")
    suite = trajectory_suite(args.n, seed=args.seed, variant=args.variant)
    agreed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    steps = successes = 0
    failures = []
    start = time.perf_counter()
    with ChromiumSession() as session:
        for trajectory in suite:
            report = check_parity(session, trajectory.form, trajectory.actions)
            total[trajectory.kind] += 1
            agreed[trajectory.kind] += report.agree
            steps += report.steps
            successes += report.sim_success
            if not report.agree:
                failures.append((trajectory.task, report.differences[0]))
    elapsed = time.perf_counter() - start
    for kind in sorted(total):
        print(f"{kind:<10} {agreed[kind]:>4} / {total[kind]:<4} agree")
    overall = sum(agreed.values()) / len(suite)
    print(
        f"overall: {sum(agreed.values())} / {len(suite)} trajectories agree ({overall:.1%}); "
        f"{steps} actions replayed, {successes} successful submissions; "
        f"{elapsed:.0f} s in Chromium ({steps / elapsed:.1f} actions/s)"
    )
    for task, difference in failures[:5]:
        print(f"DIFFERENCE on {task}: {difference}")


if __name__ == "__main__":
    main()
