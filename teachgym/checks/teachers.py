"""``check_teacher``: the contract every teacher keeps.

The contract (``CONTRIBUTING.md``, "Add a teacher"; scikit-learn's estimator
checks for the hyperparameter part): every sampled task is valid for the task
space; a teacher is determined by its seed and the outcomes it is told;
``get_params()`` reports constructor arguments only, JSON-ready, and enough
of them that the registry rebuilds an equal teacher (same state, same tasks after
the same outcomes); ``state_dict`` / ``load_state_dict``
and ``save_teacher`` / ``load_teacher`` restore it exactly (the restored teacher
samples the same next tasks after the same updates); invalid tasks, a missing score
(for a teacher that declares ``requires_score``), a missing value (for one that
declares ``requires_value``), sampling without a critic (for one that declares
``requires_task_values``) and another teacher's state are refused with ``ValueError``.
"""

from __future__ import annotations

import copy
import inspect
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from teachgym.checks.equality import first_difference, same
from teachgym.checks.errors import ContractError
from teachgym.state_io import load_state
from teachgym.tasks import Continuous, Integer, Task, TaskSpace
from teachgym.teachers import Outcome, Teacher, load_teacher, make_teacher, save_teacher
from teachgym.teachers.registry import teacher_class, teacher_names

CHECK_TASK_SPACE = TaskSpace(
    {"x": Continuous(-1.0, 2.0), "y": Continuous(0.0, 1.0), "k": Integer(0, 4)}
)
"""The numeric task space teachers are checked on unless one is given."""


def check_teacher(
    teacher: str | type[Teacher] | Teacher,
    task_space: TaskSpace | None = None,
    episodes: int = 300,
    seed: int = 0,
) -> None:
    """Check that a teacher keeps the teacher contract (module docstring).

    Args:
        teacher: a registered name, a :class:`~teachgym.teachers.Teacher` subclass
            (built with its default hyperparameters), or a teacher instance (checked on a
            deep copy, and rebuilt from its ``get_params()``; it is not changed).
        task_space: the space to check on (default :data:`CHECK_TASK_SPACE`; an instance
            brings its own).
        episodes: sample/update rounds driven before the state is saved; as many again
            after it.
        seed: the teacher's seed (for names and classes) and the fake outcomes' seed.

    The outcomes come from a fake student whose return grows with the task vector;
    they carry a score when the teacher declares ``requires_score`` and a value (the
    return's noiseless part) when it declares ``requires_value``; a teacher that declares
    ``requires_task_values`` gets a critic that gives every task that noiseless part.

    Raises:
        ContractError: naming the teacher, the broken contract and what was seen.
        TypeError: if ``teacher`` is none of the accepted kinds.
        teachgym.errors.TeachgymUsageError: for an unknown teacher name.
    """
    fresh, label = _builder(teacher, task_space, seed)
    original = fresh()
    space = original.task_space
    hyperparameters = _check_hyperparameters(original, label)
    rebuilt = _check_rebuild(original, hyperparameters, label)
    first = _drive(original, episodes, np.random.default_rng(seed), label)
    again = _drive(fresh(), episodes, np.random.default_rng(seed), label)
    if not same(first, again):
        raise ContractError(
            f"{label}: two teachers built alike and told the same outcomes sampled different "
            f"tasks ({_first_mismatch(first, again)}); draw all randomness from self.rng"
        )
    if not same(_drive(rebuilt, episodes, np.random.default_rng(seed), label), first):
        raise ContractError(
            f"{label} rebuilt from its get_params() {hyperparameters} samples other tasks "
            "than the original after the same outcomes; report every setting that matters"
        )
    _check_restore(original, fresh, episodes, seed, label)
    _check_refusals(fresh(), space, label)


def _builder(
    teacher: str | type[Teacher] | Teacher, task_space: TaskSpace | None, seed: int
) -> tuple[Callable[[], Teacher], str]:
    if isinstance(teacher, str):
        cls = teacher_class(teacher)
        space = task_space or CHECK_TASK_SPACE
        return (lambda: make_teacher(teacher, space, seed=seed)), f"teacher {teacher!r}"
    if isinstance(teacher, type) and issubclass(teacher, Teacher):
        cls = teacher
        space = task_space or CHECK_TASK_SPACE
        return (lambda: cls(space, seed=seed)), f"teacher {cls.__name__}"
    if isinstance(teacher, Teacher):
        if task_space is not None and task_space != teacher.task_space:
            raise ValueError("check_teacher: a teacher instance brings its own task space")
        if teacher.seed is None:
            raise ValueError(
                "check_teacher needs a seeded teacher instance (seed=None draws fresh "
                "entropy, so nothing about it can be reproduced)"
            )
        if teacher.n_updates:
            raise ValueError(
                f"check_teacher needs an untrained teacher; this one learned from "
                f"{teacher.n_updates} episodes (pass its class or name instead)"
            )
        instance = teacher
        return (lambda: copy.deepcopy(instance)), f"teacher {type(teacher).__name__}"
    raise TypeError(
        f"check_teacher needs a teacher name, a Teacher subclass or a Teacher, got "
        f"{type(teacher).__name__}"
    )


def _check_hyperparameters(teacher: Teacher, label: str) -> dict[str, Any]:
    hyperparameters = teacher.get_params()
    if not isinstance(hyperparameters, dict):
        raise ContractError(f"{label}.get_params() returned {hyperparameters!r}, not a dict")
    try:
        json.dumps(hyperparameters)
    except (TypeError, ValueError) as exc:
        raise ContractError(f"{label}.get_params() is not JSON-ready: {exc}") from None
    parameters = inspect.signature(type(teacher).__init__).parameters.values()
    arguments = [
        p.name
        for p in parameters
        if p.name not in ("self", "task_space") and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    unknown = sorted(set(hyperparameters) - set(arguments))
    if unknown:
        raise ContractError(
            f"{label}.get_params() reports {unknown}, which the constructor does not take"
        )
    return hyperparameters


def _check_rebuild(teacher: Teacher, hyperparameters: dict[str, Any], label: str) -> Teacher:
    cls = type(teacher)
    registered = cls.name in teacher_names() and teacher_class(cls.name) is cls
    extra = dict(hyperparameters)
    seed = extra.pop("seed", None)
    try:
        rebuilt = (
            make_teacher(cls.name, teacher.task_space, seed=seed, **extra)
            if registered
            else cls(teacher.task_space, **hyperparameters)
        )
    except (TypeError, ValueError) as exc:
        via = "the registry" if registered else cls.__name__
        raise ContractError(
            f"{label} could not be rebuilt through {via} from its get_params() "
            f"{hyperparameters}: {exc}"
        ) from exc
    if not same(rebuilt.get_params(), hyperparameters):
        raise ContractError(
            f"{label} rebuilt from its get_params() reports "
            f"{rebuilt.get_params()} instead of {hyperparameters}"
        )
    where = first_difference(rebuilt.state_dict(), teacher.state_dict())
    if where is not None:
        raise ContractError(
            f"{label} rebuilt from its get_params() differs from the original in its "
            f"state_dict at {where}; every setting must be a constructor argument"
        )
    return rebuilt


def _noiseless_return(space: TaskSpace, task: Task) -> float:
    vector = space.to_vector(task)
    return float(vector.mean()) if vector.size else 0.0


def _outcome(teacher: Teacher, task: Task, rng: np.random.Generator) -> Outcome:
    value = _noiseless_return(teacher.task_space, task)
    episode_return = value + float(rng.normal(0.0, 0.05))
    score = abs(episode_return) if teacher.requires_score else None
    return Outcome(
        episode_return,
        length=int(rng.integers(1, 20)),
        success=value > 0.5,
        score=score,
        value=value if teacher.requires_value else None,
    )


def _give_critic(teacher: Teacher) -> None:
    """A critic of the fake student for a teacher that requires task values."""
    if teacher.requires_task_values:
        space = teacher.task_space
        teacher.set_task_critic(lambda tasks: [_noiseless_return(space, t) for t in tasks])


def _drive(teacher: Teacher, episodes: int, rng: np.random.Generator, label: str) -> list[Task]:
    _give_critic(teacher)
    tasks = []
    for i in range(episodes):
        task = teacher.sample()
        try:
            valid = teacher.task_space.validate(task)
        except ValueError as exc:
            raise ContractError(
                f"{label}.sample() returned an invalid task {task}: {exc}"
            ) from None
        if not same(valid, task):
            raise ContractError(
                f"{label}.sample() returned {task}, not in canonical form {valid}; return "
                "task_space.validate(task) or task_space.from_vector(...)"
            )
        tasks.append(task)
        try:
            teacher.update(task, _outcome(teacher, task, rng))
        except ValueError as exc:
            raise ContractError(f"{label}.update() failed on episode {i} ({task}): {exc}") from exc
    return tasks


def _first_mismatch(a: list[Task], b: list[Task]) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if not same(x, y):
            return f"episode {i}: {x} vs {y}"
    return "none"


def _check_restore(
    original: Teacher, build: Callable[[], Teacher], episodes: int, seed: int, label: str
) -> None:
    state = original.state_dict()
    restored = build()
    try:
        restored.load_state_dict(state)
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(f"{label}.load_state_dict(its own state_dict()) failed: {exc}") from exc
    cls = type(original)
    registered = cls.name in teacher_names() and teacher_class(cls.name) is cls
    with tempfile.TemporaryDirectory() as directory:
        stem = Path(directory) / "teacher"
        try:
            save_teacher(original, stem)
            if registered:
                loaded = load_teacher(stem)
            else:  # load_teacher finds registered teachers only: restore the file by hand
                loaded = build()
                loaded.load_state_dict(load_state(stem))
        except (KeyError, TypeError, ValueError) as exc:
            raise ContractError(
                f"{label} does not survive save_teacher/load_teacher: {exc}; state_dict() "
                "must hold JSON scalars and numpy arrays only"
            ) from exc
    if type(loaded) is not cls:
        raise ContractError(
            f"load_teacher rebuilt a {type(loaded).__name__}, not {label}; register the class "
            "under its name with @register_teacher"
        )
    expected = _drive(original, episodes, np.random.default_rng(seed + 1), label)
    for how, twin in (("load_state_dict", restored), ("save_teacher/load_teacher", loaded)):
        tasks = _drive(twin, episodes, np.random.default_rng(seed + 1), label)
        if not same(tasks, expected):
            raise ContractError(
                f"{label} restored with {how} continues differently from the original "
                f"({_first_mismatch(tasks, expected)}); state_dict() misses learned state"
            )


def _check_refusals(teacher: Teacher, space: TaskSpace, label: str) -> None:
    if teacher.requires_task_values:
        _expect_value_error(
            teacher.sample,
            f"{label} declares requires_task_values but sample() accepted to run without a critic",
        )
        _give_critic(teacher)
    task = teacher.sample()
    bad = {**task, space.names[0]: "nonsense"}
    _expect_value_error(
        lambda: teacher.update(bad, Outcome(0.0, score=0.0, value=0.0)),
        f"{label}.update() accepted the invalid task {bad}",
    )
    if teacher.requires_score:
        _expect_value_error(
            lambda: teacher.update(task, Outcome(0.0)),
            f"{label} declares requires_score but update() accepted an outcome without a score",
        )
    if teacher.requires_value:
        _expect_value_error(
            lambda: teacher.update(task, Outcome(0.0, score=0.0)),
            f"{label} declares requires_value but update() accepted an outcome without a value",
        )
    state = {**teacher.state_dict(), "teacher": "another-teacher"}
    _expect_value_error(
        lambda: teacher.load_state_dict(state),
        f"{label}.load_state_dict() accepted the state of another teacher",
    )


def _expect_value_error(call: Callable[[], object], message: str) -> None:
    try:
        call()
    except ValueError:
        return
    except Exception as exc:
        raise ContractError(
            f"{message.split(' accepted')[0]} raised {type(exc).__name__}: {exc}, not ValueError"
        ) from exc
    raise ContractError(message)
