"""The form model (pages, elements, controls, instruction fields) and its simulation.

A :class:`Form` is immutable: what the generator built. A :class:`FormSimulator`
holds the mutable page state (control values, current wizard page, scroll
position, pop-up, focus, submitted) and applies actions with the semantics a
browser gives the rendered HTML (see :mod:`teachgym.envs.webform.html`):

- ``click(e)``: a Next button shows the next page (scroll back to the top), the
  Submit button submits, the pop-up's close button closes the pop-up, its abort
  button (a confirmation pop-up's harmful OK) ends the episode as a failure, a checkbox
  toggles, a radio option is checked, a ``<label for=...>`` acts as a click on its
  control, inputs, selects and buttons take the focus, text and links take nothing.
- ``type(e, f)``: replaces the value of a text-like input with instruction field
  ``f``'s value; a number input only takes numbers and a date input only ISO dates
  (``YYYY-MM-DD``), as their HTML value sanitisation does.
- autocomplete inputs (control kind ``autocomplete``, MiniWoB++'s ``use-autocomplete``
  [liu2018miniwob]): a ``type`` opens the input's suggestion list: its suggestion
  elements (``<a class="suggestion">``, one per option, in the rows below the input)
  whose text starts with the typed value, ignoring case, are displayed; a click on one
  puts its text into the input and closes the list; a click on anything else or typing
  into another control closes it (the input loses the focus). The instruction asks
  with a ``start`` field and optionally an ``end`` field (the value must start / end
  with theirs, case-sensitive). On a flight form (``book-flight``'s From and To) the
  suggestions (class ``contains``) are those that contain the typed value, and the
  field (key ``from`` / ``to``) holds when the input holds a suggestion containing it.
- date-picker inputs (control kind ``datepicker``, the jQuery UI datepicker of MiniWoB++'s
  ``choose-date`` and ``book-flight`` [liu2018miniwob]): the input is readonly (no
  ``type`` fits it); a click on it or its label opens its calendar on the month of the
  date it holds, else on the last month of its range; the calendar (in the rows below
  the input) shows the month's title, a ``Prev`` / ``Next`` link while the range has an
  earlier / later month, and one link per day of the month; ``Prev`` / ``Next`` show
  the month before / after, a day puts ``MM/DD/YYYY`` into the input and closes the
  calendar; a click on anything else, a ``type`` or a ``select`` closes it.
- a flight-results page (control kind ``flights``, the second view of MiniWoB++'s
  ``book-flight`` [liu2018miniwob]): the last page lists flights, each with its times and
  duration and a ``Book flight for $<price>`` button (role ``book``); a click on one books
  that flight (the control holds its index) and ends the episode; the ``submit`` action
  does nothing there.
- ``select(e, f)``: picks the option of a ``<select>`` whose text is field ``f``'s value.
- ``scroll_up`` / ``scroll_down``: moves the viewport by :attr:`Form.scroll_step` rows.
- ``submit``: like pressing Enter: submits when the last page shows and no pop-up is open.

A pop-up is either open at the start or, with :attr:`Form.popup_trigger`, opens the
first time that input takes the focus (a click on it or its label, or a ``type``);
that ``type`` is lost (the input is disabled while the pop-up is open), as on
MiniWoB++'s ``login-user-popup`` [liu2018miniwob].

An action on an element that is not *actionable* (another page, outside the
viewport, under the open pop-up) or that does not fit the element is a no-op:
:meth:`FormSimulator.apply` returns ``False`` and nothing changes.

Geometry: the page is a column of rows of :data:`ROW_PX` pixels; an element sits
in the left (label) column, the right (control) column, or spans both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

ROW_PX = 32
ELEMENT_PX = 28
PAGE_WIDTH_PX = 480
COLUMNS: dict[str, tuple[int, int]] = {
    "left": (8, 176),
    "right": (192, 280),
    "full": (8, 464),
    "cal-prev": (192, 56),
    "cal-title": (252, 160),
    "cal-next": (416, 56),
    **{f"cal{i}": (192 + 40 * i, 36) for i in range(7)},
}
"""Column name -> (x, width) in pixels; a date picker's calendar lies in the right
column: ``cal-prev``, ``cal-title``, ``cal-next`` on its first row, then the days in
seven columns ``cal0`` .. ``cal6`` (day ``d`` in column ``(d - 1) % 7``)."""
POPUP_PAGE = -1
"""Page number of the pop-up's elements (drawn over the viewport, rows relative to it)."""

ACTION_KINDS = ("click", "type", "select", "scroll_up", "scroll_down", "submit")

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_US_DATE = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")


def input_accepts(input_type: str, value: str) -> bool:
    """Whether an ``<input type=input_type>`` keeps ``value`` when it is typed in."""
    if input_type == "number":
        return _NUMBER.fullmatch(value) is not None
    if input_type == "date":
        return _ISO_DATE.fullmatch(value) is not None
    return True


def is_suggestion(element: Element) -> bool:
    """Whether ``element`` is an entry of an autocomplete input's suggestion list."""
    return element.tag == "a" and element.control >= 0 and "suggestion" in element.classes


CALENDAR_PARTS = ("prev", "next", "title", "day")
"""Kinds of a date picker's calendar elements (CSS class ``calendar-<kind>``)."""
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def calendar_part(element: Element) -> str:
    """``prev``, ``next``, ``title`` or ``day`` for an element of a date picker's calendar,
    else ``""``."""
    if element.control < 0 or not element.classes:
        return ""
    first = element.classes[0]
    return first[9:] if first.startswith("calendar-") else ""


def month_days(month: str) -> int:
    """Days of month ``YYYY-MM``."""
    year, number = int(month[:4]), int(month[5:7])
    if number == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if number in (4, 6, 9, 11) else 31


def month_title(month: str) -> str:
    """``YYYY-MM`` -> the calendar's title, e.g. ``December 2016``."""
    return f"{MONTH_NAMES[int(month[5:7]) - 1]} {month[:4]}"


def picked_date(month: str, day: int) -> str:
    """The value a click on ``day`` of month ``YYYY-MM`` puts into the input: ``MM/DD/YYYY``
    (jQuery UI's default ``dateFormat``, ``mm/dd/yy``)."""
    return f"{month[5:7]}/{day:02d}/{month[:4]}"


def date_month(value: str) -> str:
    """The ``YYYY-MM`` month of a ``MM/DD/YYYY`` date, or ``""`` for another text."""
    if _US_DATE.fullmatch(value) is None:
        return ""
    return f"{value[6:10]}-{value[0:2]}"


class Element(NamedTuple):
    """One DOM element. ``eid`` is its index in :attr:`Form.elements` (HTML id ``e{eid}``).

    Attributes:
        tag: ``span``, ``label``, ``a``, ``button``, ``input`` or ``select``.
        input_type: for inputs: ``text``, ``password``, ``email``, ``number``,
            ``date``, ``checkbox`` or ``radio`` (checkboxes and radio options are
            ``<label>`` elements wrapping their ``<input>``); else ``""``.
        text: visible text (option text for radio options, label for checkboxes).
        placeholder: placeholder of an input; for a select, the text of its prompt option.
        page: wizard page (0-based), or :data:`POPUP_PAGE`.
        row, column: position (see :data:`COLUMNS`); pop-up rows count from the viewport top.
        control: index of the control this element edits, or -1 (an ``a`` with a
            control is an autocomplete suggestion or a date picker's ``Prev``,
            ``Next`` or day link; a ``span`` with one is a calendar's title).
        label_for: for a ``<label for=...>``: the control it activates, or -1.
        role: ``next``, ``submit``, ``close``, ``abort`` or ``book`` for the special
            buttons, else ``""`` (``abort`` and ``book`` are not shown to the agent: they
            look like any button).
        option: for a radio option: its index in the group; for a calendar's day link:
            the day of the month (1-31); for a Book button: its flight's index; else -1.
        classes: CSS classes.
    """

    eid: int
    tag: str
    input_type: str
    text: str
    placeholder: str
    page: int
    row: int
    column: str
    control: int = -1
    label_for: int = -1
    role: str = ""
    option: int = -1
    classes: tuple[str, ...] = ()

    @property
    def x(self) -> int:
        return COLUMNS[self.column][0]

    @property
    def width(self) -> int:
        return COLUMNS[self.column][1]

    @property
    def y(self) -> int:
        return self.row * ROW_PX


class Control(NamedTuple):
    """Something that holds a value: a text-like input, a select, a checkbox or a radio group.

    Attributes:
        kind: an input type (``text`` .. ``date``), ``select``, ``checkbox``, ``radio``,
            ``autocomplete`` (a text input with a suggestion list) or ``datepicker``
            (a readonly text input with a calendar) or ``flights`` (the Book buttons of a
            results page; its value is the booked flight's index, -1 before).
        elements: element ids (one per option for a radio group; an autocomplete
            control's input, then one suggestion per option; a date picker's input,
            then its calendar's ``Prev``, ``Next``, title and 31 day links).
        initial: starting value: the text of a text-like input; the selected option
            index of a select (0 is the prompt); the checked option of a radio group
            (-1: none); 1 or 0 for a checked or unchecked checkbox.
        options: option texts (a select's include its prompt at index 0); a date
            picker's: the months of its calendar's range, ``YYYY-MM``, in order; a
            ``flights`` control's: per flight ``<price in USD> <duration in minutes>``.
        name: the label the page shows for it (for humans and the HTML ``name``).
    """

    cid: int
    kind: str
    elements: tuple[int, ...]
    initial: str | int
    options: tuple[str, ...] = ()
    name: str = ""


class Field(NamedTuple):
    """An instruction field: ``key`` with ``value``; satisfied when ``control`` holds ``target``."""

    key: str
    value: str
    ftype: str
    control: int
    target: str | int


class Action(NamedTuple):
    """A simulator action: ``kind`` in :data:`ACTION_KINDS`, an element id, a field index."""

    kind: str
    element: int = -1
    field: int = -1


@dataclass(frozen=True)
class Form:
    """A generated form: everything a page shows, the instruction, and an oracle plan.

    Attributes:
        fields: the instruction, in instruction order.
        page_rows: number of rows of each page.
        viewport_rows: rows visible at once; pages longer than this need scrolling.
        popup: whether the form has a blocking pop-up: open at the start, or opened
            by ``popup_trigger``.
        oracle: an action sequence that completes the form (closes the pop-up,
            fills what is not already right in page order, scrolls down only when
            needed, clicks Next, submits); its length is the "optimal" action count.
        popup_trigger: element id of the input whose first focus opens the pop-up,
            or -1 (the pop-up, if any, is open at the start).
    """

    elements: tuple[Element, ...]
    controls: tuple[Control, ...]
    fields: tuple[Field, ...]
    page_rows: tuple[int, ...]
    viewport_rows: int
    popup: bool
    oracle: tuple[Action, ...] = field(default=())
    popup_trigger: int = -1

    @property
    def n_pages(self) -> int:
        return len(self.page_rows)

    @property
    def scroll_step(self) -> int:
        """Rows moved by one scroll action: half a viewport (at least 1)."""
        return max(1, self.viewport_rows // 2)

    def max_scroll(self, page: int) -> int:
        return max(0, self.page_rows[page] - self.viewport_rows)

    def instruction_text(self) -> str:
        """The instruction as one sentence, e.g. ``Enter username: alice, password: x7k2pq``."""
        return "Enter " + ", ".join(f"{f.key}: {f.value}" for f in self.fields)

    def with_oracle(self, oracle: tuple[Action, ...]) -> Form:
        return Form(
            self.elements,
            self.controls,
            self.fields,
            self.page_rows,
            self.viewport_rows,
            self.popup,
            oracle,
            self.popup_trigger,
        )


def field_holds(form: Form, f: Field, value: str | int) -> bool:
    """Whether a control holding ``value`` satisfies field ``f``: its target, or for an
    autocomplete control a text that starts (key ``start``) or ends (key ``end``) with
    the field's value, as MiniWoB++'s ``use-autocomplete`` checks it, or (any other key,
    ``book-flight``'s From and To) one of its options that contains the field's value."""
    control = form.controls[f.control]
    if control.kind == "autocomplete":
        text = str(value)
        if f.key == "start":
            return text.startswith(f.value)
        if f.key == "end":
            return text.endswith(f.value)
        return f.value in text and text in control.options
    return value == f.target


def suggests(option: str, typed: str, contains: bool = False) -> bool:
    """Whether an autocomplete list shows ``option`` for the ``typed`` text (a prefix,
    case-insensitive, as ``use-autocomplete``'s matcher, or with ``contains`` anywhere in
    it, as jQuery UI's default matcher on ``book-flight``; nothing for an empty text)."""
    if contains:
        return bool(typed) and typed.lower() in option.lower()
    return bool(typed) and option.lower().startswith(typed.lower())


def is_success(form: Form, values: list[str | int]) -> bool:
    """Whether control ``values`` complete ``form``: every instruction field holds
    its value (:func:`field_holds`) and every other control (decoys, distractor inputs,
    fields the instruction does not ask for) still holds its initial value."""
    asked = {f.control for f in form.fields}
    return all(field_holds(form, f, values[f.control]) for f in form.fields) and all(
        values[c.cid] == c.initial for c in form.controls if c.cid not in asked
    )


class FormSimulator:
    """The mutable state of one form and the action semantics (see the module docstring)."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.values: list[str | int] = []
        self.page = 0
        self.scroll = 0
        self.popup_open = False
        self.focused = -1
        self.submitted = False
        self.aborted = False
        self.popup_shown = False
        self.suggesting = -1
        self.calendar = -1
        self.month = 0
        self.results_page = next((e.page for e in form.elements if e.role == "book"), -1)
        self.reset()

    def reset(self) -> None:
        """Back to the start: initial values, first page, top of the page, pop-up as generated."""
        self.values = [c.initial for c in self.form.controls]
        self.page = 0
        self.scroll = 0
        self.popup_open = self.form.popup and self.form.popup_trigger < 0
        self.popup_shown = self.popup_open
        self.focused = -1
        self.submitted = False
        self.aborted = False
        self.suggesting = -1
        self.calendar = -1
        self.month = 0

    def clone(self) -> FormSimulator:
        """An independent copy of the current state."""
        twin = FormSimulator(self.form)
        twin.values = list(self.values)
        twin.page, twin.scroll, twin.popup_open = self.page, self.scroll, self.popup_open
        twin.focused, twin.submitted = self.focused, self.submitted
        twin.aborted, twin.popup_shown = self.aborted, self.popup_shown
        twin.suggesting = self.suggesting
        twin.calendar, twin.month = self.calendar, self.month
        return twin

    # -- queries ----------------------------------------------------------------------
    def displayed(self, eid: int) -> bool:
        """Whether the element is rendered (its page is shown, or the pop-up is open)."""
        element = self.form.elements[eid]
        if element.page == POPUP_PAGE:
            return self.popup_open
        if is_suggestion(element) and not self.suggestion_shown(element):
            return False
        if calendar_part(element) and not self.calendar_shows(element):
            return False
        return element.page == self.page

    def calendar_shows(self, element: Element) -> bool:
        """Whether calendar element ``element`` is displayed: its calendar is open and,
        for ``Prev`` / ``Next``, an earlier / later month exists, for a day, the shown
        month has it."""
        if self.calendar != element.control:
            return False
        part = calendar_part(element)
        months = self.form.controls[element.control].options
        if part == "prev":
            return self.month > 0
        if part == "next":
            return self.month < len(months) - 1
        if part == "day":
            return element.option <= month_days(months[self.month])
        return True

    def shown_month(self) -> str:
        """``YYYY-MM`` of the open calendar's month, or ``""`` when no calendar is open."""
        if self.calendar < 0:
            return ""
        return self.form.controls[self.calendar].options[self.month]

    def suggestion_shown(self, element: Element) -> bool:
        """Whether suggestion ``element`` is in the open list of its autocomplete input."""
        control = self.form.controls[element.control]
        return self.suggesting == control.cid and suggests(
            element.text, str(self.values[control.cid]), "contains" in element.classes
        )

    def actionable(self, eid: int) -> bool:
        """Displayed, inside the viewport, not covered by the pop-up, form not submitted."""
        if self.submitted or not 0 <= eid < len(self.form.elements):
            return False
        element = self.form.elements[eid]
        if element.page == POPUP_PAGE:
            return self.popup_open
        if element.page != self.page or self.popup_open:
            return False
        if is_suggestion(element) and not self.suggestion_shown(element):
            return False
        if calendar_part(element) and not self.calendar_shows(element):
            return False
        return self.scroll <= element.row < self.scroll + self.form.viewport_rows

    def element_value(self, eid: int) -> str:
        """The value text an element shows (inputs, selected option), else ``""``."""
        element = self.form.elements[eid]
        if element.control < 0:
            return ""
        control = self.form.controls[element.control]
        value = self.values[element.control]
        if calendar_part(element) == "title":
            return month_title(self.shown_month()) if self.calendar == control.cid else ""
        if control.kind == "select":
            return control.options[int(value)] if int(value) > 0 else ""
        if control.kind in ("checkbox", "radio") or element.tag != "input":
            return ""
        return str(value)

    def checked(self, eid: int) -> bool:
        element = self.form.elements[eid]
        if element.input_type == "checkbox":
            return self.values[element.control] == 1
        if element.input_type == "radio":
            return self.values[element.control] == element.option
        return False

    def satisfied(self, field_index: int) -> bool:
        f = self.form.fields[field_index]
        return field_holds(self.form, f, self.values[f.control])

    def potential(self) -> float:
        """Fraction of instruction fields whose control holds the right value, in [0, 1]."""
        fields = self.form.fields
        return sum(field_holds(self.form, f, self.values[f.control]) for f in fields) / len(fields)

    def success(self) -> bool:
        """Not aborted, every field satisfied and every other control at its initial value."""
        return not self.aborted and is_success(self.form, self.values)

    def select_option(self, eid: int, field_index: int) -> int:
        """Index of the option of select ``eid`` whose text is the field's value, or -1."""
        element = self.form.elements[eid]
        if element.tag != "select" or not 0 <= field_index < len(self.form.fields):
            return -1
        options = self.form.controls[element.control].options
        value = self.form.fields[field_index].value
        for index in range(1, len(options)):
            if options[index] == value:
                return index
        return -1

    def can_type(self, eid: int, field_index: int) -> bool:
        """Whether ``type(eid, field_index)`` fits: a text-like input that accepts the value."""
        if not 0 <= field_index < len(self.form.fields):
            return False
        element = self.form.elements[eid]
        if element.tag != "input" or element.input_type in ("checkbox", "radio"):
            return False
        if self.form.controls[element.control].kind == "datepicker":
            return False  # readonly
        return input_accepts(element.input_type, self.form.fields[field_index].value)

    # -- actions ----------------------------------------------------------------------
    def apply(self, action: Action) -> bool:
        """Apply ``action``; ``False`` (and no change) if it is not possible here."""
        kind = action.kind
        if kind == "click":
            return self._click(action.element)
        if kind == "type":
            if not (self.actionable(action.element) and self.can_type(*action[1:])):
                return False
            self.suggesting = self.calendar = -1
            if self._trigger(action.element):
                return True
            cid = self.form.elements[action.element].control
            self.values[cid] = self.form.fields[action.field].value
            self.focused = action.element
            self.suggesting = cid if self.form.controls[cid].kind == "autocomplete" else -1
            return True
        if kind == "select":
            if not self.actionable(action.element):
                return False
            option = self.select_option(action.element, action.field)
            if option < 0:
                return False
            self.values[self.form.elements[action.element].control] = option
            self.focused = action.element
            self.suggesting = self.calendar = -1
            return True
        if kind in ("scroll_up", "scroll_down"):
            if self.popup_open or self.submitted:
                return False
            step = self.form.scroll_step if kind == "scroll_down" else -self.form.scroll_step
            target = min(max(self.scroll + step, 0), self.form.max_scroll(self.page))
            if target == self.scroll:
                return False
            self.scroll = target
            return True
        if kind == "submit":
            if self.popup_open or self.submitted or self.page != self.form.n_pages - 1:
                return False
            if self.page == self.results_page:  # only a Book button ends it
                return False
            self.submitted = True
            return True
        raise ValueError(f"unknown action kind {kind!r}; known: {list(ACTION_KINDS)}")

    def _click(self, eid: int) -> bool:
        if not self.actionable(eid):
            return False
        element = self.form.elements[eid]
        if is_suggestion(element):
            self.values[element.control] = element.text
            self.focused = self.form.controls[element.control].elements[0]
            self.suggesting = -1
            return True
        if calendar_part(element):
            self._calendar_click(element)
            return True
        if eid != self.focused:  # the focus leaves the autocomplete input: its list closes
            self.suggesting = -1
        if element.label_for >= 0:  # <label for=...>: a click on its control
            eid = self.form.controls[element.label_for].elements[0]
            element = self.form.elements[eid]
        picker = element.control if element.tag == "input" else -1
        if picker < 0 or self.form.controls[picker].kind != "datepicker":
            picker = -1
        if self.calendar != picker:  # a click outside the open calendar closes it
            self.calendar = -1
        if picker >= 0 and self.calendar < 0:
            self._open_calendar(picker)
        if self._trigger(eid):  # the click only opened the pop-up
            return True
        if element.role == "close":
            self.popup_open = False
            self.focused = -1
        elif element.role == "abort":
            self.submitted = self.aborted = True
            self.popup_open = False
        elif element.role == "next":
            self.page += 1
            self.scroll = 0
            self.focused = -1
        elif element.role == "submit":
            self.submitted = True
        elif element.role == "book":
            self.values[element.control] = element.option
            self.submitted = True
        elif element.input_type == "checkbox":
            self.values[element.control] = 1 - int(self.values[element.control])
            self.focused = eid
        elif element.input_type == "radio":
            self.values[element.control] = element.option
            self.focused = eid
        elif element.tag in ("input", "select", "button"):
            self.focused = eid
        else:
            self.focused = -1
        return True

    def _open_calendar(self, cid: int) -> None:
        """Open date picker ``cid``'s calendar on the held date's month, else the last one."""
        months = self.form.controls[cid].options
        held = date_month(str(self.values[cid]))
        self.calendar = cid
        self.month = months.index(held) if held in months else len(months) - 1

    def _calendar_click(self, element: Element) -> None:
        cid = element.control
        part = calendar_part(element)
        if part in ("prev", "next"):
            self.month += 1 if part == "next" else -1
        elif part == "day":
            self.values[cid] = picked_date(self.shown_month(), element.option)
            self.calendar = -1
        self.focused = self.form.controls[cid].elements[0]

    def _trigger(self, eid: int) -> bool:
        """Open the pop-up if ``eid`` is its trigger taking the focus for the first time."""
        if eid != self.form.popup_trigger or self.popup_shown:
            return False
        self.popup_open = self.popup_shown = True
        self.focused = -1
        return True
