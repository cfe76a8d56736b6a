"""``"package.module:Class"`` strings: how students, teachers and environments are named.

Every registry (teachers, students, environments) maps a short name to an entry
point, and accepts an entry point wherever it accepts a name, the way
Gymnasium's ``entry_point`` works: the module is imported and the attribute
looked up only when the thing is built, so registering costs no import.
Installed packages can add teachers and students through the Python
entry-point groups ``teachgym.teachers`` and ``teachgym.students``
(:func:`installed_plugins`).
"""

from __future__ import annotations

import importlib
import re
from importlib import metadata
from typing import Any

from teachgym.errors import TeachgymUsageError

_ENTRY_POINT = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def is_entry_point(name: str) -> bool:
    """True if ``name`` has the form ``"package.module:Class"``."""
    return bool(_ENTRY_POINT.match(name))


def entry_point_of(cls: type) -> str:
    """The ``"module:Class"`` string that names ``cls``."""
    return f"{cls.__module__}:{cls.__qualname__}"


def _import_attribute(text: str, kind: str) -> Any:
    """The object ``"package.module:Attr.Path"`` names (``text`` already checked)."""
    module_name, attribute = text.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TeachgymUsageError(
            f"{kind} {text!r}: cannot import module {module_name!r} ({exc}); is it "
            "installed or on PYTHONPATH?"
        ) from exc
    found: object = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise TeachgymUsageError(
                f"{kind} {text!r}: module {module_name!r} has no attribute {attribute!r}"
            )
        found = getattr(found, part)
    return found


def load_entry_point(entry_point: str | type, base: type, kind: str) -> Any:
    """The class an entry point names, checked to be a subclass of ``base``.

    Args:
        entry_point: ``"package.module:Class"`` or the class itself.
        base: the class it must derive from (``Teacher``, ``Student``, ``TaskEnv``).
        kind: what it is, for error messages (``"teacher"``, ...).

    Raises:
        TeachgymUsageError: malformed string, module not importable, no such attribute,
            or not a subclass of ``base``.
    """
    if isinstance(entry_point, type):
        cls: object = entry_point
        text = entry_point_of(entry_point)
    else:
        text = entry_point
        if not is_entry_point(text):
            raise TeachgymUsageError(
                f"{kind} entry point {text!r} must look like 'package.module:ClassName'"
            )
        cls = _import_attribute(text, kind)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TeachgymUsageError(
            f"{kind} {text!r} is {cls!r}, not a subclass of {base.__module__}.{base.__name__}"
        )
    return cls


def class_named(name: str, kind: str) -> type:
    """The class ``"package.module:QualName"`` or ``"package.module.Class"`` names (the
    dotted form splits at its last dot), as config files and the command line give them.

    Raises:
        TeachgymUsageError: malformed name, module not importable, no such attribute, or
            not a class.
    """
    text = name
    if ":" not in text and "." in text:
        module_name, _, attribute = text.rpartition(".")
        text = f"{module_name}:{attribute}"
    if not is_entry_point(text):
        raise TeachgymUsageError(
            f"{kind} {name!r} must name a class as 'package.module:ClassName' or "
            "'package.module.ClassName'"
        )
    cls = _import_attribute(text, kind)
    if not isinstance(cls, type):
        raise TeachgymUsageError(f"{kind} {name!r} is {cls!r}, not a class")
    return cls


def importable_name(cls: type) -> str:
    """``"module:QualName"`` of ``cls``, checked to import back to ``cls`` itself.

    Raises:
        TeachgymUsageError: if the name does not lead back to ``cls`` (a class defined
            inside a function, or made at run time).
    """
    text = entry_point_of(cls)
    try:
        found = _import_attribute(text, "class") if is_entry_point(text) else None
    except TeachgymUsageError:
        found = None
    if found is not cls:
        raise TeachgymUsageError(
            f"class {text!r} cannot be saved by name because it cannot be imported as "
            "'module:QualName'; define it at the top level of an importable module"
        )
    return text


def installed_plugins(group: str) -> dict[str, str]:
    """``name -> "module:Class"`` declared by installed packages in entry-point ``group``.

    A package declares one in its ``pyproject.toml``, e.g.::

        [project.entry-points."teachgym.teachers"]
        my-teacher = "my_package.teacher:MyTeacher"

    Nothing is imported here; the class is loaded when it is built.
    """
    return {point.name: point.value for point in metadata.entry_points(group=group)}
