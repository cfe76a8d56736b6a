"""Headless Chromium for the web-form family: a browser session, forms driven through
WebDriver, and the parity checker that compares the browser with the simulation.

Needs ``teachgym[web]`` (Selenium) and Debian's ``chromium`` and ``chromium-driver``
(``apt-get install chromium chromium-driver``; set ``TEACHGYM_CHROMIUM`` and
``TEACHGYM_CHROMEDRIVER`` for other locations). Selenium Manager never downloads a
browser here: both paths are given explicitly. Chromium runs headless with
``--no-sandbox --disable-gpu --disable-background-networking``, a fresh
``--user-data-dir`` per session and ``--lang=en-US`` (date inputs take keystrokes in
the locale's order: month, day, year).

How a simulator action becomes browser input (:meth:`BrowserForm.apply`): the
browser itself decides whether the action can happen. The element must be rendered,
lie entirely inside the viewport box (or the pop-up), and be the element the browser
finds at its centre (``elementFromPoint``: nothing covers it). Then ``click`` is a
WebDriver click; ``type`` needs an ``<input>`` whose type is not checkbox or radio
and that keeps the value under its own sanitisation, then clicks it, clears it and
types the keys; a click that opens a pop-up (its trigger input taking the focus) ends the ``type``
there, its keys lost; ``select`` needs a ``<select>`` with an option of that text and
picks it with Selenium's ``Select``; scrolling sets ``scrollTop`` of the viewport
box unless something covers it (the browser clamps it); ``submit`` calls the page's
``tgSubmitKey()``. A readonly input (a date picker's) takes no ``type``. The state
compared for parity includes which autocomplete suggestions and which calendar elements
are displayed, and the open calendar's title.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from teachgym.envs.webform.form import (
    ROW_PX,
    Action,
    Form,
    FormSimulator,
    calendar_part,
    is_success,
    is_suggestion,
    month_title,
)
from teachgym.envs.webform.html import render_html

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER_PATHS = ("/usr/bin/chromedriver",)
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--lang=en-US",
    "--window-size=640,2400",
)

_HIT = """
var el = document.getElementById(arguments[0]);
if (el === null || tg.submitted) { return null; }
var r = el.getBoundingClientRect();
if (r.width === 0 || r.height === 0) { return null; }
var boxId = el.closest('#overlay') === null ? 'viewport' : 'overlay';
var box = document.getElementById(boxId).getBoundingClientRect();
if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) { return null; }
var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
if (hit === null || !(hit === el || el.contains(hit))) { return null; }
var value = arguments[1];
var fits = false;
if (value !== null && el.tagName === 'INPUT' && el.type !== 'checkbox' && el.type !== 'radio'
    && !el.readOnly) {
  var probe = document.createElement('input');
  probe.type = el.type;
  probe.value = value;
  fits = probe.value === value;
}
var option = -1;
if (value !== null && el.tagName === 'SELECT') {
  for (var i = 1; i < el.options.length; i++) {
    if (el.options[i].text === value) { option = i; break; }
  }
}
return [el, el.tagName.toLowerCase(), el.type || '', fits, option];
"""
_SCROLL = """
if (tg.submitted) { return false; }
var vp = document.getElementById('viewport');
var r = vp.getBoundingClientRect();
var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
if (hit === null || !vp.contains(hit)) { return false; }
var before = vp.scrollTop;
vp.scrollTop = before + arguments[0];
return vp.scrollTop !== before;
"""
_STATE = """
var values = [];
arguments[0].forEach(function (control) {
  var kind = control[0], ids = control[1];
  if (kind === 'select') {
    values.push(document.getElementById(ids[0]).selectedIndex);
  } else if (kind === 'checkbox') {
    values.push(document.getElementById(ids[0] + '-input').checked ? 1 : 0);
  } else if (kind === 'flights') {
    values.push(tg.booked);
  } else if (kind === 'radio') {
    var v = -1;
    ids.forEach(function (id, i) {
      if (document.getElementById(id + '-input').checked) { v = i; }
    });
    values.push(v);
  } else {
    values.push(document.getElementById(ids[0]).value);
  }
});
var overlay = document.getElementById('overlay');
return {
  values: values,
  page: tg.page,
  popup_open: overlay !== null && getComputedStyle(overlay).display !== 'none',
  scroll: Math.round(document.getElementById('viewport').scrollTop / arguments[1]),
  submitted: tg.submitted,
  aborted: tg.aborted,
  suggestions: Array.from(document.querySelectorAll('.suggestion')).filter(function (a) {
    return getComputedStyle(a).display !== 'none';
  }).map(function (a) { return parseInt(a.id.slice(1), 10); }),
  calendar: Array.from(document.querySelectorAll('[data-cal]')).filter(function (el) {
    return getComputedStyle(el).display !== 'none';
  }).map(function (el) { return parseInt(el.id.slice(1), 10); }),
  month: tg.cal === null ? '' : document.querySelector(
    '[data-cal="title"][data-for="' + tg.cal.input + '"]').textContent
};
"""


def chromium_paths() -> tuple[str, str] | None:
    """(chromium, chromedriver) paths from the environment variables or Debian's places."""
    chromium = os.environ.get("TEACHGYM_CHROMIUM") or next(
        (p for p in CHROMIUM_PATHS if Path(p).exists()), None
    )
    driver = os.environ.get("TEACHGYM_CHROMEDRIVER") or next(
        (p for p in CHROMEDRIVER_PATHS if Path(p).exists()), None
    )
    if chromium is None or driver is None or not Path(chromium).exists():
        return None
    return (chromium, driver) if Path(driver).exists() else None


def chromium_unavailable_reason() -> str | None:
    """Why a Chromium session cannot start here, or ``None`` if it can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install 'teachgym[web]'"
    if chromium_paths() is None:
        return (
            f"Chromium or chromedriver not found (looked at {CHROMIUM_PATHS} and "
            f"{CHROMEDRIVER_PATHS}, or TEACHGYM_CHROMIUM / TEACHGYM_CHROMEDRIVER): "
            "apt-get install chromium chromium-driver"
        )
    return None


class ChromiumSession:
    """One headless Chromium driven by chromedriver, with a fresh profile directory.

    Use as a context manager (or call :meth:`close`); the profile directory is deleted.
    """

    def __init__(self) -> None:
        reason = chromium_unavailable_reason()
        if reason is not None:
            raise RuntimeError(f"cannot start Chromium: {reason}")
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        paths = chromium_paths()
        assert paths is not None
        self.directory = Path(tempfile.mkdtemp(prefix="teachgym-chromium-"))
        options = webdriver.ChromeOptions()
        options.binary_location = paths[0]
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={self.directory / 'profile'}"):
            options.add_argument(flag)
        try:
            self.driver = webdriver.Chrome(options=options, service=Service(paths[1]))
        except Exception:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise
        self._pages = 0

    def load(self, html: str) -> None:
        """Open ``html`` as a local file (no network)."""
        self._pages += 1
        path = self.directory / f"page{self._pages}.html"
        path.write_text(html, encoding="utf-8")
        self.driver.get(path.as_uri())

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> ChromiumSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def date_keys(iso_date: str) -> str:
    """Keystrokes that type ``YYYY-MM-DD`` into an en-US date input: ``MMDDYYYY``."""
    year, month, day = iso_date.split("-")
    return f"{month}{day}{year}"


class BrowserForm:
    """A form rendered and loaded in a :class:`ChromiumSession`, driven by simulator actions."""

    def __init__(self, session: ChromiumSession, form: Form) -> None:
        self.session, self.form = session, form
        self.driver: Any = session.driver
        session.load(render_html(form))

    def apply(self, action: Action) -> bool:
        """Carry ``action`` out in the browser; ``False`` if the browser would not allow it."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import Select

        kind = action.kind
        if kind in ("scroll_up", "scroll_down"):
            step = self.form.scroll_step * ROW_PX * (1 if kind == "scroll_down" else -1)
            return bool(self.driver.execute_script(_SCROLL, step))
        if kind == "submit":
            return bool(self.driver.execute_script("return tgSubmitKey();"))
        if kind not in ("click", "type", "select"):
            raise ValueError(f"unknown action kind {kind!r}")
        if not 0 <= action.element < len(self.form.elements):
            return False
        has_field = 0 <= action.field < len(self.form.fields)
        value = self.form.fields[action.field].value if has_field else None
        found = self.driver.execute_script(_HIT, f"e{action.element}", value)
        if found is None:
            return False
        element, tag, input_type, fits, option = found
        try:
            if kind == "click":
                element.click()
                return True
            if kind == "type":
                if not fits or value is None:
                    return False
                opened = self.driver.execute_script("return tgPopupOpen();")
                element.click()
                if not opened and self.driver.execute_script("return tgPopupOpen();"):
                    return True  # the click opened a pop-up: the keys go nowhere
                element.clear()
                element.send_keys(date_keys(value) if input_type == "date" else value)
                return True
            if tag != "select" or option < 1:
                return False
            Select(element).select_by_index(option)
            return True
        except WebDriverException:
            return False

    def state(self) -> dict[str, Any]:
        """Values of every control, page, pop-up, scroll row and submitted, read from the DOM."""
        controls = [[c.kind, [f"e{eid}" for eid in c.elements]] for c in self.form.controls]
        state: dict[str, Any] = self.driver.execute_script(_STATE, controls, ROW_PX)
        return state


def simulator_state(sim: FormSimulator) -> dict[str, Any]:
    """The simulator's counterpart of :meth:`BrowserForm.state`."""
    return {
        "values": list(sim.values),
        "page": sim.page,
        "popup_open": sim.popup_open,
        "scroll": sim.scroll,
        "submitted": sim.submitted,
        "aborted": sim.aborted,
        "suggestions": [
            e.eid for e in sim.form.elements if is_suggestion(e) and sim.displayed(e.eid)
        ],
        "calendar": [e.eid for e in sim.form.elements if calendar_part(e) and sim.displayed(e.eid)],
        "month": month_title(sim.shown_month()) if sim.calendar >= 0 else "",
    }


@dataclass
class ParityReport:
    """Outcome of replaying one action sequence in the simulator and in Chromium.

    ``agree`` is True when every action was possible in both or in neither, the states
    (control values, page, pop-up, scroll, submitted) matched after every action, and
    the final success matched. ``differences`` says where they first parted.
    """

    steps: int
    sim_success: bool
    browser_success: bool
    differences: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return not self.differences


def check_parity(session: ChromiumSession, form: Form, actions: Sequence[Action]) -> ParityReport:
    """Replay ``actions`` on ``form`` in the simulator and in Chromium and compare."""
    sim = FormSimulator(form)
    page = BrowserForm(session, form)
    differences: list[str] = []
    initial_browser, initial_sim = page.state(), simulator_state(sim)
    if initial_browser != initial_sim:
        differences.append(f"initial state: simulator {initial_sim} != browser {initial_browser}")
    steps = 0
    for index, action in enumerate(actions):
        if differences or sim.submitted:
            break
        sim_valid = sim.apply(action)
        browser_valid = page.apply(action)
        steps += 1
        if sim_valid != browser_valid:
            differences.append(
                f"step {index} {action}: possible in simulator={sim_valid}, browser={browser_valid}"
            )
        browser_state, sim_state = page.state(), simulator_state(sim)
        if browser_state != sim_state:
            differences.append(
                f"after step {index} {action}: simulator {sim_state} != browser {browser_state}"
            )
    final = page.state()
    browser_success = (
        bool(final["submitted"]) and not final["aborted"] and is_success(form, final["values"])
    )
    sim_success = sim.submitted and sim.success()
    if browser_success != sim_success:
        differences.append(f"success: simulator {sim_success} != browser {browser_success}")
    return ParityReport(steps, sim_success, browser_success, differences)
