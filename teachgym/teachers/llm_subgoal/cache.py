"""A SQLite cache of model answers, so each layout (or summary) is asked once.

Key: (backend, model, template version, SHA-256 of the canonical input text);
the text itself is stored too, for inspection. Values are the raw answer text
(data, parsed again on every read). Modes:

- ``read-write``: look up, ask on a miss, store the answer;
- ``read-only``: look up only; a miss raises :class:`CacheMissError` (for
  reproducible benchmarks: the run uses exactly the recorded answers);
- ``off``: no file; answers are still remembered in memory for the process.

The in-memory copy keeps the :data:`MEMORY_LIMIT` most recent answers.

Nothing else is stored: no server address, no header, no key.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from typing import Literal

CacheMode = Literal["read-write", "read-only", "off"]
CACHE_MODES: tuple[str, ...] = ("read-write", "read-only", "off")
MEMORY_LIMIT = 50_000
"""Answers kept in memory (oldest dropped first; a few kilobytes each)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    template_version TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    input_text TEXT NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (backend, model, template_version, input_sha256)
)
"""


class CacheMissError(LookupError):
    """A read-only cache does not hold the answer asked for."""


class CorruptCacheError(ValueError):
    """The cache file is not a teachgym answer cache (or is damaged)."""


def input_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnswerCache:
    """Answers keyed by (backend, model, template version, input text).

    Args:
        path: SQLite file (created in ``read-write`` mode); ignored when ``mode="off"``.
        mode: one of :data:`CACHE_MODES`.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, mode: str = "off") -> None:
        if mode not in CACHE_MODES:
            raise ValueError(f"cache mode must be one of {CACHE_MODES}, got {mode!r}")
        if mode != "off" and path is None:
            raise ValueError(f"cache mode {mode!r} needs a cache file path")
        self.mode = mode
        self.path = None if path is None else os.fspath(path)
        self._memory: dict[tuple[str, str, str, str], str] = {}
        self._db: sqlite3.Connection | None = None
        if mode == "off":
            return
        assert self.path is not None
        if mode == "read-only" and not os.path.isfile(self.path):
            raise FileNotFoundError(
                f"read-only answer cache {self.path!r} does not exist; record it first with "
                "cache mode 'read-write'"
            )
        uri = f"file:{self.path}?mode={'ro' if mode == 'read-only' else 'rwc'}"
        try:
            self._db = sqlite3.connect(uri, uri=True)
            if mode == "read-write":
                self._db.execute(_SCHEMA)
                self._db.commit()
            self._db.execute("SELECT backend, model, answer FROM answers LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise CorruptCacheError(
                f"{self.path!r} is not a readable teachgym answer cache ({exc}); "
                "delete it or point to another file"
            ) from None

    def get(self, backend: str, model: str, template_version: str, text: str) -> str | None:
        """The stored answer, or ``None`` (``read-only``: :class:`CacheMissError`)."""
        key = (backend, model, template_version, input_digest(text))
        if key in self._memory:
            return self._memory[key]
        if self._db is not None:
            row = self._db.execute(
                "SELECT answer FROM answers WHERE backend=? AND model=? AND template_version=? "
                "AND input_sha256=?",
                key,
            ).fetchone()
            if row is not None:
                return str(row[0])
        if self.mode == "read-only":
            raise CacheMissError(
                f"the read-only answer cache {self.path!r} has no answer from {backend}/{model} "
                f"(template {template_version}) for input {key[3][:12]}...; record it with cache "
                "mode 'read-write', or use mode 'off' to ask the backend"
            )
        return None

    def put(self, backend: str, model: str, template_version: str, text: str, answer: str) -> None:
        """Remember ``answer`` (and store it when the mode is ``read-write``)."""
        digest = input_digest(text)
        self._memory[(backend, model, template_version, digest)] = answer
        if len(self._memory) > MEMORY_LIMIT:
            del self._memory[next(iter(self._memory))]
        if self._db is not None and self.mode == "read-write":
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                (backend, model, template_version, digest, text, answer),
            )
            self._db.commit()

    def __len__(self) -> int:
        if self._db is not None:
            return int(self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])
        return len(self._memory)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __repr__(self) -> str:
        return f"AnswerCache(path={self.path!r}, mode={self.mode!r})"
