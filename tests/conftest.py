"""Shared fixtures and strategies."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from typing import Any

import hypothesis.strategies as st
import pytest

from teachgym.tasks import Categorical, Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers import Teacher, make_teacher
from tests.toy_env import register_countdown

register_countdown()

EXPERT_KNOWLEDGE: dict[str, dict[str, Any]] = {
    "adr": {"initial_task": "random"},
    "clutr": {"vae_steps": 2},
}
"""Hyperparameters without which a registered teacher refuses to start (its expert
knowledge), as generic tests over every teacher give them, and budgets that keep them
fast (CLUTR's VAE trained on first use)."""


def drive_with_success(teacher: Teacher, episodes: int, seed: int) -> list[dict[str, Any]]:
    """Sample/update ``episodes`` times; an episode on task vector v succeeds with
    probability mean(v) (return 1 on success, else 0). The tasks handed out."""
    import numpy as np

    from teachgym.teachers import Outcome

    rng = np.random.default_rng(seed)
    tasks = []
    for _ in range(episodes):
        task = teacher.sample()
        tasks.append(task)
        success = bool(rng.random() < teacher.task_space.to_vector(task).mean())
        teacher.update(task, Outcome(float(success), success=success))
    return tasks


SCHEDULES = ("schedule", "qweb-warm-start", "qweb-subinstruction")
"""Schedule teachers: generic tests point them at the space's first numeric parameter."""


def schedule_knowledge(space: TaskSpace) -> dict[str, Any]:
    """A schedule over the first numeric parameter of ``space``, low to high (none: {})."""
    for name, parameter in space.parameters.items():
        if isinstance(parameter, Continuous | Integer):
            return {"parameter": name, "start": parameter.low, "end": parameter.high}
    return {}


def build_teacher(name: str, space: TaskSpace, seed: int | None = 0) -> Teacher:
    """``make_teacher(name, space, seed=seed)`` plus the teacher's required expert knowledge."""
    knowledge = schedule_knowledge(space) if name in SCHEDULES else EXPERT_KNOWLEDGE.get(name, {})
    return make_teacher(name, space, seed=seed, **knowledge)


@st.composite
def parameters(draw: st.DrawFn, numeric_only: bool = False):
    kinds = (
        ["continuous", "integer"]
        if numeric_only
        else ["continuous", "integer", "categorical", "array"]
    )
    kind = draw(st.sampled_from(kinds))
    if kind == "continuous":
        low = draw(st.floats(-1e3, 1e3, allow_nan=False))
        width = draw(st.floats(1e-3, 1e3, allow_nan=False))
        return Continuous(low, low + width)
    if kind == "integer":
        low = draw(st.integers(-50, 50))
        return Integer(low, low + draw(st.integers(0, 20)))
    if kind == "categorical":
        choices = draw(
            st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=5, unique=True)
        )
        return Categorical(tuple(choices))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2)))
    return IntArray(shape, 0, draw(st.integers(1, 3)))


@st.composite
def task_spaces(draw: st.DrawFn, numeric_only: bool = False) -> TaskSpace:
    n = draw(st.integers(1, 4))
    return TaskSpace({f"p{i}": draw(parameters(numeric_only)) for i in range(n)})


@pytest.fixture
def mixed_space() -> TaskSpace:
    return TaskSpace(
        {
            "height": Continuous(0.0, 3.0),
            "steps": Integer(1, 9),
            "color": Categorical(("red", "green", "blue")),
            "walls": IntArray((3, 3)),
        }
    )
