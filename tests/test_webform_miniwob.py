"""The MiniWoB++ bridge: a real MiniWoB++ form through WebForm-v0's encoding.

Skipped with the reason when miniwob, Selenium, Chromium or chromedriver is missing
(``pip install 'teachgym[miniwob]'``; ``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from teachgym.envs.webform.encoding import INPUT_TYPES, TAGS
from teachgym.envs.webform.miniwob_bridge import MiniWoBFormEnv, miniwob_unavailable_reason

REASON = miniwob_unavailable_reason()


@pytest.mark.skipif(REASON is not None, reason=f"MiniWoB++ cannot run here: {REASON}")
def test_login_user_through_the_webform_encoding():
    env = MiniWoBFormEnv()
    try:
        obs, info = env.reset(seed=0)
        assert info["task"] == {"miniwob_task": "login-user"}
        assert "username" in info["instruction"]
        assert obs["field_mask"].sum() == 2 and obs["element_mask"].sum() >= 5
        assert env.observation_space.contains(obs)
        mask = env.action_masks()
        E, F = env.codec.E, env.codec.F
        password_column = len(TAGS) + INPUT_TYPES.index("password")
        inputs = np.flatnonzero(obs["element_features"][:, TAGS.index("input")])
        assert len(inputs) == 2 and obs["element_features"][inputs[1], password_column] == 1.0
        actions = []
        for field in range(2):  # the input whose label (above it) names the field
            slot = int(inputs[np.argmax(obs["overlap"][inputs, field, 1])])
            actions.append(E + slot * F + field)
        actions.append(E + 2 * E * F + 2)  # submit: clicks the Login button
        assert all(mask[a] for a in actions)
        assert not mask[E + 2 * E * F]  # no scrolling in MiniWoB++
        for action in actions:
            obs, reward, terminated, _, info = env.step(action)
        assert terminated and reward == 1.0 and info["is_success"]
        with pytest.raises(RuntimeError, match="reset"):
            env.step(actions[0])
    finally:
        env.close()


def test_bridge_reports_what_is_missing(monkeypatch):
    monkeypatch.setenv("TEACHGYM_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(RuntimeError, match="apt-get install chromium"):
        MiniWoBFormEnv()


def _scripted_action(env: MiniWoBFormEnv, obs: dict, field: int) -> int:
    """The action a reader of the observation takes for ``field``: click the checkbox its
    key names or the radio button its value names, pick the option, or type."""
    E, F = env.codec.E, env.codec.F
    ftype = env._fields[field][2]
    if ftype == "checkbox":
        return int(np.argmax(obs["overlap"][:, field, 0]))
    if ftype == "radio":
        return int(np.argmax(obs["overlap"][:, field, 2]))
    mask = env.action_masks()
    base = E + E * F if ftype == "select" else E
    (slot,) = [s for s in range(E) if mask[base + s * F + field]]
    return base + slot * F + field


WIDGET_TASKS = {
    "enter-date": ("date", 20.0),
    "click-option": ("radio", 10.0),
    "click-checkboxes": ("checkbox", 10.0),
    "choose-list": ("select", 10.0),
}
"""The widget tasks: their field type and the page's own time limit (seconds)."""


@pytest.mark.skipif(REASON is not None, reason=f"MiniWoB++ cannot run here: {REASON}")
def test_widget_pages_report_their_own_time_limit():
    env = MiniWoBFormEnv(max_elements=16, max_fields=6)
    try:
        for task, (_, limit) in WIDGET_TASKS.items():
            _, info = env.reset(seed=3, options={"task": {"miniwob_task": task}})
            assert info["time_limit_s"] == limit, task  # the page's core.EPISODE_MAX_TIME
    finally:
        env.close()


@pytest.mark.skipif(REASON is not None, reason=f"MiniWoB++ cannot run here: {REASON}")
@pytest.mark.parametrize("task", list(WIDGET_TASKS))
def test_widget_tasks_are_solved_through_the_encoding(task):
    # Without the page's time limit, so that the outcome does not depend on the speed.
    env = MiniWoBFormEnv(
        task={"miniwob_task": task}, max_elements=16, max_fields=6, time_limit=False
    )
    ftype = WIDGET_TASKS[task][0]
    try:
        obs, info = env.reset(seed=3)
        assert {f[2] for f in env._fields} <= {ftype}
        for field in range(len(env._fields)):
            obs, _, terminated, _, info = env.step(_scripted_action(env, obs, field))
            assert not terminated
        if ftype == "select":
            (slot,) = np.flatnonzero(obs["element_features"][:, TAGS.index("select")])
            assert obs["overlap"][slot, 0, 3] == 1.0  # holds the item now
        _, reward, terminated, _, info = env.step(env.codec.n_actions - 1)  # submit
        assert terminated and reward == 1.0 and info["is_success"]
    finally:
        env.close()


@pytest.mark.skipif(REASON is not None, reason=f"MiniWoB++ cannot run here: {REASON}")
def test_a_lifted_time_limit_outlasts_the_pages_own():
    env = MiniWoBFormEnv(task={"miniwob_task": "enter-password"}, time_limit=False)
    try:
        _, info = env.reset(seed=0)
        assert info["time_limit_s"] == math.inf
        env._script("core.EPISODE_MAX_TIME = 1;")  # a fault: the next episode gets 1 ms
        env.reset(seed=1)
        assert env._script("return core.EPISODE_MAX_TIME;") == 2**31 - 1
        E, F = env.codec.E, env.codec.F
        typing = np.flatnonzero(env.action_masks()[E : E + E * F])  # type(element, field)
        _, _, terminated, _, info = env.step(E + int(typing[0]))
        assert not terminated  # a 1 ms timer would have ended it as "timed out"
    finally:
        env.close()


@pytest.mark.skipif(REASON is not None, reason=f"MiniWoB++ cannot run here: {REASON}")
def test_the_pages_time_out_ends_the_episode_as_a_failure():
    env = MiniWoBFormEnv(task={"miniwob_task": "enter-password"})
    try:
        _, info = env.reset(seed=0)
        assert info["time_limit_s"] == 15.0
        # what the page's own timer calls when the time limit passes
        env._script("core.endEpisode(-1, false, 'timed out');")
        _, reward, terminated, truncated, info = env.step(env.codec.n_actions - 1)
        assert terminated and not truncated and reward == -1.0 and not info["is_success"]
        assert info["miniwob_reason"] == "timed out"
    finally:
        env.close()


@pytest.mark.skipif(REASON is not None, reason=f"MiniWoB++ cannot run here: {REASON}")
@pytest.mark.parametrize("task", ["use-autocomplete", "use-autocomplete-nodelay"])
def test_the_observation_after_typing_shows_the_suggestion_list(task):
    env = MiniWoBFormEnv(task={"miniwob_task": task}, max_elements=16, time_limit=False)
    try:
        env.reset(seed=2)
        E, F = env.codec.E, env.codec.F
        (typed,) = [s for s, e in enumerate(env._elements) if "ui-autocomplete" in e["classes"]]
        obs, _, terminated, _, _ = env.step(E + typed * F + 0)  # type the start
        suggestions = [s for s, e in enumerate(env._elements) if e.get("suggestion")]
        start = env._fields[0][1]
        assert suggestions and not terminated  # use-autocomplete opens it 300 ms later
        assert all(str(env._elements[s]["text"]).startswith(start) for s in suggestions)
        assert (obs["overlap"][suggestions, 0, 2] == 1.0).all()
    finally:
        env.close()


@pytest.mark.skipif(REASON is not None, reason=f"MiniWoB++ cannot run here: {REASON}")
def test_use_autocomplete_is_solved_by_typing_the_start_and_picking_by_the_overlap():
    env = MiniWoBFormEnv(
        task={"miniwob_task": "use-autocomplete-nodelay"}, max_elements=16, time_limit=False
    )
    try:
        obs, _ = env.reset(seed=1)
        assert [f[0] for f in env._fields] == ["start", "end"]
        E, F = env.codec.E, env.codec.F
        classes = env.codec.tokens("form-control autocomplete", 2)
        (typed,) = [s for s in range(E) if (obs["element_class_tokens"][s] == classes).all()]
        assert not any(e.get("suggestion") for e in env._elements)
        obs, _, terminated, _, _ = env.step(E + typed * F + 0)  # type the start
        suggestions = [s for s, e in enumerate(env._elements) if e.get("suggestion")]
        assert len(suggestions) >= 2 and not terminated
        assert all(obs["element_features"][s, TAGS.index("a")] == 1.0 for s in suggestions)
        assert all(env.action_masks()[s] for s in suggestions)
        both = obs["overlap"][suggestions, :2, 2].sum(axis=1)
        assert sorted(both.tolist())[-2:] == [1.0, 2.0]  # one matches start and end
        wrong = suggestions[int(np.argmin(both))]
        right = suggestions[int(np.argmax(both))]
        obs, _, terminated, _, _ = env.step(right)
        assert obs["overlap"][typed, :2, 3].tolist() == [1.0, 1.0]  # holds start and end
        _, reward, terminated, _, info = env.step(env.codec.n_actions - 1)
        assert terminated and reward == 1.0 and info["is_success"]
        env.reset(seed=1)
        env.step(E + typed * F + 0)
        env.step(wrong)
        _, reward, terminated, _, info = env.step(env.codec.n_actions - 1)
        assert terminated and reward == -1.0 and not info["is_success"]
    finally:
        env.close()
