"""HTML rendering of a form: the same page the simulator models, for real browsers.

Every element carries its element id (``id="e{eid}"``; the ``<input>`` inside a
checkbox or radio ``<label>`` is ``e{eid}-input``), every text and attribute value is
escaped, and the geometry is absolute (rows of :data:`~.form.ROW_PX` pixels inside a
``#viewport`` box of ``viewport_rows`` rows with hidden overflow), so a browser lays
the page out exactly as the simulator does. Wizard pages are ``.page`` boxes of which
only the current one is displayed; the pop-up is an ``#overlay`` box over the viewport.
A small script implements the Next, Submit, Close and abort buttons, the pop-up
trigger (the input's first focus opens the pop-up and disables the input until it
closes, so keys typed into it are lost), autocomplete lists (typing into the input
shows its ``.suggestion`` links whose text starts with the value (contains it, for a
``.contains`` link), ignoring case; the
input losing the focus hides them; a suggestion keeps the focus on a press and puts
its text into the input on a click), date pickers (the readonly input's focus or a
click on it opens its calendar on the month of its date, else its range's last month;
``Prev`` / ``Next`` change the month; a day writes ``MM/DD/YYYY`` and closes it; a press
or a focus anywhere else, but on the input's label, closes it; a press on the calendar
keeps the focus where it is), Book buttons (``tgBook``: the flight is booked and the
page submitted), and ``tgSubmitKey()``
(the ``submit`` action: submits when the last page shows, it is not a results page and
no pop-up is open).
No ``<form>`` element, no link targets and no network access: the page never navigates.
"""

from __future__ import annotations

from html import escape

from teachgym.envs.webform.form import (
    ELEMENT_PX,
    PAGE_WIDTH_PX,
    POPUP_PAGE,
    ROW_PX,
    Element,
    Form,
    FormSimulator,
    calendar_part,
    is_suggestion,
)

INSTRUCTION_PX = 48
"""Height of the instruction bar above the viewport."""

_STYLE = f"""
body {{ margin: 0; font: 14px sans-serif; }}
#instruction {{ position: absolute; top: 0; left: 0; width: {PAGE_WIDTH_PX}px;
  height: {INSTRUCTION_PX}px; overflow: hidden; background: #eef; }}
#viewport {{ position: absolute; top: {INSTRUCTION_PX}px; left: 0; width: {PAGE_WIDTH_PX}px;
  overflow: hidden; }}
.page {{ position: relative; width: {PAGE_WIDTH_PX}px; }}
.el {{ position: absolute; box-sizing: border-box; margin: 0; height: {ELEMENT_PX}px;
  line-height: {ELEMENT_PX - 4}px; padding: 0 4px; overflow: hidden; white-space: nowrap;
  font: 14px sans-serif; }}
#overlay {{ position: absolute; top: {INSTRUCTION_PX}px; left: 0; width: {PAGE_WIDTH_PX}px;
  z-index: 10; background: rgba(0, 0, 0, 0.4); }}
"""

_SCRIPT = """
var tg = {page: %(page)d, pages: %(pages)d, submitted: %(submitted)s, aborted: %(aborted)s,
  shown: %(shown)s, trigger: null, cal: %(cal)s, results: %(results)d, booked: %(booked)d};
function tgShow(p) {
  for (var i = 0; i < tg.pages; i++) {
    document.getElementById('page' + i).style.display = i === p ? 'block' : 'none';
  }
  tg.page = p;
  document.getElementById('viewport').scrollTop = 0;
}
function tgPopupOpen() {
  var o = document.getElementById('overlay');
  return o !== null && o.style.display !== 'none';
}
function tgNext() { tgShow(tg.page + 1); }
function tgSubmit() { tg.submitted = true; }
function tgClose() {
  document.getElementById('overlay').style.display = 'none';
  if (tg.trigger !== null) { tg.trigger.disabled = false; }
}
function tgAbort() { tg.submitted = true; tg.aborted = true; tgClose(); }
function tgTrigger(el) {
  if (tg.shown) { return; }
  tg.shown = true;
  tg.trigger = el;
  el.disabled = true;
  el.blur();
  document.getElementById('overlay').style.display = 'block';
}
function tgSuggestions(input, show) {
  var typed = input.value.toLowerCase();
  document.querySelectorAll('.suggestion[data-for="' + input.id + '"]').forEach(function (a) {
    var at = a.textContent.toLowerCase().indexOf(typed);
    var match = show && typed !== '' && (a.classList.contains('contains') ? at >= 0 : at === 0);
    a.style.display = match ? 'block' : 'none';
  });
}
function tgPick(a) {
  var input = document.getElementById(a.getAttribute('data-for'));
  input.value = a.textContent;
  tgSuggestions(input, false);
}
var TG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
function tgMonths(id) {
  return document.getElementById(id).getAttribute('data-months').split(' ');
}
function tgDraw(id) {
  var months = tgMonths(id);
  var open = tg.cal !== null && tg.cal.input === id;
  var m = open ? tg.cal.month : months.length - 1;
  var year = parseInt(months[m].slice(0, 4), 10), month = parseInt(months[m].slice(5), 10);
  var days = new Date(year, month, 0).getDate();
  document.querySelectorAll('[data-cal][data-for="' + id + '"]').forEach(function (el) {
    var part = el.getAttribute('data-cal'), show = open;
    if (part === 'prev') { show = open && m > 0; }
    if (part === 'next') { show = open && m < months.length - 1; }
    if (part === 'day') { show = open && parseInt(el.getAttribute('data-day'), 10) <= days; }
    if (part === 'title') { el.textContent = open ? TG_MONTHS[month - 1] + ' ' + year : ''; }
    el.style.display = show ? 'block' : 'none';
  });
}
function tgOpen(input) {
  if (tg.cal !== null && tg.cal.input === input.id) { return; }
  tgCloseCalendar();
  var months = tgMonths(input.id), v = input.value, m = months.length - 1;
  if (/^[0-9]{2}\\/[0-9]{2}\\/[0-9]{4}$/.test(v)) {
    var held = months.indexOf(v.slice(6) + '-' + v.slice(0, 2));
    if (held >= 0) { m = held; }
  }
  tg.cal = {input: input.id, month: m};
  tgDraw(input.id);
}
function tgCloseCalendar() {
  if (tg.cal === null) { return; }
  var id = tg.cal.input;
  tg.cal = null;
  tgDraw(id);
}
function tgStep(el, step) {
  tg.cal.month += step;
  tgDraw(tg.cal.input);
}
function tgDay(el) {
  var month = tgMonths(tg.cal.input)[tg.cal.month];
  var day = ('0' + el.getAttribute('data-day')).slice(-2);
  document.getElementById(tg.cal.input).value =
    month.slice(5) + '/' + day + '/' + month.slice(0, 4);
  tgCloseCalendar();
}
function tgOutside(event) {
  if (tg.cal === null) { return; }
  var t = event.target, id = tg.cal.input;
  var inside = t.id === id || (t.getAttribute && t.getAttribute('data-for') === id &&
    t.hasAttribute('data-cal')) || (t.tagName === 'LABEL' && t.htmlFor === id);
  if (!inside) { tgCloseCalendar(); }
}
document.addEventListener('mousedown', tgOutside, true);
document.addEventListener('focusin', tgOutside, true);
function tgBook(el) {
  tg.booked = parseInt(el.getAttribute('data-flight'), 10);
  tg.submitted = true;
}
function tgSubmitKey() {
  if (tg.submitted || tgPopupOpen() || tg.page !== tg.pages - 1) { return false; }
  if (tg.page === tg.results) { return false; }
  tg.submitted = true;
  return true;
}
document.getElementById('viewport').scrollTop = %(scroll)d;
"""


def _box(element: Element, viewport_relative_row: int | None = None) -> str:
    row = element.row if viewport_relative_row is None else viewport_relative_row
    return f"left:{element.x}px;top:{row * ROW_PX}px;width:{element.width}px"


def _element_html(form: Form, sim: FormSimulator, element: Element) -> str:
    eid = element.eid
    classes = escape(" ".join(("el", *element.classes)))
    common = f'id="e{eid}" class="{classes}" style="{_box(element)}"'
    text = escape(element.text)
    if element.role:
        handler = {
            "next": "tgNext()",
            "submit": "tgSubmit()",
            "close": "tgClose()",
            "abort": "tgAbort()",
            "book": "tgBook(this)",
        }[element.role]
        flight = f' data-flight="{element.option}"' if element.role == "book" else ""
        return f'<button type="button" {common}{flight} onclick="{handler}">{text}</button>'
    if element.tag == "button":
        return f'<button type="button" {common}>{text}</button>'
    if is_suggestion(element):
        owner = form.controls[element.control].elements[0]
        display = "block" if sim.displayed(eid) else "none"
        shown = f'style="{_box(element)};display:{display}"'
        return (
            f'<a id="e{eid}" class="{classes}" {shown} data-for="e{owner}" '
            f'onmousedown="event.preventDefault()" onclick="tgPick(this)">{text}</a>'
        )
    part = calendar_part(element)
    if part:
        owner = form.controls[element.control].elements[0]
        display = "block" if sim.displayed(eid) else "none"
        handlers = {"prev": "tgStep(this, -1)", "next": "tgStep(this, 1)", "day": "tgDay(this)"}
        click = f' onclick="{handlers[part]}"' if part in handlers else ""
        day = f' data-day="{element.option}"' if part == "day" else ""
        shown_text = escape(sim.element_value(eid)) if part == "title" else text
        return (
            f'<{element.tag} id="e{eid}" class="{classes}" style="{_box(element)};'
            f'display:{display}" data-for="e{owner}" data-cal="{part}"{day} '
            f'onmousedown="event.preventDefault()"{click}>{shown_text}</{element.tag}>'
        )
    if element.tag in ("span", "a"):
        return f"<{element.tag} {common}>{text}</{element.tag}>"
    if element.input_type in ("checkbox", "radio"):
        checked = " checked" if sim.checked(eid) else ""
        name = f' name="c{element.control}"' if element.input_type == "radio" else ""
        return (
            f'<label {common}><input type="{element.input_type}" id="e{eid}-input"{name}'
            f"{checked}> {text}</label>"
        )
    if element.tag == "label":
        target = form.controls[element.label_for].elements[0]
        opens = ""
        if form.controls[element.label_for].kind == "datepicker":  # even if already focused
            opens = f" onclick=\"tgOpen(document.getElementById('e{target}'))\""
        return f'<label {common} for="e{target}"{opens}>{text}</label>'
    control = form.controls[element.control]
    name = escape(control.name)
    if element.tag == "select":
        selected = int(sim.values[element.control])
        options = "".join(
            f"<option{' selected' if i == selected else ''}>{escape(option)}</option>"
            for i, option in enumerate(control.options)
        )
        return f'<select {common} name="{name}">{options}</select>'
    value = escape(str(sim.values[element.control]))
    placeholder = escape(element.placeholder)
    trigger = ' onfocus="tgTrigger(this)"' if eid == form.popup_trigger else ""
    if control.kind == "autocomplete":
        trigger = (
            ' autocomplete="off" oninput="tgSuggestions(this, true)"'
            ' onblur="tgSuggestions(this, false)"'
        )
    if control.kind == "datepicker":
        months = escape(" ".join(control.options))
        trigger = f' readonly data-months="{months}" onfocus="tgOpen(this)" onclick="tgOpen(this)"'
    return (
        f'<input {common} type="{element.input_type}" name="{name}" '
        f'placeholder="{placeholder}" value="{value}"{trigger}>'
    )


def render_html(form: Form, sim: FormSimulator | None = None) -> str:
    """The form as a standalone HTML document, in the state of ``sim`` (default: initial)."""
    sim = sim if sim is not None else FormSimulator(form)
    viewport_px = form.viewport_rows * ROW_PX
    pages = []
    for page in range(form.n_pages):
        display = "block" if page == sim.page else "none"
        inner = "\n".join(_element_html(form, sim, e) for e in form.elements if e.page == page)
        pages.append(
            f'<div class="page" id="page{page}" '
            f'style="display:{display};height:{form.page_rows[page] * ROW_PX}px">\n{inner}\n</div>'
        )
    overlay = ""
    popup = [e for e in form.elements if e.page == POPUP_PAGE]
    if popup:
        display = "block" if sim.popup_open else "none"
        inner = "\n".join(_element_html(form, sim, e) for e in popup)
        overlay = (
            f'<div id="overlay" style="display:{display};height:{viewport_px}px">\n{inner}\n</div>'
        )
    script = _SCRIPT % {
        "page": sim.page,
        "pages": form.n_pages,
        "submitted": "true" if sim.submitted else "false",
        "aborted": "true" if sim.aborted else "false",
        "shown": "true" if sim.popup_shown else "false",
        "scroll": sim.scroll * ROW_PX,
        "results": sim.results_page,
        "booked": next(
            (int(v) for c, v in zip(form.controls, sim.values, strict=True) if c.kind == "flights"),
            -1,
        ),
        "cal": (
            f"{{input: 'e{form.controls[sim.calendar].elements[0]}', month: {sim.month}}}"
            if sim.calendar >= 0
            else "null"
        ),
    }
    pages_html = "\n".join(pages)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>teachgym web form</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<div id="instruction">{escape(form.instruction_text())}</div>\n'
        f'<div id="viewport" style="height:{viewport_px}px">\n{pages_html}\n</div>\n'
        f"{overlay}\n<script>{script}</script>\n</body>\n</html>\n"
    )
