"""MiniWoB++ form tasks through the web-form family's observation and action encoding.

``MiniWoBFormEnv`` runs a real MiniWoB++ task (``pip install miniwob``; Debian's
``chromium`` and ``chromium-driver``) and presents it exactly as
:class:`~teachgym.envs.webform.WebFormEnv` presents its simulated forms: the same
padded ``Dict`` observation (built by :class:`~.encoding.WebFormCodec`) and the same
flat actions with a mask. A policy trained on ``WebForm-v0`` can therefore be
evaluated zero-shot on pages nobody here wrote, and the MiniWoB++ task list is the
categorical task space ``miniwob_task`` for a teacher.

Mapping (MiniWoB++, Liu et al., ICLR 2018; docs/references.md [liu2018miniwob]: DOM
elements with ref, parent, geometry, tag,
text, value, id, classes, flags; key/value fields extracted from the utterance):

- elements: the visible leaves and the controls (``input``, ``button``, ``select``,
  ``textarea``, ``a``) inside ``#area`` (the task area below the instruction), in
  DOM order; text pseudo-elements become ``span``; a checkbox or radio button inside
  a ``<label>`` and the label's text are one ``label`` element of that input type, as
  WebForm-v0 draws them (checked when miniwob gives its value as ``True``); a select's
  options and chosen option, which miniwob's DOM lacks, are read from the page;
  an element's *context* is the
  closest text to its left on the same line or just above it (MiniWoB++ forms put
  labels above inputs, WebForm-v0 to their left);
- a pop-up (``#popup`` inside the task area, as ``login-user-popup`` opens when an
  input takes the focus) is encoded as WebForm-v0 encodes its own: its elements come
  first with the in-pop-up flag, the page's elements are flagged as covered, the
  status says a pop-up is open, and its dismiss button (Cancel, Close, ...) gets the
  ``close`` role; the pop-up's OK button never gets the ``submit`` role;
- an autocomplete list (jQuery UI's ``ul.ui-autocomplete``, which ``use-autocomplete``
  shows outside ``#area``): its items (``div.ui-menu-item-wrapper``) are ``a``
  elements with the ``suggestion`` class, after the page's, as WebForm-v0 draws its
  suggestions; the input (``ui-autocomplete-input``) gets WebForm-v0's autocomplete
  classes; for the ``start`` and ``end`` fields the value overlap of a suggestion is
  whether its text starts / ends with the field's value, and an input holds them when
  its value does; ``use-autocomplete`` opens the list 300 ms after the typing (jQuery
  UI's default ``delay``), so after a ``type`` into an autocomplete input the bridge
  waits until the list shows, at most :data:`SUGGESTION_WAIT_S`, and observes again
  (WebForm-v0's list opens with the typing, as ``-nodelay``'s does);
- a date picker (jQuery UI's ``#ui-datepicker-div``, which ``choose-date`` shows outside
  ``#area`` once its readonly input, class ``hasDatepicker``, is clicked) is drawn as
  WebForm-v0 draws its calendar, after the page's elements: the enabled ``Prev`` /
  ``Next`` links (a disabled one, at the end of the range, is left out, as WebForm-v0
  hides it), the title as a ``span`` whose value is ``Month YYYY``, and the day links
  (the weekday header and empty cells are left out); the input gets WebForm-v0's
  ``datepicker`` classes and takes no ``type``; for a ``date`` field the value overlap
  of a calendar element is WebForm-v0's hint (:func:`~.encoding.calendar_hint`): its
  day, its month's title, the way to its month (a calendar needs about 40 element
  slots: ``max_elements=40``);
- ``book-flight``: the Search button gets the ``next`` role (it shows the results, as
  WebForm-v0's Search does), a Book button none (WebForm-v0's ``book`` role is not
  shown), and for the ``flight`` field the value overlap of the cheapest / shortest
  flight's Book button is 1 (prices and durations read from the results); its
  suggestions (jQuery UI's default matcher: those containing the typed text) get
  WebForm-v0's ``suggestion contains`` classes, and an autocomplete input holds a
  ``from`` / ``to`` field when its value contains it and is not just the typed text (a
  picked airport name), as ``book-flight`` checks (about 64 element slots hold a page);
- a page button (not in a pop-up) whose text is a submit word (submit, login,
  search, ok, ...) gets the ``submit`` role; the flat ``submit`` action clicks it;
- instruction fields: MiniWoB++'s own extraction, keyed and typed as WebForm-v0
  keys and types its fields (:func:`typed_fields`): a ``target`` value is keyed by
  what the utterance says it goes into (``text``, ``password`` plus ``verify
  password``, ``date`` with an ISO value, a select's ``item``, a radio ``option``),
  and each checkbox to select is a ``yes`` field keyed by its name;
- ``click(e)`` is ``CLICK_ELEMENT``; ``type(e, f)`` replaces the input's value as
  WebForm-v0 does: ``CLICK_ELEMENT``, ``PRESS_KEY C-a``, ``TYPE_TEXT`` (MiniWoB++'s
  typing alone appends), into a date input ``CLICK_ELEMENT`` and the en-US
  keystrokes ``MMDDYYYY``; ``select(e, f)`` picks the option whose text is the
  field's value with WebDriver's ``Select``, as :mod:`.browser` does (miniwob has
  no action for it), then observes with miniwob's ``NONE`` action; scrolling has
  no counterpart (masked);
- reward (``reward="binary"``, the published standard): +1 if MiniWoB++'s raw
  reward is positive at the end, else -1; ``reward="time-decayed"``: MiniWoB++'s
  own reward (a success scaled down by the time it took), -1 on truncation;
- time: MiniWoB++ ends an episode itself when the task's time limit passes
  (``core.EPISODE_MAX_TIME``: 10 s by default, 15 s on ``enter-password`` and
  ``login-user-popup``, 20 s on ``enter-date``; ``reset`` reports it as
  ``info["time_limit_s"]``), which counts as a failure with the reason ``timed out``;
  ``time_limit=False`` lifts it (a deviation from MiniWoB++, for tests and machines too
  loaded to play in time: the outcome then does not depend on the browser's speed);
  the bridge also truncates after ``max_steps`` actions;
- a browser that crashes or stops answering raises :class:`MiniWoBBrowserError`
  (the episode is lost); the next ``reset()`` starts a new browser.

This env is not registered in the catalog (it needs a browser and about 1 GB per
instance); build it directly. One MiniWoB++ instance is open at a time: changing the
task closes the previous one.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from teachgym.envs.task_env import TaskEnv
from teachgym.envs.webform.browser import chromium_paths, chromium_unavailable_reason, date_keys
from teachgym.envs.webform.encoding import (
    CHECKED,
    COVERED,
    FOCUSED,
    GEOMETRY,
    HAS_VALUE,
    IN_POPUP,
    IN_VIEWPORT,
    INPUT_TYPES,
    N_ELEMENT_FEATURES,
    N_OVERLAP,
    ROLES,
    TAGS,
    WebFormCodec,
    calendar_hint,
)
from teachgym.envs.webform.form import MONTH_NAMES, input_accepts
from teachgym.envs.webform.vocabulary import FIELD_TYPES, word_set
from teachgym.tasks import Categorical, Task, TaskSpace

MINIWOB_FORM_TASKS = (
    "login-user",
    "enter-text",
    "enter-password",
    "login-user-popup",
    "enter-date",
    "click-option",
    "click-checkboxes",
    "choose-list",
    "use-autocomplete",
    "use-autocomplete-nodelay",
    "choose-date-easy",
    "choose-date-medium",
    "choose-date",
    "choose-date-nodelay",
    "book-flight",
    "book-flight-nodelay",
)
"""MiniWoB++ tasks whose instruction is key/value fields filled by typing, clicking and
picking options."""
SUBMIT_WORDS = frozenset({"submit", "login", "log", "search", "sign", "book", "ok", "send"})
CLOSE_WORDS = frozenset({"cancel", "close", "dismiss", "no"})
"""Words of a pop-up button that dismisses the pop-up (its ``close`` role)."""
REWARDS = ("binary", "time-decayed")
_BOTH_FIELDS = re.compile(r'password "(.*)" into both text fields')
_TEXT_FIELD = re.compile(r'"(.*)" into the text field')
_AS_DATE = re.compile(r"Enter (.*) as the date")
_FROM_LIST = re.compile(r"Select (.*) from the list")
_PICK_DATE = re.compile(r"Select ([0-9]{2}/[0-9]{2}/[0-9]{4}) as the date")
_SELECT = re.compile(r"Select (.*) and click Submit")
_US_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
TASK_AREA_PX = 160.0
"""Width (and the height below the instruction) of MiniWoB++'s task area in pixels."""
_TEXT_LIKE_INPUTS = frozenset({"text", "password", "email", "number", "date", "tel", "search"})
_CHOICE_TAGS = frozenset({"input_checkbox", "input_radio"})
_OPTIONS = """
var el = document.querySelector('[data-wob_ref="' + arguments[0] + '"]');
if (el === null || el.tagName !== 'SELECT') { return null; }
return [Array.from(el.options).map(function (o) { return o.text; }), el.selectedIndex];
"""
_TIME_LIMIT = "return core.EPISODE_MAX_TIME;"
_NO_TIME_LIMIT_MS = 2**31 - 1
"""The longest delay a browser timer takes (about 24.8 days): a time limit never reached."""
_LIFT_TIME_LIMIT = f"""
if (typeof core === 'undefined') {{ return; }}
core.EPISODE_MAX_TIME = {_NO_TIME_LIMIT_MS};
if (arguments[0] && core.EP_TIMER !== null) {{
  clearTimeout(core.EP_TIMER);
  core.EP_TIMER = setTimeout(function () {{ core.endEpisode(-1, false, 'timed out'); }},
                             {_NO_TIME_LIMIT_MS});
}}
"""
"""Lifts the page's time limit: for the episodes to come (``arguments[0]`` false) or also
for the running one (true), whose timer is started again with the longest delay."""
_LIST_SHOWN = """
return Array.from(document.querySelectorAll('ul.ui-autocomplete')).some(
    function (ul) { return ul.offsetParent !== null && ul.children.length > 0; });
"""
SUGGESTION_WAIT_S = 1.0
"""Longest wait (seconds) for an autocomplete list to open after typing."""
_POLL_S = 0.05


def miniwob_unavailable_reason() -> str | None:
    """Why MiniWoB++ cannot run here, or ``None`` if it can."""
    reason = chromium_unavailable_reason()
    if reason is not None:
        return reason
    try:
        import miniwob  # noqa: F401  (only checks that it is installed)
    except ImportError:
        return "miniwob is not installed: pip install 'teachgym[miniwob]'"
    return None


class MiniWoBBrowserError(RuntimeError):
    """The MiniWoB++ browser crashed or stopped answering; ``reset()`` starts a new one."""


def instruction_fields(utterance: str, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """MiniWoB++'s extracted ``(key, value)`` fields, keyed as WebForm-v0 keys them.

    A ``target`` value gets the key the utterance names (see the module docstring);
    every other field is kept as extracted.
    """
    return [(key, value) for key, value, _ in typed_fields(utterance, fields)]


def keys_of(fields: list[tuple[str, str]]) -> list[str]:
    """The keys of MiniWoB++'s extracted fields, in order."""
    return [key for key, _ in fields]


def typed_fields(utterance: str, fields: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """MiniWoB++'s extracted fields as WebForm-v0 fields ``(key, value, field type)``.

    - ``enter-password``'s password into both fields: ``password`` and
      ``verify password``; ``enter-text``'s value: ``text``;
    - ``enter-date``'s ``MM/DD/YYYY``: ``date`` with the ISO value WebForm-v0 types
      (``YYYY-MM-DD``);
    - ``book-flight``'s criterion, from, to and date: WebForm-v0's ``book_flight_miniwob``
      fields ``from``, ``to``, ``departure date`` (``MM/DD/YYYY``) and ``flight``
      (``cheapest`` or ``shortest``);
    - ``choose-date``'s ``MM/DD/YYYY`` (miniwob extracts month, day and year): one
      ``date`` field of that value, as WebForm-v0's date picker asks for it;
    - ``choose-list``'s item: ``item``, a select field; ``click-option``'s option:
      ``option``, a radio field;
    - ``click-checkboxes``' ``target i`` names: one checkbox field per name, keyed by
      the name with the value ``yes`` (WebForm-v0 keys a checkbox by its label), and
      the extractor's ``button: submit`` dropped;
    - any other field keeps its key, typed ``password`` if its key says so, else ``text``.
    """
    if keys_of(fields) == ["criterion", "from", "to", "date"]:  # book-flight
        values = dict(fields)
        return [
            ("from", values["from"], "text"),
            ("to", values["to"], "text"),
            ("departure date", values["date"], "date"),
            ("flight", values["criterion"], "radio"),
        ]
    picked = _PICK_DATE.search(utterance)
    if picked is not None:  # choose-date: miniwob splits the date into month, day, year
        return [("date", picked.group(1), "date")]
    keys = [key for key, _ in fields]
    if keys == ["target"]:
        value = fields[0][1]
        if _BOTH_FIELDS.search(utterance):
            return [("password", value, "password"), ("verify password", value, "password")]
        if _TEXT_FIELD.search(utterance):
            return [("text", value, "text")]
        date = _US_DATE.fullmatch(value)
        if _AS_DATE.search(utterance) and date is not None:
            month, day, year = date.groups()
            return [("date", f"{year}-{month}-{day}", "date")]
        if _FROM_LIST.search(utterance):
            return [("item", value, "select")]
        if _SELECT.search(utterance):
            return [("option", value, "radio")]
    if keys and all(key.startswith("target ") or key == "button" for key in keys):
        return [(value, "yes", "checkbox") for key, value in fields if key != "button"]
    return [(key, value, "password" if "password" in key else "text") for key, value in fields]


def _area_elements(dom: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Visible leaves and controls inside ``#area``: the pop-up's first, then the page's,
    each in DOM order; every one is a copy with ``in_popup`` set."""
    by_ref = {int(e["ref"]): e for e in dom}
    area_refs = {int(e["ref"]) for e in dom if e["id"] == "area"}
    menu_refs = {int(e["ref"]) for e in dom if "ui-autocomplete" in str(e["classes"]).split()}
    popup_refs = {int(e["ref"]) for e in dom if e["id"] == "popup"}

    def ancestors(element: dict[str, Any]) -> set[int]:
        found, parent = set(), int(element["parent"])
        while parent and parent not in found:
            found.add(parent)
            parent = int(by_ref[parent]["parent"]) if parent in by_ref else 0
        return found

    boxes: dict[int, list[dict[str, Any]]] = {}  # label ref -> its checkbox or radio
    for e in dom:
        parent = by_ref.get(int(e["parent"]))
        in_label = parent is not None and str(parent["tag"]).lower() == "label"
        if str(e["tag"]).lower() in _CHOICE_TAGS and in_label:
            boxes.setdefault(int(e["parent"]), []).append(e)
    captions: dict[int, list[str]] = {ref: [] for ref, inside in boxes.items() if len(inside) == 1}
    for e in dom:
        if str(e["tag"]).lower() == "t" and int(e["parent"]) in captions:
            captions[int(e["parent"])].append(str(e["text"]).strip())
    merged = {int(inside[0]["ref"]): " ".join(captions[ref]) for ref, inside in boxes.items()
              if ref in captions}  # fmt: skip
    popup: list[dict[str, Any]] = []
    page: list[dict[str, Any]] = []
    menu: list[dict[str, Any]] = []
    for e in dom:
        tag = str(e["tag"]).lower()
        if tag == "t" and int(e["parent"]) in captions:
            continue  # the caption of a checkbox or radio button: merged into it
        control = tag.startswith(("input", "button", "select", "textarea", "a"))
        leaf = bool(e["flags"][3]) and bool(str(e["text"]).strip())
        above = ancestors(e)
        if leaf and float(e["width"][0]) > 0 and above & menu_refs:
            menu.append({**e, "in_popup": False, "suggestion": True})
        elif (control or leaf) and float(e["width"][0]) > 0 and above & area_refs:
            in_popup = bool(above & popup_refs)
            extra: dict[str, Any] = {"in_popup": in_popup}
            if int(e["ref"]) in merged:
                extra.update(text=merged[int(e["ref"])], in_label=True)
            (popup if in_popup else page).append({**e, **extra})
    _mark_flights(dom, page)
    if any(e["id"] == "menu" for e in dom):  # book-flight: jQuery UI's default matcher
        menu = [{**e, "contains": True} for e in menu]
    return popup + page + menu + _calendar_elements(dom)


_DURATION = re.compile(r"([0-9]+)h ([0-9]+)m")


def _mark_flights(dom: list[dict[str, Any]], page: list[dict[str, Any]]) -> None:
    """``book-flight``: mark each Book button (``flight-price``) with its flight's price
    and duration in minutes, and the Search button (``#search`` in ``#menu``) as the
    ``next`` button (it shows the results, as WebForm-v0's Search does)."""
    by_ref = {int(e["ref"]): e for e in dom}
    if not any(e["id"] in ("menu", "results") for e in dom):  # not book-flight's pages
        return

    def flight_of(element: dict[str, Any]) -> int:
        parent = int(element["parent"])
        while parent in by_ref:
            if "flight" in str(by_ref[parent]["classes"]).split():
                return parent
            parent = int(by_ref[parent]["parent"])
        return -1

    minutes: dict[int, int] = {}
    for e in dom:
        found = _DURATION.fullmatch(str(e["text"]).strip())
        if "time-duration" in str(e["classes"]).split() and found is not None:
            minutes[flight_of(e)] = 60 * int(found.group(1)) + int(found.group(2))
    for element in page:
        classes = str(element["classes"]).split()
        price = str(element["text"]).rsplit("$", 1)[-1]
        if "flight-price" in classes and price.isdigit():
            element.update(book=True, price=int(price), minutes=minutes.get(flight_of(element)))
        elif element["id"] == "search":
            element["next"] = True


_CALENDAR_PARTS = {"ui-datepicker-prev": "prev", "ui-datepicker-next": "next"}


def _calendar_elements(dom: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The open jQuery UI datepicker (``#ui-datepicker-div``, outside ``#area``) as
    WebForm-v0 draws a calendar: ``Prev`` and ``Next`` while enabled, the title (a
    ``span`` whose value is ``Month YYYY``), and the day links; nothing while closed."""
    by_ref = {int(e["ref"]): e for e in dom}
    roots = [int(e["ref"]) for e in dom if e["id"] == "ui-datepicker-div"]
    if not roots or float(by_ref[roots[0]]["width"][0]) <= 0:
        return []
    inside: set[int] = {roots[0]}
    for e in dom:  # the DOM lists parents before children
        if int(e["parent"]) in inside:
            inside.add(int(e["ref"]))
    texts: dict[int, list[str]] = {}
    for e in dom:
        if int(e["ref"]) in inside and str(e["text"]).strip():
            texts.setdefault(int(e["parent"]), []).append(str(e["text"]).strip())
    nav: list[dict[str, Any]] = []
    days: list[dict[str, Any]] = []
    title: dict[str, Any] | None = None
    for e in dom:
        if int(e["ref"]) not in inside or float(e["width"][0]) <= 0:
            continue
        classes = str(e["classes"]).split()
        tag = str(e["tag"]).lower()
        part = next((_CALENDAR_PARTS[c] for c in classes if c in _CALENDAR_PARTS), "")
        if part and "ui-state-disabled" not in classes:
            text = " ".join(texts.get(int(e["ref"]), []))
            nav.append({**e, "text": text, "in_popup": False, "calendar": part})
        elif "ui-datepicker-title" in classes:
            month = " ".join(texts.get(int(e["ref"]), []))
            title = {**e, "text": "", "value": month, "in_popup": False, "calendar": "title"}
        elif tag == "a" and "ui-state-default" in classes and str(e["text"]).strip().isdigit():
            days.append({**e, "in_popup": False, "calendar": "day"})
    return nav + ([title] if title is not None else []) + days


def _shown_month(elements: list[dict[str, Any]]) -> str:
    """``YYYY-MM`` of the open calendar's title (``December 2016``), else ``""``."""
    for element in elements:
        if element.get("calendar") == "title":
            parts = str(element["value"]).split()
            if len(parts) == 2 and parts[0] in MONTH_NAMES and parts[1].isdigit():
                return f"{parts[1]}-{MONTH_NAMES.index(parts[0]) + 1:02d}"
    return ""


def _readonly(element: dict[str, Any]) -> bool:
    """Whether an input is a jQuery UI datepicker's (readonly: no typing)."""
    return "hasDatepicker" in str(element["classes"]).split()


def _classes(element: dict[str, Any]) -> str:
    """The element's classes, jQuery UI's autocomplete classes as WebForm-v0 names them."""
    if element.get("suggestion"):
        return "suggestion contains" if element.get("contains") else "suggestion"
    if element.get("calendar"):
        return f"calendar-{element['calendar']}"
    if _readonly(element):
        return "datepicker form-control"
    classes = str(element["classes"])
    return "form-control autocomplete" if "ui-autocomplete-input" in classes.split() else classes


def _affix(text: str, key: str, value: str) -> float | None:
    """For a ``start`` / ``end`` field: whether ``text`` starts / ends with ``value``."""
    if key == "start":
        return float(bool(value) and text.startswith(value))
    if key == "end":
        return float(bool(value) and text.endswith(value))
    return None


def _role(element: dict[str, Any]) -> str:
    """``submit`` for a page button with a submit word, ``close`` for a pop-up button
    with a dismiss word, else ``""``."""
    if _kind(element)[0] != "button" or element.get("book"):
        return ""  # a Book button looks like any button, as WebForm-v0's
    if element.get("next"):
        return "next"
    text = word_set(str(element["text"]))
    if element["in_popup"]:
        return "close" if text & CLOSE_WORDS else ""
    return "submit" if text & SUBMIT_WORDS else ""


def _kind(element: dict[str, Any]) -> tuple[str, str]:
    """MiniWoB++ tag -> (WebForm-v0 tag, input type); a checkbox or radio button inside
    a ``<label>`` is that label, as WebForm-v0 draws them."""
    tag = str(element["tag"]).lower()
    if element.get("suggestion"):
        return "a", ""
    if element.get("calendar"):
        return ("span" if element["calendar"] == "title" else "a"), ""
    if tag.startswith("input_"):
        input_type = tag.split("_", 1)[1]
        if input_type in ("checkbox", "radio"):
            return ("label" if element.get("in_label") else "input"), input_type
        return "input", input_type if input_type in INPUT_TYPES else "text"
    if tag == "textarea":
        return "input", "text"
    if tag in ("button", "select", "label", "a"):
        return tag, ""
    return "span", ""


class MiniWoBFormEnv(TaskEnv[dict[str, np.ndarray], int]):
    """A MiniWoB++ form task with WebForm-v0's observation and flat actions.

    Args:
        task: fixed ``{"miniwob_task": name}`` (default ``login-user``).
        max_elements, max_fields, tokens_per_text, vocab_size: must equal those of the
            ``WebFormEnv`` the policy was trained on.
        max_steps: actions per episode before truncation.
        reward: ``"binary"`` (±1, the default) or ``"time-decayed"`` (MiniWoB++'s own).
        time_limit: keep MiniWoB++'s episode time limit (the default); ``False`` lifts it
            (``info["time_limit_s"]`` is then ``inf``).
        make_env: builds the MiniWoB++ Gymnasium env of a task name (default: Chromium
            through ``miniwob``; also what replaces a crashed browser).
    """

    metadata: dict[str, Any] = {"render_modes": []}
    task_space = TaskSpace({"miniwob_task": Categorical(MINIWOB_FORM_TASKS)})
    default_task: Task = {"miniwob_task": "login-user"}
    return_bounds = (-1.0, 1.0)
    mastery_return = 0.0

    def __init__(
        self,
        task: dict[str, Any] | None = None,
        max_elements: int = 12,
        max_fields: int = 3,
        tokens_per_text: int = 6,
        vocab_size: int = 1024,
        max_steps: int = 10,
        reward: str = "binary",
        time_limit: bool = True,
        make_env: Callable[[str], Any] | None = None,
    ) -> None:
        if make_env is None:
            reason = miniwob_unavailable_reason()
            if reason is not None:
                raise RuntimeError(f"MiniWoBFormEnv cannot run: {reason}")
        if not (isinstance(max_steps, int) and max_steps >= 1):
            raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
        if reward not in REWARDS:
            raise ValueError(f"reward must be one of {list(REWARDS)}, got {reward!r}")
        super().__init__(task)
        self.reward_mode = reward
        self.time_limit = bool(time_limit)
        self._make_env = make_env or _chromium_env
        self.codec = WebFormCodec(max_elements, max_fields, tokens_per_text, vocab_size)
        self.observation_space = self.codec.observation_space  # type: ignore[assignment]
        self.action_space = self.codec.flat_action_space  # type: ignore[assignment]
        self.max_steps = max_steps
        self._subdomain: str | None = None
        self._env: Any = None
        self._elements: list[dict[str, Any]] = []
        self._fields: list[tuple[str, str, str]] = []
        self._steps = 0
        self._done = True

    def _open(self, subdomain: str) -> None:
        if subdomain == self._subdomain:
            return
        self.close()
        self._env = self._make_env(subdomain)
        self._subdomain = subdomain

    def _call(self, what: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one MiniWoB++ call; a dead or failing browser is closed and reported.

        miniwob runs the browser in a worker thread that records a failure as
        ``instance.died`` (and never answers again once the thread is gone), so the
        flag is checked before and after the call.
        """
        if _browser_dead(self._env):
            self._discard()
            raise MiniWoBBrowserError(
                f"the MiniWoB++ browser is no longer running (before {what}); "
                "reset() starts a new one"
            )
        try:
            result = method(*args, **kwargs)
        except Exception as exc:
            self._discard()
            raise MiniWoBBrowserError(
                f"the MiniWoB++ browser failed during {what} ({type(exc).__name__}: {exc}); "
                "reset() starts a new one"
            ) from exc
        if _browser_dead(self._env):
            self._discard()
            raise MiniWoBBrowserError(
                f"the MiniWoB++ browser crashed during {what}; reset() starts a new one"
            )
        return result

    def _discard(self) -> None:
        """Drop the browser without waiting on it (it may be unresponsive)."""
        self._env, self._subdomain, self._done = None, None, True

    def _reset_task(self, task: Task) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        self._open(str(task["miniwob_task"]))
        seed = int(self.level_rng.integers(1 << 31))
        if not self.time_limit:  # before the episode starts, once the page is loaded
            self._script(_LIFT_TIME_LIMIT, False)
        observation, _ = self._call("reset", self._env.reset, seed=seed)
        if not self.time_limit:  # the page's first episode started before it could be lifted
            self._script(_LIFT_TIME_LIMIT, True)
        self._steps = 0
        self._done = False
        self._fields = typed_fields(
            str(observation["utterance"]), [(str(k), str(v)) for k, v in observation["fields"]]
        )[: self.codec.F]
        self._read(observation)
        info: dict[str, Any] = {"instruction": str(observation["utterance"])}
        if not self.time_limit:
            info["time_limit_s"] = math.inf
        elif isinstance(limit := self._script(_TIME_LIMIT), int | float):
            info["time_limit_s"] = float(limit) / 1000.0
        return self._observation(), info

    def _driver(self) -> Any:
        """miniwob's WebDriver, or ``None`` (a stand-in env without one)."""
        instance = getattr(getattr(self._env, "unwrapped", None), "instance", None)
        return getattr(instance, "driver", None)

    def _script(self, script: str, *args: Any) -> Any:
        """Run ``script`` in the task's page (``None`` without a WebDriver)."""
        driver = self._driver()
        if driver is None:
            return None
        return self._call("a page script", driver.execute_script, script, *args)

    def _read(self, observation: dict[str, Any]) -> None:
        self._elements = _area_elements(list(observation["dom_elements"]))[: self.codec.E]
        for element in self._elements:  # a select's options and choice: not in miniwob's DOM
            if str(element["tag"]).lower() == "select":
                found = self._script(_OPTIONS, int(element["ref"])) or [[], -1]
                element["options"], chosen = [str(o) for o in found[0]], int(found[1])
                element["value"] = element["options"][chosen] if chosen >= 0 else ""

    def _observation(self) -> dict[str, np.ndarray]:
        codec = self.codec
        E, F = codec.E, codec.F
        tokens = codec.tokens
        obs: dict[str, np.ndarray] = {}
        for key, space in codec.observation_space.items():
            assert space.shape is not None and space.dtype is not None
            obs[key] = np.zeros(space.shape, dtype=space.dtype)
        texts = [str(e["text"]) for e in self._elements]
        boxes = [
            (float(e["left"][0]), float(e["top"][0]), float(e["width"][0]), float(e["height"][0]))
            for e in self._elements
        ]
        top_of_area = min((b[1] for b in boxes), default=0.0)
        popup_open = any(e["in_popup"] for e in self._elements)
        for slot, element in enumerate(self._elements):
            tag, input_type = _kind(element)
            features = obs["element_features"][slot]
            features[TAGS.index(tag)] = 1.0
            if input_type:
                features[len(TAGS) + INPUT_TYPES.index(input_type)] = 1.0
            role = _role(element)
            if role:
                features[len(TAGS) + len(INPUT_TYPES) + ROLES.index(role)] = 1.0
            features[FOCUSED] = float(element["flags"][0])
            features[IN_POPUP] = float(element["in_popup"])
            features[COVERED] = float(popup_open and not element["in_popup"])
            features[IN_VIEWPORT] = 1.0
            shown_value = "" if input_type in ("checkbox", "radio") else str(element["value"])
            features[CHECKED] = float(
                bool(input_type in ("checkbox", "radio") and _checked(element))
            )
            features[HAS_VALUE] = float(bool(shown_value))
            left, top, width, height = boxes[slot]
            features[GEOMETRY : GEOMETRY + 4] = (
                left / TASK_AREA_PX,
                (top - top_of_area) / TASK_AREA_PX,
                width / TASK_AREA_PX,
                height / TASK_AREA_PX,
            )
            obs["element_tokens"][slot] = tokens(texts[slot])
            obs["element_value_tokens"][slot] = tokens(shown_value)
            obs["element_class_tokens"][slot] = tokens(_classes(element), 2)
            obs["element_mask"][slot] = 1.0
        contexts = [word_set(self._context(slot, texts, boxes)) for slot in range(len(texts))]
        shown = _shown_month(self._elements)
        books = [e for e in self._elements if e.get("book")]
        best = {
            "cheapest": min(books, key=lambda e: e["price"]) if books else None,
            "shortest": min(books, key=lambda e: e["minutes"] or 1 << 30) if books else None,
        }
        for index, (key, value, ftype) in enumerate(self._fields):
            obs["field_key_tokens"][index] = tokens(key)
            obs["field_value_tokens"][index] = tokens(value)
            obs["field_features"][index, FIELD_TYPES.index(ftype)] = 1.0
            obs["field_mask"][index] = 1.0
            key_words, value_words = word_set(key), word_set(value)
            for slot, element in enumerate(self._elements):
                own = word_set(texts[slot])
                overlap = obs["overlap"][slot, index]
                overlap[0] = len(key_words & own) / max(len(key_words), 1)
                overlap[1] = len(key_words & contexts[slot]) / max(len(key_words), 1)
                options = word_set(" ".join([texts[slot], *element.get("options", ())]))
                overlap[2] = len(value_words & options) / max(len(value_words), 1)
                overlap[3] = float(bool(value) and _held(element) == value)
                affix = _affix(texts[slot], key, value)
                if affix is not None and element.get("suggestion"):
                    overlap[2] = affix
                held = _affix(_held(element), key, value)
                if held is not None and _kind(element) == ("input", "text"):
                    overlap[3] = held
                if element.get("calendar"):
                    day = int(texts[slot]) if element["calendar"] == "day" else 0
                    overlap[2] = calendar_hint(str(element["calendar"]), day, shown, value)
                if element.get("book") and key == "flight":
                    overlap[2] = float(best.get(value) is element)
                autocomplete = "ui-autocomplete-input" in str(element["classes"]).split()
                if key in ("from", "to") and autocomplete:  # book-flight: a name containing it
                    held_text = _held(element)
                    overlap[3] = float(bool(value) and value in held_text and held_text != value)
        obs["status"][:] = (0.0, 1.0, float(popup_open), 0.0, 1.0 - self._steps / self.max_steps)
        assert obs["overlap"].shape == (E, F, N_OVERLAP)
        assert obs["element_features"].shape == (E, N_ELEMENT_FEATURES)
        return obs

    @staticmethod
    def _context(
        slot: int, texts: list[str], boxes: list[tuple[float, float, float, float]]
    ) -> str:
        """The closest text left of the element on its line, else just above it."""
        left, top, _, height = boxes[slot]
        best, best_distance = "", float("inf")
        for other, (o_left, o_top, o_width, o_height) in enumerate(boxes):
            if other == slot or not texts[other].strip():
                continue
            same_line = abs((o_top + o_height / 2) - (top + height / 2)) < height / 2
            if same_line and o_left + o_width <= left + 1:
                distance = left - (o_left + o_width)
            elif o_top + o_height <= top + 1 and top - (o_top + o_height) < 32:
                distance = 1000 + top - (o_top + o_height)
            else:
                continue
            if distance < best_distance:
                best, best_distance = texts[other], distance
        return best

    def action_masks(self) -> np.ndarray:
        """Boolean mask over the flat actions (see the module docstring for the mapping)."""
        codec = self.codec
        E, F = codec.E, codec.F
        mask = np.zeros(codec.n_actions, dtype=bool)
        if self._done:
            return mask
        popup_open = any(e["in_popup"] for e in self._elements)
        for slot, element in enumerate(self._elements):
            if popup_open and not element["in_popup"]:
                continue  # under the pop-up, as in WebForm-v0
            tag, input_type = _kind(element)
            mask[slot] = tag != "span"
            for index, (_, value, _) in enumerate(self._fields):
                if tag == "input" and input_type in _TEXT_LIKE_INPUTS:
                    mask[E + slot * F + index] = input_accepts(input_type, value) and not (
                        _readonly(element)
                    )
                elif tag == "select":
                    mask[E + E * F + slot * F + index] = value in element.get("options", ())
        mask[E + 2 * E * F + 2] = not popup_open and self._submit_slot() is not None
        return mask

    def _submit_slot(self) -> int | None:
        for slot, element in enumerate(self._elements):
            if _role(element) == "submit":
                return slot
        return None

    def step(self, action: Any) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        if self._done:
            raise RuntimeError("the MiniWoB++ episode is over: call reset() before step()")
        kind, slot, field = self.codec.decode_flat(int(action))
        valid = bool(self.action_masks()[int(action)])
        if kind == "submit" and valid:
            kind, slot = "click", self._submit_slot() or 0
        self._steps += 1
        reward, terminated = 0.0, False
        info: dict[str, Any] = {"action_valid": valid}
        raw: dict[str, Any] = {}
        env_reward = -1.0
        if valid:
            element = self._elements[slot]
            ref = int(element["ref"])
            unwrapped = self._env.unwrapped
            commands = [unwrapped.create_action("CLICK_ELEMENT", ref=ref)]
            if kind == "type":
                value = self._fields[field][1]
                if _kind(element)[1] == "date":
                    commands.append(unwrapped.create_action("TYPE_TEXT", text=date_keys(value)))
                else:
                    select_all = unwrapped.action_space_config.allowed_keys.index("C-a")
                    commands.append(unwrapped.create_action("PRESS_KEY", key=select_all))
                    commands.append(unwrapped.create_action("TYPE_TEXT", text=value))
            elif kind == "select":
                index = element["options"].index(self._fields[field][1])
                self._call("select", self._pick, ref, index)
                commands = [unwrapped.create_action("NONE")]
            for command in commands:
                observation, env_reward, terminated, _, raw = self._call(
                    kind, self._env.step, command
                )
                if terminated:
                    break
            if (
                not terminated
                and kind == "type"
                and "ui-autocomplete-input" in str(element["classes"]).split()
            ):
                observation, env_reward, terminated, raw = self._await_suggestions(
                    observation, env_reward, raw
                )
            if not terminated:
                self._read(observation)
        truncated = not terminated and self._steps >= self.max_steps
        self._done = terminated or truncated
        if self._done:
            info["is_success"] = bool(terminated and float(raw.get("raw_reward", 0.0)) > 0)
            if self.reward_mode == "time-decayed" and terminated:
                reward = float(env_reward)
            else:
                reward = 1.0 if info["is_success"] else -1.0
            if terminated:
                info["miniwob_reason"] = raw.get("reason")
        return self._observation(), reward, terminated, truncated, info

    def _await_suggestions(
        self, observation: dict[str, Any], env_reward: float, raw: dict[str, Any]
    ) -> tuple[dict[str, Any], float, bool, dict[str, Any]]:
        """After typing into an autocomplete input: wait until its list shows (at most
        :data:`SUGGESTION_WAIT_S`), then observe with miniwob's ``NONE`` action."""
        if self._driver() is None:
            return observation, env_reward, False, raw
        waited = 0.0
        while not self._script(_LIST_SHOWN) and waited < SUGGESTION_WAIT_S:
            time.sleep(_POLL_S)
            waited += _POLL_S
        none = self._env.unwrapped.create_action("NONE")
        observation, env_reward, terminated, _, raw = self._call("wait", self._env.step, none)
        return observation, env_reward, terminated, raw

    def _pick(self, ref: int, index: int) -> None:
        """Choose option ``index`` of the select ``ref`` as WebDriver's ``Select`` does."""
        from selenium.webdriver.support.ui import Select

        driver = self._driver()
        Select(driver.find_element("css selector", f'[data-wob_ref="{ref}"]')).select_by_index(
            index
        )

    def close(self) -> None:
        if self._env is not None:
            env, self._env, self._subdomain = self._env, None, None
            if not _browser_dead(env):
                env.close()


def _checked(element: dict[str, Any]) -> bool:
    """Whether a checkbox or radio button is checked (miniwob gives its value as ``True``)."""
    return str(element["value"]).lower() == "true"


def _held(element: dict[str, Any]) -> str:
    """The value an element holds as WebForm-v0 compares it with a field's: an input's
    or select's value, a checked radio button's text, else ``""``."""
    kind = _kind(element)[1]
    if kind == "radio":
        return str(element["text"]) if _checked(element) else ""
    if kind == "checkbox":
        return ""
    return str(element["value"])


def _browser_dead(env: Any) -> bool:
    """Whether miniwob's browser worker has failed (``instance.died``) or its thread is gone."""
    instance = getattr(getattr(env, "unwrapped", None), "instance", None)
    if instance is None:
        return False
    thread_gone = bool(getattr(instance, "threading", False)) and not instance.is_alive()
    return bool(getattr(instance, "died", False)) or thread_gone


def _chromium_env(subdomain: str) -> Any:
    """MiniWoB++'s Gymnasium env of ``subdomain`` in headless Chromium."""
    import gymnasium as gym
    import miniwob

    paths = chromium_paths()
    assert paths is not None
    os.environ.setdefault("MINIWOB_CHROME_BINARY", paths[0])
    os.environ.setdefault("MINIWOB_CHROMEDRIVER", paths[1])
    gym.register_envs(miniwob)
    return gym.make(f"miniwob/{subdomain}-v1")
