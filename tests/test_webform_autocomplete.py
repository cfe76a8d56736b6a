"""The autocomplete widget of WebForm-v0 (MiniWoB++'s use-autocomplete): simulator,
encoding, masks, bad input, and parity with headless Chromium."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.envs.webform import WEBFORM_TASK_SPACE, Action, FormSimulator, WebFormEnv
from teachgym.envs.webform.browser import (
    ChromiumSession,
    check_parity,
)
from teachgym.envs.webform.form import Form, is_suggestion
from teachgym.envs.webform.generator import generate_form, preset_task
from teachgym.envs.webform.trajectories import form_of, trajectory_suite
from tests.browser_marks import needs_chromium


def autocomplete_task(seed: int, **changes) -> dict:
    return {**preset_task("login"), "autocomplete": True, "level_seed": seed, **changes}


def crowded_form() -> tuple[dict, Form]:
    """A form whose typed start shows at least two suggestions and asks for an end."""
    for seed in range(200):
        task = autocomplete_task(seed, n_options=5)
        form = form_of(task)
        keys = [f.key for f in form.fields]
        control = form.controls[form.fields[keys.index("start")].control]
        start = form.fields[keys.index("start")].value.lower()
        shown = [o for o in control.options if o.lower().startswith(start)]
        if "end" in keys and len(shown) >= 2:
            return task, form
    raise AssertionError("no crowded autocomplete form in 200 seeds")


def parts(form: Form) -> tuple[int, int, list[int], int]:
    """(input id, start field index, suggestion ids, the target's suggestion id)."""
    start = next(i for i, f in enumerate(form.fields) if f.key == "start")
    control = form.controls[form.fields[start].control]
    suggestions = list(control.elements[1:])
    target = control.elements[1 + control.options.index(str(form.fields[start].target))]
    return control.elements[0], start, suggestions, target


def test_typing_the_start_opens_the_list_and_the_right_pick_succeeds():
    _, form = crowded_form()
    sim = FormSimulator(form)
    typed, start, suggestions, target = parts(form)
    assert not any(sim.actionable(e) for e in suggestions)
    assert not sim.apply(Action("click", target))  # hidden until something is typed
    assert sim.apply(Action("type", typed, start))
    shown = [e for e in suggestions if sim.actionable(e)]
    value = form.fields[start].value.lower()
    assert len(shown) >= 2
    assert all(form.elements[e].text.lower().startswith(value) for e in shown)
    assert sim.apply(Action("click", target))
    assert sim.values[form.elements[typed].control] == form.elements[target].text
    assert not any(sim.actionable(e) for e in suggestions)  # the pick closes the list
    assert all(sim.satisfied(i) for i, f in enumerate(form.fields) if f.key in ("start", "end"))
    replay = FormSimulator(form)
    assert all(replay.apply(a) for a in form.oracle) and replay.success()


def test_a_wrong_pick_or_the_bare_start_fails():
    _, form = crowded_form()
    typed, start, suggestions, _ = parts(form)
    end = next(f for f in form.fields if f.key == "end")
    rest = [a for a in form.oracle if a.element not in (typed, *suggestions)]
    sim = FormSimulator(form)
    sim.apply(Action("type", typed, start))
    wrong = [
        e
        for e in suggestions
        if sim.actionable(e) and not form.elements[e].text.endswith(end.value)
    ]
    assert wrong, "every shown suggestion ends with the end field's value"
    assert sim.apply(Action("click", wrong[0]))
    for action in rest:
        sim.apply(action)
    assert sim.submitted and not sim.success()
    bare = FormSimulator(form)
    bare.apply(Action("type", typed, start))
    for action in rest:
        bare.apply(action)
    assert bare.submitted and not bare.success()


def test_the_list_closes_when_the_input_loses_the_focus():
    _, form = crowded_form()
    typed, start, suggestions, _ = parts(form)
    sim = FormSimulator(form)
    sim.apply(Action("type", typed, start))
    assert sim.apply(Action("click", typed))  # a click on the input itself keeps it open
    assert any(sim.actionable(e) for e in suggestions)
    other = next(e.eid for e in form.elements if e.tag == "input" and e.eid != typed)
    assert sim.apply(Action("click", other))
    assert not any(sim.actionable(e) for e in suggestions)


def test_observation_and_mask_follow_the_list():
    task, form = crowded_form()
    env = WebFormEnv(task=task)
    obs, _ = env.reset()
    assert env.form == form
    typed, start, suggestions, target = parts(form)
    closed = int(obs["element_mask"].sum())
    assert not set(env._view.slots().tolist()) & set(suggestions)
    obs, *_ = env.step(env.encode_action("type", typed, start))
    slots = env._view.slots().tolist()
    shown = [e for e in suggestions if e in slots]
    assert int(obs["element_mask"].sum()) == closed + len(shown) >= closed + 2
    mask = env.action_masks()
    assert all(mask[env.encode_action("click", e)] for e in shown)
    target_slot = slots.index(target)
    end = next(i for i, f in enumerate(form.fields) if f.key == "end")
    assert obs["overlap"][target_slot, start, 2] == 1.0
    assert obs["overlap"][target_slot, end, 2] == 1.0
    assert obs["overlap"][slots.index(typed), start, 3] == 1.0  # the start is held
    assert obs["overlap"][slots.index(typed), end, 3] == 0.0
    obs, *_ = env.step(env.encode_action("click", target))
    assert int(obs["element_mask"].sum()) == closed
    assert obs["overlap"][env._view.slots().tolist().index(typed), end, 3] == 1.0
    rest = [a for a in form.oracle if a.element not in (typed, *suggestions)]
    for action in rest:
        *_, reward, terminated, _, info = env.step(
            env.encode_action(action.kind, action.element, action.field)
        )
    assert rest[-1].kind == "submit"
    assert terminated and info["is_success"] and reward > 0


def test_bad_autocomplete_parameter_is_a_clear_error_and_big_forms_fit():
    with pytest.raises(ValueError, match="autocomplete"):
        WEBFORM_TASK_SPACE.validate({**preset_task("login"), "autocomplete": "yes"})
    for seed in range(5):
        task = autocomplete_task(seed, n_fields=20, field_types="all", theme="any")
        form = form_of(task)
        assert len(form.fields) <= 20 and any(f.key == "start" for f in form.fields)
        assert sum(is_suggestion(e) for e in form.elements) >= 1


def test_tasks_without_the_parameter_give_the_forms_they_gave_before():
    task = {**preset_task("search"), "level_seed": 4}
    plain = {k: v for k, v in task.items() if k != "autocomplete"}

    before = generate_form(plain, np.random.default_rng(4))
    assert before == form_of(task)
    assert not any(is_suggestion(e) for e in before.elements)


@needs_chromium
def test_autocomplete_parity_with_chromium():
    with ChromiumSession() as session:
        for trajectory in trajectory_suite(6, seed=2, variant="autocomplete"):
            report = check_parity(session, trajectory.form, trajectory.actions)
            assert report.agree, report.differences
        _, form = crowded_form()
        typed, start, suggestions, target = parts(form)
        label = next(e.eid for e in form.elements if e.label_for == form.elements[typed].control)
        sim = FormSimulator(form)
        sim.apply(Action("type", typed, start))
        wrong = next(e for e in suggestions if sim.actionable(e) and e != target)
        rest = [a for a in form.oracle if a.element not in (typed, *suggestions)]
        closing = [Action("type", typed, start), Action("click", typed), Action("click", label)]
        for actions in (
            [Action("click", target), *closing, Action("click", target)],
            [*closing[:1], Action("click", wrong), *rest],
            list(form.oracle),
        ):
            report = check_parity(session, form, actions)
            assert report.agree, report.differences
        assert check_parity(session, form, form.oracle).browser_success
        assert not check_parity(
            session, form, [*closing[:1], Action("click", wrong), *rest]
        ).browser_success
