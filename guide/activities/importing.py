"""Reading an organisation's club and activity register from CSV, as pure functions.

Nothing here touches Flask or the database: ``read_register`` turns the uploaded bytes
into rows with their problems, and ``check_against_catalogue`` marks the rows that repeat
one another or something already in the catalogue. docs/catalogue-import.md describes
the file for the people who make it.

The same activity is the same club, the same activity name and the same weekday. The same
club is the same organisation number, or, when the file gives none (or the catalogue has
none), the same club name. Names are compared ignoring case and repeated spaces.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from babel import Locale
from email_validator import EmailNotValidError, validate_email

from guide.activities.models import BuiltInCategory, ExtraCostKind
from guide.areas.models import area_key
from guide.validation import (
    InvalidInput,
    normalise_org_number,
    normalise_phone,
    parse_kroner,
)

#: Bigger files are refused before parsing; a municipality's register is far smaller.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MIN_AGE, MAX_AGE = 0, 25
#: The spreadsheet row of the first activity: row 1 holds the column names.
FIRST_DATA_LINE = 2


# --- columns ---------------------------------------------------------------------------------

#: Each column the file may have, and the names it may go by (bokmål first, then nynorsk).
#: Names are compared in lower case with spaces tidied, so "E-post" and "e-post " match.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "club": ("klubb", "lag", "forening", "lag/forening", "klubb/lag"),
    "org_number": ("organisasjonsnummer", "orgnr", "org.nr", "org.nr.", "org nr"),
    "contact_person": ("kontaktperson",),
    "email": ("e-post", "epost"),
    "phone": ("telefon", "tlf", "tlf."),
    "website": ("nettside", "nettstad", "hjemmeside", "heimeside"),
    "name": ("aktivitet",),
    "category": ("kategori",),
    "description": ("beskrivelse", "skildring"),
    "min_age": ("alder fra", "alder frå"),
    "max_age": ("alder til",),
    "area": ("område", "bydel"),
    "meeting_place": ("oppmøtested", "oppmøtestad"),
    "weekday": ("ukedag", "vekedag", "dag"),
    "starts_at": ("starter", "byrjar", "fra kl.", "frå kl.", "fra kl", "frå kl"),
    "ends_at": ("slutter", "sluttar", "til kl.", "til kl"),
    "season": ("sesong",),
    "fee": ("kontingent", "kontingent per sesong"),
    "cost_trips": ("turer", "turar"),
    "cost_cups": ("cuper", "cupar", "cup"),
    "cost_camps": ("leirer", "leirar", "leir"),
    "cost_uniforms": ("drakt", "drakter", "drakter og klær", "drakter og klede"),
    "cost_transport": ("transport", "reise"),
    "cost_other": ("andre kostnader", "andre kostnadar"),
    "equipment_needed": ("utstyr",),
    "equipment_can_be_borrowed": ("utstyr kan lånes", "utstyr kan lånast"),
    "leader_languages": ("språk", "språk lederne snakker", "språk leiarane snakkar"),
    "accessibility_notes": ("tilrettelegging", "tilrettelegging og tilgjenge"),
    "has_free_trial": ("gratis prøvetime", "gratis prøvetime?"),
    "places_left": ("ledige plasser", "ledige plassar"),
    "has_waiting_list": ("venteliste",),
}
REQUIRED_COLUMNS = ("club", "name", "category", "fee")
#: The name docs/catalogue-import.md uses for each column, for messages about a missing one.
DOCUMENTED_NAMES = {key: names[0].capitalize() for key, names in COLUMN_NAMES.items()}
EXTRA_COST_COLUMNS = {
    "cost_trips": ExtraCostKind.trips,
    "cost_cups": ExtraCostKind.cups,
    "cost_camps": ExtraCostKind.camps,
    "cost_uniforms": ExtraCostKind.uniforms,
    "cost_transport": ExtraCostKind.transport,
    "cost_other": ExtraCostKind.other,
}
#: Longest text each column may hold (the database column's size).
MAX_LENGTHS = {
    "club": 200,
    "contact_person": 200,
    "email": 254,
    "website": 300,
    "name": 200,
    "description": 2000,
    "area": 100,
    "meeting_place": 200,
    "season": 100,
    "equipment_needed": 1000,
    "accessibility_notes": 1000,
}
MULTILINE_COLUMNS = frozenset({"description", "equipment_needed", "accessibility_notes"})


def _folded(text: str) -> str:
    """Text for comparing: NFC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _header_key(header: str) -> str:
    return _folded(header.strip().rstrip("*").strip())


#: Every accepted column name (and the English key itself) → the column it names.
_COLUMN_BY_NAME = {
    _header_key(name): key for key, names in COLUMN_NAMES.items() for name in (key, *names)
}


# --- values ------------------------------------------------------------------------------------

WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("mandag", "måndag", "man", "monday", "mon"), 0),
    **dict.fromkeys(("tirsdag", "tysdag", "tir", "tys", "tuesday", "tue"), 1),
    **dict.fromkeys(("onsdag", "ons", "wednesday", "wed"), 2),
    **dict.fromkeys(("torsdag", "tor", "thursday", "thu"), 3),
    **dict.fromkeys(("fredag", "fre", "friday", "fri"), 4),
    **dict.fromkeys(("lørdag", "laurdag", "lør", "lau", "saturday", "sat"), 5),
    **dict.fromkeys(("søndag", "sundag", "søn", "sun", "sunday"), 6),
}
YES = frozenset({"ja", "j", "yes", "y", "x", "1", "sant", "true"})
NO = frozenset({"nei", "n", "no", "0", "usant", "false"})
TIME = re.compile(r"^(?:kl\.?\s*)?(\d{1,2})(?:[:.](\d{2}))?$")
#: Language cells list several languages: "norsk, engelsk / arabisk".
LANGUAGE_SEPARATORS = re.compile(r"[,;/]|\s+og\s+")

#: Norwegian and English words for the built-in categories, besides their keys.
CATEGORY_WORDS: dict[str, BuiltInCategory] = {
    **dict.fromkeys(("idrett", "sport", "idrett og sport"), BuiltInCategory.sport),
    **dict.fromkeys(("musikk", "music"), BuiltInCategory.music),
    **dict.fromkeys(("dans", "dance"), BuiltInCategory.dance),
    **dict.fromkeys(("speiding", "speider", "speidar", "scouting"), BuiltInCategory.scouting),
    **dict.fromkeys(
        ("kunst og håndverk", "kunst og handverk", "art and crafts", "kunst", "forming"),
        BuiltInCategory.art_and_crafts,
    ),
    **dict.fromkeys(("drama", "teater"), BuiltInCategory.drama),
    **dict.fromkeys(("friluftsliv", "outdoor life", "friluft"), BuiltInCategory.outdoor_life),
    **dict.fromkeys(
        ("gaming og e-sport", "gaming", "e-sport", "esport", "gaming and e-sport"),
        BuiltInCategory.gaming_esport,
    ),
    **dict.fromkeys(("ungdomsklubb", "fritidsklubb", "youth club"), BuiltInCategory.youth_club),
    **dict.fromkeys(
        ("kulturskole", "kulturskule", "culture school"), BuiltInCategory.culture_school
    ),
    **dict.fromkeys(("annet", "anna", "other"), BuiltInCategory.other),
}


def _language_words() -> dict[str, str]:
    """Language codes and names in bokmål, nynorsk and English → language code."""
    words: dict[str, str] = {}
    for locale in ("en", "nn", "nb"):
        for code, name in Locale.parse(locale).languages.items():
            if "_" not in code and code.isalpha() and len(code) <= 3:
                words.setdefault(code, code)
                words[_folded(name)] = code
    # "no" and "norsk" mean bokmål in practice.
    words.update({"no": "nb", "norsk": "nb", "nynorsk": "nn", "samisk": "se"})
    return words


LANGUAGE_WORDS = _language_words()


def category_lookup(own_categories: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """Words a file may use for a category → its key: built-in words, then (key, name) pairs."""
    lookup = {_folded(member.value): member.value for member in BuiltInCategory}
    lookup.update({_folded(word): member.value for word, member in CATEGORY_WORDS.items()})
    for key, name in own_categories:
        lookup[_folded(key)] = key
        lookup[_folded(name)] = key
    return lookup


def normalise_website(text: str) -> str:
    """An http(s) address; ``www.klubb.no`` gets ``https://``. Raises InvalidInput("invalid")."""
    address = text.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", address, re.IGNORECASE):
        if ":" in address.split("/", 1)[0].split(".", 1)[0]:
            raise InvalidInput("invalid")  # another scheme, such as javascript: or mailto:
        address = "https://" + address
    try:
        parts = urlsplit(address)
        hostname = parts.hostname or ""
        _port = parts.port  # raises on a port that is not a number
    except ValueError:
        raise InvalidInput("invalid") from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or "." not in hostname
        or parts.username is not None
        or any(
            character.isspace() or unicodedata.category(character) == "Cc" for character in address
        )
    ):
        raise InvalidInput("invalid")
    return address


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with a row; ``code`` is turned into a sentence by the page showing it."""

    code: str
    #: The column as the file names it.
    column: str | None = None
    #: The value, only where it helps and holds nothing personal (a category, a weekday).
    value: str | None = None
    #: Another row the problem refers to (the earlier copy of a duplicate).
    line: int | None = None


@dataclass(frozen=True)
class ExtraCost:
    """A known cost on top of the fee, in øre."""

    kind: ExtraCostKind
    amount: int
    label: str | None = None


@dataclass(frozen=True)
class ClubFields:
    name: str
    org_number: str | None
    contact_person: str | None
    email: str | None
    phone: str | None
    website: str | None
    #: An area of the organisation's list.
    area_id: uuid.UUID | None


@dataclass(frozen=True)
class ActivityFields:
    name: str
    category_key: str
    description: str | None
    min_age: int | None
    max_age: int | None
    area_id: uuid.UUID | None
    meeting_place: str | None
    weekday: int | None
    starts_at: dt.time | None
    ends_at: dt.time | None
    season: str | None
    fee_per_season: int
    extra_costs: tuple[ExtraCost, ...]
    equipment_needed: str | None
    equipment_can_be_borrowed: bool
    leader_languages: tuple[str, ...]
    accessibility_notes: str | None
    has_free_trial: bool
    places_left: int | None
    has_waiting_list: bool


#: Which club a row belongs to: an existing club's id, or the number of a new club in the file.
ClubRef = uuid.UUID | int


@dataclass
class ImportRow:
    """One line of the file: what it says, what it would create, and what is wrong with it."""

    line: int
    #: The cells by column key, as written (for the preview).
    cells: dict[str, str]
    club: ClubFields | None = None
    activity: ActivityFields | None = None
    problems: list[Problem] = field(default_factory=list)
    club_ref: ClubRef | None = None

    @property
    def is_importable(self) -> bool:
        return not self.problems and self.club is not None and self.activity is not None


@dataclass
class Register:
    """The whole file, read."""

    rows: list[ImportRow]
    #: Columns in the file that mean nothing here (they are left out, not refused).
    ignored_columns: list[str]
    encoding: str
    delimiter: str

    @property
    def importable_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.is_importable]

    @property
    def rows_with_problems(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.is_importable]


class RegisterFileError(ValueError):
    """The file as a whole cannot be read; ``reason`` says why, ``columns`` what is missing."""

    def __init__(self, reason: str, *, columns: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.columns = tuple(columns)


# --- reading the file --------------------------------------------------------------------------


def decode_register(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 with or without BOM, else Windows-1252 (older Excel)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RegisterFileError("encoding")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            raise RegisterFileError("encoding") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise RegisterFileError("encoding") from None


def guess_delimiter(text: str) -> str:
    """``;`` (Norwegian spreadsheets) or ``,``: whichever the header line has more of."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    return "," if header.count(",") > header.count(";") else ";"


def read_register(
    data: bytes,
    *,
    categories: Mapping[str, str] | None = None,
    areas: Mapping[str, uuid.UUID] | None = None,
) -> Register:
    """Parse and check every row of an uploaded file; raises RegisterFileError if unreadable."""
    if len(data) > MAX_FILE_BYTES:
        raise RegisterFileError("too_large")
    text, encoding = decode_register(data)
    if "\x00" in text:
        raise RegisterFileError("not_csv")
    if not text.strip():
        raise RegisterFileError("empty")
    delimiter = guess_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise RegisterFileError("not_csv") from None
    headers, records = _split_header(records)
    columns = {index: _COLUMN_BY_NAME.get(_header_key(name)) for index, name in enumerate(headers)}
    found = {key for key in columns.values() if key}
    missing = [DOCUMENTED_NAMES[key] for key in REQUIRED_COLUMNS if key not in found]
    if missing:
        raise RegisterFileError("missing_columns", columns=missing)
    data_lines = [
        (line, record)
        for line, record in enumerate(records, start=FIRST_DATA_LINE)
        if any(cell.strip() for cell in record)
    ]
    if len(data_lines) > MAX_ROWS:
        raise RegisterFileError("too_many_rows")
    if not data_lines:
        raise RegisterFileError("no_rows")
    lookup = categories if categories is not None else category_lookup()
    names = {key: headers[index].strip() for index, key in reversed(columns.items()) if key}
    rows = [
        parse_row(line, _cells(record, columns), categories=lookup, areas=areas, column_names=names)
        for line, record in data_lines
    ]
    ignored = [headers[index].strip() for index, key in columns.items() if not key]
    return Register(
        rows=rows,
        ignored_columns=[name for name in ignored if name],
        encoding=encoding,
        delimiter=delimiter,
    )


def _split_header(records: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    # Blank lines before the header are common when a sheet is exported from row 2.
    for index, record in enumerate(records):
        if any(cell.strip() for cell in record):
            return record, records[index + 1 :]
    raise RegisterFileError("empty")


def _cells(record: list[str], columns: Mapping[int, str | None]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for index, key in columns.items():
        # The first column of a name wins if the file repeats one.
        if key and key not in cells:
            cells[key] = record[index] if index < len(record) else ""
    return cells


# --- one row -----------------------------------------------------------------------------------


class _RowReader:
    """Reads one row's cells into typed values, collecting problems instead of stopping."""

    def __init__(self, cells: Mapping[str, str], column_names: Mapping[str, str]) -> None:
        self.cells = cells
        self.column_names = column_names
        self.problems: list[Problem] = []

    def problem(self, code: str, key: str | None = None, **details: object) -> None:
        column = (self.column_names.get(key) or DOCUMENTED_NAMES[key]) if key else None
        self.problems.append(Problem(code, column=column, **details))  # type: ignore[arg-type]

    def raw(self, key: str) -> str:
        return self.cells.get(key, "").strip()

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw(key)
        if key not in MULTILINE_COLUMNS:
            value = " ".join(value.split())
        value = unicodedata.normalize("NFC", value)
        if not value:
            if required:
                self.problem("required", key)
            return None
        allowed = "\r\n\t" if key in MULTILINE_COLUMNS else ""
        if any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in value):
            self.problem("control_characters", key)
            return None
        if len(value) > MAX_LENGTHS.get(key, 200):
            self.problem("too_long", key, value=str(MAX_LENGTHS.get(key, 200)))
            return None
        return value

    def checked(self, key: str, normalise) -> str | None:
        value = self.raw(key)
        if not value:
            return None
        try:
            return normalise(value)
        except InvalidInput as error:
            self.problem(f"{key}_{error.reason}", key)
            return None

    def email(self) -> str | None:
        value = self.raw("email")
        if not value:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            self.problem("email_invalid", "email")
            return None

    def amount(self, key: str, *, required: bool = False) -> int | None:
        value = self.raw(key)
        if not value:
            if required:
                self.problem("fee_required", key)
            return None
        try:
            return parse_kroner(value, "nb")
        except InvalidInput as error:
            self.problem(f"amount_{error.reason}", key)
            return None

    def whole_number(self, key: str, *, low: int, high: int | None = None) -> int | None:
        value = self.raw(key)
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):
            self.problem("not_whole_number", key)
            return None
        number = int(value)
        if number < low or (high is not None and number > high):
            self.problem("age_out_of_range" if high is not None else "not_whole_number", key)
            return None
        return number

    def yes_no(self, key: str) -> bool:
        value = _folded(self.raw(key))
        if value in YES:
            return True
        if value and value not in NO:
            self.problem("yes_no", key)
        return False

    def weekday(self) -> int | None:
        value = _folded(self.raw("weekday")).rstrip(".")
        if not value:
            return None
        if value not in WEEKDAYS:
            self.problem("weekday_unknown", "weekday", value=self.raw("weekday")[:40])
            return None
        return WEEKDAYS[value]

    def time(self, key: str) -> dt.time | None:
        value = _folded(self.raw(key))
        if not value:
            return None
        match = TIME.match(value)
        if match and int(match[1]) < 24 and int(match[2] or 0) < 60:
            return dt.time(int(match[1]), int(match[2] or 0))
        self.problem("time_invalid", key)
        return None

    def category(self, lookup: Mapping[str, str]) -> str | None:
        value = self.raw("category")
        if not value:
            self.problem("required", "category")
            return None
        key = lookup.get(_folded(value))
        if key is None:
            self.problem("category_unknown", "category", value=value[:40])
        return key

    def area(self, lookup: Mapping[str, uuid.UUID]) -> uuid.UUID | None:
        value = self.raw("area")
        if not value:
            return None
        area_id = lookup.get(area_key(value))
        if area_id is None:
            self.problem("area_unknown", "area", value=" ".join(value.split())[:100])
        return area_id

    def languages(self) -> tuple[str, ...]:
        codes: list[str] = []
        for part in LANGUAGE_SEPARATORS.split(self.raw("leader_languages")):
            word = _folded(part)
            if not word:
                continue
            code = LANGUAGE_WORDS.get(word)
            if code is None:
                self.problem("language_unknown", "leader_languages", value=part.strip()[:40])
            elif code not in codes:
                codes.append(code)
        return tuple(codes)


def parse_row(
    line: int,
    cells: Mapping[str, str],
    *,
    categories: Mapping[str, str],
    areas: Mapping[str, uuid.UUID] | None = None,
    column_names: Mapping[str, str] | None = None,
) -> ImportRow:
    """One row's club and activity, or the problems that keep it out."""
    read = _RowReader(cells, column_names or {})
    areas = areas or {}
    club = ClubFields(
        name=read.text("club", required=True) or "",
        org_number=read.checked("org_number", normalise_org_number),
        contact_person=read.text("contact_person"),
        email=read.email(),
        phone=read.checked("phone", normalise_phone),
        website=read.checked("website", normalise_website),
        area_id=read.area(areas),
    )
    min_age = read.whole_number("min_age", low=MIN_AGE, high=MAX_AGE)
    max_age = read.whole_number("max_age", low=MIN_AGE, high=MAX_AGE)
    if min_age is not None and max_age is not None and min_age > max_age:
        read.problem("age_order", "min_age")
    starts_at, ends_at = read.time("starts_at"), read.time("ends_at")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        read.problem("time_order", "ends_at")
    extra_costs = []
    for key, kind in EXTRA_COST_COLUMNS.items():
        amount = read.amount(key)
        if amount:
            extra_costs.append(ExtraCost(kind, amount))
    activity = ActivityFields(
        name=read.text("name", required=True) or "",
        category_key=read.category(categories) or "",
        description=read.text("description"),
        min_age=min_age,
        max_age=max_age,
        area_id=club.area_id,
        meeting_place=read.text("meeting_place"),
        weekday=read.weekday(),
        starts_at=starts_at,
        ends_at=ends_at,
        season=read.text("season"),
        fee_per_season=read.amount("fee", required=True) or 0,
        extra_costs=tuple(extra_costs),
        equipment_needed=read.text("equipment_needed"),
        equipment_can_be_borrowed=read.yes_no("equipment_can_be_borrowed"),
        leader_languages=read.languages(),
        accessibility_notes=read.text("accessibility_notes"),
        has_free_trial=read.yes_no("has_free_trial"),
        places_left=read.whole_number("places_left", low=0),
        has_waiting_list=read.yes_no("has_waiting_list"),
    )
    row = ImportRow(line=line, cells=dict(cells), problems=read.problems)
    if not row.problems:
        row.club, row.activity = club, activity
    return row


# --- against the catalogue ---------------------------------------------------------------------


@dataclass(frozen=True)
class KnownClub:
    """A club the rows may belong to: in the catalogue (a UUID) or new in this file (a number)."""

    ref: ClubRef
    name: str
    org_number: str | None


@dataclass(frozen=True)
class Catalogue:
    """What the organisation's catalogue holds already, as far as matching needs."""

    clubs: Sequence[KnownClub] = ()
    #: (club id, activity name folded, weekday) of every activity, active or not.
    activities: frozenset[tuple[ClubRef, str, int | None]] = frozenset()


def activity_key(
    club_ref: ClubRef, name: str, weekday: int | None
) -> tuple[ClubRef, str, int | None]:
    """What makes two activities the same: club, name (ignoring case and spacing), weekday."""
    return club_ref, _folded(name), weekday


def find_club(clubs: Iterable[KnownClub], wanted: ClubFields) -> KnownClub | None:
    """The known club ``wanted`` means: same organisation number, else same name."""
    clubs = list(clubs)
    if wanted.org_number:
        for club in clubs:
            if club.org_number == wanted.org_number:
                return club
    name = _folded(wanted.name)
    for club in clubs:
        # Two different organisation numbers are two clubs, whatever their names.
        numbers_differ = club.org_number and wanted.org_number
        if _folded(club.name) == name and not numbers_differ:
            return club
    return None


def check_against_catalogue(register: Register, catalogue: Catalogue) -> Register:
    """Give every good row its club, and refuse rows that repeat the file or the catalogue."""
    clubs = list(catalogue.clubs)
    first_line: dict[tuple[ClubRef, str, int | None], int] = {}
    new_clubs = 0
    for row in register.rows:
        if not row.is_importable:
            continue
        assert row.club is not None and row.activity is not None
        known = find_club(clubs, row.club)
        if known is None:
            known = KnownClub(ref=new_clubs, name=row.club.name, org_number=row.club.org_number)
            new_clubs += 1
            clubs.append(known)
        key = activity_key(known.ref, row.activity.name, row.activity.weekday)
        if key in catalogue.activities:
            row.problems.append(Problem("already_in_catalogue"))
        elif key in first_line:
            row.problems.append(Problem("duplicate_in_file", line=first_line[key]))
        else:
            first_line[key] = row.line
            row.club_ref = known.ref
    return register
