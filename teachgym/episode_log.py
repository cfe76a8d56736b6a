"""A curriculum listener that appends every episode to a JSON-lines file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from teachgym.curriculum import EpisodeRecord


class EpisodeLog:
    """Appends one JSON object per episode (task, return, length, success, score) to ``path``.

    Use as a :class:`~teachgym.curriculum.Curriculum` listener; call :meth:`flush` when a
    checkpoint is written and :meth:`close` at the end.

    Args:
        path: the ``.jsonl`` file.
        keep: continue a resumed run: the first ``keep`` episodes already in the file (those
            the checkpoint had reported) stay, everything after them (episodes of the work the
            checkpoint lost, a half-written last line) is dropped, so indices continue without
            gaps or repeats. ``None`` appends to whatever the file holds.
    """

    def __init__(self, path: str | os.PathLike[str], keep: int | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.kept = 0
        """Episodes kept from the file when it was opened with ``keep``."""
        if keep is not None:
            self.kept = self._truncate(keep)
        self._handle: IO[str] = open(self.path, "a")  # noqa: SIM115 - closed in close()

    def _truncate(self, keep: int) -> int:
        lines: list[str] = []
        if self.path.exists():
            with open(self.path) as handle:
                for line in handle:
                    if len(lines) == keep or not line.endswith("\n"):
                        break
                    lines.append(line)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text("".join(lines))
        os.replace(tmp, self.path)
        return len(lines)

    def __call__(self, record: EpisodeRecord) -> None:
        self._handle.write(json.dumps(record.to_dict()) + "\n")

    def flush(self) -> None:
        """Put every episode so far on disk (before a checkpoint that counts them)."""
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()
