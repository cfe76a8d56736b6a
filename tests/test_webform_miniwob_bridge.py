"""The MiniWoB++ bridge's encoding, typing, pop-ups, rewards and browser failures,
against a scripted stand-in for MiniWoB++'s Gymnasium env (no browser needed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from teachgym.envs.webform import WebFormEnv, preset_task
from teachgym.envs.webform.encoding import (
    CHECKED,
    COVERED,
    HAS_VALUE,
    IN_POPUP,
    INPUT_TYPES,
    ROLES,
    TAGS,
)
from teachgym.envs.webform.miniwob_bridge import (
    MiniWoBBrowserError,
    MiniWoBFormEnv,
    instruction_fields,
    typed_fields,
)
from teachgym.envs.webform.vocabulary import FIELD_TYPES

ROLE_COLUMN = {role: len(TAGS) + len(INPUT_TYPES) + i for i, role in enumerate(ROLES)}


def _element(ref: int, parent: int, tag: str, top: float, text: str = "", id_: str = "") -> dict:
    return {
        "ref": ref, "parent": parent, "tag": tag, "text": text, "value": "", "id": id_,
        "classes": "", "left": np.array([4.0]), "top": np.array([top]),
        "width": np.array([100.0]), "height": np.array([20.0]),
        "flags": np.array([0, 0, 0, int(tag in ("label", "t", "button"))]),
    }  # fmt: skip


class FakeMiniWoB:
    """``login-user`` as MiniWoB++ serves it: labels above two inputs and a Login button.

    Typing appends to the focused input unless its text is selected (``C-a``), as in a
    browser; with ``popup`` the username input's focus opens a pop-up with OK (ends the
    episode as a failure) and Cancel (closes it). ``crash_at`` makes that step call fail
    like a dead browser: ``"raise"`` raises, ``"died"`` sets miniwob's ``died`` flag.
    """

    def __init__(self, popup: bool = False, crash_at: int = -1, crash: str = "raise") -> None:
        self.popup, self.crash_at, self.crash = popup, crash_at, crash
        self.unwrapped = self
        self.action_space_config = type("Config", (), {"allowed_keys": ("a", "C-a")})()
        self.instance = type("Instance", (), {"died": False, "threading": False})()
        self.calls, self.closed = 0, False
        self.username, self.password = "cheree", "AlW"

    def create_action(self, action_type: str, **kwargs: Any) -> dict[str, Any]:
        return {"action_type": action_type, **kwargs}

    def reset(self, seed: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        self.values = {3: "", 5: ""}
        self.focus, self.selected, self.popup_open, self.popup_shown = 0, False, False, False
        return self._observation(), {}

    def _observation(self) -> dict[str, Any]:
        dom = [
            _element(1, 0, "div", 0, id_="wrap"),
            _element(2, 1, "div", 50, id_="area"),
            _element(10, 2, "div", 50, id_="form"),
            _element(4, 10, "label", 62, "Username"),
            _element(3, 10, "input_text", 78),
            _element(6, 10, "label", 114, "Password"),
            _element(5, 10, "input_password", 130),
            _element(7, 10, "button", 166, "Login"),
        ]
        for e in dom:
            e["value"] = self.values.get(e["ref"], "")
            e["flags"][0] = int(e["ref"] == self.focus)
        if self.popup_open:
            dom += [
                _element(20, 2, "div", 60, id_="popup"),
                _element(21, 20, "t", 62, "Your session is about to expire."),
                _element(22, 20, "button", 100, "OK"),
                _element(23, 20, "button", 100, "Cancel"),
            ]
        utterance = (
            f'Enter the username "{self.username}" and the password "{self.password}" '
            "into the text fields and press login."
        )
        fields = [("username", self.username), ("password", self.password)]
        return {"utterance": utterance, "fields": fields, "dom_elements": dom}

    def step(self, action: dict[str, Any]) -> tuple[dict[str, Any], float, bool, bool, dict]:
        self.calls += 1
        if self.calls == self.crash_at:
            if self.crash == "raise":
                raise ConnectionResetError("chromedriver went away")
            self.instance.died = True
            return {}, -1.0, True, False, {}
        kind, done, raw = action["action_type"], False, 0.0
        if kind == "CLICK_ELEMENT":
            ref = action["ref"]
            if ref == 22 and self.popup_open:
                done, raw = True, -1.0
            elif ref == 23 and self.popup_open:
                self.popup_open = False
            elif not self.popup_open:
                self.focus, self.selected = ref, False
                if ref == 3 and self.popup and not self.popup_shown:
                    self.popup_open = self.popup_shown = True
                if ref == 7:
                    ok = self.values == {3: self.username, 5: self.password}
                    done, raw = True, 1.0 if ok else -1.0
        elif kind == "PRESS_KEY":
            self.selected = self.action_space_config.allowed_keys[action["key"]] == "C-a"
        elif kind == "TYPE_TEXT" and self.focus in self.values and not self.popup_open:
            old = "" if self.selected else self.values[self.focus]
            self.values[self.focus] = old + action["text"]
            self.selected = False
        env_reward = raw * 0.8 if raw > 0 else raw
        info = {"raw_reward": raw, "env_reward": env_reward, "reason": None}
        return ({} if done else self._observation()), env_reward, done, False, info

    def close(self) -> None:
        self.closed = True


def bridge(**kwargs: Any) -> tuple[MiniWoBFormEnv, list[FakeMiniWoB]]:
    made: list[FakeMiniWoB] = []
    fake_kwargs = {k: kwargs.pop(k) for k in ("popup", "crash_at", "crash") if k in kwargs}

    def make(subdomain: str) -> FakeMiniWoB:
        made.append(FakeMiniWoB(**fake_kwargs))
        fake_kwargs.pop("crash_at", None)  # only the first browser fails
        return made[-1]

    return MiniWoBFormEnv(make_env=make, **kwargs), made


def _type(env: MiniWoBFormEnv, slot: int, field: int) -> int:
    return env.codec.E + slot * env.codec.F + field


SUBMIT = 12 + 2 * 12 * 3 + 2


def test_typing_twice_replaces_the_value_as_in_the_simulator():
    env, _ = bridge()
    obs, _ = env.reset(seed=0)
    for _ in range(2):
        obs, *_ = env.step(_type(env, 1, 0))
    assert obs["overlap"][1, 0, 3] == 1.0  # holds exactly the username, not it twice
    env.step(_type(env, 3, 1))
    _, reward, terminated, _, info = env.step(SUBMIT)
    assert terminated and reward == 1.0 and info["is_success"]


def test_popup_is_encoded_as_the_simulator_encodes_its_own():
    env, _ = bridge(popup=True)
    env.reset(seed=0)
    obs, *_ = env.step(_type(env, 1, 0))  # the focus opens the pop-up; nothing is typed
    texts = [str(e["text"]) for e in env._elements]
    assert texts[:3] == ["Your session is about to expire.", "OK", "Cancel"]
    sim = WebFormEnv(task={**preset_task("login"), "popup": True}, max_elements=12, max_fields=3)
    sim_obs, _ = sim.reset(seed=0)
    close = int(np.flatnonzero(sim_obs["element_features"][:, ROLE_COLUMN["close"]])[0])
    assert sim_obs["element_features"][close, IN_POPUP] == 1.0
    for observation, close_slot in ((sim_obs, close), (obs, 2)):
        features = observation["element_features"]
        assert observation["status"][2] == 1.0
        assert features[close_slot, ROLE_COLUMN["close"]] == 1.0
        assert features[close_slot, IN_POPUP] == 1.0 and features[close_slot, COVERED] == 0.0
    features = obs["element_features"]
    assert features[1, ROLE_COLUMN["submit"]] == 0.0  # the pop-up's OK is no submit button
    assert features[3:8, COVERED].all() and not features[3:8, IN_POPUP].any()
    mask = env.action_masks()
    assert mask[2] and not mask[3:12].any() and not mask[SUBMIT]
    obs, *_ = env.step(2)  # Cancel
    assert obs["status"][2] == 0.0 and obs["overlap"][1, 0, 3] == 0.0
    for action in (_type(env, 1, 0), _type(env, 3, 1), SUBMIT):
        _, _, terminated, _, info = env.step(action)
    assert terminated and info["is_success"]


@pytest.mark.parametrize(
    ("utterance", "fields"),
    [
        (
            'Enter the password "EA" into both text fields and press submit.',
            [("password", "EA"), ("verify password", "EA")],
        ),
        ('Enter "Marcella" into the text field and press Submit.', [("text", "Marcella")]),
        ("Something else.", [("target", "x")]),
    ],
)
def test_target_fields_are_keyed_by_what_the_utterance_names(utterance, fields):
    assert instruction_fields(utterance, [("target", fields[0][1])]) == fields


def test_login_fields_are_kept():
    fields = [("username", "a"), ("password", "b")]
    assert instruction_fields('the password "b" into both text fields', fields) == fields


@pytest.mark.parametrize(("mode", "expected"), [("binary", 1.0), ("time-decayed", 0.8)])
def test_binary_reward_by_default_and_miniwob_time_decay_as_an_option(mode, expected):
    env, _ = bridge(reward=mode)
    env.reset(seed=0)
    for action in (_type(env, 1, 0), _type(env, 3, 1), SUBMIT):
        _, reward, *_ = env.step(action)
    assert reward == pytest.approx(expected)


def test_unknown_reward_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="reward must be one of"):
        bridge(reward="shaped")


@pytest.mark.parametrize("crash", ["raise", "died"])
def test_crashed_browser_is_reported_and_replaced_at_the_next_reset(crash):
    env, made = bridge(crash_at=4, crash=crash)
    env.reset(seed=0)
    env.step(_type(env, 1, 0))  # three browser calls
    with pytest.raises(MiniWoBBrowserError, match="reset\\(\\) starts a new one"):
        env.step(_type(env, 3, 1))
    with pytest.raises(RuntimeError, match="reset"):
        env.step(SUBMIT)
    assert len(made) == 1
    env.reset(seed=1)
    assert len(made) == 2  # a new browser
    for action in (_type(env, 1, 0), _type(env, 3, 1), SUBMIT):
        _, reward, terminated, _, _ = env.step(action)
    assert terminated and reward == 1.0
    env.close()
    assert made[1].closed and not made[0].closed  # the dead one is dropped, not waited on


@pytest.mark.parametrize(
    ("utterance", "fields", "expected"),
    [
        (
            "Enter 07/26/2017 as the date and hit submit.",
            [("target", "07/26/2017")],
            [("date", "2017-07-26", "date")],
        ),
        (
            "Select Ecuador from the list and click Submit.",
            [("target", "Ecuador")],
            [("item", "Ecuador", "select")],
        ),
        ("Select 8wB and click Submit.", [("target", "8wB")], [("option", "8wB", "radio")]),
        (
            "Select 91YPF, nd7Qt and click Submit.",
            [("target 0", "91YPF"), ("target 1", "nd7Qt"), ("button", "submit")],
            [("91YPF", "yes", "checkbox"), ("nd7Qt", "yes", "checkbox")],
        ),
        ("Select nothing and click Submit.", [("button", "submit")], []),
        (
            'Enter the username "a" and the password "b" into the text fields and press login.',
            [("username", "a"), ("password", "b")],
            [("username", "a", "text"), ("password", "b", "password")],
        ),
    ],
)
def test_miniwob_fields_get_webform_keys_values_and_types(utterance, fields, expected):
    assert typed_fields(utterance, fields) == expected


class FakeCheckboxes(FakeMiniWoB):
    """``click-checkboxes``: three labels each wrapping a checkbox and a text; the
    instruction asks for the first and the last."""

    NAMES = ("91YPF", "i6Vd", "nd7Qt")

    def reset(self, seed: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        self.checked = {11: False, 21: False, 31: False}
        return self._observation(), {}

    def _observation(self) -> dict[str, Any]:
        dom = [_element(1, 0, "div", 0, id_="wrap"), _element(2, 1, "div", 50, id_="area")]
        for i, name in enumerate(self.NAMES):
            label, box = 10 * (i + 1), 10 * (i + 1) + 1
            dom.append(_element(label, 2, "label", 55 + 20 * i))
            dom.append(_element(box, label, "input_checkbox", 55 + 20 * i))
            dom.append(_element(-1 - i, label, "t", 55 + 20 * i, name))
            dom[-2]["value"] = "True" if self.checked[box] else ""
            dom[-2]["flags"][3] = 1
        dom.append(_element(40, 2, "button", 120, "Submit"))
        fields = [("target 0", "91YPF"), ("target 1", "nd7Qt"), ("button", "submit")]
        utterance = "Select 91YPF, nd7Qt and click Submit."
        return {"utterance": utterance, "fields": fields, "dom_elements": dom}

    def step(self, action: dict[str, Any]) -> tuple[dict[str, Any], float, bool, bool, dict]:
        ref = action.get("ref")
        if ref in self.checked:
            self.checked[ref] = not self.checked[ref]
        if ref == 40:
            raw = 1.0 if self.checked == {11: True, 21: False, 31: True} else -1.0
            return {}, raw, True, False, {"raw_reward": raw, "reason": None}
        return self._observation(), 0.0, False, False, {"raw_reward": 0.0}


def test_checkboxes_in_labels_are_encoded_as_the_simulator_draws_them():
    env = MiniWoBFormEnv(
        task={"miniwob_task": "click-checkboxes"}, make_env=lambda _: FakeCheckboxes()
    )
    obs, _ = env.reset(seed=0)
    assert [str(e["text"]) for e in env._elements] == [*FakeCheckboxes.NAMES, "Submit"]
    features = obs["element_features"]
    checkbox = len(TAGS) + INPUT_TYPES.index("checkbox")
    assert features[:3, TAGS.index("label")].all() and features[:3, checkbox].all()
    assert obs["field_mask"].sum() == 2 and obs["overlap"][[0, 2], [0, 1], 0].tolist() == [1, 1]
    assert obs["field_features"][0, FIELD_TYPES.index("checkbox")] == 1.0
    obs, *_ = env.step(0)  # a click on the label is a click on its checkbox
    assert obs["element_features"][0, CHECKED] == 1.0 and obs["element_features"][0, HAS_VALUE] == 0
    assert not obs["element_value_tokens"][0].any()
    env.step(2)
    _, reward, terminated, _, info = env.step(SUBMIT)
    assert terminated and reward == 1.0 and info["is_success"]
