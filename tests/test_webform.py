"""teachgym/WebForm-v0: generation, observation, actions, masks, rewards, HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from teachgym.envs.webform import (
    FORM_PRESETS,
    WEBFORM_TASK_SPACE,
    Action,
    FormSimulator,
    WebFormEnv,
    generate_form,
    preset_task,
    render_html,
)
from teachgym.envs.webform.encoding import (
    CHECKED,
    FOCUSED,
    HAS_VALUE,
    IN_VIEWPORT,
    INPUT_TYPES,
    ROLES,
    TAGS,
)
from teachgym.envs.webform.form import Element, calendar_part, is_suggestion
from teachgym.envs.webform.generator import (
    MAX_PAGE_ELEMENTS,
    MAX_PICKER_DISTRACTORS,
    categorical_task,
    numeric_task,
)
from teachgym.envs.webform.trajectories import random_trajectory, trajectory_suite
from teachgym.envs.webform.vocabulary import DISTRACTOR_INPUTS, QUALIFIERS


def make(task=None, **kwargs) -> WebFormEnv:
    return WebFormEnv(task=task, **kwargs)


def task_with(**changes) -> dict:
    return {**preset_task("login"), **changes}


def play(env: WebFormEnv, actions: list[Action]):
    """Step simulator actions through the env; return the last step's result."""
    result = None
    for a in actions:
        result = env.step(env.encode_action(a.kind, a.element, a.field))
    return result


def element(env: WebFormEnv, **match) -> Element:
    assert env.form is not None
    return next(e for e in env.form.elements if all(getattr(e, k) == v for k, v in match.items()))


@pytest.mark.parametrize("mode", ["flat", "dict"])
@pytest.mark.parametrize("preset", sorted(FORM_PRESETS))
def test_check_env_in_both_action_modes(mode, preset):
    check_env(WebFormEnv(preset=preset, action_mode=mode), skip_render_check=True)


def test_generation_is_determined_by_task_and_level_seed():
    rng = np.random.default_rng(3)
    for _ in range(20):
        task = {**WEBFORM_TASK_SPACE.sample(rng), "level_seed": int(rng.integers(1 << 30))}
        env_a, env_b = make(), make()
        obs_a, info_a = env_a.reset(seed=1, options={"task": task})
        obs_b, info_b = env_b.reset(seed=99, options={"task": task})
        assert env_a.form == env_b.form
        assert info_a["instruction"] == info_b["instruction"]
        for key in obs_a:
            np.testing.assert_array_equal(obs_a[key], obs_b[key])
    other = make()
    other.reset(options={"task": {**task, "level_seed": task["level_seed"] + 1}})
    assert other.form != env_a.form
    seeded = [make() for _ in range(2)]
    forms = [env.reset(seed=5)[1]["instruction"] for env in seeded]
    assert forms[0] == forms[1]  # without level_seed the env's seed decides


def test_generated_forms_respect_the_task_parameters():
    rng = np.random.default_rng(0)
    for _ in range(60):
        task = WEBFORM_TASK_SPACE.sample(rng)
        form = generate_form(task, rng)
        flights = task["flight_results"]  # a results page, the flight field
        n_fields = min(task["n_fields"], 19) if flights else task["n_fields"]
        n_required = max(1, round(task["required_fraction"] * n_fields)) + flights
        assert len({f.control for f in form.fields}) == n_required  # start and end: one control
        assert form.n_pages == task["n_pages"] + flights
        assert form.viewport_rows == task["viewport_rows"]
        assert form.popup == task["popup"]
        distractors = [
            e
            for e in form.elements
            if (e.tag == "span" and e.column == "full" and e.classes == ("text",))
            or (e.tag == "a" and e.control < 0)  # not an autocomplete suggestion
            or (e.tag == "button" and not e.role)
            or (e.control >= 0 and form.controls[e.control].name in DISTRACTOR_INPUTS)
        ]
        picker = any(c.kind == "datepicker" for c in form.controls)
        cap = MAX_PICKER_DISTRACTORS if picker else task["n_distractors"]
        assert len(distractors) == min(task["n_distractors"], cap)
        decoys = [c for c in form.controls if c.name.split(" ")[0] in QUALIFIERS]
        assert len(decoys) >= task["n_decoys"]
        allowed = {"text", "password", "email", "number", "date", "select", "radio", "checkbox"}
        assert {f.ftype for f in form.fields} <= allowed
        assert len({f.key for f in form.fields}) == len(form.fields)
        sim = FormSimulator(form)
        for action in form.oracle:
            assert sim.apply(action), action
        assert sim.submitted and sim.success()


WORST_CASE_TASK = {
    **preset_task("profile"),
    "n_fields": 20,
    "field_types": "choice",
    "n_options": 5,
    "n_distractors": 100,
    "n_decoys": 5,
    "n_pages": 1,
}
"""The task with the most elements on one page."""


def test_worst_case_task_fits_the_default_observation():
    env = make()
    for seed in range(5):
        obs, _ = env.reset(options={"task": {**WORST_CASE_TASK, "level_seed": seed}})
        assert obs["element_mask"].sum() <= MAX_PAGE_ELEMENTS


def test_too_small_observation_sizes_fail_clearly():
    env = make(max_elements=8)
    with pytest.raises(ValueError, match="max_elements=8"):
        env.reset(options={"task": task_with(n_distractors=20)})
    env = make(max_fields=2)
    with pytest.raises(ValueError, match="max_fields=2"):
        env.reset(options={"task": task_with(n_fields=3)})
    for bad in (
        {"action_mode": "both"},
        {"reward": "dense"},
        {"gamma": 0.0},
        {"horizon_factor": 0.5},
        {"max_elements": 2},
        {"render_mode": "human"},
    ):
        with pytest.raises(ValueError):
            make(**bad)
    with pytest.raises(ValueError, match="unknown web-form preset 'nope'"):
        WebFormEnv(preset="nope")
    with pytest.raises(ValueError, match="n_distractors"):
        make().reset(options={"task": task_with(n_distractors=101)})


def test_observation_lists_the_view_with_overlap_features():
    env = make(task_with(label_style="label", n_distractors=0))
    obs, info = env.reset(seed=0)
    assert info["instruction"].startswith("Enter username: ")
    form = env.form
    assert form is not None
    n = int(obs["element_mask"].sum())
    assert n == len(form.elements) and obs["field_mask"].sum() == 2
    label = element(env, tag="label", text="Username")
    box = element(env, control=label.label_for, tag="input")
    assert obs["overlap"][label.eid, 0, 0] == 1.0  # "username" is the label's text
    assert obs["overlap"][box.eid, 0, 1] == 1.0  # ... and the input's left neighbour
    assert obs["overlap"][box.eid, 0, 3] == 0.0  # the input does not hold the value yet
    assert obs["element_features"][:n, IN_VIEWPORT].all()
    assert not obs["element_features"][n:].any() and not obs["element_tokens"][n:].any()
    obs, *_ = play(env, [Action("type", box.eid, 0)])
    assert obs["overlap"][box.eid, 0, 3] == 1.0
    assert obs["element_features"][box.eid, FOCUSED] == 1.0
    assert obs["element_value_tokens"][box.eid].any()


def test_click_type_select_and_submit_complete_a_form():
    task = task_with(
        n_fields=8, field_types="all", theme="any", label_style="label", viewport_rows=64
    )
    env = make(task)
    kinds: set[str] = set()
    for seed in range(10):
        env.reset(options={"task": {**task, "level_seed": seed}})
        assert env.form is not None
        kinds |= {a.kind for a in env.form.oracle}
        _, reward, terminated, truncated, info = play(env, list(env.form.oracle))
        assert (reward, terminated, truncated, info["is_success"]) == (1.0, True, False, True)
    assert kinds == {"click", "type", "select", "submit"}  # the viewport needs no scrolling


def test_checkbox_radio_label_and_buttons():
    task = task_with(
        n_fields=8, field_types="choice", theme="any", label_style="label", n_pages=2,
        popup=True, viewport_rows=64, n_distractors=0,
    )  # fmt: skip
    env = make(task)
    for seed in range(100):  # a form with a checkbox, a radio group and a label on page 0
        env.reset(options={"task": {**task, "level_seed": seed}})
        assert env.form is not None
        first_page = [e for e in env.form.elements if e.page == 0]
        kinds = {e.input_type for e in first_page} | {
            "label" for e in first_page if e.label_for >= 0
        }
        if {"checkbox", "radio", "label"} <= kinds:
            break
    else:
        raise AssertionError("no level seed gave the elements this test needs")
    sim, form = env.sim, env.form
    assert sim is not None and form is not None
    close = element(env, role="close")
    _, _, _, _, info = play(env, [Action("click", first_page[0].eid)])
    assert not info["action_valid"]  # covered by the pop-up
    obs, _, _, _, info = play(env, [Action("click", close.eid)])
    assert info["action_valid"] and not sim.popup_open and not obs["status"][2]
    checkbox = next(e for e in first_page if e.input_type == "checkbox")
    before = sim.values[checkbox.control]
    obs, *_ = play(env, [Action("click", checkbox.eid)])
    assert sim.values[checkbox.control] == 1 - before
    assert obs["element_features"][checkbox.eid, CHECKED] == 1 - before  # page 0: slot = eid
    radios = [e for e in first_page if e.input_type == "radio"]
    play(env, [Action("click", radios[1].eid)])
    assert sim.values[radios[1].control] == 1 and sim.checked(radios[1].eid)
    play(env, [Action("click", radios[0].eid)])
    assert sim.values[radios[0].control] == 0 and not sim.checked(radios[1].eid)
    label = next(e for e in first_page if e.label_for >= 0)
    play(env, [Action("click", label.eid)])
    assert sim.focused == form.controls[label.label_for].elements[0]
    _, _, _, _, info = play(env, [Action("submit")])
    assert not info["action_valid"]  # not on the last page yet
    play(env, [Action("scroll_down")])
    play(env, [Action("click", element(env, role="next").eid)])
    assert sim.page == 1 and sim.scroll == 0
    _, reward, terminated, _, _ = play(env, [Action("click", element(env, role="submit").eid)])
    assert terminated and reward == -1.0  # submitted without filling the form


def test_scrolling_moves_the_viewport_and_gates_actions():
    task = task_with(n_fields=4, n_distractors=30, viewport_rows=6)
    env = make(task)
    env.reset(options={"task": {**task, "level_seed": 2}})
    sim, form = env.sim, env.form
    assert sim is not None and form is not None
    low = max((e for e in form.elements if e.page == 0), key=lambda e: e.row)
    _, _, _, _, info = play(env, [Action("click", low.eid)])
    assert not info["action_valid"]
    masks = env.action_masks()
    assert not masks[env.encode_action("scroll_up")] and masks[env.encode_action("scroll_down")]
    obs, _, _, _, info = play(env, [Action("scroll_down")])
    assert info["action_valid"] and sim.scroll == form.scroll_step
    assert obs["status"][3] > 0
    while env.action_masks()[env.encode_action("scroll_down")]:
        play(env, [Action("scroll_down")])
    assert sim.scroll == form.max_scroll(0) and sim.actionable(low.eid)
    _, _, _, _, info = play(env, [Action("scroll_down")])
    assert not info["action_valid"]
    play(env, [Action("scroll_up")])
    assert sim.scroll == form.max_scroll(0) - form.scroll_step


def test_mask_marks_exactly_the_valid_actions():
    rng = np.random.default_rng(0)
    for trajectory in trajectory_suite(9, seed=1):
        env = make()
        env.reset(options={"task": trajectory.task})
        for _ in range(6):
            mask = env.action_masks()
            sim = env.sim
            assert sim is not None
            candidates = np.concatenate(
                [
                    rng.choice(np.flatnonzero(mask), 3),
                    rng.choice(np.flatnonzero(~mask), 3),
                ]
            )
            for action in candidates:
                before = sim.clone()
                kind, slot, field = env.codec.decode_flat(int(action))
                sim_action = env._to_sim_action(kind, slot, field)
                valid = sim_action is not None and before.clone().apply(sim_action)
                assert valid == bool(mask[action]), (kind, slot, field)
            _, _, terminated, truncated, info = env.step(int(rng.choice(np.flatnonzero(mask))))
            assert info["action_valid"]
            if terminated or truncated:
                break


def test_invalid_actions_are_no_ops_or_clear_errors():
    env = make(task_with(n_distractors=3))
    env.reset(seed=0)
    sim = env.sim
    assert sim is not None
    before = (list(sim.values), sim.page, sim.scroll, sim.focused)
    padding_slot = env.codec.E - 1
    for action in (
        padding_slot,  # click on an empty slot
        env.codec.encode_flat("type", 0, 5),  # field slot beyond the instruction
        env.codec.encode_flat("select", 0, 0),  # not a select
        env.codec.encode_flat("scroll_up"),
    ):
        _, reward, terminated, truncated, info = env.step(action)
        assert not info["action_valid"] and reward == 0.0 and not (terminated or truncated)
    assert (list(sim.values), sim.page, sim.scroll, sim.focused) == before
    for bad in (-1, env.codec.n_actions, 2.5, "click", [1, 2]):
        with pytest.raises(ValueError, match="action"):
            env.step(bad)
    dict_env = make(action_mode="dict")
    dict_env.reset(seed=0)
    with pytest.raises(ValueError, match="'kind'"):
        dict_env.step({"kind": 9, "element": 0, "field": 0})
    with pytest.raises(ValueError, match="needs integer entries"):
        dict_env.step({"kind": 0})
    _, _, _, _, info = dict_env.step({"kind": 5, "element": 0, "field": 0})  # submit
    assert info["action_valid"]
    with pytest.raises(RuntimeError, match="reset"):
        dict_env.step({"kind": 5, "element": 0, "field": 0})


def test_rewards_sparse_partial_shaping_and_the_step_limit():
    task = {**task_with(n_fields=4, field_types="text", theme="any"), "level_seed": 4}
    env = make(task)
    _, info = env.reset()
    assert env.max_steps == int(np.ceil(2.0 * info["optimal_steps"])) + 2
    assert env.form is not None
    fill_one = env.form.oracle[0]
    play(env, [fill_one])
    _, reward, terminated, _, info = play(env, [Action("submit")])
    assert terminated and reward == -1.0 and not info["is_success"]

    partial = make(task, reward="partial")
    partial.reset()
    play(partial, [fill_one])
    _, reward, *_ = play(partial, [Action("submit")])
    assert reward == pytest.approx(0.25 - 1.0)

    gamma = 0.9
    shaped = make(task, shaping=True, gamma=gamma)
    shaped.reset()
    assert shaped.form is not None
    rewards = [play(shaped, [a])[1] for a in shaped.form.oracle]
    potentials = [i / 4 for i in range(5)]
    expected = [gamma * potentials[i + 1] - potentials[i] for i in range(4)]
    expected.append(1.0 + 0.0 - 1.0)  # success; terminal potential counts as 0
    assert rewards == pytest.approx(expected)

    limited = make(task, horizon_factor=1.0, horizon_slack=0)
    limited.reset()
    for _ in range(limited.max_steps):
        _, reward, terminated, truncated, info = limited.step(limited.encode_action("scroll_up"))
    assert truncated and not terminated and reward == -1.0 and not info["is_success"]


def test_decoys_and_unasked_fields_must_stay_untouched():
    task = {
        **task_with(n_fields=4, field_types="text", theme="any", required_fraction=0.5),
        "n_decoys": 2,
        "level_seed": 7,
    }
    env = make(task)
    env.reset()
    form, sim = env.form, env.sim
    assert form is not None and sim is not None and len(form.fields) == 2
    asked = {f.control for f in form.fields}
    other = next(c for c in form.controls if c.cid not in asked and c.kind == "text")
    play(env, [a for a in form.oracle if a.kind != "submit"])
    assert sim.potential() == 1.0
    play(env, [Action("type", other.elements[0], 0)])
    _, reward, _, _, info = play(env, [Action("submit")])
    assert reward == -1.0 and not info["is_success"]


def test_warm_start_prefills_and_required_fraction_shrinks_the_instruction():
    task = {**task_with(n_fields=6, field_types="text", theme="any"), "level_seed": 1}
    env = make()
    _, info = env.reset(options={"task": {**task, "warm_start": 1.0}})
    assert env.sim is not None and env.sim.potential() == 1.0 and info["optimal_steps"] == 1
    _, info = env.reset(options={"task": {**task, "warm_start": 0.5}})
    assert env.sim is not None and env.sim.potential() == 0.5 and info["optimal_steps"] == 4
    _, info = env.reset(options={"task": {**task, "required_fraction": 0.0}})
    assert info["instruction"].count(":") == 1


def test_flat_and_dict_modes_agree():
    rng = np.random.default_rng(0)
    task = {**preset_task("book_flight"), "level_seed": 3}
    flat, as_dict = make(task), make(task, action_mode="dict")
    flat.reset()
    as_dict.reset()
    assert flat.form is not None
    actions = random_trajectory(flat.form, rng, length=20, arbitrary_share=0.0)
    for a in actions:
        if a.element >= 0 and a.element not in flat._view.slots():
            continue
        out_flat = flat.step(flat.encode_action(*a))
        out_dict = as_dict.step(as_dict.encode_action(*a))
        assert out_flat[1:4] == out_dict[1:4]
        for key in out_flat[0]:
            np.testing.assert_array_equal(out_flat[0][key], out_dict[0][key])
        if out_flat[2] or out_flat[3]:
            break


def test_registered_id_presets_and_test_sets():
    env = gym.make("teachgym/WebForm-v0", preset="book_flight", render_mode="ansi")
    _, info = env.reset(seed=0)
    assert info["task"] == preset_task("book_flight")
    text = env.render()
    assert isinstance(text, str) and text.startswith("Enter ")
    sets = env.unwrapped.test_sets()
    assert len(sets["presets-x10"]) == 40
    assert sets["presets-x10"].version == sets["uniform-50"].version == 2
    assert all(WEBFORM_TASK_SPACE.contains(t) for t in sets["presets-x10"].tasks)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: dict[str, dict[str, str | None]] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        if attributes.get("id"):
            self.attributes[str(attributes["id"])] = attributes

    def handle_data(self, data):
        self.text.append(data)


HOSTILE = '<script>alert(\'x\')</script>" onclick="evil()" & <b>bold</b>'


def hostile_form():
    form = generate_form(
        {
            **task_with(n_fields=3, field_types="all", theme="any", label_style="mixed"),
            "popup": True,
        },
        np.random.default_rng(0),
    )
    elements = tuple(
        e._replace(placeholder=HOSTILE)
        if e.tag == "input"
        else e
        if e.tag == "select"
        else e._replace(text=HOSTILE + e.text)
        for e in form.elements
    )
    fields = tuple(f._replace(key=HOSTILE + f.key) for f in form.fields)
    return form.__class__(
        elements, form.controls, fields, form.page_rows, form.viewport_rows, form.popup, form.oracle
    )


def test_html_escapes_hostile_text_and_carries_element_ids():
    form = hostile_form()
    html = render_html(form)
    parser = _Collector()
    parser.feed(html)
    assert parser.tags.count("script") == 1  # only the page's own script
    assert "b" not in parser.tags
    for e in form.elements:
        attributes = parser.attributes[f"e{e.eid}"]
        assert "onclick" not in attributes or e.role
        if e.tag == "input" and e.input_type not in ("checkbox", "radio"):
            assert attributes["placeholder"] == HOSTILE
    joined = "".join(parser.text)
    assert joined.count(HOSTILE) >= len([e for e in form.elements if e.text])
    assert set(parser.attributes) >= {f"e{e.eid}" for e in form.elements}


def test_render_html_follows_the_simulator_state():
    env = make(preset="profile", render_mode="html")
    env.reset(seed=0)
    assert env.form is not None and env.sim is not None
    first = env.render()
    assert isinstance(first, str) and 'id="overlay" style="display:block' in first
    play(env, list(env.form.oracle[:3]))
    later = env.render()
    assert isinstance(later, str) and 'id="overlay" style="display:none' in later


def test_overlap_features_match_a_direct_word_count():
    from teachgym.envs.webform.vocabulary import words

    def share(query: str, text: str) -> float:
        wanted = set(words(query))
        return len(wanted & set(words(text))) / len(wanted) if wanted else 0.0

    rng = np.random.default_rng(5)
    for _ in range(10):
        task = {**WEBFORM_TASK_SPACE.sample(rng), "level_seed": int(rng.integers(1 << 20))}
        env = make()
        env.reset(options={"task": task})
        form, view = env.form, env._view
        assert form is not None and view is not None
        for e in form.elements:
            own = f"{e.text} {e.placeholder}"
            options = " ".join(form.controls[e.control].options[1:]) if e.tag == "select" else ""
            for j, f in enumerate(form.fields):
                assert view.overlap[e.eid, j, 0] == pytest.approx(share(f.key, own))
                expected = share(f.value, f"{own} {options}")
                kind = form.controls[f.control].kind
                if is_suggestion(e) and kind == "autocomplete" and f.key in ("start", "end"):
                    affix = e.text.startswith if f.key == "start" else e.text.endswith
                    expected = float(affix(f.value))
                if calendar_part(e):  # a closed calendar: no hint, a day's number no word
                    expected = 0.0
                if e.role == "book":  # the flight field's pick
                    expected = float(f.control == e.control and f.target == e.option)
                assert view.overlap[e.eid, j, 2] == pytest.approx(expected)
            if e.column == "right" and e.input_type != "radio":
                left = [
                    o for o in form.elements if (o.page, o.row, o.column) == (e.page, e.row, "left")
                ]
                context = f"{left[0].text} {left[0].placeholder}" if left else ""
                for j, f in enumerate(form.fields):
                    assert view.overlap[e.eid, j, 1] == pytest.approx(share(f.key, context))


def test_numeric_task_space_for_numeric_teachers():
    env = make(numeric_tasks=True)
    env.task_space.require_numeric("ALP-GMM")
    rng = np.random.default_rng(2)
    numeric = {**env.task_space.sample(rng), "level_seed": 9}
    _, info = env.reset(options={"task": numeric})
    assert info["task"] == numeric
    plain = make()
    plain.reset(options={"task": {**categorical_task(numeric), "level_seed": 9}})
    assert plain.form == env.form
    assert numeric_task(categorical_task(numeric)) == numeric
    vector = env.task_space.to_vector(numeric)
    back = env.task_space.from_vector(vector)
    assert all(back[name] == numeric[name] for name in ("field_types", "theme", "popup"))
    preset = WebFormEnv(preset="profile", numeric_tasks=True)
    assert preset.reset()[1]["task"]["popup"] == 1
    assert all(env.task_space.contains(t) for t in env.test_set().tasks)


def test_fresh_values_replace_the_pools_of_text_password_and_email_fields():
    task = {**preset_task("login"), "n_fields": 3}
    pooled = [WebFormEnv(task=task) for _ in range(2)]
    fresh = WebFormEnv(task=task, fresh_values=True)
    seen: dict[str, set[str]] = {"username": set(), "password": set(), "email": set()}
    for seed in range(40):
        pooled[0].reset(seed=seed)
        fresh.reset(seed=seed)
        pool_values = {f.key: f.value for f in pooled[0].unwrapped.form.fields}
        for f in fresh.unwrapped.form.fields:
            seen[f.key].add(f.value)
            if f.key == "password":
                assert 2 <= len(f.value) <= 6 and f.value.isalnum()
            if f.key == "email":
                assert f.value.endswith("@mail.org")
        assert len(pool_values) == 3
    assert all(len(values) > 30 for values in seen.values())  # pools hold 3 to 10 values
    pooled[1].reset(seed=7)
    pooled[0].reset(seed=7)
    assert pooled[0].unwrapped.form == pooled[1].unwrapped.form  # default unchanged


def test_unlabelled_input_has_no_label_and_the_default_labels_every_input():
    task = {**preset_task("login"), "n_fields": 1, "label_style": "label", "n_distractors": 0}
    bare = WebFormEnv(task=task, unlabelled=1.0)
    labelled = WebFormEnv(task=task)
    for seed in range(10):
        bare.reset(seed=seed)
        form = bare.unwrapped.form
        (field,) = form.fields
        (eid,) = form.controls[field.control].elements
        assert form.elements[eid].placeholder == ""
        assert all(e.label_for < 0 and e.tag != "label" for e in form.elements)
        sim = FormSimulator(form)
        assert all(sim.apply(a) for a in form.oracle) and sim.success()
        labelled.reset(seed=seed)
        assert any(e.label_for >= 0 for e in labelled.unwrapped.form.elements)


def test_preselected_select_shows_its_first_option_and_must_be_changed_or_kept():
    task = {**preset_task("login"), "field_types": "choice", "theme": "flight", "n_fields": 4}
    chosen = WebFormEnv(task=task, preselected=1.0)
    prompted = WebFormEnv(task=task)
    held_at_start = 0
    selects_seen = 0
    for seed in range(20):
        obs, _ = chosen.reset(seed=seed)
        form, sim = chosen.unwrapped.form, chosen.unwrapped.sim
        slots = list(chosen.unwrapped._view.slots())
        for control in form.controls:
            if control.kind != "select":
                continue
            selects_seen += 1
            (eid,) = control.elements
            assert control.initial == 1 and sim.element_value(eid) == control.options[1]
            assert obs["element_features"][slots.index(eid), HAS_VALUE] == 1.0
        for index, f in enumerate(form.fields):
            if form.controls[f.control].kind == "select":
                held_at_start += sim.satisfied(index)
        replay = FormSimulator(form)
        assert all(replay.apply(a) for a in form.oracle) and replay.success()
        prompted.reset(seed=seed)
        assert all(c.initial == 0 for c in prompted.unwrapped.form.controls if c.kind == "select")
    assert selects_seen > 10 and 0 < held_at_start < selects_seen  # some need no change
    with pytest.raises(ValueError, match="preselected must be a probability"):
        WebFormEnv(preselected=2.0)


def _confirm_form(seed: int = 0):
    task = {**preset_task("login"), "popup": True, "n_distractors": 0}
    env = WebFormEnv(task=task, popup_style="confirm")
    env.reset(seed=seed)
    return env, env.unwrapped.form


def test_confirm_popup_opens_at_the_trigger_focus_and_the_typing_is_lost():
    _, form = _confirm_form()
    assert form.popup_trigger >= 0
    sim = FormSimulator(form)
    assert not sim.popup_open  # nothing covers the page at the start
    index = next(
        i
        for i, f in enumerate(form.fields)
        if f.control == form.elements[form.popup_trigger].control
    )
    assert sim.apply(Action("type", form.popup_trigger, index))
    assert sim.popup_open and sim.values[form.fields[index].control] == ""
    assert not sim.apply(Action("type", form.popup_trigger, index))  # covered now
    safe = next(e for e in form.elements if e.role == "close")
    assert sim.apply(Action("click", safe.eid)) and not sim.popup_open
    assert sim.apply(Action("type", form.popup_trigger, index))  # it opens only once
    assert not sim.popup_open and sim.satisfied(index)
    replay = FormSimulator(form)
    assert all(replay.apply(a) for a in form.oracle) and replay.success()


def test_confirm_popup_harmful_button_ends_the_episode_as_a_failure_and_looks_like_a_button():
    env, form = _confirm_form(seed=1)
    harmful = next(e for e in form.elements if e.role == "abort")
    safe = next(e for e in form.elements if e.role == "close")
    assert harmful.page == safe.page == -1 and harmful.text != safe.text
    trigger = form.elements[form.popup_trigger]
    index = next(i for i, f in enumerate(form.fields) if f.control == trigger.control)
    obs, *_ = play(env, [Action("type", trigger.eid, index)])
    assert obs["status"][2] == 1.0  # pop-up open
    slots = list(env.unwrapped._view.slots())
    roles = slice(len(TAGS) + len(INPUT_TYPES), len(TAGS) + len(INPUT_TYPES) + len(ROLES))
    features = obs["element_features"]
    assert features[slots.index(harmful.eid), roles].sum() == 0.0
    assert features[slots.index(safe.eid), roles].tolist() == [0.0, 0.0, 1.0]
    _, reward, terminated, truncated, info = play(env, [Action("click", harmful.eid)])
    assert terminated and not truncated and reward == -1.0 and info["is_success"] is False
    assert env.unwrapped.sim.aborted and not env.action_masks().any()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"unlabelled": 1.5}, "unlabelled must be a probability"),
        ({"unlabelled": "half"}, "unlabelled must be a probability"),
        ({"popup_style": "modal"}, "popup_style must be one of"),
    ],
)
def test_bad_simulator_variants_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        WebFormEnv(**kwargs)


def test_miniwob_variant_suite_exercises_triggers_and_harmful_buttons():
    suite = trajectory_suite(30, seed=2, variant="miniwob")
    assert sum(t.form.popup_trigger >= 0 for t in suite) >= 10
    with pytest.raises(ValueError, match="unknown trajectory variant"):
        trajectory_suite(3, variant="nope")
