"""Arbitrary and malformed form bodies, built from the fields a form really has.

``page_fields`` reads what a page's form would send (as a browser does); ``FieldSpec`` adds
what the form class says about each field (its kind, its choices, its validators);
``bodies`` is the hypothesis strategy for bodies over those fields: plausible values mixed
with whitespace, control characters, 100 kB values, out-of-range numbers, wrong types,
missing, repeated and unknown fields, sent as a browser would or as multipart or JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    EmailField,
    FileField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectFieldBase,
)
from wtforms.validators import Email

from guide.validation.fields import (
    KronerField,
    NationalIdValidator,
    OrgNumberValidator,
    PersonName,
    PhoneValidator,
)
from tests.factories import PASSWORD
from tests.unit.validation.synthetic import make_number

# --- what a page's form sends -------------------------------------------------------------


@dataclasses.dataclass
class PageField:
    """A name in a page's form: what the untouched form sends, and the other values it offers."""

    name: str
    sent: list[str] = dataclasses.field(default_factory=list)
    offered: list[str] = dataclasses.field(default_factory=list)
    is_file: bool = False


class _FormReader(HTMLParser):
    """Collects the fields of the forms on a page that send to ``path`` with ``method``."""

    def __init__(self, page_path: str, path: str, method: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path, self.path, self.method = page_path, path, method
        self.fields: dict[str, PageField] = {}
        self.in_form = False
        self.select: tuple[str, bool] | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def field(self, name: str) -> PageField:
        return self.fields.setdefault(name, PageField(name))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = urlsplit(a.get("action", "")).path or self.page_path
            self.in_form = a.get("method", "get").lower() == self.method and action == self.path
            return
        name = a.get("name", "")
        if not self.in_form or not name:
            if tag == "option" and self.select is not None:
                self.options.append((a.get("value", ""), "selected" in a))
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                self.field(name).is_file = True
            elif kind in ("checkbox", "radio"):
                value = a.get("value", "on")
                self.field(name).offered.append(value)
                if "checked" in a:
                    self.field(name).sent.append(value)
            elif kind not in ("submit", "button", "reset", "image"):
                self.field(name).sent.append(a.get("value", ""))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.field(name).offered.append(a.get("value", ""))
        elif tag == "select":
            self.select, self.options = (name, "multiple" in a), []
        elif tag == "textarea":
            self.textarea, self.text = name, ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            name, multiple = self.select
            field = self.field(name)
            field.offered += [value for value, _ in self.options]
            chosen = [value for value, selected in self.options if selected]
            field.sent += chosen if chosen or multiple else [v for v, _ in self.options[:1]]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the one newline that may follow <textarea>.
            self.field(self.textarea).sent.append(self.text.removeprefix("\n"))
            self.textarea = None


def page_fields(
    html: str, *, page_path: str, path: str, method: str = "post"
) -> dict[str, PageField]:
    """The fields of the page's forms that send to ``path`` (by ``method``), by name."""
    reader = _FormReader(page_path, path, method)
    reader.feed(html)
    reader.close()
    return reader.fields


# --- what a field is ------------------------------------------------------------------------


@dataclasses.dataclass
class FieldSpec:
    """One name to fuzz: what the page sends for it, plausible values, and whether it is a file."""

    name: str
    sent: tuple[str, ...] = ()
    plausible: tuple[str, ...] = ()
    is_file: bool = False


def _today() -> dt.date:
    return dt.date.today()


def plausible_values(field: Any) -> list[str]:
    """Values a user could well type or pick in this WTForms field."""
    validators = list(getattr(field, "validators", ()))
    if isinstance(field, BooleanField):
        return ["y"]
    if isinstance(field, SelectFieldBase):
        try:
            return [str(choice[0]) for choice in field.iter_choices() if str(choice[0])]
        except TypeError:  # choices not set (yet)
            return []
    if isinstance(field, DateField | DateTimeField):
        formats = field.format if isinstance(field.format, list | tuple) else [field.format]
        days = (_today(), dt.date(2015, 4, 1), _today() + dt.timedelta(days=14))
        return [day.strftime(formats[0]) for day in days]
    if isinstance(field, IntegerField | DecimalField | FloatField):
        return ["1", "3", "30"]
    if isinstance(field, KronerField):
        return ["250", "1 250,50"]
    if isinstance(field, PasswordField):
        return [PASSWORD]
    if isinstance(field, EmailField) or any(isinstance(v, Email) for v in validators):
        return ["fuzz@example.org"]
    kinds = {type(validator) for validator in validators}
    if PhoneValidator in kinds:
        return ["+4799887766", "998 87 766"]
    if NationalIdValidator in kinds:
        return [make_number("010415", range(500, 1000))]  # born 2015-04-01, as dates above
    if OrgNumberValidator in kinds:
        return ["974760673"]
    if PersonName in kinds:
        return ["Kari Nordmann"]
    if isinstance(field, HiddenField) or is_file_field(field):
        return []
    return ["Fiktiv tekst", "Kari Nordmann", "0301"]


def is_file_field(field: Any) -> bool:
    return isinstance(field, FileField)  # Flask-WTF's FileField is one too


# --- values ---------------------------------------------------------------------------------

WHITESPACE = ("", " ", "   ", "\t", "\n", "\r\n", "\u00a0", "\u2003\u3000", " \t\r\n ")
CONTROL = (
    "\x00",
    "Kari\x00Nordmann",
    "\x1b[2J\x1b[31m",
    "\u202egnp.exe",
    "\ufeff",
    "\ufeffKari",
    "\x07\x08\x7f",
    "\u200b\u200d",
    "\x85\u2028\u2029",
)
NUMBERS = (
    "-1",
    "0",
    "-0",
    "1e309",
    "NaN",
    "-inf",
    "9" * 30,
    "-9999999999",
    "2147483648",
    "9223372036854775808",
    "3.14",
    "1,5",
    "0x1F",
    "١٢٣",
    "½",
)
DATES = (
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31.12.2026",
    "2026-13-01",
    "1900-01-01",
    "2026-1-1",
    "today",
)
IDS = (
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "7c2a4f3e-0d8b-4b5e-9d61-2f7a1c3e8b90",
    "00000000-0000-0000-0000-00000000000g",
    "1",
)
SCRIPTS = (
    "😀",
    "👍🏽👨‍👩‍👧",
    "Åse Ødegård",
    "محمد عبدالله",
    "李小龙",
    "Ἀθηνᾶ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "e\u0301",
    "Ʒ̵̡̢͎̤",
)
INJECTION = (
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "%(x)s %s %n",
    "../../etc/passwd",
    '=HYPERLINK("http://example.org")',
    "null",
    "None",
    "true",
    "[]",
)
#: 100 kB each, in bytes as sent.
HUGE = (
    "x" * 100_000,
    "ø" * 50_000,
    "1" * 100_000,
    " " * 100_000,
    "😀" * 25_000,
    "a\x00" * 50_000,
)
#: Names no form has, or names a form must never take from a body.
UNKNOWN_NAMES = (
    "unknown",
    "organisation_id",
    "id",
    "user_id",
    "role",
    "is_active",
    "version",
    "submission",
    "",
    "a[]",
    "__class__",
    "😀",
    "x" * 1000,
)
#: What JSON can carry that no form field expects.
JSON_VALUES = (0, -1, 10**20, 1.5, True, None, [], {}, ["a", "b"], {"a": 1})

_text_values = st.one_of(
    st.sampled_from(WHITESPACE),
    st.sampled_from(CONTROL),
    st.sampled_from(NUMBERS),
    st.sampled_from(DATES),
    st.sampled_from(IDS),
    st.sampled_from(SCRIPTS),
    st.sampled_from(INJECTION),
    st.sampled_from(HUGE),
    st.text(max_size=24),
)


class Upload:
    """A file in a multipart body."""

    def __init__(self, content: bytes, filename: str, content_type: str) -> None:
        self.content, self.filename, self.content_type = content, filename, content_type

    # Not a dataclass: hypothesis would print all 100 kB of a huge value.
    def __repr__(self) -> str:
        return f"Upload({_short(self.content)}, {_short(self.filename)}, {self.content_type!r})"


FILE_CONTENTS = (
    b"",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    b"\xff\xd8\xff\xe0\x00\x10JFIF garbage",
    b"Klubb,Aktivitet,Kategori,Kontingent\r\nSjakklubben,Sjakk,Annet,0\r\n",
    "Klubb;Aktivitet;Kategori\r\n\x00;\u202e;😀\r\n".encode(),
    "Klubb;Aktivitet\r\nÅ;Ø\r\n".encode("utf-16"),
    b"\x00" * 1_000,
    b"A" * 100_000,
    b"Klubb;Aktivitet;Kategori\r\n" + b"Lag;Fotball;Idrett\r\n" * 5_000,
)
FILE_NAMES = (
    "skjema.pdf",
    "katalog.csv",
    "",
    "../../etc/passwd",
    "a\x00b.pdf",
    "😀.png",
    "x" * 300 + ".pdf",
    "uten-endelse",
)
FILE_TYPES = ("application/pdf", "text/csv", "image/png", "application/octet-stream", "text/html")

_uploads = st.builds(
    Upload,
    content=st.sampled_from(FILE_CONTENTS),
    filename=st.sampled_from(FILE_NAMES),
    content_type=st.sampled_from(FILE_TYPES),
)


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


# --- bodies ---------------------------------------------------------------------------------

ENCODINGS = ("urlencoded", "multipart", "json")


class Body:
    """What one example posts: (name, value) pairs in order, and how they are encoded."""

    def __init__(self, pairs: list[tuple[str, Any]], encoding: str) -> None:
        self.pairs, self.encoding = pairs, encoding

    def __repr__(self) -> str:
        pairs = ", ".join(f"({_short(name, 30)}, {_short(value)})" for name, value in self.pairs)
        return f"Body([{pairs}], {self.encoding!r})"

    def request_arguments(
        self, csrf_token: str, csrf_names: Sequence[str] = ("csrf_token",)
    ) -> dict[str, Any]:
        """Keyword arguments for the test client's ``post``: the body and its CSRF token
        (in each of ``csrf_names``, or in the header for JSON)."""
        if self.encoding == "json":
            grouped: dict[str, list[Any]] = {}
            for name, value in self.pairs:
                grouped.setdefault(name, []).append(value)
            document = {name: v[0] if len(v) == 1 else v for name, v in grouped.items()}
            return {
                "data": json.dumps(document),
                "content_type": "application/json",
                "headers": {"X-CSRFToken": csrf_token},
            }
        data = MultiDict([(name, csrf_token) for name in csrf_names])
        for name, value in self.pairs:
            if isinstance(value, Upload):
                data.add(name, (io.BytesIO(value.content), value.filename, value.content_type))
            else:
                data.add(name, value)
        content_type = (
            "multipart/form-data"
            if self.encoding == "multipart"
            else "application/x-www-form-urlencoded"
        )
        return {"data": data, "content_type": content_type}


#: A file a form could well want: a scanned form, or a register to import.
PLAUSIBLE_UPLOADS = (
    Upload(FILE_CONTENTS[1], FILE_NAMES[0], "application/pdf"),
    Upload(FILE_CONTENTS[4], FILE_NAMES[1], "text/csv"),
)


def _good_values(spec: FieldSpec, encoding: str) -> st.SearchStrategy[list[Any]]:
    """What a user could send: the value the page shows, or another plausible one."""
    if spec.is_file:
        uploads = [[upload] for upload in PLAUSIBLE_UPLOADS] if encoding == "multipart" else []
        return st.sampled_from([*uploads, []])
    sent = [list(spec.sent)] if spec.sent else []
    plausible = [[value] for value in spec.plausible if [value] != list(spec.sent)]
    # A blank the page sends (a new form) comes after the values that fill it in.
    filled = bool(spec.sent) and any(str(value).strip() for value in spec.sent)
    choices = sent + plausible if filled else plausible + sent
    return st.sampled_from(choices) if choices else st.just([])


def _bad_value(spec: FieldSpec, encoding: str) -> st.SearchStrategy[Any]:
    """One value no form expects here, in what ``encoding`` can carry."""
    if encoding == "multipart":
        return _uploads if spec.is_file else st.one_of(_text_values, _uploads)
    if encoding == "json":
        return st.one_of(_text_values, st.sampled_from(JSON_VALUES))
    return _text_values


def _bad_values(spec: FieldSpec, encoding: str) -> st.SearchStrategy[list[Any]]:
    """A field left out, given a wrong value, or sent more than once."""
    bad = _bad_value(spec, encoding)
    good = _good_values(spec, encoding).filter(bool).map(lambda values: values[0])
    return st.one_of(
        st.just([]),
        bad.map(lambda value: [value]),
        st.lists(st.one_of(good, bad), min_size=2, max_size=3),
    )


_unknown_fields = st.lists(st.tuples(st.sampled_from(UNKNOWN_NAMES), _text_values), max_size=2)


def bodies(fields: Sequence[FieldSpec]) -> st.SearchStrategy[Body]:
    """Bodies over ``fields``: mostly plausible with a few fields wrong, missing or repeated,
    sometimes every field wrong, plus unknown fields."""
    has_file = any(spec.is_file for spec in fields)
    encodings = ("multipart", "urlencoded", "json") if has_file else ENCODINGS
    # As a browser would most of the time, else another encoding.
    encoding_strategy = st.sampled_from((encodings[0],) * 4 + encodings[1:])
    # Built once: hypothesis spends its time per example, not per strategy.
    good = {(spec.name, e): _good_values(spec, e) for spec in fields for e in encodings}
    bad = {(spec.name, e): _bad_values(spec, e) for spec in fields for e in encodings}
    names = [spec.name for spec in fields]
    few_wrong = st.sets(st.sampled_from(names), max_size=min(3, max(1, len(names) // 3)))
    all_wrong = st.integers(0, 4).map(lambda n: n == 4)

    @st.composite
    def build(draw: st.DrawFn) -> Body:
        encoding = draw(encoding_strategy)
        if not names:
            wrong: set[str] = set()
        else:
            wrong = set(names) if draw(all_wrong) else draw(few_wrong)
        pairs: list[tuple[str, Any]] = []
        for name in names:
            values = bad if name in wrong else good
            pairs += [(name, value) for value in draw(values[name, encoding])]
        pairs += draw(_unknown_fields)
        return Body(pairs, encoding)

    return build()


def field_specs(
    names: Iterable[str], page: dict[str, PageField], form_fields: dict[str, Any]
) -> list[FieldSpec]:
    """One spec per name, from what the page sends and what the form class knows."""
    specs = []
    for name in dict.fromkeys(names):
        seen = page.get(name, PageField(name))
        field = form_fields.get(name)
        plausible = plausible_values(field) if field is not None else []
        specs.append(
            FieldSpec(
                name=name,
                sent=tuple(seen.sent),
                plausible=tuple(dict.fromkeys([*plausible, *seen.offered])),
                is_file=seen.is_file or (field is not None and is_file_field(field)),
            )
        )
    return specs
