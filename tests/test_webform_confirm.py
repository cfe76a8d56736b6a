"""The password confirmation field of WebForm-v0 (MiniWoB++'s enter-password): the
generator option, success and failure, its encoding beside the bridge's, and parity
with headless Chromium."""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.envs.webform import Action, FormSimulator, WebFormEnv, preset_task
from teachgym.envs.webform.browser import (
    ChromiumSession,
    check_parity,
)
from teachgym.envs.webform.form import Form
from teachgym.envs.webform.miniwob_bridge import MiniWoBFormEnv
from teachgym.envs.webform.trajectories import form_of, trajectory_suite
from teachgym.envs.webform.vocabulary import CONFIRM_PASSWORD_SPEC
from tests.browser_marks import needs_chromium, needs_miniwob

LABELS = {CONFIRM_PASSWORD_SPEC.key, *CONFIRM_PASSWORD_SPEC.paraphrases}


def login_task(seed: int, **changes) -> dict:
    """Username and password, both asked, labelled with ``<label for>``."""
    task = {**preset_task("login"), "n_fields": 2, "required_fraction": 1.0}
    return {**task, "label_style": "label", "paraphrase": 0.0, "level_seed": seed, **changes}


def confirmed_form(seed: int = 3) -> Form:
    return form_of(login_task(seed), confirm_password=1.0)


def keys(form: Form) -> list[str]:
    return [f.key for f in form.fields]


def test_the_confirmation_follows_the_password_and_asks_for_the_same_value():
    form = confirmed_form()
    assert keys(form) == ["username", "password", "verify password"]
    password, verify = form.fields[1], form.fields[2]
    assert verify.value == verify.target == password.value and verify.ftype == "password"
    (inp,) = [e for e in form.elements if e.tag == "input" and e.control == password.control]
    (confirm,) = [e for e in form.elements if e.tag == "input" and e.control == verify.control]
    label = next(e for e in form.elements if e.label_for == verify.control)
    assert confirm.input_type == "password" and label.text == "Verify password"
    assert (confirm.page, confirm.row) == (inp.page, inp.row + 1) and label.row == confirm.row


def test_both_fields_with_the_password_succeed_and_a_mismatch_fails():
    form = confirmed_form()
    username, password, verify = (
        next(e.eid for e in form.elements if e.tag == "input" and e.control == f.control)
        for f in form.fields
    )
    same = [Action("type", username, 0), Action("type", password, 1), Action("type", verify, 2)]
    mismatches = [
        [*same[:2], Action("type", verify, 0)],  # the username in the confirmation
        [Action("type", username, 0), Action("type", password, 2), Action("type", verify, 0)],
        same[:2],  # the confirmation left empty
    ]
    assert form.oracle[-1] == Action("submit")
    for actions, succeeds in [(same, True), *((m, False) for m in mismatches)]:
        sim = FormSimulator(form)
        assert all(sim.apply(action) for action in [*actions, Action("submit")])
        assert sim.success() is succeeds


def test_the_option_is_off_by_default_and_adds_only_after_an_asked_password():
    for seed in range(20):
        task = login_task(seed, label_style="mixed", paraphrase=0.5, required_fraction=0.5)
        plain = form_of(task)
        assert plain == form_of(task, confirm_password=0.0)
        assert "verify password" not in keys(plain)
        confirmed = form_of(task, confirm_password=1.0)
        assert ("verify password" in keys(confirmed)) is ("password" in keys(plain))
        if "verify password" in keys(confirmed):  # labelled in one of its wordings
            control = confirmed.fields[keys(confirmed).index("verify password")].control
            (inp,) = [e for e in confirmed.elements if e.tag == "input" and e.control == control]
            beside = [e for e in confirmed.elements if (e.page, e.row) == (inp.page, inp.row)]
            assert {t.lower() for e in beside for t in (e.text, e.placeholder)} & LABELS
    huge = form_of(
        login_task(0, n_fields=20, field_types="all", theme="login"), confirm_password=1.0
    )
    assert len(huge.fields) <= 20


def test_env_confirm_password_option():
    env = WebFormEnv(task=login_task(0), confirm_password=1.0, fresh_values=True)
    for seed in range(3):
        _, info = env.reset(seed=seed)
        assert "verify password" in info["instruction"]
        fields = dict(f[:2] for f in env.form.fields)
        assert fields["verify password"] == fields["password"]
        for action in env.form.oracle:
            _, reward, terminated, _, info = env.step(env.encode_action(*action))
        assert terminated and info["is_success"] and reward > 0
    with pytest.raises(ValueError, match="confirm_password must be a probability"):
        WebFormEnv(confirm_password=1.5)


@needs_miniwob
def test_the_confirmation_encodes_as_the_bridge_encodes_enter_passwords_second_input():
    bridge = MiniWoBFormEnv(task={"miniwob_task": "enter-password"}, max_elements=20, max_fields=6)
    try:
        real, _ = bridge.reset(seed=0)
    finally:
        bridge.close()
    task = {**login_task(0), "required_fraction": 0.5, "n_distractors": 0}
    env = WebFormEnv(task=task, confirm_password=1.0, max_elements=20, max_fields=6)
    seed = next(s for s in range(50) if "verify" in env.reset(seed=s)[1]["instruction"])
    sim, _ = env.reset(seed=seed)
    for obs in (real, sim):
        assert obs["field_mask"].sum() == 2
    np.testing.assert_array_equal(real["field_key_tokens"], sim["field_key_tokens"])
    np.testing.assert_array_equal(real["field_features"], sim["field_features"])

    def rows(obs: dict) -> list[tuple]:
        """(text tokens, features but geometry, overlap) of the password inputs and labels."""
        n = int(obs["element_mask"].sum())
        keep = [e for e in range(n) if obs["overlap"][e, :2, :2].any()]
        return [
            (
                obs["element_tokens"][e].tolist(),
                obs["element_features"][e, :-4].tolist(),
                obs["overlap"][e, :2].tolist(),
            )
            for e in keep
        ]

    assert len(rows(real)) == 4 and rows(real) == rows(sim)


@needs_chromium
def test_confirm_password_parity_with_chromium():
    with ChromiumSession() as session:
        suite = trajectory_suite(6, seed=5, variant="confirm_password")
        assert sum("verify password" in keys(t.form) for t in suite) >= 3
        for trajectory in suite:
            report = check_parity(session, trajectory.form, trajectory.actions)
            assert report.agree, report.differences
        form = confirmed_form()
        username, password, verify = (
            next(e.eid for e in form.elements if e.tag == "input" and e.control == f.control)
            for f in form.fields
        )
        wrong = [Action("type", username, 0), Action("type", password, 1)]
        wrong += [Action("type", verify, 0), Action("submit")]
        assert check_parity(session, form, form.oracle).browser_success
        report = check_parity(session, form, wrong)
        assert report.agree and not report.browser_success
