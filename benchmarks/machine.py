"""What the scripts print beside wall times: the machine's load when they were measured."""

from __future__ import annotations

import os


def machine_load() -> str:
    """The 1-minute load average and the core count, to read wall times against."""
    return f"1-min load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
