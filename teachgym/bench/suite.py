"""Benchmark suites: grids of environment x teacher x student x seed, validated before running.

A suite is one or more *grids*. Each grid crosses its environments, teachers,
students and seeds, with one training budget (environment steps), one
evaluation schedule and one test set per environment. Every combination is a
:class:`RunSpec`, the unit the runner executes in its own process.

YAML form (keys at the top level are defaults for every entry of ``grids``; a
suite without ``grids`` is a single grid)::

    name: my-suite
    seeds: 5                      # or an explicit list: [0, 3, 7]
    grids:
      - envs:
          - id: teachgym/LearnabilityGrid-v0
            kwargs: {cells_per_dim: 10}
            test_set: null        # null: the environment's default test set
        teachers:
          - random
          - {name: alp-gmm, label: alp-gmm-tuned, params: {fit_rate: 150}}
        students: [simulated]
        budget: 20000             # environment steps per run
        evaluation: {every: 2000}   # also episodes_per_task, seed, deterministic

Validation builds each environment, teacher and student once (no training), so
an unknown id, a bad hyperparameter or a wrong type is reported, with the
offending key, before anything runs; so is a teacher x student pair whose
declared capabilities do not fit (e.g. ``plr`` needs scores ``simulated`` cannot give).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from teachgym.agents import make_student, student_class
from teachgym.agents.student import incompatibility
from teachgym.entry_points import is_entry_point
from teachgym.envs import env_catalog, env_factory, env_info
from teachgym.errors import TeachgymUsageError, UnknownParameterError
from teachgym.params import constructor_defaults
from teachgym.teachers import Teacher, make_teacher, teacher_class

SUITE_KEYS = {"name", "description", "grids"}
GRID_KEYS = {"envs", "teachers", "students", "seeds", "budget", "evaluation", "tensorboard"}
ENV_KEYS = {"id", "kwargs", "test_set", "label"}
AGENT_KEYS = {"name", "label", "params"}
EVALUATION_KEYS = {"every", "episodes_per_task", "seed", "deterministic"}
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


class SuiteError(TeachgymUsageError):
    """An invalid suite; the message names the offending key (e.g. ``grids[0].teachers[1]``)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"suite key {key!r}: {message}")
        self.key = key


@dataclass(frozen=True)
class EnvSpec:
    """An environment of a grid: registered id, ``gymnasium.make`` kwargs, test set name."""

    id: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    test_set: str | None = None
    label: str = ""


@dataclass(frozen=True)
class AgentSpec:
    """A teacher or a student: registered name, hyperparameters, and a unique label."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class EvaluationSpec:
    """Evaluate every ``every`` environment steps (and at step 0) on the test set.

    ``episodes_per_task`` episodes per test task (``None``: the environment's
    ``mastery_episodes``); episode ``k`` of task ``i`` is seeded
    ``seed + i * episodes_per_task + k`` so every run sees the same levels.
    ``deterministic``: greedy or sampled actions (``None``: the environment's
    ``evaluation_deterministic``). Parsing a suite fills both in from the environment.
    """

    every: int
    episodes_per_task: int | None = None
    seed: int = 0
    deterministic: bool | None = None


@dataclass(frozen=True)
class RunSpec:
    """One training run: everything needed to reproduce it, JSON-ready."""

    suite: str
    env: EnvSpec
    teacher: AgentSpec
    student: AgentSpec
    seed: int
    budget: int
    evaluation: EvaluationSpec
    tensorboard: bool = False

    @property
    def run_id(self) -> str:
        """Directory name of the run, unique within its suite."""
        return f"{self.env.label}__{self.teacher.label}__{self.student.label}__seed{self.seed}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        try:
            return cls(
                suite=data["suite"],
                env=EnvSpec(**data["env"]),
                teacher=AgentSpec(**data["teacher"]),
                student=AgentSpec(**data["student"]),
                seed=int(data["seed"]),
                budget=int(data["budget"]),
                evaluation=EvaluationSpec(**data["evaluation"]),
                tensorboard=bool(data.get("tensorboard", False)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed run spec ({type(exc).__name__}: {exc})") from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True)


@dataclass(frozen=True)
class Suite:
    """A validated suite: its name, description and the expanded runs."""

    name: str
    description: str
    runs: list[RunSpec]


# -- parsing helpers ---------------------------------------------------------------
MAX_BUDGET = 10**12
"""Largest run budget a suite accepts (environment steps): far beyond any published run."""


def _check_keys(value: Any, allowed: set[str], key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SuiteError(key, f"must be a mapping with keys {sorted(allowed)}, got {value!r}")
    for name in value:
        if name not in allowed:
            raise SuiteError(
                f"{key}.{name}" if key else str(name),
                f"unknown key; allowed here: {sorted(allowed)}",
            )
    return value


def _positive_int(value: Any, key: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SuiteError(key, f"must be an integer >= {minimum}, got {value!r}")
    return value


def _label(value: Any, key: str) -> str:
    if not isinstance(value, str) or not _LABEL.match(value):
        raise SuiteError(
            key, f"a label must be letters, digits and '_.+-' (no '/' or spaces), got {value!r}"
        )
    return value


def _default_label(name: str) -> str:
    """``"teachgym/Maze-v0"`` -> ``"Maze-v0"``; ``"package.module:Class"`` -> ``"Class"``."""
    return name.rsplit(":", 1)[-1].split("/")[-1]


def _params(value: Any, key: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise SuiteError(key, f"must be a mapping of hyperparameter names to values, got {value!r}")
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        raise SuiteError(key, "values must be JSON-ready (numbers, strings, lists, maps)") from None
    return dict(value)


def _parse_env(value: Any, key: str) -> EnvSpec:
    if isinstance(value, str):
        value = {"id": value}
    entry = _check_keys(value, ENV_KEYS, key)
    if "id" not in entry or not isinstance(entry["id"], str):
        raise SuiteError(f"{key}.id", "every environment needs an 'id' string")
    env_id = entry["id"]
    try:
        env_id = env_info(env_id).env_id
    except TeachgymUsageError as exc:
        if is_entry_point(env_id):  # a "module:Class" that cannot be imported or is no TaskEnv
            raise SuiteError(f"{key}.id", str(exc)) from None
        raise SuiteError(
            f"{key}.id",
            f"environment {env_id!r} is not registered in this installation of teachgym; "
            f"registered: {[info.env_id for info in env_catalog()]} (update teachgym or "
            "install the extra that provides it)",
        ) from None
    test_set = entry.get("test_set")
    if test_set is not None and not isinstance(test_set, str):
        raise SuiteError(f"{key}.test_set", f"must be a test set name or null, got {test_set!r}")
    default_label = _default_label(env_id)
    label = _label(entry.get("label", default_label), f"{key}.label")
    return EnvSpec(env_id, _params(entry.get("kwargs"), f"{key}.kwargs"), test_set, label)


def _parse_agent(value: Any, key: str) -> AgentSpec:
    if isinstance(value, str):
        value = {"name": value}
    entry = _check_keys(value, AGENT_KEYS, key)
    if "name" not in entry or not isinstance(entry["name"], str):
        raise SuiteError(f"{key}.name", "needs a 'name' string")
    label = _label(entry.get("label", _default_label(entry["name"])), f"{key}.label")
    return AgentSpec(entry["name"], _params(entry.get("params"), f"{key}.params"), label)


def _parse_list(value: Any, key: str, parse: Any) -> list[Any]:
    if isinstance(value, str | Mapping):
        value = [value]
    if not isinstance(value, list) or not value:
        raise SuiteError(key, f"must be a non-empty list, got {value!r}")
    items = [parse(item, f"{key}[{i}]") for i, item in enumerate(value)]
    labels = [item.label for item in items]
    for i, label in enumerate(labels):
        if label in labels[:i]:
            raise SuiteError(
                f"{key}[{i}]", f"label {label!r} is used twice; give each entry its own 'label'"
            )
    return items


def _parse_seeds(value: Any, key: str) -> list[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return list(range(_positive_int(value, key)))
    if not isinstance(value, list) or not value:
        raise SuiteError(key, f"must be a number of seeds or a non-empty list, got {value!r}")
    seeds = [_positive_int(s, f"{key}[{i}]", minimum=0) for i, s in enumerate(value)]
    if len(set(seeds)) != len(seeds):
        raise SuiteError(key, f"seeds must be distinct, got {seeds}")
    return seeds


def _parse_evaluation(value: Any, key: str, budget: int) -> EvaluationSpec:
    entry = _check_keys(value, EVALUATION_KEYS, key)
    if "every" not in entry:
        raise SuiteError(f"{key}.every", "is required (environment steps between evaluations)")
    every = _positive_int(entry["every"], f"{key}.every")
    if every > budget:
        raise SuiteError(f"{key}.every", f"({every}) must not exceed the budget ({budget})")
    episodes = entry.get("episodes_per_task")
    if episodes is not None:
        episodes = _positive_int(episodes, f"{key}.episodes_per_task")
    seed = _positive_int(entry.get("seed", 0), f"{key}.seed", minimum=0)
    deterministic = entry.get("deterministic")
    if deterministic is not None and not isinstance(deterministic, bool):
        raise SuiteError(f"{key}.deterministic", f"must be true or false, got {deterministic!r}")
    return EvaluationSpec(every, episodes, seed, deterministic)


def _env_evaluation(evaluation: EvaluationSpec, env_class: type[Any]) -> EvaluationSpec:
    """``evaluation`` with what it leaves open taken from the environment's own rule."""
    return replace(
        evaluation,
        episodes_per_task=evaluation.episodes_per_task or env_class.mastery_episodes,
        deterministic=(
            env_class.evaluation_deterministic
            if evaluation.deterministic is None
            else evaluation.deterministic
        ),
    )


# -- checks that build things ------------------------------------------------------
def teacher_params_on(env: Any, teacher_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """A teacher's hyperparameters on ``env`` (an unwrapped environment): a teacher that
    declares ``mutates`` gets the edits the environment publishes
    (``TaskEnv.edit_operators()``), and one that names a ``return_bounds_parameter`` gets
    the environment's ``return_bounds`` there, and one that takes ``subspaces`` (the
    bandits) gets the named sub-spaces the environment publishes
    (``TaskEnv.bandit_subspaces()``) unless given ``cells``, under the ones given
    explicitly."""
    cls = teacher_class(teacher_name)
    published: dict[str, Any] = {}
    publish = getattr(env, "edit_operators", None)
    if cls.mutates and publish is not None:
        published.update(publish())
    subspaces = getattr(env, "bandit_subspaces", None)
    takes_subspaces = "subspaces" in constructor_defaults(cls)
    if subspaces is not None and takes_subspaces and "cells" not in params:
        named = subspaces()
        if named:
            published["subspaces"] = named
    bounds = getattr(env, "return_bounds", None)
    if cls.return_bounds_parameter is not None and bounds is not None:
        published[cls.return_bounds_parameter] = [float(b) for b in bounds]
    return {**published, **params}


def _check_buildable(
    prefix: str, envs: list[EnvSpec], teachers: list[AgentSpec], students: list[AgentSpec]
) -> list[type[Any]]:
    """Build every env, teacher and student once so bad values, and teacher x student
    pairs whose declared capabilities do not fit, fail before any run; returns the
    environments' (unwrapped) classes."""
    env_classes: list[type[Any]] = []
    for e, env in enumerate(envs):
        built_teachers: list[Teacher] = []
        env_key = f"{prefix}envs[{e}]"
        try:
            env_fn = env_factory(env.id, **env.kwargs)
            probe = env_fn()
        except (ValueError, TypeError) as exc:
            raise SuiteError(f"{env_key}.kwargs", str(exc)) from None
        try:
            unwrapped: Any = probe.unwrapped
            task_space = getattr(unwrapped, "task_space", None)
            if task_space is None:
                raise SuiteError(f"{env_key}.id", f"{env.id} is not a teachgym environment")
            env_classes.append(type(unwrapped))
            try:
                unwrapped.test_set(env.test_set)
            except ValueError as exc:
                raise SuiteError(f"{env_key}.test_set", str(exc)) from None
            for t, teacher in enumerate(teachers):
                key = f"{prefix}teachers[{t}]"
                try:
                    teacher_class(teacher.name)
                except TeachgymUsageError as exc:
                    raise SuiteError(f"{key}.name", str(exc)) from None
                try:
                    built_teachers.append(
                        make_teacher(
                            teacher.name,
                            task_space,
                            seed=0,
                            **teacher_params_on(unwrapped, teacher.name, teacher.params),
                        )
                    )
                except (ValueError, TypeError) as exc:
                    raise SuiteError(f"{key}.params", f"on {env.id}: {exc}") from None
        finally:
            probe.close()
        for s, student in enumerate(students):
            key = f"{prefix}students[{s}]"
            try:
                student_class(student.name)
            except TeachgymUsageError as exc:
                raise SuiteError(f"{key}.name", str(exc)) from None
            try:
                built = make_student(student.name, env_fn, seed=0, **student.params)
                built.close()
            except UnknownParameterError as exc:
                raise SuiteError(f"{key}.params.{exc.parameter}", str(exc)) from None
            except (ValueError, TypeError) as exc:
                raise SuiteError(f"{key}", f"on {env.id}: {exc}") from None
            for t, teacher_spec in enumerate(teachers):
                problem = incompatibility(built_teachers[t], built)
                if problem is not None:
                    raise SuiteError(
                        f"{prefix}teachers[{t}] x {prefix}students[{s}]",
                        f"teacher {teacher_spec.label!r} cannot train student "
                        f"{student.label!r}: {problem}",
                    )
    return env_classes


def _parse_grid(value: Any, key: str, suite_name: str) -> list[RunSpec]:
    grid_in = _check_keys(value, GRID_KEYS, key)
    prefix = f"{key}." if key else ""
    for required in ("envs", "teachers", "students", "seeds", "budget", "evaluation"):
        if required not in grid_in:
            raise SuiteError(f"{prefix}{required}", "is required")
    budget = _positive_int(grid_in["budget"], f"{prefix}budget")
    if budget > MAX_BUDGET:
        raise SuiteError(
            f"{prefix}budget", f"must be at most {MAX_BUDGET:,} environment steps, got {budget:,}"
        )
    tensorboard = grid_in.get("tensorboard", False)
    if not isinstance(tensorboard, bool):
        raise SuiteError(f"{prefix}tensorboard", f"must be true or false, got {tensorboard!r}")
    if tensorboard:
        try:
            import tensorboard as _tensorboard  # noqa: F401
        except ImportError:
            raise SuiteError(
                f"{prefix}tensorboard", "needs the tensorboard package: pip install tensorboard"
            ) from None
    envs: list[EnvSpec] = _parse_list(grid_in["envs"], f"{prefix}envs", _parse_env)
    teachers: list[AgentSpec] = _parse_list(grid_in["teachers"], f"{prefix}teachers", _parse_agent)
    students: list[AgentSpec] = _parse_list(grid_in["students"], f"{prefix}students", _parse_agent)
    seeds = _parse_seeds(grid_in["seeds"], f"{prefix}seeds")
    evaluation = _parse_evaluation(grid_in["evaluation"], f"{prefix}evaluation", budget)
    env_classes = _check_buildable(prefix, envs, teachers, students)
    return [
        RunSpec(
            suite_name,
            env,
            teacher,
            student,
            seed,
            budget,
            _env_evaluation(evaluation, env_class),
            tensorboard,
        )
        for env, env_class in zip(envs, env_classes, strict=True)
        for teacher in teachers
        for student in students
        for seed in seeds
    ]


def parse_suite(data: Any, default_name: str = "suite") -> Suite:
    """Validate a suite given as plain data (a dict from YAML) and expand its runs.

    Raises:
        SuiteError: naming the offending key, for anything invalid.
    """
    top = _check_keys(data, SUITE_KEYS | GRID_KEYS, "")
    name = top.get("name", default_name)
    _label(name, "name")
    description = top.get("description", "")
    if not isinstance(description, str):
        raise SuiteError("description", f"must be a string, got {description!r}")
    defaults = {k: v for k, v in top.items() if k in GRID_KEYS}
    if "grids" in top:
        grids = top["grids"]
        if not isinstance(grids, list) or not grids:
            raise SuiteError("grids", f"must be a non-empty list of grids, got {grids!r}")
        runs: list[RunSpec] = []
        for i, grid in enumerate(grids):
            _check_keys(grid, GRID_KEYS, f"grids[{i}]")
            runs += _parse_grid({**defaults, **grid}, f"grids[{i}]", name)
    else:
        runs = _parse_grid(defaults, "", name)
    ids = [run.run_id for run in runs]
    for i, run_id in enumerate(ids):
        if run_id in ids[:i]:
            raise SuiteError("grids", f"two runs share the id {run_id!r}; give them labels")
    return Suite(name, description, runs)


def load_suite(source: str | Path) -> Suite:
    """A preset name (``demo``, ``skills``, ``quick``, ``parkour-quick``, ``web``, ``standard``,
    ``paper``) or a
    YAML file path."""
    from teachgym.bench.suites import SUITES

    text = str(source)
    if text in SUITES:
        return parse_suite(SUITES[text], default_name=text)
    path = Path(text)
    if not path.exists():
        raise TeachgymUsageError(
            f"{text!r} is neither a preset ({', '.join(SUITES)}) nor an existing YAML file"
        )
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise TeachgymUsageError(f"{path} is not valid YAML: {exc}") from None
    return parse_suite(data, default_name=path.stem)
