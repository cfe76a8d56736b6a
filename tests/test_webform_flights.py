"""The flight-results page of WebForm-v0 (MiniWoB++'s book-flight): Search, the listed
flights, the cheapest / shortest one booked, encoding, and parity with headless Chromium."""

from __future__ import annotations

import pytest

from teachgym.envs.webform import Action, FormSimulator, WebFormEnv
from teachgym.envs.webform.browser import (
    ChromiumSession,
    check_parity,
    chromium_unavailable_reason,
)
from teachgym.envs.webform.form import Form
from teachgym.envs.webform.generator import FLIGHTS, PRICES, preset_task
from teachgym.envs.webform.trajectories import form_of, trajectory_suite

REASON = chromium_unavailable_reason()
needs_chromium = pytest.mark.skipif(REASON is not None, reason=f"no headless Chromium: {REASON}")


def flight_task(seed: int, **changes) -> dict:
    return {**preset_task("login"), "flight_results": True, "level_seed": seed, **changes}


def parts(form: Form) -> tuple[int, list[int], int, int]:
    """(Search button, Book buttons, the asked flight's Book button, flight field index)."""
    search = next(e.eid for e in form.elements if e.text == "Search")
    books = [e.eid for e in form.elements if e.role == "book"]
    index = next(i for i, f in enumerate(form.fields) if f.key == "flight")
    return search, books, books[int(form.fields[index].target)], index


def flights(form: Form) -> list[tuple[int, int]]:
    """(price in USD, duration in minutes) per listed flight, read from the page texts."""
    out = []
    for book in (e for e in form.elements if e.role == "book"):
        price = int(book.text.rsplit("$", 1)[1])
        duration = form.elements[book.eid - 1].text.removeprefix("Duration: ")
        hours, minutes = duration.split()
        out.append((price, 60 * int(hours[:-1]) + int(minutes[:-1])))
    return out


def test_search_shows_the_flights_and_the_asked_one_is_the_cheapest_or_shortest():
    wants = set()
    for seed in range(12):
        form = form_of(flight_task(seed))
        _, books, target, index = parts(form)
        listed = flights(form)
        assert FLIGHTS[0] <= len(listed) <= FLIGHTS[1]
        assert all(PRICES[0] <= p <= PRICES[1] for p, _ in listed)
        want = form.fields[index].value
        wants.add(want)
        column = 0 if want == "cheapest" else 1
        best = min(range(len(listed)), key=lambda i: listed[i][column])
        assert books[best] == target
        assert f"flight: {want}" in form.instruction_text()
        sim = FormSimulator(form)
        assert not any(sim.actionable(b) for b in books)  # the results page is not shown yet
        for action in form.oracle:
            assert sim.apply(action), action
        assert form.oracle[-1] == Action("click", target)
        assert sim.submitted and sim.success()
    assert wants == {"cheapest", "shortest"}


def test_a_wrong_flight_or_wrong_search_fields_fail_and_enter_books_nothing():
    form = form_of(flight_task(3))
    search, books, target, _ = parts(form)
    before = [a for a in form.oracle if a.element != target]
    sim = FormSimulator(form)
    for action in before:
        assert sim.apply(action)
    assert sim.page == form.n_pages - 1 and not sim.submitted
    assert not sim.apply(Action("submit"))  # Enter does nothing on the results page
    wrong = next(b for b in books if b != target)
    assert sim.apply(Action("click", wrong)) and sim.submitted and not sim.success()
    unfilled = FormSimulator(form)
    assert unfilled.apply(Action("click", search))  # search with the fields still empty
    assert unfilled.apply(Action("click", target))
    assert unfilled.submitted and not unfilled.success()


def test_observation_hints_the_asked_flight_and_masks_enter():
    task = flight_task(5)
    env = WebFormEnv(task=task)
    env.reset()
    form = env.form
    assert form is not None
    _, books, target, index = parts(form)
    for action in form.oracle[:-1]:
        obs, *_ = env.step(env.encode_action(action.kind, action.element, action.field))
    slots = env._view.slots().tolist()
    assert set(books) <= set(slots)
    hints = {b: obs["overlap"][slots.index(b), index, 2] for b in books}
    assert [b for b, h in hints.items() if h == 1.0] == [target]
    mask = env.action_masks()
    assert not mask[env.encode_action("submit")]
    assert env.sim is not None and mask[env.encode_action("click", target)]
    assert all(mask[env.encode_action("click", b)] == env.sim.actionable(b) for b in books)
    *_, reward, terminated, _, info = env.step(env.encode_action("click", target))
    assert terminated and info["is_success"] and reward > 0


def test_a_twenty_field_form_asks_for_nineteen_and_the_flight():
    task = flight_task(0, n_fields=20, field_types="all", theme="any", autocomplete=True)
    form = form_of(task)
    assert len(form.fields) <= 20 and any(f.key == "flight" for f in form.fields)
    env = WebFormEnv(task=task)
    env.reset()  # fits max_fields=20


@needs_chromium
def test_flight_results_parity_with_chromium():
    with ChromiumSession() as session:
        for trajectory in trajectory_suite(6, seed=4, variant="flight_results"):
            report = check_parity(session, trajectory.form, trajectory.actions)
            assert report.agree, report.differences
        form = form_of(flight_task(3))
        search, books, target, _ = parts(form)
        wrong = next(b for b in books if b != target)
        before = [a for a in form.oracle if a.element != target]
        for actions, success in (
            (list(form.oracle), True),
            ([*before, Action("submit"), Action("click", wrong)], False),
            ([Action("click", search), Action("submit"), Action("click", target)], False),
        ):
            report = check_parity(session, form, actions)
            assert report.agree, report.differences
            assert report.browser_success == success


def test_the_miniwob_presets_build_their_tasks():
    env = WebFormEnv(preset="book_flight_miniwob")
    for seed in range(5):
        env.reset(seed=seed)
        form = env.form
        assert form is not None and form.n_pages == 2
        assert [f.key for f in form.fields] == ["from", "to", "departure date", "flight"]
        assert [c.kind for c in form.controls] == ["text", "text", "datepicker", "flights"]
        sim = FormSimulator(form)
        assert all(sim.apply(a) for a in form.oracle) and sim.success()
    env = WebFormEnv(preset="choose_date")
    env.reset(seed=0)
    assert env.form is not None and [c.kind for c in env.form.controls] == ["datepicker"]
    assert [f.key for f in env.form.fields] == ["date"]
