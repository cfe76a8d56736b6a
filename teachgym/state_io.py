"""Saving nested state (JSON scalars + numpy arrays) without pickle.

A state is a nested structure of dicts (string keys), lists, JSON scalars and
``numpy.ndarray`` leaves. :func:`save_state` writes ``<stem>.json`` with every
array replaced by a reference, plus ``<stem>.npz`` with the arrays; both are
written to temporary files and renamed, so a crash never leaves half a file.
:func:`load_state` reads them back with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError

_ARRAY_KEY = "__ndarray__"


class CorruptStateError(TeachgymUsageError):
    """A saved state could not be read back; the message says which file and why."""


def _split(value: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(
                f"state entry {path!r} is an object array; only numeric arrays are saved"
            )
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {_ARRAY_KEY: key}
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"state keys must be strings, got {k!r} at {path!r}")
            out[k] = _split(v, arrays, f"{path}.{k}")
        return out
    if isinstance(value, list | tuple):
        return [_split(v, arrays, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"state entry {path!r} has unsupported type {type(value).__name__}")


def _join(value: Any, arrays: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_ARRAY_KEY}:
            return np.array(arrays[value[_ARRAY_KEY]])
        return {k: _join(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_join(v, arrays) for v in value]
    return value


def _atomic_write(path: Path, write: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def save_state(state: dict[str, Any], stem: str | os.PathLike[str]) -> None:
    """Write ``state`` to ``<stem>.json`` and ``<stem>.npz`` atomically."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    tree = _split(state, arrays, "state")
    text = json.dumps(tree, indent=1, allow_nan=True).encode()

    def write_arrays(handle: Any) -> None:
        np.savez(handle, allow_pickle=False, **arrays)

    _atomic_write(stem.with_suffix(".npz"), write_arrays)
    _atomic_write(stem.with_suffix(".json"), lambda h: h.write(text))


def load_state(stem: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a state written by :func:`save_state`.

    Raises:
        FileNotFoundError: if ``<stem>.json`` does not exist.
        CorruptStateError: if either file cannot be parsed.
    """
    stem = Path(stem)
    json_path, npz_path = stem.with_suffix(".json"), stem.with_suffix(".npz")
    if not json_path.exists():
        raise FileNotFoundError(f"no saved state at {json_path}")
    try:
        tree = json.loads(json_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptStateError(
            f"{json_path} is not valid JSON ({exc}); the checkpoint is corrupted, "
            "delete it to start over or restore it from a backup"
        ) from None
    try:
        with np.load(npz_path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        result = _join(tree, arrays)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise CorruptStateError(
            f"{npz_path} cannot be read ({type(exc).__name__}: {exc}); the checkpoint is "
            "corrupted, delete it to start over or restore it from a backup"
        ) from None
    if not isinstance(result, dict):
        raise CorruptStateError(f"{json_path} does not hold a state dict")
    return result
