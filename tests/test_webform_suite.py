"""WebForm for the ``web`` suite: ``ranges=``, the pinned ``hard`` test set, the preset
sub-spaces of the bandits, the ``web`` preset end to end, the sampled-values figure."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json

import numpy as np
import pytest

pytest.importorskip("sb3_contrib", reason="sb3-contrib is in teachgym[web]")

from teachgym.bench.plots import sampled_values_figure
from teachgym.bench.report import write_report
from teachgym.bench.results import load_results
from teachgym.bench.runner import run_suite
from teachgym.bench.suite import load_suite, parse_suite, teacher_params_on
from teachgym.bench.suites import SUITES, WEB
from teachgym.envs.webform import WebFormEnv, generator
from teachgym.envs.webform.form import FormSimulator
from teachgym.envs.webform.generator import (
    FORM_PRESETS,
    FORM_SUBSPACES,
    HARD_VERSION,
    generate_form,
    hard_tasks,
)
from teachgym.errors import TeachgymUsageError
from teachgym.tasks import Fixed
from teachgym.teachers.bandits.arms import SubspaceArms
from teachgym.teachers.registry import make_teacher

HARD_TASKS_SHA256 = "a3ce1a4ae4e0c648d4cdb6518547a2d6f6d8a68391b6c78a2db4eb576bcd609a"
N_PARAMETERS = len(WebFormEnv().task_space.parameters)
HARD_FORMS_SHA256 = "78367b385935645d17ed5bc70927fc94741df37db20e7e4da989c1f881e131fa"


def _digest(data: object) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _form_of(task: dict) -> object:
    params = {k: v for k, v in task.items() if k != "level_seed"}
    form = generate_form(params, np.random.default_rng(task["level_seed"]))
    return dataclasses.asdict(form)


# -- ranges ------------------------------------------------------------------------
def test_ranges_narrow_and_hold_parameters():
    env = WebFormEnv(ranges={"n_fields": [2, 4], "popup": False, "paraphrase": 0.25})
    space = env.task_space
    assert space.parameters["paraphrase"] == Fixed(0.25, 0.25, 0.25)
    rng = np.random.default_rng(0)
    tasks = [space.sample(rng) for _ in range(50)]
    assert {t["n_fields"] for t in tasks} == {2, 3, 4}
    assert all(t["popup"] is False and t["paraphrase"] == 0.25 for t in tasks)
    _, info = env.reset(seed=0, options={"task": tasks[0]})
    assert len(info["task"]) == len(space.parameters)
    with pytest.raises(ValueError, match="n_fields"):
        env.reset(options={"task": {**tasks[0], "n_fields": 5}})
    # the test sets are clipped into the ranges and stay valid
    for task in env.test_set("hard").tasks:
        assert 2 <= task["n_fields"] <= 4 and task["popup"] is False
        env.reset(options={"task": task})
    assert env.bandit_subspaces() == {}


def test_ranges_in_the_numeric_view_take_levels():
    env = WebFormEnv(numeric_tasks=True, ranges={"label_style": [0, 1]})
    levels = {env.task_space.sample(np.random.default_rng(s))["label_style"] for s in range(30)}
    assert levels == {0, 1}


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ({"fields": [1, 3]}, "unknown parameter 'fields'"),
        ({"n_fields": [0, 30]}, "n_fields must be one integer or"),
        ({"n_fields": 2.5}, "n_fields must be one integer or"),
        ({"paraphrase": [0.6, 0.2]}, "paraphrase must be"),
        ({"paraphrase": 1.5}, "paraphrase must be in"),
        ({"popup": "yes"}, "popup must be one or more distinct choices"),
        ({"theme": ["login", "login"]}, "theme must be one or more distinct choices"),
        ({"theme": []}, "theme needs at least one choice"),
    ],
)
def test_ranges_errors_are_one_line(ranges, message):
    with pytest.raises(TeachgymUsageError, match=message) as caught:
        WebFormEnv(ranges=ranges)
    assert "\n" not in str(caught.value)


# -- the hard test set -------------------------------------------------------------
def test_hard_test_set_is_pinned():
    test_set = WebFormEnv().test_set("hard")
    assert (test_set.name, test_set.version, len(test_set)) == ("hard", HARD_VERSION, 40)
    assert test_set.tasks == hard_tasks()
    assert _digest(test_set.tasks) == HARD_TASKS_SHA256
    assert _digest([_form_of(t) for t in test_set.tasks]) == HARD_FORMS_SHA256


def test_a_changed_generator_changes_the_pinned_digest(monkeypatch):
    """The form digest could fail: another pop-up wording in the generator changes it."""
    monkeypatch.setattr(generator, "POPUP_CLOSE", ("Dismiss now",))
    assert _digest([_form_of(t) for t in hard_tasks()]) != HARD_FORMS_SHA256


def test_every_hard_task_is_valid_hard_and_solved_by_its_oracle():
    env = WebFormEnv()
    tasks = env.test_set("hard").tasks
    presets = [t for t in tasks if {k: v for k, v in t.items() if k != "level_seed"}
               in (FORM_PRESETS["book_flight"], FORM_PRESETS["profile"])]  # fmt: skip
    assert len(presets) == 10
    drawn = [t for t in tasks if t not in presets]
    assert all(4 <= t["n_fields"] <= 10 and t["n_distractors"] >= 10 for t in drawn)
    assert all(t["n_decoys"] >= 1 and t["n_pages"] >= 2 for t in drawn)
    assert any(t["popup"] for t in drawn) and not all(t["popup"] for t in drawn)
    assert len({t["level_seed"] for t in tasks}) == len(tasks)
    for task in tasks:
        assert env.task_space.validate(task) == task
        _, info = env.reset(options={"task": task})
        sim = FormSimulator(env.form)
        for action in env.form.oracle:
            assert sim.apply(action)
        assert sim.submitted and sim.success()
        assert info["optimal_steps"] >= 5


def test_the_numeric_view_of_the_hard_set_builds_the_same_forms():
    plain, numeric = WebFormEnv(), WebFormEnv(numeric_tasks=True)
    for task, level_task in zip(
        plain.test_set("hard").tasks, numeric.test_set("hard").tasks, strict=True
    ):
        plain.reset(options={"task": task})
        numeric.reset(options={"task": level_task})
        assert plain.form == numeric.form


# -- bandit sub-spaces -------------------------------------------------------------
def test_each_preset_lies_in_its_own_sub_space():
    arms = SubspaceArms(WebFormEnv.task_space, FORM_SUBSPACES)
    for name, task in FORM_PRESETS.items():
        assert arms.label(arms.arm_of(task)) == name


@pytest.mark.parametrize("numeric", [False, True])
@pytest.mark.parametrize("name", ["tscl", "exp3s"])
def test_bandits_get_the_env_sub_spaces(name, numeric):
    env = WebFormEnv(numeric_tasks=numeric)
    params = teacher_params_on(env, name, {})
    assert list(params["subspaces"]) == list(FORM_SUBSPACES)
    teacher = make_teacher(name, env.task_space, seed=0, **params)
    assert teacher.n_arms == len(FORM_SUBSPACES)
    rng_arms = {teacher.arms.label(teacher.arms.arm_of(teacher.sample())) for _ in range(60)}
    assert len(rng_arms) >= 3
    assert "subspaces" not in teacher_params_on(env, name, {"cells": 2})
    assert "subspaces" not in teacher_params_on(env, "random", {})


# -- the web suite -----------------------------------------------------------------
def test_web_preset_validates():
    suite = load_suite("web")
    assert "web" in SUITES
    teachers = {run.teacher.label for run in suite.runs}
    assert teachers == {
        "random", "alp-gmm", "riac", "qweb-warm-start", "qweb-subinstruction", "webrl",
        "exp3s-presets",
    }  # fmt: skip
    assert len(suite.runs) == 7 * 5
    assert {run.env.test_set for run in suite.runs} == {"hard"}
    assert {run.env.label for run in suite.runs} == {"webform"}
    numeric = {r.teacher.label for r in suite.runs if r.env.kwargs.get("numeric_tasks")}
    assert numeric == {"alp-gmm", "riac"}
    assert {run.student.name for run in suite.runs} == {"maskable-ppo"}


TINY_TEACHERS = ("random", "exp3s-presets", "alp-gmm")
TINY_BUDGET = 128


def _tiny_web() -> dict:
    data = copy.deepcopy(WEB)
    data.update(seeds=1, budget=TINY_BUDGET, evaluation={"every": TINY_BUDGET // 2})
    data["students"] = [
        {"name": "maskable-ppo", "params": {"n_envs": 2, "n_steps": 16, "batch_size": 32,
                                            "n_epochs": 1}}
    ]  # fmt: skip
    for grid in data["grids"]:
        grid["teachers"] = [
            t for t in grid["teachers"]
            if (t if isinstance(t, str) else t.get("label", t["name"])) in TINY_TEACHERS
        ]  # fmt: skip
    return data


@pytest.fixture(scope="module")
def tiny_web_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("web")
    suite = parse_suite(_tiny_web(), default_name="web")
    result = run_suite(suite, out, quiet=True)
    return out, suite, result


def test_tiny_web_suite_runs_end_to_end(tiny_web_run):
    out, suite, result = tiny_web_run
    assert len(suite.runs) == len(TINY_TEACHERS)
    assert result.failed == {}
    results = load_results(out)
    assert set(results.runs["status"]) == {"done"}
    final = results.evaluations[results.evaluations["step"] == TINY_BUDGET]
    assert set(final["teacher"]) == set(TINY_TEACHERS)
    report = write_report(out, reps=20)
    names = {p.name for p in report.figures}
    assert "sampled-values-webform-maskable-ppo.png" in names
    assert "Sampled task values over time" in report.markdown.read_text()


def test_sampled_values_figure_shows_each_teacher_and_parameter(tiny_web_run):
    out, _, _ = tiny_web_run
    results = load_results(out)
    figure = sampled_values_figure(results, "webform", "maskable-ppo")
    assert figure is not None
    axes = figure.axes
    assert len(axes) == len(TINY_TEACHERS) * N_PARAMETERS
    images = [ax.images[0].get_array() for ax in axes if ax.images]
    assert len(images) == len(TINY_TEACHERS) * N_PARAMETERS
    for image in images:
        np.testing.assert_allclose(np.asarray(image).sum(axis=0), 1.0)
    # the first period's n_fields share of 1 or 2 fields (unit value < 0.1, the lowest of
    # 10 bins) matches the random teacher's recorded samples
    row = sorted(TINY_TEACHERS, key=lambda t: (t != "random", t)).index("random")
    n_fields = np.asarray(axes[row * N_PARAMETERS].images[0].get_array())
    run_id = results.runs.loc[results.runs["teacher"] == "random", "run_id"].iloc[0]
    _, vectors, _ = results.directory(run_id).samples()[0]
    assert n_fields.shape == (10, 2)
    assert n_fields[0, 0] == pytest.approx(np.mean(vectors[:, 0] < 0.1))
    assert sampled_values_figure(results, "no-such-env", "maskable-ppo") is None
