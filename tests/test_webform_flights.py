"""The flight-results page of WebForm-v0 (MiniWoB++'s book-flight): Search, the listed
flights, the cheapest / shortest one booked, encoding, and parity with headless Chromium."""

from __future__ import annotations

from teachgym.envs.webform import Action, FormSimulator, WebFormEnv
from teachgym.envs.webform.browser import (
    ChromiumSession,
    check_parity,
)
from teachgym.envs.webform.encoding import INPUT_TYPES, ROLES, TAGS
from teachgym.envs.webform.form import Form
from teachgym.envs.webform.generator import FLIGHTS, PRICES, preset_task
from teachgym.envs.webform.miniwob_bridge import MiniWoBFormEnv
from teachgym.envs.webform.trajectories import form_of, trajectory_suite
from tests.browser_marks import needs_chromium, needs_miniwob


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


def test_from_and_to_suggest_the_airports_containing_the_typed_city_or_code():
    asked = set()
    for seed in range(10):
        form = form_of({**preset_task("book_flight_miniwob"), "level_seed": seed})
        for index, f in enumerate(form.fields[:2]):
            control = form.controls[f.control]
            typed, *suggestions = control.elements
            target = suggestions[control.options.index(str(f.target))]
            asked.add("code" if f.value.isupper() and len(f.value) == 3 else "city")
            assert f.value in str(f.target) and f.key in ("from", "to")
            sim = FormSimulator(form)
            assert sim.apply(Action("type", typed, index)) and not sim.satisfied(index)
            shown = [e for e in suggestions if sim.actionable(e)]
            assert target in shown
            assert all(f.value.lower() in form.elements[e].text.lower() for e in shown)
            hidden = [e for e in suggestions if e not in shown]
            assert all(f.value.lower() not in form.elements[e].text.lower() for e in hidden)
            assert sim.apply(Action("click", target)) and sim.satisfied(index)
            wrong = next((e for e in shown if e != target), None)
            if wrong is not None:
                sim.apply(Action("type", typed, index))
                sim.apply(Action("click", wrong))
                assert not sim.satisfied(index)
    assert asked == {"code", "city"}


@needs_chromium
def test_flight_results_parity_with_chromium():
    with ChromiumSession() as session:
        for trajectory in trajectory_suite(6, seed=4, variant="flight_results"):
            report = check_parity(session, trajectory.form, trajectory.actions)
            assert report.agree, report.differences
        for seed in range(3):
            airports = form_of({**preset_task("book_flight_miniwob"), "level_seed": seed})
            typed = airports.controls[airports.fields[0].control].elements[0]
            typing = [Action("type", typed, 0), Action("click", typed + 1)]
            for actions in (list(airports.oracle), typing + list(airports.oracle)[2:]):
                report = check_parity(session, airports, actions)
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
        kinds = ["autocomplete", "autocomplete", "datepicker", "flights"]
        assert [c.kind for c in form.controls] == kinds
        sim = FormSimulator(form)
        assert all(sim.apply(a) for a in form.oracle) and sim.success()
    env = WebFormEnv(preset="choose_date")
    env.reset(seed=0)
    assert env.form is not None and [c.kind for c in env.form.controls] == ["datepicker"]
    assert [f.key for f in env.form.fields] == ["date"]


def _book_flight_episode(env: MiniWoBFormEnv, seed: int, wrong: bool = False) -> tuple:
    """A scripted reader of the observation: type From and To and pick the suggestion the
    value overlap names, open the date picker and follow its hints to the day, Search (the
    ``next`` button), book the flight the hint names (or another with ``wrong``)."""
    E, F = env.codec.E, env.codec.F
    obs, _ = env.reset(seed=seed)
    keys = [key for key, _, _ in env._fields]
    assert keys == ["from", "to", "departure date", "flight"]
    autocomplete = env.codec.tokens("form-control autocomplete", 2)
    picker = env.codec.tokens("datepicker form-control", 2)
    inputs = [s for s in range(E) if (obs["element_class_tokens"][s] == autocomplete).all()]
    assert len(inputs) == 2 and not env.action_masks()[-1]  # Enter does not search
    for field, slot in enumerate(inputs):
        obs, *_ = env.step(E + slot * F + field)
        suggestions = [s for s, e in enumerate(env._elements) if e.get("suggestion")]
        pick = max(suggestions, key=lambda s: obs["overlap"][s, field, 2])
        obs, *_ = env.step(pick)
        assert obs["overlap"][slot, field, 3] == 1.0  # the picked name contains the field's
    (typed,) = [s for s in range(E) if (obs["element_class_tokens"][s] == picker).all()]
    assert not env.action_masks()[E + typed * F + 2]  # readonly
    obs, *_ = env.step(typed)
    for _ in range(4):
        parts = [e.get("calendar") for e in env._elements]
        hinted = [s for s, part in enumerate(parts) if part and obs["overlap"][s, 2, 2] == 1.0]
        days = [s for s in hinted if parts[s] == "day"]
        obs, *_ = env.step(days[0] if days else hinted[0])
        if days:
            break
    assert obs["overlap"][typed, 2, 3] == 1.0
    next_column = len(TAGS) + len(INPUT_TYPES) + ROLES.index("next")
    (search,) = [s for s in range(E) if obs["element_features"][s, next_column] == 1.0]
    obs, *_ = env.step(search)
    books = [s for s, e in enumerate(env._elements) if e.get("book")]
    (hinted_book,) = [s for s in books if obs["overlap"][s, 3, 2] == 1.0]
    assert len(books) >= 3 and not env.action_masks()[-1]
    criterion = env._fields[3][1]
    column = "price" if criterion == "cheapest" else "minutes"
    assert env._elements[hinted_book][column] == min(env._elements[b][column] for b in books)
    target = next(b for b in books if b != hinted_book) if wrong else hinted_book
    _, reward, terminated, _, info = env.step(target)
    return criterion, reward, terminated, info


@needs_miniwob
def test_book_flight_through_the_bridge_is_solved_by_reading_the_hints():
    env = MiniWoBFormEnv(
        task={"miniwob_task": "book-flight-nodelay"},
        max_elements=64,
        max_fields=4,
        time_limit=False,
    )
    try:
        criteria = set()
        for seed in range(8):
            criterion, reward, terminated, info = _book_flight_episode(env, seed)
            assert terminated and reward == 1.0 and info["is_success"], (seed, info)
            criteria.add(criterion)
            if len(criteria) == 2 and seed >= 1:
                break
        assert criteria == {"cheapest", "shortest"}
        _, reward, terminated, info = _book_flight_episode(env, 0, wrong=True)
        assert terminated and reward == -1.0 and not info["is_success"]
    finally:
        env.close()
