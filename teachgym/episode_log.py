"""A curriculum listener that appends every episode to a JSON-lines file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from teachgym.curriculum import EpisodeRecord


class EpisodeLog:
    """Appends one JSON object per episode (task, return, length, success, score) to ``path``.

    Use as a :class:`~teachgym.curriculum.Curriculum` listener; call :meth:`close` at the end.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: IO[str] = open(self.path, "a")  # noqa: SIM115 - closed in close()

    def __call__(self, record: EpisodeRecord) -> None:
        self._handle.write(json.dumps(record.to_dict()) + "\n")

    def close(self) -> None:
        self._handle.close()
