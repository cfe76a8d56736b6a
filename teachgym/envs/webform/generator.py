"""Procedural form generation: the task space, the named presets, and ``generate_form``.

The difficulty parameters follow the web-form literature (QWeb, MiniWoB++; see
docs/references.md [gur2019qweb], [liu2018miniwob]):
number of instruction fields, field type mix, distractors, near-duplicate decoys,
label attachment, paraphrased labels, instruction order, wizard pages, a viewport
that needs scrolling, a blocking pop-up, and QWeb's two curricula as parameters:
``warm_start`` (an oracle pre-fills that fraction of the instruction fields) and
``required_fraction`` (the sub-instruction curriculum: the instruction asks for only
that fraction of the form's fields; the others must stay untouched).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from teachgym.envs.webform.form import (
    POPUP_PAGE,
    Action,
    Control,
    Element,
    Field,
    Form,
    date_month,
    field_holds,
    month_days,
    picked_date,
)
from teachgym.envs.webform.vocabulary import (
    AIRPORTS,
    AUTOCOMPLETE_SPEC,
    CATALOG,
    CHECKBOX_VALUES,
    CONFIRM_HARMFUL,
    CONFIRM_MESSAGES,
    CONFIRM_PASSWORD_SPEC,
    CONFIRM_QUESTIONS,
    CONFIRM_SAFE,
    DATE_PICKER_SPEC,
    DATES,
    DISTRACTOR_BUTTONS,
    DISTRACTOR_INPUTS,
    DISTRACTOR_LINKS,
    DISTRACTOR_TEXTS,
    POPUP_CLOSE,
    POPUP_TEXTS,
    QUALIFIERS,
    TEXT_LIKE,
    THEMES,
    TYPE_MIXES,
    FieldSpec,
)
from teachgym.tasks import Categorical, Continuous, Integer, Task, TaskSpace

LABEL_STYLES = ("label", "placeholder", "adjacent")

WEBFORM_TASK_SPACE = TaskSpace(
    {
        "n_fields": Integer(1, 20),
        "field_types": Categorical(tuple(TYPE_MIXES)),
        "theme": Categorical(("any", *THEMES)),
        "n_options": Integer(2, 5),
        "n_distractors": Integer(0, 100),
        "n_decoys": Integer(0, 5),
        "label_style": Categorical((*LABEL_STYLES, "mixed")),
        "paraphrase": Continuous(0.0, 1.0),
        "order": Categorical(("page", "shuffled")),
        "n_pages": Integer(1, 4),
        "viewport_rows": Integer(4, 64),
        "popup": Categorical((False, True)),
        "warm_start": Continuous(0.0, 1.0),
        "required_fraction": Continuous(0.0, 1.0),
        "autocomplete": Categorical((False, True)),
        "date_picker": Categorical((False, True)),
        "flight_results": Categorical((False, True)),
    }
)
"""Difficulty parameters of ``teachgym/WebForm-v0``:

- ``n_fields``: fields on the form (1-20); the instruction asks for
  ``max(1, round(required_fraction * n_fields))`` of them.
- ``field_types``: the mix of field types (see :data:`TYPE_MIXES`).
- ``theme``: where keys come from (``login``, ``search``, ``flight``, ``profile``; ``any``).
- ``n_options``: options of each select and radio group (2-5).
- ``n_distractors``: text, links, buttons and unrelated inputs (0-100).
- ``n_decoys``: near-duplicate fields (``"backup email"`` next to ``"email"``) that must stay empty.
- ``label_style``: ``<label for>``, placeholder, adjacent text, or a per-field mix.
- ``paraphrase``: probability that a page label is a paraphrase of the instruction key.
- ``order``: instruction in page order or shuffled.
- ``n_pages``: wizard pages, each but the last ending with a Next button.
- ``viewport_rows``: rows visible at once (a page is one row per field, label and distractor).
- ``popup``: a blocking pop-up to close first.
- ``warm_start``: fraction of the instruction fields pre-filled by an oracle.
- ``required_fraction``: fraction of the form's fields the instruction asks for.
- ``autocomplete``: the last field is an autocomplete input (MiniWoB++'s
  ``use-autocomplete`` [liu2018miniwob]: a country whose name starts with the ``start``
  field's 2-4 letters and, three times in four, ends with the ``end`` field's 2-4
  letters, picked from the suggestion list that typing the start opens).
- ``date_picker``: the form's first date field (else its first field, as ``date``) is a
  readonly input with a calendar, the jQuery UI datepicker of MiniWoB++'s ``choose-date``
  [liu2018miniwob]: its range spans 1 to 12 months (``choose-date-easy`` one,
  ``-medium`` two, ``choose-date`` twelve) ending in a month of 2016-2025, the calendar
  opens on the last month, and the instruction asks for a day of the range as
  ``MM/DD/YYYY``; such a form keeps at most :data:`MAX_PICKER_DISTRACTORS` distractors
  (a one-field form that is also ``autocomplete`` has no picker).
- ``flight_results``: the last page's button is ``Search``, which shows a results page
  of 3 to 5 flights (times, duration, a ``Book flight for $<price>`` button each), and
  the instruction also asks for the ``flight``: the ``cheapest`` or the ``shortest``
  one, as MiniWoB++'s ``book-flight`` [liu2018miniwob] (a form of 20 fields asks for 19
  and the flight); with ``autocomplete`` its ``from`` and ``to`` fields (if any) are the
  autocomplete inputs instead of the last field: US airports ``City, ST (CODE)``, the
  suggestions those containing the typed text, the instruction naming the city or the
  code, as ``book-flight``'s.
"""

CATEGORICAL_LEVELS: dict[str, tuple[Any, ...]] = {
    "field_types": ("text", "login", "typed", "choice", "all"),
    "theme": ("login", "search", "flight", "profile", "any"),
    "label_style": ("label", "placeholder", "adjacent", "mixed"),
    "order": ("page", "shuffled"),
    "popup": (False, True),
    "autocomplete": (False, True),
    "date_picker": (False, True),
    "flight_results": (False, True),
}
"""The categorical parameters' choices, roughly from easy to hard, for the numeric view."""

WEBFORM_NUMERIC_TASK_SPACE = TaskSpace(
    {
        name: Integer(0, len(CATEGORICAL_LEVELS[name]) - 1) if name in CATEGORICAL_LEVELS else p
        for name, p in WEBFORM_TASK_SPACE.parameters.items()
    }
)
"""The same task space with every categorical parameter as an integer level (the index
in :data:`CATEGORICAL_LEVELS`), for teachers that need numbers (ALP-GMM, RIAC, ...)."""


def categorical_task(task: Task) -> Task:
    """A task of the numeric view -> the same task with its categorical choices."""
    out = dict(task)
    for name, levels in CATEGORICAL_LEVELS.items():
        out[name] = levels[int(task[name])]
    return out


def numeric_task(task: Task) -> Task:
    """A task with categorical choices -> the numeric view (inverse of :func:`categorical_task`)."""
    out = dict(task)
    for name, levels in CATEGORICAL_LEVELS.items():
        out[name] = levels.index(task[name])
    return out


_BASE: Task = {
    "n_fields": 2,
    "field_types": "login",
    "theme": "login",
    "n_options": 3,
    "n_distractors": 2,
    "n_decoys": 0,
    "label_style": "label",
    "paraphrase": 0.0,
    "order": "page",
    "n_pages": 1,
    "viewport_rows": 16,
    "popup": False,
    "warm_start": 0.0,
    "required_fraction": 1.0,
    "autocomplete": False,
    "date_picker": False,
    "flight_results": False,
}

FORM_PRESETS: dict[str, Task] = {
    "login": dict(_BASE),
    "search": {
        **_BASE,
        "n_fields": 3,
        "field_types": "all",
        "theme": "search",
        "n_distractors": 8,
        "label_style": "placeholder",
        "viewport_rows": 20,
    },
    "book_flight": {
        **_BASE,
        "n_fields": 6,
        "field_types": "all",
        "theme": "flight",
        "n_options": 4,
        "n_distractors": 12,
        "n_decoys": 1,
        "label_style": "mixed",
        "paraphrase": 0.3,
        "order": "shuffled",
        "viewport_rows": 12,
    },
    "profile": {
        **_BASE,
        "n_fields": 12,
        "field_types": "all",
        "theme": "profile",
        "n_options": 5,
        "n_distractors": 24,
        "n_decoys": 3,
        "label_style": "mixed",
        "paraphrase": 0.5,
        "order": "shuffled",
        "n_pages": 3,
        "viewport_rows": 8,
        "popup": True,
    },
}
"""Named tasks of increasing difficulty resembling classic web tasks."""

MINIWOB_PRESETS: dict[str, Task] = {
    "choose_date": {**_BASE, "n_fields": 1, "n_distractors": 0, "date_picker": True},
    "book_flight_miniwob": {
        **_BASE,
        "n_fields": 3,
        "field_types": "typed",
        "theme": "flight",
        "n_distractors": 0,
        "label_style": "placeholder",
        "date_picker": True,
        "flight_results": True,
        "autocomplete": True,
    },
}
"""Tasks shaped like single MiniWoB++ tasks [liu2018miniwob], outside the test sets and
the bandit sub-spaces: ``choose_date`` (one date picker and Submit) and
``book_flight_miniwob`` (From and To as airport autocomplete inputs, the departure
date's picker, Search, then the flights to book the cheapest or shortest of)."""

FORM_SUBSPACES: dict[str, dict[str, Any]] = {
    "login": {
        "n_fields": [1, 2],
        "field_types": "login",
        "theme": "login",
        "n_distractors": [0, 5],
        "n_decoys": 0,
        "label_style": "label",
        "n_pages": 1,
        "popup": False,
    },
    "search": {
        "n_fields": [3, 4],
        "n_distractors": [0, 10],
        "n_decoys": 0,
        "n_pages": 1,
        "popup": False,
    },
    "book_flight": {
        "n_fields": [5, 8],
        "n_distractors": [5, 20],
        "n_decoys": [0, 2],
        "n_pages": [1, 2],
        "popup": False,
    },
    "profile": {
        "n_fields": [9, 14],
        "n_distractors": [10, 40],
        "n_decoys": [1, 5],
        "n_pages": [2, 4],
        "paraphrase": [0.2, 1.0],
    },
    "beyond": {"n_fields": [15, 20]},
}
"""Named difficulty sub-spaces around the presets, as bandit teachers' arms
(:class:`~teachgym.teachers.bandits.arms.SubspaceArms`): each preset lies in the
sub-space of its name, ``beyond`` holds the largest forms; they split ``n_fields``, so
no two share a task. Parameters a sub-space leaves out are drawn over their full range."""

HARD_SEED = 20190506
"""Seed of the draws of the ``hard`` test set."""
HARD_VERSION = 4
"""Version of the ``hard`` test set; bump it whenever its tasks or their forms change."""
HARD_PRESETS = ("book_flight", "profile")
HARD_PRESET_SEEDS = 5
HARD_DRAWN = 30


def hard_tasks() -> list[Task]:
    """The ``hard`` test set (40 tasks): the ``book_flight`` and ``profile`` presets with
    5 level seeds each, then 30 drawn forms of 4 to 10 fields of every type, 10 to 40
    distractors, 1 to 3 decoys, mixed labels paraphrased with probability 0.3 to 0.8, a
    shuffled instruction, 2 or 3 pages, 8 to 16 visible rows, a pop-up on every other
    one, no warm start and the whole instruction asked; all from :data:`HARD_SEED`."""
    rng = np.random.default_rng(HARD_SEED)
    tasks = [
        {**FORM_PRESETS[name], "level_seed": int(rng.integers(2**31))}
        for name in HARD_PRESETS
        for _ in range(HARD_PRESET_SEEDS)
    ]
    themes = ("any", *THEMES)
    for i in range(HARD_DRAWN):
        tasks.append(
            {
                "n_fields": int(rng.integers(4, 11)),
                "field_types": "all",
                "theme": themes[int(rng.integers(len(themes)))],
                "n_options": int(rng.integers(3, 6)),
                "n_distractors": int(rng.integers(10, 41)),
                "n_decoys": int(rng.integers(1, 4)),
                "label_style": "mixed",
                "paraphrase": round(float(rng.uniform(0.3, 0.8)), 3),
                "order": "shuffled",
                "n_pages": int(rng.integers(2, 4)),
                "viewport_rows": int(rng.integers(8, 17)),
                "popup": i % 2 == 0,
                "autocomplete": False,
                "date_picker": False,
                "flight_results": False,
                "warm_start": 0.0,
                "required_fraction": 1.0,
                "level_seed": int(rng.integers(2**31)),
            }
        )
    return tasks


MAX_RADIO_ROWS = 1 + 5
"""Rows (and elements) of the largest radio group: a caption and five options."""
MAX_PAGE_ELEMENTS = 20 * MAX_RADIO_ROWS + 5 * MAX_RADIO_ROWS + 100 + 1 + 2 + 1
"""Most elements one view can show: 20 fields and 5 decoys as radio groups, 100
distractors, the Next/Submit button, the two pop-up elements and one more for an
autocomplete field (its label, input and five suggestions) (= 254); a ``confirm``
pop-up has two elements more."""
AUTOCOMPLETE_END_SHARE = 0.75
"""Share of autocomplete instructions with an ``end`` field, as ``use-autocomplete``."""
MAX_INSTRUCTION_FIELDS = 20
"""An autocomplete field adds its ``end`` field only while the instruction stays this short."""
CALENDAR_ELEMENTS = 3 + 31
"""A date picker's calendar: ``Prev``, ``Next``, the title and 31 day links."""
MAX_PICKER_DISTRACTORS = 100 - (2 + CALENDAR_ELEMENTS - MAX_RADIO_ROWS)
"""Distractors on a form with a date picker (= 70): its label, input and calendar take
30 slots more than the largest radio group, so the form fits :data:`MAX_PAGE_ELEMENTS`."""
PICKER_MONTHS = 12
"""Longest range of a date picker's calendar, in months (``choose-date``'s year)."""
PICKER_YEARS = (2016, 2025)
"""Years in which a date picker's range ends (``choose-date``'s is 2016)."""
FLIGHTS = (3, 5)
"""Fewest and most flights on a results page (``book-flight``'s ``core.randi(3, 5)``)."""
PRICES = (50, 1200)
"""Lowest and highest flight price in USD (``book-flight``'s ``core.randi(50, 1200)``)."""
LONGEST_FLIGHT_MIN = 36 * 60
"""Longest flight in minutes (``book-flight`` lands within 1.5 days of the day's start)."""
FLIGHT_WANTS = ("cheapest", "shortest")


def preset_task(name: str) -> Task:
    """A copy of preset ``name`` (:data:`FORM_PRESETS`, :data:`MINIWOB_PRESETS`); unknown
    names raise ``ValueError`` listing the presets."""
    presets = {**FORM_PRESETS, **MINIWOB_PRESETS}
    if name not in presets:
        raise ValueError(f"unknown web-form preset {name!r}; known: {sorted(presets)}")
    return dict(presets[name])


@dataclass(slots=True)
class _Block:
    """A group of consecutive rows: a field (instruction or not), a decoy or a distractor."""

    spec: FieldSpec | None
    label: str = ""
    style: str = "label"
    value: str = ""
    options: tuple[str, ...] = ()
    distractor: str = ""
    text: str = ""
    field_index: int = -1  # index among the form's fields, -1 for decoys and distractors
    control: int = -1
    elements: list[int] = field(default_factory=list)


class _Draws:
    """Uniform numbers from the level's generator, fetched 256 at a time.

    Generation makes many small random decisions; one numpy call per block instead of
    one per decision makes ``reset`` much cheaper. Deterministic given ``rng``.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._pool: list[float] = []

    def random(self) -> float:
        """A uniform number in [0, 1)."""
        if not self._pool:
            self._pool = self.rng.random(256).tolist()
        return self._pool.pop()

    def _take(self, n: int) -> list[float]:
        if len(self._pool) < n:
            self._pool = self.rng.random(max(256, n)).tolist() + self._pool
        taken = self._pool[-n:] if n else []
        del self._pool[len(self._pool) - n :]
        return taken

    def integer(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        return min(int(self.random() * n), n - 1)

    def permutation(self, n: int) -> list[int]:
        keys = self._take(n)
        return sorted(range(n), key=keys.__getitem__)

    def sample(self, n: int, k: int) -> list[int]:
        """``k`` distinct integers from [0, n), in random order."""
        return self.permutation(n)[:k]


def _choose_specs(task: Task, draws: _Draws) -> list[FieldSpec]:
    allowed = TYPE_MIXES[task["field_types"]]
    pool = [s for s in CATALOG if s.ftype in allowed]
    if task["theme"] == "any":
        ordered = [pool[i] for i in draws.permutation(len(pool))]
    else:
        by_key = {s.key: s for s in CATALOG}
        themed = [by_key[k] for k in THEMES[task["theme"]] if by_key[k].ftype in allowed]
        ordered = themed
        if len(themed) < task["n_fields"]:
            themed_keys = {s.key for s in themed}
            rest = [s for s in pool if s.key not in themed_keys]
            ordered = themed + [rest[i] for i in draws.permutation(len(rest))]
    chosen = ordered[: task["n_fields"]]
    used = {s.key for s in chosen}
    while len(chosen) < task["n_fields"]:  # the catalog is short of this mix: qualified keys
        base = pool[draws.integer(len(pool))]
        key = f"{QUALIFIERS[draws.integer(len(QUALIFIERS))]} {base.key}"
        if key in used:
            continue
        qualifier = key.split(" ", 1)[0]
        paraphrases = tuple(f"{qualifier} {p}" for p in base.paraphrases)
        chosen.append(FieldSpec(key, base.ftype, paraphrases, base.values))
        used.add(key)
    return chosen


def _label(spec: FieldSpec, paraphrase: float, draws: _Draws) -> str:
    if spec.paraphrases and draws.random() < paraphrase:
        return spec.paraphrases[draws.integer(len(spec.paraphrases))]
    return spec.key


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ALPHANUMERIC = _LETTERS + _LETTERS.upper() + "0123456789"


def _fresh_value(ftype: str, draws: _Draws) -> str:
    """A value drawn afresh instead of from the pool: a password of 2 to 6 letters and
    digits, as MiniWoB++'s ``ui_utils.generateString(2, 6)`` [liu2018miniwob]; a text of
    3 to 8 lowercase letters; an email ``<text>@mail.org``."""
    alphabet, low, high = (_ALPHANUMERIC, 2, 6) if ftype == "password" else (_LETTERS, 3, 8)
    text = "".join(
        alphabet[draws.integer(len(alphabet))] for _ in range(low + draws.integer(high - low + 1))
    )
    return f"{text}@mail.org" if ftype == "email" else text


def _random_string(draws: _Draws, low: int, high: int) -> str:
    """``low`` to ``high`` letters and digits, as MiniWoB++'s ``ui_utils.generateString``."""
    n = low + draws.integer(high - low + 1)
    return "".join(_ALPHANUMERIC[draws.integer(len(_ALPHANUMERIC))] for _ in range(n))


def _fresh_choice(spec: FieldSpec, n_options: int, draws: _Draws) -> FieldSpec:
    """``spec`` with made-up words as MiniWoB++'s ``click-option`` and
    ``click-checkboxes`` draw them [liu2018miniwob] (2 to 8 letters and digits): a radio
    group's option pool, a checkbox's key and label; other kinds unchanged."""
    if spec.ftype == "checkbox":
        return FieldSpec(_random_string(draws, 2, 8), "checkbox", (), ())
    if spec.ftype != "radio":
        return spec
    pool: list[str] = []
    while len(pool) < n_options + 2:
        word = _random_string(draws, 2, 8)
        if word.lower() not in {p.lower() for p in pool}:
            pool.append(word)
    return FieldSpec(spec.key, "radio", spec.paraphrases, tuple(pool))


def _value_and_options(
    spec: FieldSpec, n_options: int, draws: _Draws, fresh_values: bool = False
) -> tuple[str, tuple[str, ...]]:
    if spec.ftype == "checkbox":
        return CHECKBOX_VALUES[draws.integer(2)], ()
    if spec.ftype == "datepicker":
        return _picker_value(draws)
    value = spec.values[draws.integer(len(spec.values))]
    if spec.ftype in ("autocomplete", "airport"):  # suggestions sharing the first letter
        alike = [v for v in spec.values if v != value and v[0] == value[0]]
        picked = [alike[i] for i in draws.sample(len(alike), min(len(alike), n_options - 1))]
        options = [value, *picked]
        return value, tuple(options[i] for i in draws.permutation(len(options)))
    if spec.ftype not in ("select", "radio"):
        if fresh_values and spec.ftype in ("text", "password", "email"):
            return _fresh_value(spec.ftype, draws), ()
        return value, ()
    others = [v for v in spec.values if v != value]
    picked = [others[i] for i in draws.sample(len(others), n_options - 1)]
    options = [value, *picked]
    return value, tuple(options[i] for i in draws.permutation(len(options)))


def _picker_value(draws: _Draws) -> tuple[str, tuple[str, ...]]:
    """A date picker's value (``MM/DD/YYYY``, uniform over the days of its range) and its
    range (1 to :data:`PICKER_MONTHS` months ``YYYY-MM`` ending in a month of
    :data:`PICKER_YEARS`), as ``choose-date`` draws a day of its range."""
    span = 1 + draws.integer(PICKER_MONTHS)
    first_year, last_year = PICKER_YEARS
    end = 12 * (first_year + draws.integer(last_year - first_year + 1)) + draws.integer(12)
    months = tuple(f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(end - span + 1, end + 1))
    day = draws.integer(sum(month_days(m) for m in months))
    for month in months:
        if day < month_days(month):
            return picked_date(month, day + 1), months
        day -= month_days(month)
    raise AssertionError("unreachable: the drawn day lies in the range")


def _clock(minute: int) -> str:
    """Minute of the day -> ``h:mm AM`` / ``h:mm PM`` (en-US, as ``book-flight`` shows it)."""
    hour, rest = divmod(minute % (24 * 60), 60)
    return f"{(hour - 1) % 12 + 1}:{rest:02d} {'AM' if hour < 12 else 'PM'}"


def _results_page(builder: _Builder, page: int, draws: _Draws) -> tuple[int, Field]:
    """Add a results page of flights with distinct prices and durations; return its
    rows and the instruction's ``flight`` field (the cheapest or the shortest)."""
    low, high = FLIGHTS
    n = low + draws.integer(high - low + 1)
    prices = [PRICES[0] + p for p in draws.sample(PRICES[1] - PRICES[0] + 1, n)]
    durations = [30 + d for d in draws.sample(LONGEST_FLIGHT_MIN - 30 + 1, n)]
    departs = [draws.integer(24 * 60) for _ in range(n)]
    want = FLIGHT_WANTS[draws.integer(len(FLIGHT_WANTS))]
    options = tuple(f"{p} {d}" for p, d in zip(prices, durations, strict=True))
    cid = builder.control("flights", -1, options, "flight")
    books = []
    for i, (price, duration, depart) in enumerate(zip(prices, durations, departs, strict=True)):
        texts = (
            f"Depart: {_clock(depart)}",
            f"Arrives: {_clock(depart + duration)}",
            f"Duration: {duration // 60}h {duration % 60}m",
        )
        for j, text in enumerate(texts):
            builder.element(
                tag="span",
                input_type="",
                text=text,
                placeholder="",
                page=page,
                row=4 * i + j,
                column="full",
                classes=("flight-info",),
            )
        books.append(
            builder.element(
                tag="button",
                input_type="",
                text=f"Book flight for ${price}",
                placeholder="",
                page=page,
                row=4 * i + 3,
                column="right",
                control=cid,
                role="book",
                option=i,
                classes=("btn", "book"),
            )
        )
    builder.attach(cid, books)
    best = (prices if want == "cheapest" else durations).index(
        min(prices if want == "cheapest" else durations)
    )
    return 4 * n, Field("flight", want, "radio", cid, best)


def _picker_index(specs: list[FieldSpec]) -> int:
    """Index of the field a date picker replaces: the first date field, else the first."""
    return next((i for i, s in enumerate(specs) if s.ftype == "date"), 0)


def _style(task: Task, draws: _Draws) -> str:
    style = str(task["label_style"])
    return LABEL_STYLES[draws.integer(3)] if style == "mixed" else style


_DISTRACTOR_POOLS = {
    "text": DISTRACTOR_TEXTS,
    "link": DISTRACTOR_LINKS,
    "button": DISTRACTOR_BUTTONS,
    "input": DISTRACTOR_INPUTS,
}
_DISTRACTOR_KINDS = tuple(_DISTRACTOR_POOLS)
_DISTRACTOR_CUMULATIVE = np.cumsum((0.4, 0.25, 0.2))
"""Cumulative shares of text, links and buttons (the rest, 15 %, are unrelated inputs)."""


def _distractors(n: int, rng: np.random.Generator) -> list[_Block]:
    kinds = np.searchsorted(_DISTRACTOR_CUMULATIVE, rng.random(n), side="right")
    picks = rng.integers(0, 1 << 30, size=n)
    blocks = []
    for kind_index, pick in zip(kinds.tolist(), picks.tolist(), strict=True):
        kind = _DISTRACTOR_KINDS[kind_index]
        pool = _DISTRACTOR_POOLS[kind]
        blocks.append(_Block(None, distractor=kind, text=pool[pick % len(pool)]))
    return blocks


class _Builder:
    """Lays blocks out in rows and creates elements and controls."""

    def __init__(self) -> None:
        self.elements: list[Element] = []
        self.controls: list[Control] = []

    def element(self, **kwargs: Any) -> int:
        eid = len(self.elements)
        self.elements.append(Element(eid=eid, **kwargs))
        return eid

    def control(self, kind: str, initial: str | int, options: tuple[str, ...], name: str) -> int:
        self.controls.append(Control(len(self.controls), kind, (), initial, options, name))
        return len(self.controls) - 1

    def attach(self, cid: int, elements: list[int]) -> None:
        c = self.controls[cid]
        self.controls[cid] = Control(c.cid, c.kind, tuple(elements), c.initial, c.options, c.name)

    def field_block(self, block: _Block, page: int, row: int, initial: str | int) -> int:
        """Add a field's elements from ``row``; return the next free row."""
        assert block.spec is not None
        ftype, label, shown = block.spec.ftype, block.label, block.label.capitalize()
        if ftype == "checkbox":
            cid = self.control("checkbox", initial, (), label)
            eid = self.element(
                tag="label",
                input_type="checkbox",
                text=shown,
                placeholder="",
                page=page,
                row=row,
                column="full",
                control=cid,
                classes=("check",),
            )
            self.attach(cid, [eid])
            block.control, block.elements = cid, [eid]
            return row + 1
        if ftype == "radio":
            cid = self.control("radio", initial, block.options, label)
            captioned = block.style != "none"
            captions = [
                self.element(
                    tag="span",
                    input_type="",
                    text=shown,
                    placeholder="",
                    page=page,
                    row=row,
                    column="full",
                    classes=("caption",),
                )
                for _ in range(captioned)
            ]
            options = [
                self.element(
                    tag="label",
                    input_type="radio",
                    text=text,
                    placeholder="",
                    page=page,
                    row=row + captioned + i,
                    column="right",
                    control=cid,
                    option=i,
                    classes=("radio-option",),
                )
                for i, text in enumerate(block.options)
            ]
            self.attach(cid, options)
            block.control, block.elements = cid, [*captions, *options]
            return row + captioned + len(options)
        if ftype in ("autocomplete", "airport"):
            return self.autocomplete_block(block, page, row, initial, ftype == "airport")
        if ftype == "datepicker":
            return self.date_picker_block(block, page, row, initial)
        is_select = ftype == "select"
        prompt_and_options = (
            shown if block.style == "placeholder" else "Choose...",
            *block.options,
        )
        cid = self.control(ftype, initial, prompt_and_options if is_select else (), label)
        block.elements = self.label_elements(block, shown, page, row, cid)
        placeholder = shown if block.style == "placeholder" else ""
        eid = self.element(
            tag="select" if is_select else "input",
            input_type="" if is_select else ftype,
            text="",
            placeholder=prompt_and_options[0] if is_select else placeholder,
            page=page,
            row=row,
            column="right",
            control=cid,
            classes=("form-control",),
        )
        block.elements.append(eid)
        self.attach(cid, [eid])
        block.control = cid
        return row + 1

    def label_elements(self, block: _Block, shown: str, page: int, row: int, cid: int) -> list[int]:
        """The field's label in the left column of ``row`` (a ``label`` for the control
        ``cid`` or a plain ``span``, by ``block.style``); none for placeholder or no label."""
        if block.style in ("placeholder", "none"):
            return []
        is_label = block.style == "label"
        return [
            self.element(
                tag="label" if is_label else "span",
                input_type="",
                text=shown,
                placeholder="",
                page=page,
                row=row,
                column="left",
                label_for=cid if is_label else -1,
                classes=("form-label",) if is_label else ("text",),
            )
        ]

    def autocomplete_block(
        self, block: _Block, page: int, row: int, initial: str | int, contains: bool = False
    ) -> int:
        """A text input with its label and one hidden suggestion per option in the rows
        below it (``contains``: shown when they contain the typed text, class
        ``contains``); return the next free row."""
        shown = block.label.capitalize()
        cid = self.control("autocomplete", initial, block.options, block.label)
        block.elements = self.label_elements(block, shown, page, row, cid)
        owned = [
            self.element(
                tag="input",
                input_type="text",
                text="",
                placeholder=shown if block.style == "placeholder" else "",
                page=page,
                row=row,
                column="right",
                control=cid,
                classes=("form-control", "autocomplete"),
            )
        ]
        for i, option in enumerate(block.options):
            owned.append(
                self.element(
                    tag="a",
                    input_type="",
                    text=option,
                    placeholder="",
                    page=page,
                    row=row + 1 + i,
                    column="right",
                    control=cid,
                    option=i,
                    classes=("suggestion", "contains") if contains else ("suggestion",),
                )
            )
        self.attach(cid, owned)
        block.elements += owned
        block.control = cid
        return row + 1 + len(block.options)

    def date_picker_block(self, block: _Block, page: int, row: int, initial: str | int) -> int:
        """A readonly input with its label and its calendar (hidden until opened) in the
        six rows below it: ``Prev``, the title and ``Next``, then the days seven to a
        row; return the next free row."""
        shown = block.label.capitalize()
        cid = self.control("datepicker", initial, block.options, block.label)
        block.elements = self.label_elements(block, shown, page, row, cid)
        parts = [
            ("input", "", "right", row, -1, ("datepicker", "form-control")),
            ("a", "Prev", "cal-prev", row + 1, -1, ("calendar-prev",)),
            ("a", "Next", "cal-next", row + 1, -1, ("calendar-next",)),
            ("span", "", "cal-title", row + 1, -1, ("calendar-title",)),
            *(
                ("a", str(day), f"cal{(day - 1) % 7}", row + 2 + (day - 1) // 7, day,
                 ("calendar-day",))
                for day in range(1, 32)
            ),
        ]  # fmt: skip
        owned = [
            self.element(
                tag=tag,
                input_type="text" if tag == "input" else "",
                text=text,
                placeholder=shown if tag == "input" and block.style == "placeholder" else "",
                page=page,
                row=part_row,
                column=column,
                control=cid,
                option=option,
                classes=classes,
            )
            for tag, text, column, part_row, option, classes in parts
        ]
        self.attach(cid, owned)
        block.elements += owned
        block.control = cid
        return row + 7

    def distractor_block(self, block: _Block, page: int, row: int) -> int:
        eid = len(self.elements)
        if block.distractor == "input":
            cid = len(self.controls)
            self.controls.append(Control(cid, "text", (eid,), "", (), block.text))
            self.elements.append(
                Element(
                    eid,
                    "input",
                    "text",
                    "",
                    block.text.capitalize(),
                    page,
                    row,
                    "right",
                    cid,
                    -1,
                    "",
                    -1,
                    ("form-control",),
                )
            )
        else:
            tag, column, classes = _DISTRACTOR_LOOK[block.distractor]
            self.elements.append(
                Element(eid, tag, "", block.text, "", page, row, column, -1, -1, "", -1, classes)
            )
        block.elements = [eid]
        return row + 1


_DISTRACTOR_LOOK = {
    "text": ("span", "full", ("text",)),
    "link": ("a", "full", ("link",)),
    "button": ("button", "right", ("btn",)),
}
"""Distractor kind -> (tag, column, classes)."""


POPUP_STYLES = ("notice", "confirm")
"""Pop-up variants: ``notice`` (open at the start, a text and one close button) and
``confirm`` (see :func:`generate_form`)."""


def generate_form(
    task: Task,
    rng: np.random.Generator,
    fresh_values: bool = False,
    unlabelled: float = 0.0,
    popup_style: str = "notice",
    fresh_choices: bool = False,
    preselected: float = 0.0,
    confirm_password: float = 0.0,
) -> Form:
    """Build the form of a validated ``task``, drawing everything from ``rng``.

    Args:
        task: a task of :data:`WEBFORM_TASK_SPACE`.
        rng: the level's generator.
        fresh_values: draw the text, password and email fields' values afresh (see
            :func:`_fresh_value`) instead of from their small pools, so a policy cannot
            learn the pool's words and must compare what it typed with the instruction.
        unlabelled: probability that one instruction input, select or radio group of
            the form shows no label, placeholder or caption at all, as MiniWoB++'s
            ``enter-text`` input, ``choose-list`` select and ``click-option`` group
            [liu2018miniwob]; the instruction still names its catalog key.
        popup_style: with ``task["popup"]``: ``"notice"`` (open at the start: a text
            and one close button) or ``"confirm"``, MiniWoB++'s ``login-user-popup``
            kind: it opens when one text-like instruction input first takes the focus
            (that typing is lost), shows a message and a question, and offers a harmful
            button (``abort`` role: the episode ends as a failure) beside a safe one
            (``close`` role), in random order.
        fresh_choices: radio options and checkbox labels (and so the checkbox keys)
            are made-up words (see :func:`_fresh_choice`) instead of the catalog's.
        preselected: probability that a select starts on its first option instead of
            its prompt, as MiniWoB++'s ``choose-list`` select (which has no prompt
            option, so the browser shows its first option as chosen); a select the
            instruction does not ask for must then stay on that option.
        confirm_password: probability that a ``password`` field the instruction asks
            for is followed, on the next row, by its confirmation field, as MiniWoB++'s
            ``enter-password`` [liu2018miniwob]: a password input labelled ``Verify
            password`` (or a paraphrase, see :data:`CONFIRM_PASSWORD_SPEC`), asked by
            the instruction as ``verify password`` with the same value (prefilled when
            the password is); added only while the instruction stays within
            :data:`MAX_INSTRUCTION_FIELDS`.

    The defaults draw exactly what earlier versions drew, so a task and level seed
    give the same form as before.
    """
    draws = _Draws(rng)
    specs = _choose_specs(task, draws)
    if fresh_choices:
        specs = [_fresh_choice(spec, task["n_options"], draws) for spec in specs]
    flights = bool(task.get("flight_results", False))
    if flights:  # the flight is one more instruction field
        specs = specs[: MAX_INSTRUCTION_FIELDS - 1]
    picker = _picker_index(specs) if task.get("date_picker", False) else -1
    if picker >= 0:
        key, paraphrases = specs[picker].key, specs[picker].paraphrases
        if specs[picker].ftype != "date":
            key, paraphrases = DATE_PICKER_SPEC.key, DATE_PICKER_SPEC.paraphrases
        specs[picker] = FieldSpec(key, "datepicker", paraphrases, ())
    airports = [i for i, spec in enumerate(specs) if flights and spec.key in ("from", "to")]
    if task.get("autocomplete", False) and airports:  # book-flight: From and To
        for i in airports:
            specs[i] = FieldSpec(specs[i].key, "airport", specs[i].paraphrases, AIRPORTS)
    elif task.get("autocomplete", False):
        specs[-1] = AUTOCOMPLETE_SPEC
    blocks: list[_Block] = []
    for i, spec in enumerate(specs):
        value, options = _value_and_options(spec, task["n_options"], draws, fresh_values)
        label = _label(spec, task["paraphrase"], draws)
        blocks.append(_Block(spec, label, _style(task, draws), value, options, field_index=i))
    n_required = max(1, round(task["required_fraction"] * len(specs)))
    required = sorted(draws.sample(len(specs), n_required))
    n_prefilled = round(task["warm_start"] * n_required)
    prefilled = {required[i] for i in draws.sample(n_required, n_prefilled)}
    asked = set(required)
    bare = [b for b in blocks if b.field_index in asked and _unlabellable(b)]
    if unlabelled > 0.0 and bare and draws.random() < unlabelled:
        bare[draws.integer(len(bare))].style = "none"

    confirms = _confirmations(task, blocks, asked, n_required, confirm_password, draws)
    for password_index, confirmation in confirms.items():
        asked.add(confirmation.field_index)
        if password_index in prefilled:
            prefilled.add(confirmation.field_index)

    used_labels = {b.label for b in blocks} | {s.key for s in specs}
    extras: list[_Block] = []
    for _ in range(task["n_decoys"]):
        source = blocks[draws.integer(len(blocks))]
        assert source.spec is not None
        for qualifier in draws.permutation(len(QUALIFIERS)):
            label = f"{QUALIFIERS[qualifier]} {source.label}"
            if label not in used_labels:
                break
        used_labels.add(label)
        spec = source.spec
        if spec.ftype == "datepicker":  # a decoy of the picker is a plain date input
            spec = FieldSpec(spec.key, "date", spec.paraphrases, DATES)
        _, options = _value_and_options(spec, task["n_options"], draws)
        extras.append(_Block(spec, label, _style(task, draws), "", options))
    n_distractors = task["n_distractors"]
    if any(s.ftype == "datepicker" for s in specs):
        n_distractors = min(n_distractors, MAX_PICKER_DISTRACTORS)
    extras += _distractors(n_distractors, rng)

    n_pages = task["n_pages"]
    extra_pages = rng.integers(n_pages, size=len(extras)).tolist()
    pages: list[list[_Block]] = []
    for page_number, chunk in enumerate(np.array_split(np.arange(len(blocks)), n_pages)):
        mine = [extra for extra, p in zip(extras, extra_pages, strict=True) if p == page_number]
        total = len(chunk) + len(mine)
        is_extra = np.zeros(total, dtype=bool)
        is_extra[draws.sample(total, len(mine))] = True
        ordered_fields, ordered_extras = iter(blocks[i] for i in chunk), iter(mine)
        pages.append([next(ordered_extras if x else ordered_fields) for x in is_extra.tolist()])
    if confirms:  # each confirmation right after its password
        pages = [_with_confirmations(page, confirms) for page in pages]
        blocks = _with_confirmations(blocks, confirms)

    builder = _Builder()
    page_rows = []
    for page_index, page in enumerate(pages):
        row = 0
        for block in page:
            if block.spec is None:
                row = builder.distractor_block(block, page_index, row)
                continue
            ftype = block.spec.ftype
            if block.field_index in asked:
                if ftype == "checkbox":  # the instruction asks for a change
                    initial: str | int = 0 if block.value == "yes" else 1
                else:
                    initial = _empty(ftype)
            elif ftype == "checkbox":
                initial = draws.integer(2)
            else:
                initial = _empty(ftype)
            if ftype == "select" and preselected > 0.0 and draws.random() < preselected:
                initial = 1
            row = builder.field_block(block, page_index, row, initial)
        last = page_index == n_pages - 1
        builder.element(
            tag="button",
            input_type="",
            text=("Search" if flights else "Submit") if last else "Next",
            placeholder="",
            page=page_index,
            row=row,
            column="right",
            role="submit" if last and not flights else "next",
            classes=("btn", "btn-primary"),
        )
        page_rows.append(row + 1)
    booking: list[Field] = []
    if flights:
        rows, flight_field = _results_page(builder, n_pages, draws)
        page_rows.append(rows)
        booking.append(flight_field)
    popup_trigger = -1
    if task["popup"] and popup_style == "confirm":
        popup_trigger = _confirm_popup(builder, blocks, asked - prefilled, draws)
    elif task["popup"]:
        builder.element(
            tag="span",
            input_type="",
            text=POPUP_TEXTS[draws.integer(len(POPUP_TEXTS))],
            placeholder="",
            page=POPUP_PAGE,
            row=1,
            column="full",
            classes=("popup-text",),
        )
        builder.element(
            tag="button",
            input_type="",
            text=POPUP_CLOSE[draws.integer(len(POPUP_CLOSE))],
            placeholder="",
            page=POPUP_PAGE,
            row=2,
            column="right",
            role="close",
            classes=("btn", "popup-close"),
        )

    fields = []
    for block in blocks:
        if block.field_index not in asked:
            continue
        assert block.spec is not None
        ftype = block.spec.ftype
        control = builder.controls[block.control]
        target: str | int
        if ftype == "checkbox":
            target = 1 if block.value == "yes" else 0
        elif ftype in ("select", "radio"):
            target = control.options.index(block.value)
        else:
            target = block.value
        if block.field_index in prefilled:
            builder.controls[block.control] = Control(
                control.cid, control.kind, control.elements, target, control.options, control.name
            )
        if ftype == "autocomplete":
            fields += _autocomplete_fields(block, n_required + len(booking) + len(confirms), draws)
            continue
        if ftype == "airport":  # the city or the code, as book-flight asks for either
            city, code = block.value[:-1].split(" (")
            asked_as = (city, code)[draws.integer(2)]
            fields.append(Field(block.spec.key, asked_as, "text", block.control, block.value))
            continue
        shown_type = "date" if ftype == "datepicker" else ftype
        fields.append(Field(block.spec.key, block.value, shown_type, block.control, target))
    fields += booking
    if task["order"] == "shuffled":
        fields = [fields[i] for i in draws.permutation(len(fields))]
    form = Form(
        tuple(builder.elements),
        tuple(builder.controls),
        tuple(fields),
        tuple(page_rows),
        task["viewport_rows"],
        task["popup"],
        popup_trigger=popup_trigger,
    )
    return form.with_oracle(oracle_plan(form))


def _confirmations(
    task: Task,
    blocks: list[_Block],
    asked: set[int],
    n_required: int,
    probability: float,
    draws: _Draws,
) -> dict[int, _Block]:
    """Field index of an asked ``password`` field -> its confirmation block (see
    ``confirm_password`` in :func:`generate_form`); draws nothing when ``probability`` is 0."""
    confirms: dict[int, _Block] = {}
    if probability <= 0.0:
        return confirms
    # room for the flight field and an autocomplete field's end field
    room = MAX_INSTRUCTION_FIELDS - n_required - bool(task.get("flight_results", False)) - 1
    for block in blocks:
        assert block.spec is not None
        if block.field_index not in asked or block.spec.key != "password":
            continue
        if len(confirms) >= room or draws.random() >= probability:
            continue
        label = _label(CONFIRM_PASSWORD_SPEC, task["paraphrase"], draws)
        index = len(blocks) + len(confirms)
        confirms[block.field_index] = _Block(
            CONFIRM_PASSWORD_SPEC, label, _style(task, draws), block.value, field_index=index
        )
    return confirms


def _with_confirmations(blocks: list[_Block], confirms: dict[int, _Block]) -> list[_Block]:
    """``blocks`` with each confirmation block right after its password's block."""
    out = []
    for block in blocks:
        out.append(block)
        if block.spec is not None and block.field_index in confirms:
            out.append(confirms[block.field_index])
    return out


def _empty(ftype: str) -> str | int:
    """The value of an empty control of field type ``ftype``."""
    if ftype in TEXT_LIKE or ftype in ("autocomplete", "airport", "datepicker"):
        return ""
    return 0 if ftype == "select" else -1


def _autocomplete_fields(block: _Block, n_required: int, draws: _Draws) -> list[Field]:
    """The ``start`` field (the value's first 2-4 letters) and, with probability
    :data:`AUTOCOMPLETE_END_SHARE`, the ``end`` field (its last 2-4 letters), as
    ``use-autocomplete`` draws them (``core.randi(2, 5)`` letters each)."""
    value = block.value
    start = value[: 2 + draws.integer(3)]
    end = value[len(value) - 2 - draws.integer(3) :]
    fields = [Field("start", start, "text", block.control, value)]
    if draws.random() < AUTOCOMPLETE_END_SHARE and n_required < MAX_INSTRUCTION_FIELDS:
        fields.append(Field("end", end, "text", block.control, value))
    return fields


def _unlabellable(block: _Block) -> bool:
    """Whether ``block`` is a field that can show no label: an input, a select or a
    radio group (a checkbox's label is the checkbox)."""
    return block.spec is not None and block.spec.ftype != "checkbox"


def _types(block: _Block) -> bool:
    """Whether ``block`` is a field filled by typing into an ``<input>``."""
    return block.spec is not None and block.spec.ftype in TEXT_LIKE


def _confirm_popup(builder: _Builder, blocks: list[_Block], typing: set[int], draws: _Draws) -> int:
    """Add a confirmation pop-up's elements; return the element id of the input that
    opens it (one of the ``typing`` fields' text-like inputs), or -1 if none (then it is
    open at the start)."""
    candidates = [b.elements[-1] for b in blocks if b.field_index in typing and _types(b)]
    trigger = candidates[draws.integer(len(candidates))] if candidates else -1
    for row, pool in ((0, CONFIRM_MESSAGES), (1, CONFIRM_QUESTIONS)):
        builder.element(
            tag="span",
            input_type="",
            text=pool[draws.integer(len(pool))],
            placeholder="",
            page=POPUP_PAGE,
            row=row,
            column="full",
            classes=("popup-text",),
        )
    harmful = CONFIRM_HARMFUL[draws.integer(len(CONFIRM_HARMFUL))]
    safe = CONFIRM_SAFE[draws.integer(len(CONFIRM_SAFE))]
    buttons = [(harmful, "abort"), (safe, "close")]
    if draws.random() < 0.5:
        buttons.reverse()
    for column, (text, role) in zip(("left", "right"), buttons, strict=True):
        builder.element(
            tag="button",
            input_type="",
            text=text,
            placeholder="",
            page=POPUP_PAGE,
            row=2,
            column=column,
            role=role,
            classes=("btn",),
        )
    return trigger


def _picker_plan(form: Form, control: Control, target: str) -> list[tuple[int, int, Action]]:
    """(page, row, action) steps that pick ``target`` in date picker ``control``, whose
    calendar opens on its last month (the control is empty)."""
    typed, prev, _, _, *days = (form.elements[e] for e in control.elements)
    back = len(control.options) - 1 - control.options.index(date_month(target))
    day = days[int(target[3:5]) - 1]
    return [
        (typed.page, typed.row, Action("click", typed.eid)),
        *((prev.page, prev.row, Action("click", prev.eid)) for _ in range(back)),
        (day.page, day.row, Action("click", day.eid)),
    ]


def oracle_plan(form: Form) -> tuple[Action, ...]:
    """The oracle's actions for ``form`` (see :attr:`Form.oracle`)."""
    plan: list[Action] = []
    buttons: dict[int, Element] = {}
    close = Action("click")
    for e in form.elements:
        if e.role == "close" and form.popup_trigger < 0:
            plan.append(Action("click", e.eid))
        elif e.role == "close":
            close = Action("click", e.eid)
        elif e.role in ("next", "submit"):
            buttons[e.page] = e
    todo: list[tuple[int, int, Action]] = []
    for index, f in enumerate(form.fields):
        control = form.controls[f.control]
        if field_holds(form, f, control.initial) or (
            f.key == "end" and control.kind == "autocomplete"
        ):
            continue
        if control.kind == "autocomplete":  # type the start, pick the value's suggestion
            pick = control.elements[1 + control.options.index(str(f.target))]
            typed = form.elements[control.elements[0]]
            todo.append((typed.page, typed.row, Action("type", typed.eid, index)))
            todo.append((typed.page, form.elements[pick].row, Action("click", pick)))
            continue
        if control.kind == "datepicker":  # open, go back to the month, click the day
            todo += _picker_plan(form, control, str(f.target))
            continue
        if control.kind == "flights":  # the Book button ends the episode: done last
            book = form.elements[control.elements[int(f.target)]]
            todo.append((book.page, book.row, Action("click", book.eid)))
            continue
        if control.kind == "radio":
            eid = control.elements[int(f.target)]
            action = Action("click", eid)
        elif control.kind == "checkbox":
            eid = control.elements[0]
            action = Action("click", eid)
        else:
            eid = control.elements[0]
            action = Action("select" if control.kind == "select" else "type", eid, index)
        element = form.elements[eid]
        todo.append((element.page, element.row, action))
    todo.sort()
    results = any(e.role == "book" for e in form.elements)
    for page in range(form.n_pages):
        scroll = 0
        steps = [(row, action) for p, row, action in todo if p == page]
        if page < form.n_pages - 1:
            steps.append((buttons[page].row, Action("click", buttons[page].eid)))
        for row, action in steps:
            while row >= scroll + form.viewport_rows:
                scroll = min(scroll + form.scroll_step, form.max_scroll(page))
                plan.append(Action("scroll_down"))
            if action.element == form.popup_trigger >= 0:  # opens the pop-up, typing lost
                plan += [action, close]
            plan.append(action)
    if not results:  # a Book button has ended it
        plan.append(Action("submit"))
    return tuple(plan)
