"""Finding children by part of their name, without a searchable name in the database.

Names are encrypted at rest, so the database cannot search inside them. Each worker process
keeps, per organisation, the organisation's children's names normalised (casefolded, accents
and æ/ø/å folded) in one compact string, in memory only. It is built lazily from the
decrypted names on the first search, refreshed from the rows changed since its watermark
(an index lookup on ``children.updated_at``) on every later search, and never written
anywhere. A search answers child ids only: the caller loads the cases through the normal
scoped query, so a child since deleted, or a case the viewer may not see, never shows.
docs/security.md says what this reveals and to whom.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
import time
import unicodedata
import uuid
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from guide.accounts.models import User
from guide.cases.models import Child
from guide.database import utcnow
from guide.extensions import db
from guide.guides.models import GuideProfile

#: Letters that Unicode does not decompose into a base letter and an accent.
_FOLDED = str.maketrans(
    {"æ": "ae", "ø": "o", "å": "a", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "œ": "oe"}
)
#: Runs of anything but letters and digits, which separate words.
_NOT_A_LETTER = re.compile(r"[\W_]+")
#: Between entries in an index's text; normalised text never holds it.
_SEPARATOR = "\n"
#: A change committed this long after its row's ``updated_at`` was stamped is still seen:
#: each refresh re-reads the rows changed within this margin before its own start.
WATERMARK_MARGIN = dt.timedelta(minutes=2)
#: How often the number of children is compared with the index (rows deleted since).
COUNT_CHECK_SECONDS = 60.0
#: Changed rows kept beside the compact text before it is rebuilt.
OVERLAY_LIMIT = 2_000
#: A search answers at most this many children; more means "type more of the name".
MAX_MATCHES = 500
#: How long a worker reuses the organisation's guides' names (staff names, not secret).
GUIDES_SECONDS = 60.0
#: Characters of index text a worker keeps over all organisations (least recently used go).
MEMORY_BUDGET_CHARS = 16_000_000
#: Children decrypted per database round trip while building.
BUILD_BATCH = 2_000


def normalise(text: str) -> str:
    """Lower case, accents and æ/ø/å folded, anything but letters and digits one space.

    ``"Øystein"`` → ``"oystein"``, ``"Åse-Marie"`` → ``"ase marie"``, ``"Wiśniewska"`` →
    ``"wisniewska"``: the same for the name stored and the text typed, so either spelling
    finds the other.
    """
    folded = text.casefold().translate(_FOLDED)
    if not folded.isascii():  # most names are: skip the decomposition for them
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_A_LETTER.sub(" ", folded).split())


@dataclass(frozen=True)
class NameMatches:
    """Children whose name holds every word searched for; ``too_many`` when cut short."""

    child_ids: list[uuid.UUID]
    too_many: bool = False


class OrganisationNames:
    """One organisation's normalised names: a compact text sorted by child id, plus changes."""

    def __init__(self, organisation_id: uuid.UUID) -> None:
        self.organisation_id = organisation_id
        self.lock = threading.Lock()
        self.text = ""
        #: Where each entry starts in ``text``, and (last) where the text ends.
        self.starts = array("I", [0])
        #: The entries' child ids, 16 bytes each, in ascending order.
        self.ids = b""
        #: Children changed or added since the text was built: their current name.
        self.overlay: dict[uuid.UUID, str] = {}
        #: Rows already applied within the watermark's margin: id → updated_at.
        self.applied: dict[uuid.UUID, dt.datetime] = {}
        self.watermark: dt.datetime | None = None
        self.count = 0
        self.counted_at = 0.0
        #: The organisation's guides' profile ids and normalised names, and when read.
        self.guides: list[tuple[uuid.UUID, str]] = []
        self.guides_read_at = -GUIDES_SECONDS

    @property
    def size(self) -> int:
        overlay = sum(len(name) for name in self.overlay.values())
        return len(self.text) + len(self.ids) + overlay + sum(len(g[1]) for g in self.guides)

    # --- keeping it current -----------------------------------------------------------

    def refresh(self) -> None:
        """Bring the index up to what the database holds now (built on first use)."""
        if self.watermark is None or len(self.overlay) > OVERLAY_LIMIT:
            self.build()
            return
        started = utcnow()
        rows = db.session.execute(
            _name_rows(self.organisation_id).where(Child.updated_at >= self.watermark)
        )
        for child_id, first, last, updated_at in rows:
            if self.applied.get(child_id) == updated_at:
                continue  # re-read within the margin, unchanged since
            if not self._contains(child_id):
                self.count += 1 if child_id not in self.overlay else 0
            self.overlay[child_id] = _entry(child_id, first, last)
            self.applied[child_id] = updated_at
        self._advance(started)
        # Children deleted since (merged duplicates, erasure) leave the count behind.
        due = time.monotonic() - self.counted_at > COUNT_CHECK_SECONDS
        if due and self._children_in_database() != self.count:
            self.build()

    def build(self) -> None:
        """Read and decrypt every child's name of the organisation, in batches."""
        started = utcnow()
        recent = started - WATERMARK_MARGIN
        applied: dict[uuid.UUID, dt.datetime] = {}
        # In id order (bytes order on both databases), streamed: no list of rows in memory.
        rows = db.session.execute(
            _name_rows(self.organisation_id)
            .order_by(Child.id)
            .execution_options(yield_per=BUILD_BATCH)
        )

        def entries() -> Iterator[tuple[uuid.UUID, str]]:
            for child_id, first, last, updated_at in rows:
                if updated_at >= recent:
                    applied[child_id] = updated_at
                yield child_id, _entry(child_id, first, last)

        self.fill(entries())
        self.applied = applied
        self.counted_at = time.monotonic()
        self.watermark = recent

    def fill(self, entries: Iterable[tuple[uuid.UUID, str]]) -> None:
        """Replace the compact text with ``entries`` (normalised names in child id order)."""
        pieces: list[str] = []
        ids = bytearray()
        starts = array("I", [0])
        for child_id, entry in entries:
            pieces.append(entry)
            ids += child_id.bytes
            starts.append(starts[-1] + len(entry) + 1)
        self.text = _SEPARATOR.join(pieces) + _SEPARATOR
        self.starts = starts
        self.ids = bytes(ids)
        self.count = len(pieces)
        self.overlay = {}

    def _advance(self, started: dt.datetime) -> None:
        self.watermark = started - WATERMARK_MARGIN
        self.applied = {
            child_id: stamp for child_id, stamp in self.applied.items() if stamp >= self.watermark
        }

    def _children_in_database(self) -> int:
        self.counted_at = time.monotonic()
        return db.session.scalar(
            select(func.count())
            .select_from(Child)
            .where(Child.organisation_id == self.organisation_id)
        )

    def _contains(self, child_id: uuid.UUID) -> bool:
        return self._position(child_id.bytes) is not None

    def _position(self, key: bytes) -> int | None:
        low, high = 0, len(self.ids) // 16
        while low < high:
            middle = (low + high) // 2
            if self.ids[16 * middle : 16 * middle + 16] < key:
                low = middle + 1
            else:
                high = middle
        return low if self.ids[16 * low : 16 * low + 16] == key else None

    # --- searching ------------------------------------------------------------------------

    def guides_named(self, wanted: str) -> list[uuid.UUID]:
        """Profile ids of the guides whose normalised name holds ``wanted``.

        The names are re-read at most once a minute: a large organisation has thousands of
        guides, and normalising each on every search would cost more than the search.
        """
        if time.monotonic() - self.guides_read_at > GUIDES_SECONDS:
            rows = db.session.execute(
                select(GuideProfile.id, User.full_name)
                .join(User, GuideProfile.user_id == User.id)
                .where(GuideProfile.organisation_id == self.organisation_id)
            )
            self.guides = [(profile_id, normalise(name)) for profile_id, name in rows]
            self.guides_read_at = time.monotonic()
        return [profile_id for profile_id, name in self.guides if wanted in name]

    def search(self, words: list[str], *, limit: int | None = None) -> NameMatches:
        """Children whose normalised name holds every one of ``words``, at most ``limit``."""
        limit = limit or MAX_MATCHES
        # The longest word is usually the rarest: find it, then check the others per entry.
        first, *others = sorted(words, key=len, reverse=True)
        found: list[uuid.UUID] = []
        text, starts, ids, overlay = self.text, self.starts, self.ids, self.overlay
        position = text.find(first)
        while position != -1:
            entry = bisect.bisect_right(starts, position) - 1
            start, end = starts[entry], starts[entry + 1] - 1
            for word in others:  # found in place: no copy of the entry
                if text.find(word, start, end) == -1:
                    break
            else:
                child_id = uuid.UUID(bytes=ids[16 * entry : 16 * entry + 16])
                if child_id not in overlay:
                    if len(found) == limit:
                        return NameMatches(found, too_many=True)
                    found.append(child_id)
            position = text.find(first, end + 1)
        for child_id, name in self.overlay.items():
            if first in name and _holds(name, others):
                if len(found) == limit:
                    return NameMatches(found, too_many=True)
                found.append(child_id)
        return NameMatches(found)


def _holds(name: str, words: Iterable[str]) -> bool:
    return all(word in name for word in words)


def _name_rows(organisation_id: uuid.UUID):
    return select(
        Child.id, Child.first_name.sealed_column, Child.last_name.sealed_column, Child.updated_at
    ).where(Child.organisation_id == organisation_id)


def _entry(child_id: uuid.UUID, first: bytes, last: bytes) -> str:
    names = (
        Child.first_name.reveal(first, row_id=child_id),
        Child.last_name.reveal(last, row_id=child_id),
    )
    return normalise(" ".join(names))


class NameIndexes:
    """Every organisation's index in this process, least recently searched dropped first."""

    def __init__(self, budget_chars: int = MEMORY_BUDGET_CHARS) -> None:
        self.budget_chars = budget_chars
        self.lock = threading.Lock()
        self.organisations: OrderedDict[uuid.UUID, OrganisationNames] = OrderedDict()

    def for_organisation(self, organisation_id: uuid.UUID) -> OrganisationNames:
        with self.lock:
            names = self.organisations.pop(organisation_id, None) or OrganisationNames(
                organisation_id
            )
            self.organisations[organisation_id] = names
            return names

    def evict(self) -> None:
        """Drop the least recently searched organisations until the rest fit the budget."""
        with self.lock:
            while len(self.organisations) > 1 and (
                sum(names.size for names in self.organisations.values()) > self.budget_chars
            ):
                self.organisations.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.organisations.clear()


def name_indexes() -> NameIndexes:
    """This app's indexes (one set per process; each app in the tests has its own)."""
    return current_app.extensions.setdefault("case_name_indexes", NameIndexes())


def children_named(organisation_id: uuid.UUID, text: str) -> NameMatches:
    """The organisation's children whose name holds every word of ``text`` (normalised)."""
    words = normalise(text).split()
    if not words:
        return NameMatches([])
    indexes = name_indexes()
    names = indexes.for_organisation(organisation_id)
    with names.lock:
        names.refresh()
        matches = names.search(words)
    indexes.evict()
    return matches


def guides_matching(organisation_id: uuid.UUID, text: str) -> list[uuid.UUID]:
    """Profile ids of the organisation's guides whose name holds ``text`` (normalised)."""
    wanted = normalise(text)
    if not wanted:
        return []
    names = name_indexes().for_organisation(organisation_id)
    with names.lock:
        return names.guides_named(wanted)
