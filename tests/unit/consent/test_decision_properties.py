"""Property tests: decide() agrees with an independent ledger over random consent histories."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consent import (
    NEVER_TO_CLUBS,
    Category,
    ConsentRecord,
    Decision,
    Reason,
    allowed_categories,
    decide,
)
from tests.unit.consent.ledger import (
    CHILDREN,
    QUESTIONS,
    RECIPIENTS,
    Advance,
    Event,
    Give,
    Ledger,
    Question,
    Withdraw,
)

# Whole minutes, so that starts, ends, withdrawals and checks often land on the same instant.
minutes = st.integers(min_value=0, max_value=180).map(lambda n: timedelta(minutes=n))

gives = st.builds(
    Give,
    child_id=st.sampled_from(CHILDREN),
    recipient=st.sampled_from(RECIPIENTS),
    # Any categories, even the ones a club may never get: decide() must hold regardless.
    categories=st.frozensets(st.sampled_from(list(Category))),
    starts_after=st.one_of(st.just(timedelta(0)), minutes),
    lasts=st.one_of(st.none(), minutes),
)
withdrawals = st.builds(Withdraw, pick=st.integers(min_value=0, max_value=50))
advances = st.builds(Advance, by=minutes)
histories = st.lists(st.one_of(gives, withdrawals, advances), max_size=20)

# The ledger and decide() are both cheap, but a slow shared machine must not make this flaky.
property_settings = settings(max_examples=200, deadline=None)

#: An instant, the question asked, and decide()'s answer.
Answer = tuple[datetime, Question, Decision]


def replayed(events: list[Event]) -> Ledger:
    ledger = Ledger()
    ledger.replay(events)
    return ledger


def by_id(records: list[ConsentRecord]) -> dict[str, ConsentRecord]:
    return {record.consent_id: record for record in records}


def every_decision(ledger: Ledger, records: list[ConsentRecord]) -> Iterator[Answer]:
    """decide() asked every question at every instant the ledger took a snapshot of."""
    for at in ledger.snapshots:
        for child_id, recipient, category in QUESTIONS:
            decision = decide(
                records, child_id=child_id, recipient=recipient, category=category, at=at
            )
            yield at, (child_id, recipient, category), decision


@property_settings
@given(histories)
def test_allowed_exactly_when_the_ledger_has_a_live_consent(events):
    ledger = replayed(events)
    records = ledger.records()

    for at, question, decision in every_decision(ledger, records):
        live_ids = ledger.snapshots[at][question]
        assert decision.allowed == bool(live_ids), (at, question)
        if decision.allowed:
            assert decision.consent_id in live_ids


@property_settings
@given(histories)
def test_never_allowed_after_the_covering_consent_is_withdrawn(events):
    ledger = replayed(events)
    records = ledger.records()
    index = by_id(records)

    for at, (child_id, recipient, category), decision in every_decision(ledger, records):
        covering = [
            record
            for record in records
            if record.child_id == child_id
            and record.recipient == recipient
            and category in record.categories
        ]
        if decision.allowed:
            named = index[decision.consent_id]
            assert named.withdrawn_at is None or at < named.withdrawn_at
        if covering and all(
            record.withdrawn_at is not None and record.withdrawn_at <= at for record in covering
        ):
            assert not decision.allowed
            assert decision.reason in {
                Reason.WITHDRAWN,
                Reason.EXPIRED,  # it had run out before the guardian withdrew it
                Reason.NOT_YET_VALID,  # withdrawn before the day it would have started
                Reason.NEVER_SHARED_WITH_CLUBS,
            }


@property_settings
@given(histories)
def test_club_never_sees_health_or_economy(events):
    ledger = replayed(events)
    records = ledger.records()
    clubs = [recipient for recipient in RECIPIENTS if recipient.is_club]

    for at in ledger.snapshots:
        for child_id in CHILDREN:
            for club in clubs:
                seen = allowed_categories(records, child_id=child_id, recipient=club, at=at)
                assert not seen & NEVER_TO_CLUBS
                for category in NEVER_TO_CLUBS:
                    decision = decide(
                        records, child_id=child_id, recipient=club, category=category, at=at
                    )
                    assert decision.reason is Reason.NEVER_SHARED_WITH_CLUBS
                    assert decision.consent_id is None


@property_settings
@given(histories, st.randoms(use_true_random=False))
def test_decision_does_not_depend_on_the_order_of_records(events, rng: random.Random):
    ledger = replayed(events)
    records = ledger.records()
    shuffled = list(records)
    rng.shuffle(shuffled)

    for at, (child_id, recipient, category), decision in every_decision(ledger, records):
        question = dict(child_id=child_id, recipient=recipient, category=category, at=at)
        assert decide(shuffled, **question) == decision
        assert decide(reversed(records), **question) == decision


@property_settings
@given(histories)
def test_named_consent_covers_the_question_and_explains_the_answer(events):
    ledger = replayed(events)
    records = ledger.records()
    index = by_id(records)

    for at, (child_id, recipient, category), decision in every_decision(ledger, records):
        if decision.consent_id is None:
            assert decision.reason in {Reason.NO_CONSENT, Reason.NEVER_SHARED_WITH_CLUBS}
            if decision.reason is Reason.NO_CONSENT:
                assert not records
            continue
        named = index[decision.consent_id]
        matches = named.child_id == child_id and named.recipient == recipient
        covers = matches and category in named.categories
        withdrawn = named.withdrawn_at is not None and named.withdrawn_at <= at
        expired = named.valid_until is not None and named.valid_until <= at
        match decision.reason:
            case Reason.GRANTED:
                assert covers and named.given_at <= at and not withdrawn and not expired
                # The most recently given of all the consents that would allow.
                rivals = [
                    record
                    for record in records
                    if record.consent_id in ledger.snapshots[at][(child_id, recipient, category)]
                ]
                latest = max(record.given_at for record in rivals)
                assert named.given_at == latest
                assert named.consent_id == min(
                    record.consent_id for record in rivals if record.given_at == latest
                )
            case Reason.WITHDRAWN:
                assert covers and named.given_at <= at and withdrawn
            case Reason.EXPIRED:
                assert covers and named.given_at <= at and expired
            case Reason.NOT_YET_VALID:
                assert covers and at < named.given_at
            case Reason.CATEGORY_NOT_COVERED:
                assert matches and category not in named.categories
            case Reason.OTHER_RECIPIENT:
                assert named.child_id == child_id and named.recipient != recipient
            case Reason.OTHER_CHILD:
                assert named.child_id != child_id
            case other:
                raise AssertionError(f"unexpected reason {other} naming a consent")


@property_settings
@given(histories)
def test_allowed_categories_is_the_union_of_single_decisions(events):
    ledger = replayed(events)
    records = ledger.records()

    for at in ledger.snapshots:
        for child_id in CHILDREN:
            for recipient in RECIPIENTS:
                expected = {
                    category
                    for category in Category
                    if ledger.snapshots[at][(child_id, recipient, category)]
                }
                seen = allowed_categories(records, child_id=child_id, recipient=recipient, at=at)
                assert seen == expected
