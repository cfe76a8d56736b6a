"""Exact equality of nested values (observations, states) with numpy arrays as leaves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def same(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are equal: dicts by keys, sequences by items, arrays exactly
    (shape, dtype kind and values; NaN equals NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" and b.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return bool(a == b)


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where ``a`` and ``b`` first differ (e.g. ``"['rng']['state']"``), or ``None``."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if a.keys() != b.keys():
            return f"{path or 'the top level'} (keys {sorted(a)} vs {sorted(b)})"
        for key in a:
            where = first_difference(a[key], b[key], f"{path}[{key!r}]")
            if where is not None:
                return where
        return None
    if (
        isinstance(a, list | tuple)
        and isinstance(b, list | tuple)
        and len(a) == len(b)
        and not any(isinstance(x, np.ndarray) for x in (a, b))
    ):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            where = first_difference(x, y, f"{path}[{i}]")
            if where is not None:
                return where
        return None
    return None if same(a, b) else (path or "the value")
