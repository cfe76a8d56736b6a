"""The PPO quickstart of ``docs/quickstart.md``, run as written: its figures and its time.

Extracts the Python block of ``docs/quickstart.md`` (SB3 PPO with the MiniGrid CNN,
trained by ALP-GMM on ``teachgym/MiniGridWorld-v0`` and evaluated on the ``ladder``
test set after each budget), runs it, and prints its output plus the wall and CPU
time::

    OMP_NUM_THREADS=1 python benchmarks/quickstart_minigrid.py [--budgets 0 20000 40000]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parent.parent / "docs" / "quickstart.md"
BUDGETS_LINE = re.compile(r"^BUDGETS = .*$", re.M)


def snippet(budgets: tuple[int, ...] | None = None) -> str:
    """The quickstart's code; with ``budgets``, its ``BUDGETS = ...`` line replaced."""
    found = re.search(r"```python\n(.*?)```", QUICKSTART.read_text(), re.S)
    if found is None or not BUDGETS_LINE.search(found.group(1)):
        raise ValueError(f"{QUICKSTART} has no Python block with a 'BUDGETS = ...' line")
    code = found.group(1)
    if budgets is not None:
        code = BUDGETS_LINE.sub(f"BUDGETS = {tuple(budgets)!r}", code)
    return code


def run(budgets: tuple[int, ...] | None = None) -> None:
    """Execute the quickstart (with other budgets if given); it prints its figures."""
    exec(compile(snippet(budgets), str(QUICKSTART), "exec"), {"__name__": "quickstart"})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budgets", type=int, nargs="+", help="training steps (ascending)")
    args = parser.parse_args(argv)
    budgets = None if args.budgets is None else tuple(args.budgets)
    if budgets is not None and (min(budgets) < 0 or list(budgets) != sorted(budgets)):
        parser.error("--budgets must be ascending non-negative step counts")
    wall, cpu = time.perf_counter(), time.process_time()
    run(budgets)
    print(
        f"wall time {time.perf_counter() - wall:.0f} s, CPU time {time.process_time() - cpu:.0f} s"
    )


if __name__ == "__main__":
    main()
