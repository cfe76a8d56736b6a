"""Checks of constructor arguments (hyperparameters), with messages that name the argument.

Wrong types raise ``TypeError``; values of the right type but out of range (NaN,
infinity, below a minimum, above a maximum) raise ``TeachgymUsageError``. Booleans are not
numbers here, although Python treats them as integers.
``TeachgymUsageError`` is a ``ValueError``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def check_int(
    owner: str, name: str, value: Any, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as an ``int`` in ``[minimum, maximum]`` (either bound optional).

    Args:
        owner: what the argument belongs to, e.g. ``"teacher 'paired'"``.
        name: the argument's name.
    """
    bounds = _bounds(minimum, maximum)
    if not _is_int(value):
        raise TypeError(f"{owner}: {name} must be an integer{bounds}, got {value!r}")
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise TeachgymUsageError(f"{owner}: {name} must be an integer{bounds}, got {value!r}")
    return number


def check_setting(
    owner: str, name: str, value: Any, minimum: int | None = None, maximum: int | None = None
) -> int:
    """:func:`check_int` whose wrong types are also :class:`TeachgymUsageError`: for the
    arguments of environments and students, which come from ``--env-param`` and suites
    and whose factories turn only ``ValueError`` into a one-line message."""
    try:
        return check_int(owner, name, value, minimum, maximum)
    except TypeError as exc:
        raise TeachgymUsageError(str(exc)) from None


def check_real(
    owner: str,
    name: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
) -> float:
    """``value`` as a finite ``float`` in ``[minimum, maximum]``, and ``> above`` if given."""
    parts = []
    if minimum is not None:
        parts.append(f">= {minimum}")
    if above is not None:
        parts.append(f"> {above}")
    if maximum is not None:
        parts.append(f"<= {maximum}")
    bounds = f" ({', '.join(parts)})" if parts else ""
    if not (_is_int(value) or isinstance(value, float | np.floating)):
        raise TypeError(f"{owner}: {name} must be a finite number{bounds}, got {value!r}")
    message = f"{owner}: {name} must be a finite number{bounds}, got {value!r}"
    try:
        number = float(value)
    except OverflowError:
        raise TeachgymUsageError(message) from None
    if (
        not math.isfinite(number)
        or (minimum is not None and number < minimum)
        or (maximum is not None and number > maximum)
        or (above is not None and number <= above)
    ):
        raise TeachgymUsageError(message)
    return number


def check_bool(owner: str, name: str, value: Any) -> bool:
    """``value`` as a ``bool`` (Python or numpy booleans only)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{owner}: {name} must be true or false, got {value!r}")
    return bool(value)


def _bounds(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum}, {maximum}]"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""
