"""The web family in headless Chromium: HTML escaping, parity with the simulation.

Skipped with the reason when Selenium, Chromium or chromedriver is missing (CI
installs them: see ``.ci/run``). The 200-trajectory parity run is a benchmark:
``python benchmarks/webform_parity.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from teachgym.envs.webform import Action, generate_form, preset_task
from teachgym.envs.webform import browser as browser_module
from teachgym.envs.webform.browser import (
    BrowserForm,
    ChromiumSession,
    check_parity,
    chromium_unavailable_reason,
    date_keys,
)
from teachgym.envs.webform.trajectories import trajectory_suite
from tests.browser_marks import needs_chromium

PWN = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>" onfocus=\'x\''


@pytest.fixture(scope="module")
def session():
    with ChromiumSession() as chromium:
        yield chromium


def test_missing_chromium_is_reported_with_the_fix(monkeypatch):
    monkeypatch.setenv("TEACHGYM_CHROMIUM", "/nonexistent/chromium")
    reason = chromium_unavailable_reason()
    assert reason is not None and "apt-get install chromium chromium-driver" in reason
    with pytest.raises(RuntimeError, match="cannot start Chromium"):
        ChromiumSession()
    assert date_keys("2025-03-19") == "03192025"


@needs_chromium
def test_parity_on_presets_and_random_trajectories(session):
    suite = trajectory_suite(4, seed=11)
    assert {t.kind for t in suite} == {"oracle", "perturbed", "random"}
    for trajectory in suite:
        report = check_parity(session, trajectory.form, trajectory.actions)
        assert report.agree, report.differences
        assert report.steps > 0
    assert any(check_parity(session, t.form, t.form.oracle).sim_success for t in suite[:1])


@needs_chromium
def test_parity_checker_reports_a_page_that_differs(session, monkeypatch):
    task = {**preset_task("login"), "viewport_rows": 4, "n_distractors": 10}
    form = generate_form(task, np.random.default_rng(0))
    tampered = form.__class__(
        form.elements, form.controls, form.fields, form.page_rows, 6, form.popup, form.oracle
    )
    real_render = browser_module.render_html
    monkeypatch.setattr(browser_module, "render_html", lambda f, sim=None: real_render(tampered))
    report = check_parity(session, form, [Action("scroll_down")] * 6)
    assert not report.agree and "step" in report.differences[0]  # the browser stops earlier


@needs_chromium
def test_hostile_label_text_stays_text_in_the_browser(session):
    form = generate_form(
        {**preset_task("search"), "label_style": "label", "popup": True},
        np.random.default_rng(1),
    )
    elements = tuple(
        e if e.tag in ("input", "select") else e._replace(text=PWN + e.text) for e in form.elements
    )
    fields = tuple(f._replace(key=PWN + f.key) for f in form.fields)
    hostile = form.__class__(
        elements, form.controls, fields, form.page_rows, form.viewport_rows, form.popup, form.oracle
    )
    page = BrowserForm(session, hostile)
    driver = page.driver
    assert driver.execute_script("return window.pwned === undefined")
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0
    for e in hostile.elements:
        if e.tag in ("input", "select"):
            continue
        shown = driver.execute_script(
            "return document.getElementById(arguments[0]).textContent.trim()", f"e{e.eid}"
        )
        assert shown == e.text.strip()
    instruction = driver.execute_script("return document.getElementById('instruction').textContent")
    assert instruction == hostile.instruction_text()


@needs_chromium
def test_parity_of_unlabelled_inputs_and_confirmation_popups(session):
    suite = trajectory_suite(9, seed=4, variant="miniwob")
    for trajectory in suite:
        report = check_parity(session, trajectory.form, trajectory.actions)
        assert report.agree, report.differences
    form = next(t.form for t in suite if t.form.popup_trigger >= 0)
    harmful = next(e for e in form.elements if e.role == "abort")
    trigger = form.elements[form.popup_trigger]
    index = next(i for i, f in enumerate(form.fields) if f.control == trigger.control)
    opened = [Action("type", trigger.eid, index)]
    report = check_parity(session, form, [*opened, Action("click", harmful.eid)])
    assert report.agree and not report.browser_success  # the harmful button fails the form
    page = BrowserForm(session, form)
    page.apply(opened[0])
    assert page.state()["popup_open"] and page.state()["values"][trigger.control] == ""
    assert check_parity(session, form, form.oracle).browser_success
