"""Words of the web-form family: field catalog, paraphrases, values, distractor texts.

Field keys, their paraphrases and value pools are hand-written for teachgym in the
spirit of the classic MiniWoB++ / QWeb form tasks (login, search, book a flight,
fill a profile). Text is tokenised into lowercase alphanumeric words; words are
hashed into a fixed vocabulary with CRC-32 so token ids are stable across runs,
processes and Python versions.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

FIELD_TYPES = ("text", "password", "email", "number", "date", "select", "radio", "checkbox")
"""Every instruction field type; the order fixes the one-hot layout of field features."""

TEXT_LIKE = frozenset({"text", "password", "email", "number", "date"})
"""Field types filled by typing into an ``<input>``."""

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lowercase alphanumeric words of ``text`` (``"E-mail"`` -> ``["e", "mail"]``)."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=65536)
def word_set(text: str) -> frozenset[str]:
    """The set of :func:`words` of ``text`` (cached: form texts repeat a lot)."""
    return frozenset(words(text))


def token_id(word: str, vocab_size: int) -> int:
    """Stable id of ``word`` in ``[1, vocab_size)``; 0 is reserved for padding."""
    return zlib.crc32(word.encode("utf-8")) % (vocab_size - 1) + 1


@dataclass(frozen=True)
class FieldSpec:
    """One kind of instruction field.

    Attributes:
        key: the instruction key (``"departure date"``).
        ftype: one of :data:`FIELD_TYPES`.
        paraphrases: other labels a page may show for the same field.
        values: value pool (option texts for select and radio fields; unused for
            checkboxes, whose value is ``"yes"`` or ``"no"``).
    """

    key: str
    ftype: str
    paraphrases: tuple[str, ...]
    values: tuple[str, ...]


_NAMES = ("alice", "bruno", "chen", "dara", "emeka", "farah", "gita", "hugo", "ines", "jonas")
_SURNAMES = ("silva", "okafor", "nguyen", "muller", "haddad", "kowalski", "tanaka", "rossi")
_CITIES = ("lisbon", "lagos", "hanoi", "berlin", "beirut", "krakow", "osaka", "rome", "lima")
_DATES = tuple(f"2025-{m:02d}-{d:02d}" for m in (1, 3, 5, 8, 11) for d in (4, 12, 19, 27))
_DIGITS = tuple(str(n) for n in (2, 3, 5, 7, 12, 18, 25, 31, 44, 67))

CATALOG: tuple[FieldSpec, ...] = (
    FieldSpec("username", "text", ("user name", "login name", "user id"), _NAMES),
    FieldSpec("password", "password", ("passcode", "secret word"), ("x7k2pq", "m9ta4z", "qw3rty8")),
    FieldSpec("email", "email", ("e mail address", "mail"), tuple(f"{n}@mail.org" for n in _NAMES)),
    FieldSpec("remember me", "checkbox", ("keep me signed in", "stay logged in"), ()),
    FieldSpec("security answer", "password", ("secret answer",), ("blue", "tiger", "maple")),
    FieldSpec("search", "text", ("query", "keywords", "look for"), ("laptops", "red shoes", "tea")),
    FieldSpec(
        "category",
        "select",
        ("section", "department"),
        ("books", "garden", "music", "toys", "tools"),
    ),
    FieldSpec(
        "sort by", "radio", ("order by",), ("price", "rating", "newest", "relevance", "name")
    ),
    FieldSpec("exact match", "checkbox", ("match whole phrase",), ()),
    FieldSpec("from", "text", ("departure city", "leaving from", "origin"), _CITIES),
    FieldSpec("to", "text", ("destination", "going to", "arrival city"), _CITIES),
    FieldSpec("departure date", "date", ("depart on", "outbound date"), _DATES),
    FieldSpec("passengers", "number", ("travellers", "number of travellers"), _DIGITS[:6]),
    FieldSpec(
        "cabin class",
        "select",
        ("travel class", "seat type"),
        ("economy", "premium", "business", "first", "basic"),
    ),
    FieldSpec(
        "trip type",
        "radio",
        ("journey type",),
        ("one way", "round trip", "multi city", "open jaw", "flexible"),
    ),
    FieldSpec("return date", "date", ("come back on", "inbound date"), _DATES),
    FieldSpec("direct flights only", "checkbox", ("nonstop only",), ()),
    FieldSpec(
        "meal",
        "radio",
        ("food preference",),
        ("vegetarian", "vegan", "halal", "kosher", "standard"),
    ),
    FieldSpec("first name", "text", ("given name", "forename"), tuple(n.title() for n in _NAMES)),
    FieldSpec("last name", "text", ("surname", "family name"), tuple(s.title() for s in _SURNAMES)),
    FieldSpec("date of birth", "date", ("birthday", "born on"), _DATES),
    FieldSpec("age", "number", ("years old", "your age"), _DIGITS),
    FieldSpec("city", "text", ("town", "place of residence"), _CITIES),
    FieldSpec(
        "street",
        "text",
        ("street address", "address line"),
        ("main st 4", "oak road 12", "rua nova 8"),
    ),
    FieldSpec(
        "zip code", "number", ("postal code", "postcode"), ("10115", "20095", "80331", "50667")
    ),
    FieldSpec("phone", "number", ("telephone", "mobile number"), ("5550142", "5550199", "5550178")),
    FieldSpec(
        "country",
        "select",
        ("nation",),
        ("portugal", "nigeria", "vietnam", "germany", "lebanon", "peru"),
    ),
    FieldSpec(
        "language",
        "select",
        ("preferred language",),
        ("english", "french", "spanish", "arabic", "hindi"),
    ),
    FieldSpec("title", "select", ("salutation",), ("mr", "ms", "mx", "dr", "prof")),
    FieldSpec(
        "contact method", "radio", ("reach me by",), ("email", "phone", "letter", "sms", "none")
    ),
    FieldSpec(
        "plan", "radio", ("subscription",), ("basic", "standard", "premium", "family", "student")
    ),
    FieldSpec("newsletter", "checkbox", ("send me news",), ()),
    FieldSpec("notifications", "checkbox", ("alerts",), ()),
    FieldSpec(
        "company", "text", ("employer", "organisation"), ("acme", "globex", "initech", "umbrella")
    ),
    FieldSpec("nickname", "text", ("display name", "handle"), ("zed", "moss", "pixel", "comet")),
)
"""Every field kind; themes list keys of this catalog."""

THEMES: dict[str, tuple[str, ...]] = {
    "login": ("username", "password", "email", "remember me", "security answer"),
    "search": ("search", "category", "sort by", "exact match"),
    "flight": (
        "from", "to", "departure date", "passengers", "cabin class", "trip type",
        "return date", "direct flights only", "meal",
    ),
    "profile": (
        "first name", "last name", "email", "date of birth", "age", "city", "street",
        "zip code", "phone", "country", "language", "title", "contact method", "plan",
        "newsletter", "notifications", "company", "nickname",
    ),
}  # fmt: skip
"""Theme -> catalog keys, most typical first (a themed form takes the first keys that fit)."""

TYPE_MIXES: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "login": ("text", "password", "email"),
    "typed": ("text", "password", "email", "number", "date"),
    "choice": ("select", "radio", "checkbox"),
    "all": FIELD_TYPES,
}
"""Field type mix -> the field types it allows."""

QUALIFIERS = ("home", "work", "billing", "shipping", "backup", "second", "other", "old", "spare")
"""Prefixes that make new keys when a mix needs more fields than the catalog has, and
near-duplicate decoy labels (``"backup email"`` next to ``"email"``)."""

DISTRACTOR_TEXTS = (
    "Welcome back", "All fields are required", "Forgot your password", "Terms of service",
    "Contact support", "Privacy policy", "Need help with your booking", "Create an account",
    "Your data is safe with us", "Prices include taxes", "Search tips", "Member since 2019",
)  # fmt: skip
DISTRACTOR_LINKS = ("Help", "Sign up", "Forgot password", "Privacy", "About us", "Careers")
DISTRACTOR_BUTTONS = ("Help", "More info", "Feedback", "Share", "Print")
DISTRACTOR_INPUTS = ("coupon code", "referral code", "promo code", "middle name", "fax")
POPUP_TEXTS = ("We use cookies", "Subscribe to our newsletter", "Rate your experience")
POPUP_CLOSE = ("Close", "Dismiss", "No thanks")
CHECKBOX_VALUES = ("yes", "no")
CONFIRM_MESSAGES = (
    "Your session ends in a minute", "You have unsaved changes", "Your login is about to lapse",
    "We noticed you are idle", "A new version of this page is ready", "You have 3 new alerts",
)  # fmt: skip
CONFIRM_QUESTIONS = ("Leave this page?", "Return to home page?", "Log out now?", "Go back?")
CONFIRM_HARMFUL = ("OK", "Yes", "Leave", "Exit")
CONFIRM_SAFE = ("Cancel", "No", "Close", "Dismiss")
"""A confirmation pop-up's texts: a message, a question, the button that accepts (and
ends the episode as a failure) and the one that dismisses it."""

COUNTRIES = (
    "Albania", "Algeria", "Andorra", "Angola", "Argentina", "Armenia", "Australia", "Austria",
    "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium", "Belize", "Benin",
    "Bolivia", "Botswana", "Brazil", "Bulgaria", "Cambodia", "Cameroon", "Canada", "Chad",
    "Chile", "China", "Colombia", "Comoros", "Croatia", "Cuba", "Cyprus", "Denmark",
    "Djibouti", "Dominica", "Ecuador", "Egypt", "Eritrea", "Estonia", "Ethiopia", "Fiji",
    "Finland", "France", "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece",
    "Grenada", "Guatemala", "Guinea", "Guyana", "Haiti", "Honduras", "Hungary", "Iceland",
    "India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Jamaica", "Japan",
    "Jordan", "Kenya", "Kiribati", "Kuwait", "Laos", "Latvia", "Lebanon", "Lesotho",
    "Liberia", "Libya", "Lithuania", "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali",
    "Malta", "Mauritania", "Mauritius", "Mexico", "Moldova", "Monaco", "Mongolia", "Morocco",
    "Namibia", "Nauru", "Nepal", "Nicaragua", "Niger", "Nigeria", "Norway", "Oman",
    "Pakistan", "Palau", "Panama", "Paraguay", "Peru", "Poland", "Portugal", "Qatar",
    "Romania", "Rwanda", "Samoa", "Senegal", "Serbia", "Slovakia", "Slovenia", "Somalia",
    "Spain", "Sudan", "Suriname", "Sweden", "Syria", "Tanzania", "Thailand", "Togo", "Tonga",
    "Tunisia", "Turkey", "Tuvalu", "Uganda", "Ukraine", "Uruguay", "Vanuatu", "Vietnam",
    "Yemen", "Zambia", "Zimbabwe",
)  # fmt: skip
"""Country names, the word list of MiniWoB++'s ``use-autocomplete`` (its
``ui_utils.COUNTRIES``; this shorter list is written here)."""

AUTOCOMPLETE_SPEC = FieldSpec("tags", "autocomplete", ("item", "country"), COUNTRIES)
"""The autocomplete field (``use-autocomplete`` labels its input ``Tags``)."""

DATES = _DATES
"""The value pool of the catalog's date fields (ISO dates)."""

DATE_PICKER_SPEC = FieldSpec("date", "datepicker", ("day", "pick a date"), ())
"""The date-picker field of a form without a date field (``choose-date`` asks for ``the
date``); its values are drawn with the calendar's range (``ftype`` ``datepicker`` is the
generator's own: the instruction field's type is ``date``)."""

CONFIRM_PASSWORD_SPEC = FieldSpec(
    "verify password", "password", ("confirm password", "repeat password", "re enter password"), ()
)
"""The confirmation field after a ``password`` field: the same password again (MiniWoB++'s
``enter-password`` labels its second input ``Verify password``); its value is the
password's, so it has no pool."""

AIRPORTS = (
    "Albuquerque, NM (ABQ)", "Anchorage, AK (ANC)", "Atlanta, GA (ATL)", "Austin, TX (AUS)",
    "Baltimore, MD (BWI)", "Bangor, ME (BGR)", "Billings, MT (BIL)", "Boise, ID (BOI)",
    "Boston, MA (BOS)", "Buffalo, NY (BUF)", "Charlotte, NC (CLT)", "Chicago, IL (ORD)",
    "Cincinnati, OH (CVG)", "Cleveland, OH (CLE)", "Columbus, OH (CMH)", "Dallas, TX (DFW)",
    "Denver, CO (DEN)", "Detroit, MI (DTW)", "El Paso, TX (ELP)", "Fairbanks, AK (FAI)",
    "Honolulu, HI (HNL)", "Houston, TX (IAH)", "Indianapolis, IN (IND)",
    "Jacksonville, FL (JAX)", "Juneau, AK (JNU)", "Kansas City, MO (MCI)",
    "Las Vegas, NV (LAS)", "Los Angeles, CA (LAX)", "Louisville, KY (SDF)",
    "Memphis, TN (MEM)", "Miami, FL (MIA)", "Milwaukee, WI (MKE)", "Minneapolis, MN (MSP)",
    "Nashville, TN (BNA)", "New Orleans, LA (MSY)", "Newark, NJ (EWR)", "Oakland, CA (OAK)",
    "Omaha, NE (OMA)", "Orlando, FL (MCO)", "Philadelphia, PA (PHL)", "Phoenix, AZ (PHX)",
    "Pittsburgh, PA (PIT)", "Portland, OR (PDX)", "Raleigh/Durham, NC (RDU)",
    "Reno, NV (RNO)", "Sacramento, CA (SMF)", "Salt Lake City, UT (SLC)",
    "San Antonio, TX (SAT)", "San Diego, CA (SAN)", "San Francisco, CA (SFO)",
    "San Jose, CA (SJC)", "Seattle, WA (SEA)", "St. Louis, MO (STL)", "Tampa, FL (TPA)",
    "Tucson, AZ (TUS)", "Tulsa, OK (TUL)",
)  # fmt: skip
"""US airports as ``book-flight`` names them, ``City, ST (CODE)`` (its list,
``DOMESTIC_FLIGHTS``, has about 1,000; this shorter one is written here)."""
