"""Every bad input answered: one table per user-facing entry point.

Each row is a bad value, the error type it must raise and a pattern its message must
contain (the name of what was wrong). Kinds covered: NaN, infinity, wrong type, bool
for int, string for number, wrong shape, numpy scalars and arrays, out of range,
unknown or missing keys, empty values, values of the right type but absurd size,
and hostile strings in web-form text.
"""

from __future__ import annotations

import dataclasses
import math
from html.parser import HTMLParser
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from teachgym.bench.suite import parse_suite
from teachgym.envs import env_catalog
from teachgym.envs.webform.generator import generate_form, preset_task
from teachgym.envs.webform.html import render_html
from teachgym.tasks import Categorical, Continuous, IntArray, Integer, TaskSpace
from teachgym.teachers import Outcome, make_teacher
from teachgym.teachers.llm_subgoal.answer import InvalidAnswerError, parse_subgoal_answer
from teachgym.teachers.llm_subgoal.layout_text import parse_layout
from teachgym.validation import check_bool, check_int, check_real

SPACE = TaskSpace(
    {
        "height": Continuous(0.0, 3.0),
        "rooms": Integer(1, 4),
        "color": Categorical(["red", "blue"]),
        "walls": IntArray((2, 3), 0, 1),
    }
)
GOOD = {"height": 1.5, "rooms": 2, "color": "red", "walls": [[0, 1, 0], [1, 0, 0]]}
MISSING = object()

TASK_ROWS = [
    ("height", math.nan, "'height'.*real number in \\[0.0, 3.0\\]"),
    ("height", math.inf, "'height'"),
    ("height", -math.inf, "'height'"),
    ("height", 10**400, "'height'"),
    ("height", "1.5", "'height'.*'1.5'"),
    ("height", True, "'height'.*True"),
    ("height", None, "'height'"),
    ("height", 3.5, "'height'.*3.5"),
    ("height", np.array([1.5]), "'height'"),
    ("height", [1.5], "'height'"),
    ("rooms", True, "'rooms'.*integer"),
    ("rooms", 2.0, "'rooms'.*integer"),
    ("rooms", "2", "'rooms'"),
    ("rooms", 5, "'rooms'.*\\[1, 4\\]"),
    ("rooms", 10**400, "'rooms'"),
    ("rooms", np.float64(2.0), "'rooms'"),
    ("color", "green", "'color'.*one of"),
    ("color", ["red"], "'color'"),
    ("color", "", "'color'"),
    ("walls", [[0, 1, 0]], "'walls'.*shape \\(2, 3\\)"),
    ("walls", [[0, 2, 0], [1, 0, 0]], "'walls'.*values"),
    ("walls", "010100", "'walls'"),
    ("walls", [], "'walls'"),
    ("walls", np.zeros((200, 300)), "'walls'"),
    ("height", MISSING, "'height' is missing"),
    ("level_seed", -1, "'level_seed'"),
    ("level_seed", 1.5, "'level_seed'"),
    ("level_seed", 2**64, "'level_seed'"),
    ("level_seed", True, "'level_seed'"),
    ("unknown", 1, "unknown task parameter 'unknown'"),
]


@pytest.mark.parametrize(("name", "value", "message"), TASK_ROWS)
def test_task_space_validate_names_the_bad_parameter(name, value, message):
    task: dict[str, Any] = dict(GOOD)
    if value is MISSING:
        del task[name]
    else:
        task[name] = value
    with pytest.raises(ValueError, match=message):
        SPACE.validate(task)


@pytest.mark.parametrize("task", [None, [], "height=1", 3, {}])
def test_task_space_validate_refuses_what_is_not_a_task(task):
    with pytest.raises(ValueError, match="task"):
        SPACE.validate(task)


def test_task_space_accepts_numpy_scalars_and_arrays_as_their_values():
    task = dict(GOOD, height=np.float32(1.5), rooms=np.int64(2), walls=np.array(GOOD["walls"]))
    assert SPACE.validate(task) == GOOD


ENV_IDS = [info.env_id for info in env_catalog()]


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_reset_refuses_a_mistyped_option_key(env_id):
    env = gym.make(env_id)
    task = env.unwrapped.task_space.sample(np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown option 'tasks'"):
        env.reset(seed=0, options={"tasks": task})
    env.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("nan", "must be"),
        ("unknown", "unknown task parameter 'no_such_parameter'"),
        ("missing", "is missing"),
        ("not a mapping", "a task must be a dict"),
    ],
)
def test_reset_refuses_a_bad_task_naming_what_is_wrong(env_id, change, message):
    env = gym.make(env_id)
    space = env.unwrapped.task_space
    task: Any = space.sample(np.random.default_rng(0))
    first = space.names[0]
    if change == "nan":
        task[first] = math.nan
        message = f"'{first}'.*{message}"
    elif change == "unknown":
        task["no_such_parameter"] = 1
    elif change == "missing":
        del task[first]
        message = f"'{first}' {message}"
    else:
        task = list(task.values())
    with pytest.raises(ValueError, match=message):
        env.reset(seed=0, options={"task": task})
    env.close()


OUTCOME_ROWS = [
    ({"episode_return": math.nan}, ValueError, "non-finite reward"),
    ({"episode_return": math.inf}, ValueError, "non-finite reward"),
    ({"episode_return": "1.0"}, TypeError, "episode_return must be a real number"),
    ({"episode_return": True}, TypeError, "episode_return must be a real number"),
    ({"episode_return": None}, TypeError, "episode_return"),
    ({"episode_return": np.array([1.0])}, TypeError, "episode_return"),
    ({"episode_return": 10**400}, ValueError, "episode_return.*beyond the range"),
    ({"episode_return": 1.0, "length": 1.5}, TypeError, "length must be an integer"),
    ({"episode_return": 1.0, "length": True}, TypeError, "length must be an integer"),
    ({"episode_return": 1.0, "length": -1}, ValueError, "length must be >= 0"),
    ({"episode_return": 1.0, "success": "no"}, TypeError, "success must be True, False"),
    ({"episode_return": 1.0, "success": 1}, TypeError, "success must be True, False"),
    ({"episode_return": 1.0, "score": "x"}, TypeError, "score must be a real number"),
    ({"episode_return": 1.0, "score": math.nan}, ValueError, "non-finite score"),
    ({"episode_return": 1.0, "score": False}, TypeError, "score must be a real number"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), OUTCOME_ROWS)
def test_outcome_refuses_bad_values(kwargs, error, message):
    with pytest.raises(error, match=message):
        Outcome(**kwargs)


def test_outcome_accepts_numpy_numbers():
    outcome = Outcome(np.float32(1.5), length=np.int64(3), success=np.bool_(True), score=0.5)
    assert (outcome.episode_return, outcome.length, outcome.success) == (1.5, 3, True)


UNIT = TaskSpace({"a": Continuous(0.0, 1.0), "b": Continuous(0.0, 1.0)})
WALLS = TaskSpace({"walls": IntArray((3, 3), 0, 1)})

TEACHER_ROWS = [
    ("alp-gmm", UNIT, {"fit_rate": 0}, ValueError, "fit_rate must be an integer >= 1"),
    ("alp-gmm", UNIT, {"fit_rate": True}, ValueError, "fit_rate"),
    ("alp-gmm", UNIT, {"fit_rate": 10**12}, ValueError, "fit_rate.*10000000000"),
    ("alp-gmm", UNIT, {"random_task_ratio": math.nan}, ValueError, "random_task_ratio"),
    ("alp-gmm", UNIT, {"random_task_ratio": "0.1"}, ValueError, "random_task_ratio"),
    ("alp-gmm", UNIT, {"no_such_option": 1}, ValueError, "no hyperparameter 'no_such_option'"),
    ("riac", UNIT, {"max_region_size": 10**12}, ValueError, "max_region_size"),
    ("riac", UNIT, {"min_region_size": True}, ValueError, "min_region_size"),
    ("riac", UNIT, {"mutation_std": math.inf}, ValueError, "mutation_std"),
    ("riac", UNIT, {"mutation_std": True}, TypeError, "mutation_std"),
    ("riac", UNIT, {"mutation_std": -0.1}, ValueError, "mutation_std.*>= 0"),
    ("paired", WALLS, {"n_walls": True}, TypeError, "n_walls must be an integer"),
    ("paired", WALLS, {"n_walls": 10**11}, ValueError, "n_walls.*10000"),
    ("paired", WALLS, {"learning_rate": math.inf}, ValueError, "learning_rate"),
    ("paired", WALLS, {"learning_rate": True}, TypeError, "learning_rate"),
    ("paired", WALLS, {"learning_rate": 0.0}, ValueError, "learning_rate.*> 0"),
    ("paired", WALLS, {"batch_size": 2.5}, TypeError, "batch_size"),
    ("llm-curriculum", UNIT, {"n_regions": 10**11}, ValueError, "n_regions.*10000"),
    ("llm-curriculum", UNIT, {"n_regions": True}, TypeError, "n_regions"),
    ("llm-curriculum", UNIT, {"window": 0}, ValueError, "window"),
    ("llm-curriculum", UNIT, {"random_task_ratio": True}, TypeError, "random_task_ratio"),
    ("llm-curriculum", UNIT, {"proposal_noise": math.nan}, ValueError, "proposal_noise"),
    ("llm-curriculum", UNIT, {"proposal_noise": -1.0}, ValueError, "proposal_noise"),
    ("no-such-teacher", UNIT, {}, ValueError, "unknown teacher 'no-such-teacher'"),
]


@pytest.mark.parametrize(("name", "space", "params", "error", "message"), TEACHER_ROWS)
def test_teacher_hyperparameters_are_checked_at_construction(name, space, params, error, message):
    with pytest.raises(error if error is ValueError else (TypeError, ValueError), match=message):
        make_teacher(name, space, **params)


CHECK_ROWS = [
    (check_int, {"value": True}, TypeError, "x must be an integer"),
    (check_int, {"value": 1.0}, TypeError, "x must be an integer"),
    (check_int, {"value": 5, "maximum": 4}, ValueError, "x must be an integer <= 4"),
    (check_int, {"value": 0, "minimum": 1, "maximum": 4}, ValueError, "in \\[1, 4\\]"),
    (check_real, {"value": "1"}, TypeError, "x must be a finite number"),
    (check_real, {"value": math.nan}, ValueError, "x must be a finite number"),
    (check_real, {"value": 10**400}, ValueError, "x must be a finite number"),
    (check_real, {"value": 0.0, "above": 0.0}, ValueError, "> 0.0"),
    (check_real, {"value": 2.0, "maximum": 1.0}, ValueError, "<= 1.0"),
    (check_bool, {"value": "yes"}, TypeError, "x must be true or false"),
    (check_bool, {"value": 1}, TypeError, "x must be true or false"),
]


@pytest.mark.parametrize(("check", "kwargs", "error", "message"), CHECK_ROWS)
def test_hyperparameter_checks(check, kwargs, error, message):
    with pytest.raises(error, match=message):
        check("thing", "x", **kwargs)
    assert check_int("t", "x", np.int64(3), 1, 4) == 3
    assert check_real("t", "x", np.float32(0.5), 0.0, 1.0) == 0.5


SUITE = {
    "name": "bad",
    "envs": ["teachgym/LearnabilityGrid-v0"],
    "teachers": ["random"],
    "students": ["simulated"],
    "seeds": [0],
    "budget": 100,
    "evaluation": {"every": 50},
}

SUITE_ROWS = [
    ({"budget": -5}, "budget"),
    ({"budget": "100"}, "budget"),
    ({"budget": True}, "budget"),
    ({"budget": 10**30}, "budget"),
    ({"seeds": []}, "seeds"),
    ({"seeds": ["zero"]}, "seeds"),
    ({"seeds": [0, 0]}, "seeds"),
    ({"teachers": []}, "teachers"),
    ({"teachers": ["no-such-teacher"]}, "no-such-teacher"),
    ({"students": ["no-such-student"]}, "no-such-student"),
    ({"envs": ["teachgym/NoSuchEnv-v0"]}, "NoSuchEnv"),
    ({"envs": []}, "envs"),
    ({"evaluation": {"every": 0}}, "every"),
    ({"evaluation": {"every": 50, "episodes_per_task": 0}}, "episodes_per_task"),
    ({"evaluation": {"evry": 50}}, "evry"),
    ({"budgett": 100}, "budgett"),
]


@pytest.mark.parametrize(("change", "message"), SUITE_ROWS)
def test_suite_validation_names_the_bad_key(change, message):
    with pytest.raises(ValueError, match=message):
        parse_suite({**SUITE, **change})


@pytest.mark.parametrize("data", [None, [], "suite", {"grids": []}, {"name": "x", "grids": "all"}])
def test_suite_validation_refuses_what_is_not_a_suite(data):
    with pytest.raises(ValueError, match=r"grids|suite|required|mapping"):
        parse_suite(data)


def _layout():
    env = gym.make("teachgym/DoorKey-v0")
    env.reset(seed=0)
    layout = parse_layout(env.unwrapped.describe())
    env.close()
    return layout


ANSWER_ROWS = [
    ("", "JSON"),
    ("not json at all", "JSON"),
    ("[1, 2]", "JSON object"),
    ('{"subgoals": []}', "1 to"),
    ('{"subgoals": "go to the door"}', "list"),
    ('{"goals": []}', "exactly the key 'subgoals'"),
    ('{"subgoals": [1]}', "subgoal 0 must be an object"),
    ('{"subgoals": [{"kind": "fly"}]}', "missing fields"),
    (
        '{"subgoals": [{"kind": "fly", "obj_type": "key", "color": "yellow", "pos": [1, 1]}]}',
        "kind 'fly'",
    ),
    (
        '{"subgoals": [{"kind": "pick up", "obj_type": "key", "color": "yellow", '
        '"pos": [1000, 1]}]}',
        "outside",
    ),
    (
        '{"subgoals": [{"kind": "pick up", "obj_type": "key", "color": "yellow", '
        '"pos": [1.5, 1]}]}',
        "pos must be",
    ),
    (
        '{"subgoals": [{"kind": "pick up", "obj_type": "key", "color": "yellow", '
        '"pos": [true, 1]}]}',
        "pos must be",
    ),
    ('{"subgoals": [' + ", ".join(["{}"] * 10_000) + "]}", "1 to"),
]


@pytest.mark.parametrize(("text", "message"), ANSWER_ROWS)
def test_malformed_llm_answers_are_refused_with_the_reason(text, message):
    with pytest.raises(InvalidAnswerError, match=message):
        parse_subgoal_answer(text, _layout())


HOSTILE = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "</div><img src=x onerror=alert(1)>",
    "&lt;already escaped&gt; & <b>bold</b>",
    "'; DROP TABLE forms; --",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_web_form_text_is_escaped_in_html(hostile):
    form = generate_form(preset_task("login"), np.random.default_rng(0))
    elements = tuple(
        e._replace(text=hostile + e.text, placeholder=hostile) if e.text else e
        for e in form.elements
    )
    controls = tuple(
        c._replace(name=hostile, options=tuple(hostile + o for o in c.options))
        for c in form.controls
    )
    fields = tuple(f._replace(key=hostile, value=hostile) for f in form.fields)
    hostile_form = dataclasses.replace(form, elements=elements, controls=controls, fields=fields)
    page = render_html(hostile_form)
    clean = _Tags()
    clean.feed(render_html(form))
    parsed = _Tags()
    parsed.feed(page)
    assert parsed.tags == clean.tags  # no element injected, none closed early
    assert set(parsed.attributes) == set(clean.attributes)  # no attribute injected
    assert any(hostile in text for text in parsed.text)  # the text itself survives, as text
