"""Constructor parameters read back from an object, scikit-learn style.

A teacher or a student stores every constructor argument in an attribute of the
same name (or names the attribute in ``param_attributes``), so
:func:`get_params` can rebuild the arguments from the constructor's signature,
and ``type(obj)(**get_params(obj))`` builds an equivalent object. Saved states
keep these values, so a loaded object is built with exactly the same ones; a class
among them is kept as its ``"module:QualName"``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np

from teachgym.entry_points import importable_name

_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def constructor_defaults(cls: type, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Named constructor parameters of ``cls`` and their defaults, in signature order.

    A parameter without a default maps to :data:`inspect.Parameter.empty`;
    ``*args`` / ``**kwargs`` and the names in ``skip`` are left out.
    """
    signature = inspect.signature(cls.__init__)  # type: ignore[misc]
    return {
        p.name: p.default
        for p in signature.parameters.values()
        if p.name != "self" and p.name not in skip and p.kind not in _VARIADIC
    }


def accepts_any_keyword(cls: type) -> bool:
    """True if the constructor of ``cls`` takes ``**kwargs``."""
    signature = inspect.signature(cls.__init__)  # type: ignore[misc]
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())


def json_ready(value: Any) -> Any:
    """``value`` with tuples as lists, numpy scalars and arrays as Python values, and
    classes (an activation or features extractor in ``policy_kwargs``) as their
    ``"module:QualName"`` (:func:`~teachgym.entry_points.class_named` imports them back).

    Raises:
        TeachgymUsageError: for a class that cannot be imported by that name.
    """
    if isinstance(value, type):
        return importable_name(value)
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def get_params(
    obj: object, skip: tuple[str, ...] = (), attributes: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The constructor arguments of ``obj``, read from its attributes (JSON-ready).

    Args:
        obj: an object whose constructor stores its arguments.
        skip: constructor parameters that are not hyperparameters (``task_space``, ``env_fn``).
        attributes: ``parameter -> attribute`` where the names differ.

    Raises:
        AttributeError: if a parameter is not stored; the message says how to fix the class.
    """
    names = attributes or {}
    params: dict[str, Any] = {}
    for name in constructor_defaults(type(obj), skip):
        attribute = names.get(name, name)
        if not hasattr(obj, attribute):
            raise AttributeError(
                f"{type(obj).__name__}.get_params: the constructor argument {name!r} is not "
                f"stored as self.{attribute}; store it under that name or list it in "
                "param_attributes"
            )
        params[name] = json_ready(getattr(obj, attribute))
    return params
