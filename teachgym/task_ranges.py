"""Narrowing a task space at make time: ``ranges={"n_fields": [2, 6], "popup": False}``.

An environment that takes ``ranges=`` passes them to :func:`narrow_space` before
``TaskEnv.__init__``; teachers then see, and tasks are validated against, the narrowed
space. Per parameter a range may be:

- continuous: ``[low, high]`` inside the full range (``low < high``), or one number,
  which holds the parameter there (a :class:`~teachgym.tasks.Fixed` of zero width:
  vector-based teachers never vary it);
- integer: ``[low, high]`` inside the full range (``low <= high``) or one integer;
- categorical: one choice or a list of distinct choices (kept in the full order).

:func:`clip_task` moves a task of the full space into the narrowed one, for test sets
written for the full space (as Parkour clips its test sets into its ranges).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.errors import TeachgymUsageError
from teachgym.tasks import (
    LEVEL_SEED,
    Categorical,
    Continuous,
    Fixed,
    Integer,
    Parameter,
    Task,
    TaskSpace,
)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _narrow(owner: str, name: str, full: Parameter, value: Any) -> Parameter:
    where = f"{owner} ranges: {name}"
    if isinstance(full, Continuous):
        bounds = f"{full.low} <= low < high <= {full.high}"
        if _is_number(value):
            if not full.low <= float(value) <= full.high:
                raise TeachgymUsageError(
                    f"{where} must be in [{full.low}, {full.high}], got {value!r}"
                )
            return Fixed(float(value), float(value), float(value))
        pair = list(value) if isinstance(value, list | tuple) else []
        if len(pair) != 2 or not all(_is_number(v) for v in pair):
            raise TeachgymUsageError(
                f"{where} must be one number or [low, high] with {bounds}, got {value!r}"
            )
        low, high = float(pair[0]), float(pair[1])
        if not full.low <= low < high <= full.high:
            raise TeachgymUsageError(f"{where} must be [low, high] with {bounds}, got {value!r}")
        return Continuous(low, high)
    if isinstance(full, Integer):
        bounds = f"{full.low} <= low <= high <= {full.high}"
        pair = list(value) if isinstance(value, list | tuple) else [value, value]
        ints = len(pair) == 2 and all(
            isinstance(v, int | np.integer) and not isinstance(v, bool) for v in pair
        )
        if not ints or not full.low <= int(pair[0]) <= int(pair[1]) <= full.high:
            raise TeachgymUsageError(
                f"{where} must be one integer or [low, high] with {bounds}, got {value!r}"
            )
        return Integer(int(pair[0]), int(pair[1]))
    if isinstance(full, Categorical):
        given = list(value) if isinstance(value, list | tuple) else [value]
        indices = []
        for choice in given:
            index = full._index(choice)
            if index is None or index in indices:
                raise TeachgymUsageError(
                    f"{where} must be one or more distinct choices of {list(full.choices)!r}, "
                    f"got {value!r}"
                )
            indices.append(index)
        if not indices:
            raise TeachgymUsageError(f"{where} needs at least one choice, got {value!r}")
        return Categorical(tuple(full.choices[i] for i in sorted(indices)))
    raise TeachgymUsageError(f"{where}: a {full.kind} parameter cannot be narrowed")


def narrow_space(space: TaskSpace, ranges: Mapping[str, Any] | None, owner: str) -> TaskSpace:
    """``space`` with the parameters named in ``ranges`` narrowed (module docstring).

    Args:
        space: the full task space.
        ranges: parameter name -> range, value or choices; ``None`` or empty: ``space``.
        owner: the environment's name, for messages.

    Raises:
        TeachgymUsageError: for an unknown parameter, or a range not inside the full space.
    """
    if not ranges:
        return space
    if not isinstance(ranges, Mapping):
        raise TeachgymUsageError(
            f"{owner} ranges must be a mapping {{parameter: range}}, got {ranges!r}"
        )
    unknown = [name for name in ranges if name not in space.parameters]
    if unknown:
        raise TeachgymUsageError(
            f"{owner} ranges: unknown parameter {unknown[0]!r}; the parameters are {space.names}"
        )
    parameters = {
        name: _narrow(owner, name, full, ranges[name]) if name in ranges else full
        for name, full in space.parameters.items()
    }
    return TaskSpace(parameters, space.conditions)


def clip_task(task: Task, space: TaskSpace, full: TaskSpace) -> Task:
    """A task of ``full`` moved into ``space`` (a narrowing of it): numbers clipped into
    their range (a held continuous one set to its value), a categorical choice left out
    replaced by the kept choice nearest in ``full``'s order (the earlier on a tie)."""
    out: Task = {}
    for name, parameter in space.parameters.items():
        if name not in task:
            continue
        value = task[name]
        if isinstance(parameter, Fixed):
            out[name] = parameter.value
        elif isinstance(parameter, Continuous | Integer):
            out[name] = type(value)(min(max(value, parameter.low), parameter.high))
        elif isinstance(parameter, Categorical) and parameter._index(value) is None:
            whole = full.parameters[name]
            assert isinstance(whole, Categorical)
            at = whole.index_of(value)
            order = [whole.index_of(c) for c in parameter.choices]
            nearest = min(range(len(order)), key=lambda i: (abs(order[i] - at), order[i]))
            out[name] = parameter.choices[nearest]
        else:
            out[name] = value
    if LEVEL_SEED in task:
        out[LEVEL_SEED] = task[LEVEL_SEED]
    return out
