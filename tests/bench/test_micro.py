"""Micro-benchmarks: encryption per field, the blind index, and consent decisions.

The normal suite runs each once (``--benchmark-disable`` in pyproject.toml), so they stay
tested; `make bench` times them with ``--benchmark-enable -m benchmark``.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from consent import Category, ConsentRecord, Recipient, decide
from guide.crypto.cipher import BlindIndex, FieldCipher
from guide.crypto.keyring import Keyring

ROW_ID = str(uuid.uuid4())
NAME = "Emma Ødegård"
NOW = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def keyring() -> Keyring:
    return Keyring.generate()


@pytest.fixture(scope="module")
def cipher(keyring: Keyring) -> FieldCipher:
    return FieldCipher(keyring)


@pytest.mark.benchmark(group="crypto per field")
def test_encrypt_one_field(benchmark, cipher: FieldCipher):
    sealed = benchmark(cipher.encrypt, NAME, table="children", column="first_name", row_id=ROW_ID)

    assert NAME.encode() not in sealed
    assert cipher.decrypt(sealed, table="children", column="first_name", row_id=ROW_ID) == NAME


@pytest.mark.benchmark(group="crypto per field")
def test_decrypt_one_field(benchmark, cipher: FieldCipher):
    sealed = cipher.encrypt(NAME, table="children", column="first_name", row_id=ROW_ID)

    plain = benchmark(cipher.decrypt, sealed, table="children", column="first_name", row_id=ROW_ID)

    assert plain == NAME


@pytest.mark.benchmark(group="blind index")
def test_child_identity_blind_index(benchmark, keyring: Keyring):
    index = BlindIndex(keyring.index_key)

    digest = benchmark(index.digest, "child_identity", "Emma", "Ødegård", "2015-04-03")

    assert digest == index.digest("child_identity", " EMMA ", "ødegård", "2015-04-03")
    assert len(digest) == 64


def _records(count: int) -> list[ConsentRecord]:
    """A child's consents over the years: the scheme, and a club per activity tried."""
    records = []
    for number in range(count):
        given = NOW - dt.timedelta(days=400 - number * 30)
        records.append(
            ConsentRecord(
                consent_id=f"c{number}",
                child_id="child-1",
                recipient=Recipient.scheme() if number == 0 else Recipient.club(f"club-{number}"),
                categories=frozenset({Category.IDENTITY, Category.CONTACT}),
                given_at=given,
                valid_until=given + dt.timedelta(days=365),
                withdrawn_at=None,
                purpose="start_activity",
            )
        )
    return records


@pytest.mark.benchmark(group="consent decisions")
def test_consent_decision_for_a_club(benchmark):
    records = _records(8)

    decision = benchmark(
        decide,
        records,
        child_id="child-1",
        recipient=Recipient.club("club-7"),
        category=Category.CONTACT,
        at=NOW,
    )

    assert decision.allowed
    assert decision.consent_id == "c7"


@pytest.mark.benchmark(group="consent decisions")
def test_consent_decision_refused_for_economy(benchmark):
    records = _records(8)

    decision = benchmark(
        decide,
        records,
        child_id="child-1",
        recipient=Recipient.club("club-7"),
        category=Category.ECONOMY,
        at=NOW,
    )

    assert not decision.allowed


@pytest.fixture(scope="module")
def names_100k():
    """An in-memory name index of 100 000 fictional children, as one worker holds it."""
    import random

    from guide.cases.name_index import OrganisationNames, normalise
    from guide.demo import vocabulary as words

    rng = random.Random(5)
    people = sorted(
        (uuid.UUID(int=rng.getrandbits(128)), normalise(f"{first} {last}"))
        for first, last in (
            (rng.choice(words.CHILD_FIRST_NAMES), rng.choice(words.LAST_NAMES))
            for _ in range(100_000)
        )
    )
    names = OrganisationNames(uuid.uuid4())
    names.fill(people)
    return names, people


@pytest.mark.benchmark(group="name search")
def test_search_part_of_a_name_among_100_000_children(benchmark, names_100k):
    names, people = names_100k

    found = benchmark(names.search, ["amin", "hans"])

    expected = {key for key, name in people if "amin" in name and "hans" in name}
    assert set(found.child_ids) == expected and 10 < len(expected) < 500
    assert not found.too_many
    # One compact string and 16 bytes per child: a few megabytes, not an object per child.
    assert len(names.text) + len(names.ids) + 4 * len(names.starts) < 4_500_000
