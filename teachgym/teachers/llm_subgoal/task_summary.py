"""Text summary of a student's recent results per region of the task space, and the
offline planner's answer to it.

The task-level LLM teacher (``llm-curriculum``) cuts the task space into regions
(the cells of nearest fixed centre tasks), and writes::

    task space:
      - num_rows: an integer in [1, 3]
      - room_size: an integer in [3, 6]
    recent results per region (success: fraction of successful episodes; return: mean):
      region 0: centre {"num_rows": 1, "room_size": 3}; episodes 12; success 0.42; return 0.310
      region 1: centre {"num_rows": 3, "room_size": 6}; episodes 0

The planner's rule (deterministic): first an unvisited region (lowest index),
otherwise the region whose success is closest to 0.5 (the learning frontier;
ties go to fewer episodes, then the lower index). Regions without success
information use their mean return rank instead. It answers with that region's
centre task.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from teachgym.tasks import Categorical, Continuous, Fixed, Integer, TaskSpace

_REGION = re.compile(r"^  region (\d+): centre ")
_STATS = re.compile(r"^; episodes (\d+)(?:; success (n/a|[0-9.]+); return (-?[0-9.e+-]+|nan))?$")


@dataclass(frozen=True)
class RegionStats:
    """Recent results of one region: ``episodes`` count, ``success`` rate (None if the
    environment reports none), ``mean_return``."""

    centre: dict[str, Any]
    episodes: int
    success: float | None
    mean_return: float


def build_summary(task_space: TaskSpace, regions: Sequence[RegionStats]) -> str:
    """The summary text (see the module docstring)."""
    lines = ["task space:", *(f"  - {line}" for line in task_space.describe())]
    lines.append(
        "recent results per region (success: fraction of successful episodes; return: mean):"
    )
    for i, region in enumerate(regions):
        line = f"  region {i}: centre {json.dumps(region.centre, sort_keys=True)}"
        line += f"; episodes {region.episodes}"
        if region.episodes:
            success = "n/a" if region.success is None else f"{region.success:.2f}"
            line += f"; success {success}; return {region.mean_return:.3f}"
        lines.append(line)
    return "\n".join(lines)


def _parse_regions(summary: str) -> list[tuple[dict[str, Any], int, float | None, float]]:
    decoder = json.JSONDecoder()
    regions = []
    for line in summary.split("\n"):
        match = _REGION.match(line)
        if match is None:
            continue
        centre, end = decoder.raw_decode(line, match.end())
        stats = _STATS.match(line[end:])
        if stats is None or not isinstance(centre, dict):
            raise ValueError(f"summary line {line!r} does not follow the documented format")
        success = None if stats.group(2) in (None, "n/a") else float(stats.group(2))
        mean_return = float(stats.group(3)) if stats.group(3) else math.nan
        regions.append((centre, int(stats.group(1)), success, mean_return))
    return regions


def plan_task(summary: str) -> dict[str, Any]:
    """The planner's proposal for a summary: a region centre (see the module docstring)."""
    regions = _parse_regions(summary)
    if not regions:
        raise ValueError("the summary lists no region")
    for centre, episodes, _, _ in regions:
        if episodes == 0:
            return centre
    if all(success is not None for _, _, success, _ in regions):
        scores = [abs(float(success) - 0.5) for _, _, success, _ in regions]  # type: ignore[arg-type]
    else:
        order = sorted(range(len(regions)), key=lambda i: regions[i][3])
        ranks = {index: rank / max(len(regions) - 1, 1) for rank, index in enumerate(order)}
        scores = [abs(ranks[i] - 0.5) for i in range(len(regions))]
    best = min(range(len(regions)), key=lambda i: (scores[i], regions[i][1], i))
    return regions[best][0]


def _parameter_schema(parameter: Any) -> dict[str, Any]:
    if isinstance(parameter, Continuous):
        return {"type": "number", "minimum": parameter.low, "maximum": parameter.high}
    if isinstance(parameter, Integer):
        return {"type": "integer", "minimum": parameter.low, "maximum": parameter.high}
    if isinstance(parameter, Categorical):
        return {"enum": list(parameter.choices)}
    if isinstance(parameter, Fixed):  # teachers hold it at its value
        return {"type": "number", "minimum": parameter.value, "maximum": parameter.value}
    return {"type": "array"}


def task_schema(task_space: TaskSpace) -> dict[str, Any]:
    """JSON schema of a task proposal ``{"task": {...}}`` for ``task_space``."""
    return {
        "type": "object",
        "properties": {
            "task": {
                "type": "object",
                "properties": {n: _parameter_schema(p) for n, p in task_space.parameters.items()},
                "required": list(task_space.names),
                "additionalProperties": False,
            }
        },
        "required": ["task"],
        "additionalProperties": False,
    }
