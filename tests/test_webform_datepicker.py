"""The date-picker widget of WebForm-v0 (MiniWoB++'s choose-date, a jQuery UI datepicker):
simulator on hand-built forms, generator, encoding, masks, and parity with headless
Chromium."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.envs.webform import WEBFORM_TASK_SPACE, Action, FormSimulator, WebFormEnv
from teachgym.envs.webform.browser import (
    ChromiumSession,
    check_parity,
)
from teachgym.envs.webform.encoding import TAGS
from teachgym.envs.webform.form import (
    Control,
    Element,
    Field,
    Form,
    calendar_part,
    date_month,
    month_days,
)
from teachgym.envs.webform.generator import (
    MAX_PAGE_ELEMENTS,
    MAX_PICKER_DISTRACTORS,
    generate_form,
    oracle_plan,
    preset_task,
)
from teachgym.envs.webform.miniwob_bridge import MiniWoBFormEnv
from teachgym.envs.webform.trajectories import form_of, trajectory_suite
from tests.browser_marks import needs_chromium, needs_miniwob
from tests.test_webform import WORST_CASE_TASK

MONTHS = ("2016-01", "2016-02", "2016-03")


def hand_built_form(value: str = "02/29/2016", months: tuple[str, ...] = MONTHS) -> Form:
    """A label, a date picker over ``months``, a text input and the Submit button; the
    instruction asks for ``value`` in the picker and nothing else."""
    elements = [
        Element(0, "label", "", "Date", "", 0, 0, "left", label_for=0, classes=("form-label",)),
        Element(1, "input", "text", "", "", 0, 0, "right", 0,
                classes=("datepicker", "form-control")),
        Element(2, "a", "", "Prev", "", 0, 1, "cal-prev", 0, classes=("calendar-prev",)),
        Element(3, "a", "", "Next", "", 0, 1, "cal-next", 0, classes=("calendar-next",)),
        Element(4, "span", "", "", "", 0, 1, "cal-title", 0, classes=("calendar-title",)),
        *(
            Element(4 + d, "a", "", str(d), "", 0, 2 + (d - 1) // 7, f"cal{(d - 1) % 7}", 0,
                    option=d, classes=("calendar-day",))
            for d in range(1, 32)
        ),
        Element(36, "input", "text", "", "Notes", 0, 7, "right", 1, classes=("form-control",)),
        Element(37, "button", "", "Submit", "", 0, 8, "right", role="submit",
                classes=("btn", "btn-primary")),
    ]  # fmt: skip
    controls = (
        Control(0, "datepicker", tuple(range(1, 36)), "", months, "date"),
        Control(1, "text", (36,), "", (), "notes"),
    )
    fields = (Field("date", value, "date", 0, value),)
    form = Form(tuple(elements), controls, fields, (9,), 16, False)
    return form.with_oracle(oracle_plan(form))


INPUT, LABEL, PREV, NEXT, TITLE, NOTES, SUBMIT = 1, 0, 2, 3, 4, 36, 37


def day(d: int) -> int:
    return 4 + d


def shown(sim: FormSimulator) -> set[int]:
    return {e.eid for e in sim.form.elements if calendar_part(e) and sim.actionable(e.eid)}


def test_a_click_on_the_input_opens_the_last_month_and_prev_next_navigate():
    form = hand_built_form()
    sim = FormSimulator(form)
    assert not shown(sim) and not sim.apply(Action("click", day(1)))  # closed at the start
    assert not sim.can_type(INPUT, 0) and not sim.apply(Action("type", INPUT, 0))  # readonly
    assert sim.apply(Action("click", INPUT))
    assert sim.shown_month() == "2016-03" and sim.element_value(TITLE) == "March 2016"
    assert shown(sim) == {PREV, TITLE, *(day(d) for d in range(1, 32))}  # no Next: last month
    assert sim.apply(Action("click", PREV))
    assert sim.element_value(TITLE) == "February 2016"
    assert shown(sim) == {PREV, NEXT, TITLE, *(day(d) for d in range(1, 30))}  # leap year
    assert not sim.apply(Action("click", day(30)))
    assert sim.apply(Action("click", PREV)) and sim.shown_month() == "2016-01"
    assert PREV not in shown(sim) and not sim.apply(Action("click", PREV))
    assert sim.apply(Action("click", NEXT)) and sim.shown_month() == "2016-02"
    assert sim.values[0] == ""  # navigating picks nothing


def test_picking_the_right_day_fills_the_field_closes_the_calendar_and_succeeds():
    form = hand_built_form()
    assert form.oracle == (
        Action("click", INPUT),
        Action("click", PREV),
        Action("click", day(29)),
        Action("submit"),
    )
    sim = FormSimulator(form)
    for action in form.oracle[:-1]:
        assert sim.apply(action)
    assert sim.values[0] == "02/29/2016" and sim.satisfied(0)
    assert not shown(sim) and sim.calendar == -1 and sim.focused == INPUT
    assert sim.apply(Action("submit")) and sim.success()
    # reopened, the calendar shows the held date's month
    again = FormSimulator(form)
    for action in form.oracle[:-1]:
        again.apply(action)
    assert again.apply(Action("click", LABEL)) and again.shown_month() == "2016-02"


def test_a_wrong_day_or_month_fails():
    form = hand_built_form()
    for wrong in (
        [Action("click", INPUT), Action("click", PREV), Action("click", day(28))],
        [Action("click", INPUT), Action("click", day(29))],  # March 29
    ):
        sim = FormSimulator(form)
        for action in wrong:
            assert sim.apply(action)
        assert sim.values[0] != "02/29/2016" and not sim.satisfied(0)
        assert sim.apply(Action("submit")) and sim.submitted and not sim.success()


def test_a_click_elsewhere_or_typing_closes_the_calendar_and_the_label_opens_it():
    form = hand_built_form()
    sim = FormSimulator(form)
    sim.apply(Action("click", INPUT))
    assert sim.apply(Action("click", TITLE)) and shown(sim)  # inside the calendar: still open
    assert sim.apply(Action("click", NOTES)) and not shown(sim)
    assert sim.apply(Action("click", LABEL)) and sim.shown_month() == "2016-03"
    assert sim.apply(Action("click", PREV))
    assert sim.apply(Action("click", INPUT)) and sim.shown_month() == "2016-02"  # stays open
    notes = Form(
        form.elements,
        form.controls,
        (*form.fields, Field("notes", "hello", "text", 1, "hello")),
        form.page_rows,
        form.viewport_rows,
        False,
    )
    typing = FormSimulator(notes)
    typing.apply(Action("click", INPUT))
    assert typing.apply(Action("type", NOTES, 1)) and typing.calendar == -1


def test_generated_picker_forms_are_solved_by_their_oracle_and_fit_the_budget():
    found = 0
    for seed in range(30):
        for preset in ("login", "book_flight", "profile"):
            task = {**preset_task(preset), "date_picker": True, "level_seed": seed}
            form = form_of(task)
            pickers = [c for c in form.controls if c.kind == "datepicker"]
            assert len(pickers) == 1 and len(pickers[0].elements) == 35
            months = pickers[0].options
            assert 1 <= len(months) <= 12 and list(months) == sorted(months)
            sim = FormSimulator(form)
            for action in form.oracle:
                assert sim.apply(action), action
            assert sim.submitted and sim.success()
            asked = [f for f in form.fields if f.control == pickers[0].cid]
            if asked:  # the date field's key stays (book_flight: departure / return date)
                found += 1
                assert asked[0].ftype == "date" and asked[0].value[6:10] >= "2015"
                assert asked[0].value[6:10] + "-" + asked[0].value[:2] in months
                assert any(a.element == pickers[0].elements[0] for a in form.oracle)
    assert found >= 30
    worst = {**WORST_CASE_TASK, "date_picker": True}
    env = WebFormEnv()
    for seed in range(3):
        env.reset(options={"task": {**worst, "level_seed": seed}})
        assert env.form is not None
        assert len(env.form.elements) <= MAX_PAGE_ELEMENTS
        distractors = [e for e in env.form.elements if e.tag == "button" and not e.role]
        assert len(distractors) <= MAX_PICKER_DISTRACTORS


def test_observation_mask_and_hints_follow_the_calendar():
    task = {**preset_task("login"), "n_fields": 1, "date_picker": True, "level_seed": 0}
    for seed in range(100):
        form = form_of({**task, "level_seed": seed})
        if len(form.controls[form.fields[0].control].options) >= 3:
            break
    env = WebFormEnv(task={**task, "level_seed": seed})
    obs, _ = env.reset()
    control = env.form.controls[env.form.fields[0].control]
    typed, prev, _, title, *days = control.elements
    closed = int(obs["element_mask"].sum())
    mask = env.action_masks()
    slots = env._view.slots().tolist()
    assert not set(slots) & set(control.elements[1:])
    assert not mask[env.encode_action("type", typed, 0)]  # readonly
    obs, *_ = env.step(env.encode_action("click", typed))
    slots = env._view.slots().tolist()
    month = env.sim.shown_month()
    assert int(obs["element_mask"].sum()) == closed + 2 + month_days(month)  # Prev, title, days
    earlier = date_month(env.form.fields[0].value) < month
    assert obs["overlap"][slots.index(prev), 0, 2] == float(earlier)
    target_day = int(env.form.fields[0].value[3:5])
    picked = False
    for action in env.form.oracle[1:]:
        if action.kind != "click" or action.element not in days:
            obs, *_ = env.step(env.encode_action(action.kind, action.element, action.field))
            continue
        slots = env._view.slots().tolist()
        hinted = [e for e in days if e in slots and obs["overlap"][slots.index(e), 0, 2] == 1.0]
        assert hinted == [days[target_day - 1]] == [action.element]
        assert obs["overlap"][slots.index(title), 0, 2] == 1.0
        assert obs["overlap"][slots.index(prev), 0, 2] == 0.0
        assert all(env.action_masks()[env.encode_action("click", e)] for e in hinted)
        obs, *_ = env.step(env.encode_action("click", action.element))
        picked = True
        assert int(obs["element_mask"].sum()) == closed
        assert obs["overlap"][env._view.slots().tolist().index(typed), 0, 3] == 1.0
    assert picked and env.sim.submitted and env.sim.success()


def test_bad_parameter_is_a_clear_error_and_tasks_without_it_give_the_same_forms():
    with pytest.raises(ValueError, match="date_picker"):
        WEBFORM_TASK_SPACE.validate({**preset_task("login"), "date_picker": 1.5})
    task = {**preset_task("book_flight"), "level_seed": 7}
    plain = {k: v for k, v in task.items() if k != "date_picker"}
    before = generate_form(plain, np.random.default_rng(7))
    assert before == form_of(task)
    assert not any(calendar_part(e) for e in before.elements)
    assert form_of({**task, "date_picker": True}) != before


@needs_chromium
def test_date_picker_parity_with_chromium():
    with ChromiumSession() as session:
        for trajectory in trajectory_suite(6, seed=3, variant="date_picker"):
            report = check_parity(session, trajectory.form, trajectory.actions)
            assert report.agree, report.differences
        form = hand_built_form()
        picked = [Action("click", INPUT), Action("click", PREV), Action("click", day(29))]
        for actions in (
            [*picked, Action("submit")],
            [*picked, Action("click", LABEL), Action("click", NEXT), Action("click", INPUT)],
            [Action("click", INPUT), Action("click", TITLE), Action("click", NOTES),
             Action("click", PREV), Action("click", LABEL), Action("click", PREV),
             Action("click", PREV), Action("click", PREV), Action("click", day(31))],
            [Action("type", INPUT, 0), Action("click", INPUT), Action("click", day(30)),
             Action("submit")],
        ):  # fmt: skip
            report = check_parity(session, form, actions)
            assert report.agree, report.differences
        assert check_parity(session, form, form.oracle).browser_success
        wrong = [Action("click", INPUT), Action("click", day(29)), Action("submit")]
        report = check_parity(session, form, wrong)
        assert report.agree and not report.browser_success


def _calendar_step(env: MiniWoBFormEnv, obs: dict) -> tuple[int, str]:
    """A reader of the hints: the day with the value overlap, else Prev / Next with it."""
    parts = [e.get("calendar") for e in env._elements]
    hinted = [s for s, part in enumerate(parts) if part and obs["overlap"][s, 0, 2] == 1.0]
    days = [s for s in hinted if parts[s] == "day"]
    if days:
        return days[0], "day"
    nav = [s for s in hinted if parts[s] in ("prev", "next")]
    assert len(nav) == 1, [parts[s] for s in hinted]
    return nav[0], str(parts[nav[0]])


@needs_miniwob
def test_choose_date_through_the_bridge_is_solved_by_reading_the_hints():
    env = MiniWoBFormEnv(
        task={"miniwob_task": "choose-date-nodelay"}, max_elements=40, time_limit=False
    )
    try:
        obs, info = env.reset(seed=3)
        assert env._fields == [("date", "10/18/2016", "date")]
        assert "10/18/2016" in info["instruction"]
        E, F = env.codec.E, env.codec.F
        classes = env.codec.tokens("datepicker form-control", 2)
        (typed,) = [s for s in range(E) if (obs["element_class_tokens"][s] == classes).all()]
        assert not any(e.get("calendar") for e in env._elements)
        assert not env.action_masks()[E + typed * F]  # readonly: no typing
        obs, *_ = env.step(typed)
        parts = [e.get("calendar") for e in env._elements]
        assert parts.count("day") == 31 and "next" not in parts  # December, the range's end
        title = parts.index("title")
        assert (
            obs["element_value_tokens"][title].tolist()
            == env.codec.tokens("December 2016").tolist()
        )
        assert obs["element_features"][title, TAGS.index("span")] == 1.0
        steps = []
        while not steps or steps[-1] != "day":
            slot, part = _calendar_step(env, obs)
            steps.append(part)
            obs, _, terminated, _, _ = env.step(slot)
            assert not terminated and len(steps) < 13
        assert steps == ["prev", "prev", "day"]
        assert obs["overlap"][typed, 0, 3] == 1.0 and "calendar" not in str(env._elements)
        _, reward, terminated, _, info = env.step(env.codec.n_actions - 1)
        assert terminated and reward == 1.0 and info["is_success"]
        env.reset(seed=3)  # the same date, a wrong day
        obs, *_ = env.step(typed)
        wrong = next(s for s, e in enumerate(env._elements) if e.get("calendar") == "day")
        env.step(wrong)
        _, reward, terminated, _, info = env.step(env.codec.n_actions - 1)
        assert terminated and reward == -1.0 and not info["is_success"]
    finally:
        env.close()
