"""Import cost of teachgym: seconds and heavy modules loaded by ``import teachgym``.

Each statement runs in a fresh interpreter (``--repeats`` times; the median is
reported) so nothing is cached in-process. Usage::

    python benchmarks/import_time.py --repeats 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

STATEMENTS = {
    "import teachgym": "import teachgym",
    "from teachgym.teachers import make_teacher": "from teachgym.teachers import make_teacher",
}
HEAVY = ("torch", "stable_baselines3", "minigrid", "pygame", "Box2D", "sklearn", "scipy")

_PROBE = """
import json, sys, time
start = time.perf_counter()
{statement}
seconds = time.perf_counter() - start
heavy = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps({{"seconds": seconds, "heavy": heavy}}))
"""


def measure(statement: str, repeats: int) -> dict[str, object]:
    """Median wall seconds of ``statement`` in a fresh interpreter, and the heavy modules."""
    times: list[float] = []
    heavy: list[str] = []
    for _ in range(repeats):
        code = _PROBE.format(statement=statement, heavy=HEAVY)
        output = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        times.append(float(result["seconds"]))
        heavy = list(result["heavy"])
    return {"median_seconds": statistics.median(times), "heavy_modules": heavy}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh interpreters per statement")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    for label, statement in STATEMENTS.items():
        result = measure(statement, args.repeats)
        heavy = ", ".join(result["heavy_modules"]) or "none"  # type: ignore[arg-type]
        seconds = result["median_seconds"]
        print(f"{label}: {seconds:.3f} s (median of {args.repeats}); heavy: {heavy}")


if __name__ == "__main__":
    main()
