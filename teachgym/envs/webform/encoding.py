"""Observation and action encodings of the web-form family (fixed sizes, padded, masked).

The agent sees the elements of the current view: the pop-up's elements first while it
is open, then the current page's elements in DOM order (an autocomplete input's
suggestions only while its list shows them, a date picker's calendar elements only while
the calendar shows them). Slot ``i`` of every per-element
array is the same element, and action element indices are these slots.

Observation (``E = max_elements``, ``F = max_fields``, ``T = tokens_per_text``):

==========================  ==============  ==================================================
key                         shape, dtype    content
==========================  ==============  ==================================================
``element_tokens``          (E, T) int64    words of text and placeholder (hashed, 0 = pad)
``element_value_tokens``    (E, T) int64    words of the current value (inputs, selected option)
``element_class_tokens``    (E, 2) int64    CSS classes
``element_features``        (E, 26) f32     tag, input type, role one-hots; focused, in
                                            viewport, covered by the pop-up, checked, has a
                                            value, in the pop-up; x, y (viewport-relative), w, h
``element_mask``            (E,) f32        1 for a real element
``field_key_tokens``        (F, T) int64    instruction key words
``field_value_tokens``      (F, T) int64    instruction value words
``field_features``          (F, 8) f32      field type one-hot
``field_mask``              (F,) f32        1 for a real instruction field
``overlap``                 (E, F, 4) f32   share of key words in the element's text, in its
                                            context (left neighbour, radio caption), share of
                                            value words in its text/options (for a
                                            suggestion and an autocomplete field: 1 if
                                            its text starts / ends with the ``start`` /
                                            ``end`` field's value; for a calendar
                                            element and its date field: 1 for the
                                            field's day in the shown month, the title of
                                            the field's month, ``Prev`` / ``Next`` while
                                            the field's month is earlier / later; for a
                                            Book button and the ``flight`` field: 1 for
                                            the cheapest / shortest flight), and 1
                                            if the element now holds the field's value
``status``                  (5,) f32        page / 3, last page, pop-up open, scroll fraction,
                                            steps left fraction
==========================  ==============  ==================================================

Flat actions (``Discrete(E + 2 E F + 3)``): ``click(e)`` at ``e``; ``type(e, f)`` at
``E + e F + f``; ``select(e, f)`` at ``E + E F + e F + f``; then ``scroll_up``,
``scroll_down``, ``submit``. The Dict form is ``{"kind": Discrete(6), "element":
Discrete(E), "field": Discrete(F)}`` with kinds in :data:`~.form.ACTION_KINDS` order.
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import Any

import numpy as np
from gymnasium import spaces

from teachgym.envs.webform.form import (
    ACTION_KINDS,
    COLUMNS,
    ELEMENT_PX,
    PAGE_WIDTH_PX,
    POPUP_PAGE,
    ROW_PX,
    Action,
    Form,
    FormSimulator,
    calendar_part,
    date_month,
    field_holds,
    input_accepts,
    is_suggestion,
)
from teachgym.envs.webform.vocabulary import FIELD_TYPES, token_id, words

TAGS = ("span", "label", "a", "button", "input", "select")
INPUT_TYPES = ("text", "password", "email", "number", "date", "checkbox", "radio")
ROLES = ("next", "submit", "close")
CLASSES = (
    "text", "link", "btn", "btn-primary", "form-label", "form-control", "check", "caption",
    "radio-option", "popup-text", "popup-close", "autocomplete", "suggestion", "datepicker",
    "calendar-prev", "calendar-next", "calendar-title", "calendar-day",
)  # fmt: skip
_FLAGS = len(TAGS) + len(INPUT_TYPES) + len(ROLES)
FOCUSED, IN_VIEWPORT, COVERED, CHECKED, HAS_VALUE, IN_POPUP = range(_FLAGS, _FLAGS + 6)
GEOMETRY = _FLAGS + 6
N_ELEMENT_FEATURES = GEOMETRY + 4
_TAG_COLUMN = {tag: i for i, tag in enumerate(TAGS)}
_TYPE_COLUMN = {kind: len(TAGS) + i for i, kind in enumerate(INPUT_TYPES)}
_ROLE_COLUMN = {role: len(TAGS) + len(INPUT_TYPES) + i for i, role in enumerate(ROLES)}
N_OVERLAP = 4
N_STATUS = 5
MAX_PAGES = 4
Y_LIMIT = 4.0
"""Viewport-relative y is clipped to [-Y_LIMIT, Y_LIMIT] viewport heights."""


@lru_cache(maxsize=65536)
def _token_row(text: str, width: int, vocab_size: int) -> tuple[int, ...]:
    ids = [token_id(word, vocab_size) for word in words(text)[:width]]
    return (*ids, *([0] * (width - len(ids))))


OVERLAP_WORDS = 16
"""Distinct words per text kept for the overlap features (longer texts are cut)."""


@lru_cache(maxsize=65536)
def _word_ids(text: str) -> tuple[int, ...]:
    """Distinct 32-bit word hashes of ``text`` (at most OVERLAP_WORDS), zero-padded."""
    ids = sorted({zlib.crc32(word.encode("utf-8")) or 1 for word in words(text)})
    ids = ids[:OVERLAP_WORDS]
    return (*ids, *([0] * (OVERLAP_WORDS - len(ids))))


def _shares(texts: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Share of each query's words found in each text.

    ``texts`` (n, W) and ``queries`` (m, W) hold word hashes (0 = padding); returns
    (n, m) float32. Both become 0/1 incidence matrices over the queries' distinct
    words and one matrix product counts the shared words.
    """
    distinct = np.unique(queries[queries != 0])  # only words some query has matter
    width = len(distinct) + 1  # column 0 collects every other word and the padding

    def incidence(ids: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(distinct, ids), len(distinct) - 1)
        hit = (distinct[at] == ids) & (ids != 0) if len(distinct) else np.zeros_like(ids, bool)
        out = np.zeros((ids.shape[0], width), dtype=np.float32)
        rows = np.repeat(np.arange(ids.shape[0]), ids.shape[1])
        out[rows, np.where(hit, at + 1, 0).ravel()] = 1.0
        out[:, 0] = 0.0
        return out

    text_matrix = incidence(texts)
    query_matrix = incidence(queries)
    sizes = np.maximum(query_matrix.sum(axis=1), 1.0)
    return (text_matrix @ query_matrix.T) / sizes


def calendar_hint(part: str, day: int, shown: str, value: str) -> float:
    """Value overlap of a calendar element (``part``, ``day``) while month ``shown``
    (``YYYY-MM``) is displayed, for a date field of ``value`` (``MM/DD/YYYY``): 1 for its
    day in its month, for the title of its month, for ``Prev`` / ``Next`` while its month
    is earlier / later; else 0."""
    month = date_month(value)
    if not month or not shown:
        return 0.0
    if part == "day":
        return float(month == shown and day == int(value[3:5]))
    if part == "title":
        return float(month == shown)
    return float(month < shown if part == "prev" else month > shown)


def _affix(text: str, key: str, value: str) -> float:
    """1 if ``text`` starts (key ``start``) or ends (key ``end``) with ``value``, else 0."""
    if key == "start":
        return float(bool(value) and text.startswith(value))
    if key == "end":
        return float(bool(value) and text.endswith(value))
    return 0.0


class WebFormCodec:
    """Fixed-size encodings of forms, views and actions for one set of size limits.

    Args:
        max_elements: element slots ``E`` (a view with more elements is an error).
        max_fields: instruction field slots ``F``.
        tokens_per_text: words kept per text ``T``.
        vocab_size: number of hashed token ids (0 is padding).
    """

    def __init__(
        self, max_elements: int, max_fields: int, tokens_per_text: int, vocab_size: int
    ) -> None:
        for name, value, low in (
            ("max_elements", max_elements, 4),
            ("max_fields", max_fields, 1),
            ("tokens_per_text", tokens_per_text, 1),
            ("vocab_size", vocab_size, 16),
        ):
            if not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        self.E, self.F, self.T, self.V = max_elements, max_fields, tokens_per_text, vocab_size
        self.n_actions = self.E + 2 * self.E * self.F + 3
        E, F, T = self.E, self.F, self.T
        token_box = spaces.Box(0, self.V - 1, shape=(E, T), dtype=np.int64)
        self.observation_space = spaces.Dict(
            {
                "element_tokens": token_box,
                "element_value_tokens": token_box,
                "element_class_tokens": spaces.Box(0, self.V - 1, (E, 2), np.int64),
                "element_features": spaces.Box(
                    -Y_LIMIT, Y_LIMIT, (E, N_ELEMENT_FEATURES), np.float32
                ),
                "element_mask": spaces.Box(0.0, 1.0, (E,), np.float32),
                "field_key_tokens": spaces.Box(0, self.V - 1, (F, T), np.int64),
                "field_value_tokens": spaces.Box(0, self.V - 1, (F, T), np.int64),
                "field_features": spaces.Box(0.0, 1.0, (F, len(FIELD_TYPES)), np.float32),
                "field_mask": spaces.Box(0.0, 1.0, (F,), np.float32),
                "overlap": spaces.Box(0.0, 1.0, (E, F, N_OVERLAP), np.float32),
                "status": spaces.Box(0.0, 1.0, (N_STATUS,), np.float32),
            }
        )
        self.flat_action_space = spaces.Discrete(self.n_actions)
        self.dict_action_space = spaces.Dict(
            {
                "kind": spaces.Discrete(len(ACTION_KINDS)),
                "element": spaces.Discrete(E),
                "field": spaces.Discrete(F),
            }
        )

    # -- text -----------------------------------------------------------------------
    def tokens(self, text: str, width: int | None = None) -> np.ndarray:
        """Hashed ids of the first ``width`` (default ``T``) words, zero-padded."""
        return np.array(_token_row(text, self.T if width is None else width, self.V), np.int64)

    # -- actions --------------------------------------------------------------------
    def decode_flat(self, index: int) -> tuple[str, int, int]:
        """Flat index -> (kind, slot, field); ``ValueError`` outside ``[0, n_actions)``."""
        E, F = self.E, self.F
        if not 0 <= index < self.n_actions:
            raise ValueError(
                f"flat web-form action must be an integer in [0, {self.n_actions}), got {index}"
            )
        if index < E:
            return "click", index, -1
        index -= E
        if index < 2 * E * F:
            kind = "type" if index < E * F else "select"
            slot, field = divmod(index % (E * F), F)
            return kind, slot, field
        return ACTION_KINDS[3 + index - 2 * E * F], -1, -1

    def encode_flat(self, kind: str, slot: int = -1, field: int = -1) -> int:
        """(kind, slot, field) -> flat index (inverse of :meth:`decode_flat`)."""
        E, F = self.E, self.F
        if kind == "click":
            return slot
        if kind == "type":
            return E + slot * F + field
        if kind == "select":
            return E + E * F + slot * F + field
        return E + 2 * E * F + ACTION_KINDS.index(kind) - 3

    def decode_dict(self, action: Any) -> tuple[str, int, int]:
        """Dict action -> (kind, slot, field); ``ValueError`` for a malformed action."""
        try:
            kind, slot, field = (int(action[k]) for k in ("kind", "element", "field"))
        except (KeyError, TypeError, ValueError, IndexError):
            raise ValueError(
                "a dict web-form action needs integer entries 'kind', 'element' and 'field', "
                f"got {action!r}"
            ) from None
        for name, value, bound in (
            ("kind", kind, len(ACTION_KINDS)),
            ("element", slot, self.E),
            ("field", field, self.F),
        ):
            if not 0 <= value < bound:
                raise ValueError(f"dict action entry {name!r} must be in [0, {bound}), got {value}")
        return ACTION_KINDS[kind], slot, field


class ViewEncoder:
    """Encodes one form's current view into the padded observation, and its action mask.

    Built once per episode: static per-element arrays are computed here; the padded
    arrays of the current view are cached and rebuilt only when the view (page,
    pop-up, scroll) changes; :meth:`after_action` patches what an action changed.
    """

    def __init__(self, codec: WebFormCodec, form: Form, sim: FormSimulator) -> None:
        self.codec, self.form, self.sim = codec, form, sim
        E, F, T = codec.E, codec.F, codec.T
        fields = form.fields
        if len(fields) > F:
            raise ValueError(
                f"the task asks for {len(fields)} instruction fields but max_fields={F}: "
                "raise max_fields or lower n_fields"
            )
        elements = form.elements
        n = len(elements)
        self.pages = np.array([e.page for e in elements], dtype=np.int64)
        self.rows = np.array([e.row for e in elements], dtype=np.int64)
        self.in_popup = self.pages == POPUP_PAGE
        self.page_slots = [np.flatnonzero(self.pages == p) for p in range(form.n_pages)]
        self.popup_slots = np.flatnonzero(self.in_popup)
        largest = max(len(s) for s in self.page_slots) + len(self.popup_slots)
        if largest > E:
            raise ValueError(
                f"the task needs {largest} element slots on one page but max_elements={E}: "
                "raise max_elements or lower n_distractors / n_fields / n_decoys"
            )
        V = codec.V
        self.tokens = np.array(
            [_token_row(f"{e.text} {e.placeholder}", T, V) for e in elements], dtype=np.int64
        )
        self.class_tokens = np.array(
            [_token_row(" ".join(e.classes), 2, V) for e in elements], dtype=np.int64
        )
        self.value_tokens = np.zeros((n, T), dtype=np.int64)
        features = np.zeros((n, N_ELEMENT_FEATURES), dtype=np.float32)
        everyone = np.arange(n)
        features[everyone, [_TAG_COLUMN[e.tag] for e in elements]] = 1.0
        typed = [(e.eid, _TYPE_COLUMN[e.input_type]) for e in elements if e.input_type]
        roles = [(e.eid, _ROLE_COLUMN[e.role]) for e in elements if e.role in _ROLE_COLUMN]
        for pairs in (typed, roles):
            if pairs:
                rows, columns = zip(*pairs, strict=True)
                features[list(rows), list(columns)] = 1.0
        features[:, GEOMETRY] = [COLUMNS[e.column][0] / PAGE_WIDTH_PX for e in elements]
        features[:, GEOMETRY + 2] = [COLUMNS[e.column][1] / PAGE_WIDTH_PX for e in elements]
        features[:, GEOMETRY + 3] = ELEMENT_PX / (form.viewport_rows * ROW_PX)
        features[:, IN_POPUP] = self.in_popup
        self.features = features
        self.clickable = np.array([e.tag != "span" for e in elements])

        self.field_key_tokens = np.zeros((F, T), dtype=np.int64)
        self.field_value_tokens = np.zeros((F, T), dtype=np.int64)
        self.field_features = np.zeros((F, len(FIELD_TYPES)), dtype=np.float32)
        self.field_mask = np.zeros(F, dtype=np.float32)
        for i, f in enumerate(fields):
            self.field_key_tokens[i] = _token_row(f.key, T, V)
            self.field_value_tokens[i] = _token_row(f.value, T, V)
            self.field_features[i, FIELD_TYPES.index(f.ftype)] = 1.0
            self.field_mask[i] = 1.0
        self.overlap = np.zeros((n, F, N_OVERLAP), dtype=np.float32)
        self.type_ok = np.zeros((n, F), dtype=bool)
        self.select_ok = np.zeros((n, F), dtype=bool)
        self._static_overlap()
        for control, value in zip(form.controls, sim.values, strict=True):
            if value not in ("", 0, -1):  # not in the default empty state
                self.refresh_control(control.cid)
        self.focused = -1
        self.hideable = [e.eid for e in elements if is_suggestion(e) or calendar_part(e)]
        self._view_key: tuple[int, bool, int, bool, tuple[int, ...], int, int] | None = None
        self._slots = self.page_slots[0]
        self._n_slots = 0
        self._slot_of = [-1] * n
        self._previous_slots: list[int] = []
        self._buffers: dict[str, np.ndarray] = {
            "element_tokens": np.zeros((E, T), dtype=np.int64),
            "element_value_tokens": np.zeros((E, T), dtype=np.int64),
            "element_class_tokens": np.zeros((E, 2), dtype=np.int64),
            "element_features": np.zeros((E, N_ELEMENT_FEATURES), dtype=np.float32),
            "element_mask": np.zeros(E, dtype=np.float32),
            "overlap": np.zeros((E, F, N_OVERLAP), dtype=np.float32),
        }
        self._mask = np.zeros(codec.n_actions, dtype=bool)
        self._fields: dict[str, np.ndarray] = {
            "field_key_tokens": self.field_key_tokens,
            "field_value_tokens": self.field_value_tokens,
            "field_features": self.field_features,
            "field_mask": self.field_mask,
        }
        self._rebuild_view()

    def _static_overlap(self) -> None:
        """Channels 0-2 of the overlap, and which (element, field) pairs type/select fits."""
        form, sim = self.form, self.sim
        elements, fields = form.elements, form.fields
        m = len(fields)
        at = {(e.page, e.row, e.column): e.eid for e in elements}
        n = len(elements)
        context = np.full(n, n, dtype=np.int64)  # index n: an empty text
        for e in elements:
            if e.input_type == "radio":
                first = elements[form.controls[e.control].elements[0]]
                context[e.eid] = at.get((e.page, first.row - 1, "full"), n)
            elif e.column == "right":
                context[e.eid] = at.get((e.page, e.row, "left"), n)
        selects = [e.eid for e in elements if e.tag == "select"]
        texts = np.zeros((n + 1 + len(selects), OVERLAP_WORDS), dtype=np.int64)
        texts[:n] = [_word_ids(f"{e.text} {e.placeholder}") for e in elements]
        for row, eid in enumerate(selects, start=n + 1):  # a select's words include its options
            e = elements[eid]
            texts[row] = _word_ids(
                " ".join((e.text, e.placeholder, *form.controls[e.control].options[1:]))
            )
        queries = np.array(
            [_word_ids(f.key) for f in fields] + [_word_ids(f.value) for f in fields]
        )
        shares = _shares(texts, queries.reshape(-1, OVERLAP_WORDS))
        self.overlap[:, :m, 0] = shares[:n, :m]
        self.overlap[:, :m, 1] = shares[context, :m]
        self.overlap[:, :m, 2] = shares[:n, m:]
        if selects:
            self.overlap[selects, :m, 2] = shares[n + 1 :, m:]
        affixes = [
            j
            for j, f in enumerate(fields)
            if form.controls[f.control].kind == "autocomplete" and f.key in ("start", "end")
        ]
        for e in elements:
            if is_suggestion(e) and affixes:
                self.overlap[e.eid, affixes, 2] = [
                    _affix(e.text, fields[j].key, fields[j].value) for j in affixes
                ]
            if calendar_part(e):  # a day's number is no value word (set while it shows)
                self.overlap[e.eid, :, 2] = 0.0
            if e.role == "book":  # the flight the field asks for (cheapest / shortest)
                self.overlap[e.eid, :m, 2] = [
                    float(f.control == e.control and f.target == e.option) for f in fields
                ]
        accepts = {
            kind: [input_accepts(kind, f.value) for f in fields]
            for kind in ("text", "password", "email", "number", "date")
        }
        for e in elements:
            readonly = e.control >= 0 and form.controls[e.control].kind == "datepicker"
            if e.tag == "input" and e.input_type in accepts and not readonly:
                self.type_ok[e.eid, :m] = accepts[e.input_type]
            elif e.tag == "select":
                for j in range(m):
                    self.select_ok[e.eid, j] = sim.select_option(e.eid, j) > 0

    def refresh_control(self, cid: int) -> None:
        """Update the value-dependent arrays of control ``cid``'s elements."""
        form, sim = self.form, self.sim
        if form.controls[cid].kind == "datepicker":
            shown = sim.shown_month() if sim.calendar == cid else ""
            asked = [j for j, f in enumerate(form.fields) if f.control == cid]
            for eid in form.controls[cid].elements[1:]:
                element = form.elements[eid]
                part = calendar_part(element)
                for j in asked:
                    hint = calendar_hint(part, element.option, shown, form.fields[j].value)
                    self.overlap[eid, j, 2] = hint
        for eid in form.controls[cid].elements:
            element = form.elements[eid]
            text = sim.element_value(eid)
            checked = sim.checked(eid)
            self.value_tokens[eid] = _token_row(text, self.codec.T, self.codec.V)
            self.features[eid, CHECKED] = checked
            self.features[eid, HAS_VALUE] = bool(text)
            held = text if text else (element.text if checked and element.option >= 0 else "")
            for j, f in enumerate(form.fields):
                if form.controls[cid].kind == "autocomplete":
                    self.overlap[eid, j, 3] = bool(held) and field_holds(form, f, held)
                else:
                    self.overlap[eid, j, 3] = bool(held) and held == f.value

    def after_action(self, action: Action) -> None:
        """Refresh what ``action`` (just applied to the simulator) may have changed.

        The encoder learns about simulator changes only through this method.
        """
        changed: list[int] = []
        if action.element >= 0:
            element = self.form.elements[action.element]
            for cid in (element.control, element.label_for):
                if cid >= 0:
                    self.refresh_control(cid)
                    changed.extend(self.form.controls[cid].elements)
        if self.sim.focused != self.focused:
            if self.focused >= 0:
                self.features[self.focused, FOCUSED] = 0.0
                changed.append(self.focused)
            if self.sim.focused >= 0:
                self.features[self.sim.focused, FOCUSED] = 1.0
                changed.append(self.sim.focused)
            self.focused = self.sim.focused
        if self._key() != self._view_key:
            self._rebuild_view()
        elif changed:
            view_features = self._buffers["element_features"]
            value_tokens = self._buffers["element_value_tokens"]
            overlap = self._buffers["overlap"]
            for eid in changed:
                slot = self._slot_of[eid]
                if slot >= 0:
                    row, source = view_features[slot], self.features[eid]
                    row[FOCUSED], row[CHECKED] = source[FOCUSED], source[CHECKED]
                    row[HAS_VALUE] = source[HAS_VALUE]
                    value_tokens[slot] = self.value_tokens[eid]
                    overlap[slot, :, 3] = self.overlap[eid, :, 3]

    def _key(self) -> tuple[int, bool, int, bool, tuple[int, ...], int, int]:
        sim = self.sim
        shown = tuple(e for e in self.hideable if sim.displayed(e)) if sim.suggesting >= 0 else ()
        return sim.page, sim.popup_open, sim.scroll, sim.submitted, shown, sim.calendar, sim.month

    def slots(self) -> np.ndarray:
        """Element ids of the current view, in slot order."""
        return self._slots

    def _rebuild_view(self) -> None:
        """Rebuild the padded arrays and the action mask (page, pop-up or scroll changed)."""
        self._view_key = self._key()
        codec, sim, form = self.codec, self.sim, self.form
        E, F, V = codec.E, codec.F, form.viewport_rows
        page = self.page_slots[sim.page]
        if self.hideable:
            page = np.array([e for e in page.tolist() if sim.displayed(e)], dtype=np.int64)
        slots = np.concatenate([self.popup_slots, page]) if sim.popup_open else page
        self._slots = slots
        for eid in self._previous_slots:
            self._slot_of[eid] = -1
        self._previous_slots = slots.tolist()
        for slot, eid in enumerate(self._previous_slots):
            self._slot_of[eid] = slot
        n, previous = len(slots), self._n_slots
        self._n_slots = n
        sources: dict[str, np.ndarray] = {
            "element_tokens": self.tokens,
            "element_value_tokens": self.value_tokens,
            "element_class_tokens": self.class_tokens,
            "element_features": self.features,
            "overlap": self.overlap,
        }
        for name, source in sources.items():
            buffer = self._buffers[name]
            buffer[n:previous] = 0
            buffer[:n] = source[slots]
        element_mask = self._buffers["element_mask"]
        element_mask[n:previous] = 0.0
        element_mask[:n] = 1.0
        view = self._buffers["element_features"][:n]
        popup = self.in_popup[slots]
        rows = self.rows[slots]
        in_view = popup | ((rows >= sim.scroll) & (rows < sim.scroll + V))
        view[:, IN_VIEWPORT] = in_view
        view[:, COVERED] = sim.popup_open & ~popup
        y = np.where(popup, rows, rows - sim.scroll) / V
        view[:, GEOMETRY + 1] = np.clip(y, -Y_LIMIT, Y_LIMIT)

        mask = np.zeros(codec.n_actions, dtype=bool)
        if not sim.submitted:
            actionable = popup if sim.popup_open else in_view
            mask[:n] = actionable & self.clickable[slots]
            mask[E : E + E * F].reshape(E, F)[:n] = actionable[:, None] & self.type_ok[slots]
            selecting = mask[E + E * F : E + 2 * E * F].reshape(E, F)
            selecting[:n] = actionable[:, None] & self.select_ok[slots]
            if not sim.popup_open:
                base = E + 2 * E * F
                mask[base] = sim.scroll > 0
                mask[base + 1] = sim.scroll < form.max_scroll(sim.page)
                mask[base + 2] = sim.page == form.n_pages - 1 != sim.results_page
        self._mask = mask

    def observation(self, steps_left: float) -> dict[str, np.ndarray]:
        """The padded observation of the current view (fresh arrays)."""
        sim, form = self.sim, self.form
        max_scroll = form.max_scroll(sim.page)
        status = np.array(
            [
                sim.page / (MAX_PAGES - 1),
                sim.page == form.n_pages - 1,
                sim.popup_open,
                sim.scroll / max_scroll if max_scroll else 0.0,
                steps_left,
            ],
            dtype=np.float32,
        )
        obs = {name: array.copy() for name, array in self._buffers.items()}
        for name, array in self._fields.items():
            obs[name] = array.copy()
        obs["status"] = status
        return obs

    def action_mask(self) -> np.ndarray:
        """Boolean mask of shape ``(n_actions,)``: True where the flat action does something."""
        return self._mask.copy()
