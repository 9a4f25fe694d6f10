"""decide(): one example per reason, the boundaries, and which record a decision names."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consent import Category, Decision, Reason, allowed_categories, decide
from tests.unit.consent.builders import (
    CHILD,
    CLUB_A,
    CLUB_B,
    DAY,
    OTHER_CHILD,
    SCHEME,
    T0,
    TICK,
    consent,
)


def ask(records, *, recipient=SCHEME, category=Category.IDENTITY, at=T0 + DAY, child_id=CHILD):
    return decide(records, child_id=child_id, recipient=recipient, category=category, at=at)


# One example per reason.


def test_granted_names_the_consent():
    assert ask([consent("consent-1")]) == Decision(True, Reason.GRANTED, "consent-1")


def test_no_records_means_no_consent():
    assert ask([]) == Decision(False, Reason.NO_CONSENT, None)


def test_withdrawn_consent_refuses():
    records = [consent("consent-1", withdrawn_at=T0 + DAY)]

    assert ask(records, at=T0 + 2 * DAY) == Decision(False, Reason.WITHDRAWN, "consent-1")


def test_expired_consent_refuses():
    records = [consent("consent-1", valid_until=T0 + DAY)]

    assert ask(records, at=T0 + 2 * DAY) == Decision(False, Reason.EXPIRED, "consent-1")


def test_consent_given_for_later_is_not_yet_valid():
    records = [consent("consent-1", given_at=T0 + 3 * DAY)]

    assert ask(records, at=T0 + DAY) == Decision(False, Reason.NOT_YET_VALID, "consent-1")


def test_scheme_consent_never_covers_a_club():
    records = [consent("consent-1", recipient=SCHEME)]

    assert ask(records, recipient=CLUB_A) == Decision(False, Reason.OTHER_RECIPIENT, "consent-1")


def test_consent_without_the_category_refuses():
    records = [consent("consent-1", categories=[Category.IDENTITY])]

    decision = ask(records, category=Category.PRACTICAL_NEEDS)

    assert decision == Decision(False, Reason.CATEGORY_NOT_COVERED, "consent-1")


@pytest.mark.parametrize("category", [Category.HEALTH_RELATED, Category.ECONOMY])
def test_club_never_sees_health_or_economy_even_with_a_record_for_it(category):
    records = [consent("consent-1", recipient=CLUB_A, categories=list(Category))]

    decision = ask(records, recipient=CLUB_A, category=category)

    assert decision == Decision(False, Reason.NEVER_SHARED_WITH_CLUBS, None)


def test_consent_for_another_child_refuses():
    records = [consent("consent-1", child_id=OTHER_CHILD)]

    assert ask(records) == Decision(False, Reason.OTHER_CHILD, "consent-1")


def test_every_reason_has_an_example_above():
    # Keeps this file honest when a reason is added.
    source = Path(__file__).read_text(encoding="utf-8")
    for reason in Reason:
        assert f"Reason.{reason.name}," in source


# Boundaries: a consent counts from its instant, and stops at expiry or withdrawal.


def test_allowed_exactly_at_given_at():
    records = [consent("consent-1", given_at=T0)]

    assert ask(records, at=T0).allowed
    assert ask(records, at=T0 - TICK).reason is Reason.NOT_YET_VALID


def test_expired_exactly_at_valid_until():
    records = [consent("consent-1", valid_until=T0 + DAY)]

    assert ask(records, at=T0 + DAY - TICK).allowed
    assert ask(records, at=T0 + DAY).reason is Reason.EXPIRED


def test_withdrawal_takes_effect_at_its_instant():
    records = [consent("consent-1", withdrawn_at=T0 + DAY)]

    assert ask(records, at=T0 + DAY - TICK).allowed
    assert ask(records, at=T0 + DAY).reason is Reason.WITHDRAWN


def test_consent_valid_for_no_time_never_allows():
    records = [consent("consent-1", given_at=T0, valid_until=T0)]

    assert ask(records, at=T0).reason is Reason.EXPIRED


def test_instants_in_other_time_zones_compare_as_instants():
    oslo = ZoneInfo("Europe/Oslo")
    records = [consent("consent-1", given_at=T0.astimezone(oslo), valid_until=T0 + DAY)]

    assert ask(records, at=T0).allowed
    assert ask(records, at=(T0 + DAY).astimezone(oslo)).reason is Reason.EXPIRED


# Recipients: each club on its own, the scheme on its own.


def test_consent_for_one_club_never_covers_another():
    records = [consent("consent-a", recipient=CLUB_A)]

    assert ask(records, recipient=CLUB_A).allowed
    decision = ask(records, recipient=CLUB_B)
    assert decision == Decision(False, Reason.OTHER_RECIPIENT, "consent-a")


def test_withdrawing_one_clubs_consent_leaves_the_other_club():
    records = [
        consent("consent-a", recipient=CLUB_A, withdrawn_at=T0 + DAY),
        consent("consent-b", recipient=CLUB_B),
    ]

    assert ask(records, recipient=CLUB_A, at=T0 + 2 * DAY).reason is Reason.WITHDRAWN
    assert ask(records, recipient=CLUB_B, at=T0 + 2 * DAY) == Decision(
        True, Reason.GRANTED, "consent-b"
    )


def test_club_consent_never_covers_the_scheme():
    records = [consent("consent-a", recipient=CLUB_A)]

    assert ask(records, recipient=SCHEME).reason is Reason.OTHER_RECIPIENT


def test_scheme_may_see_economy_with_consent_but_a_club_may_not():
    records = [
        consent("consent-s", recipient=SCHEME, categories=[Category.ECONOMY]),
        consent("consent-a", recipient=CLUB_A, categories=[Category.ECONOMY]),
    ]

    assert ask(records, recipient=SCHEME, category=Category.ECONOMY).allowed
    assert not ask(records, recipient=CLUB_A, category=Category.ECONOMY).allowed


# Which record a decision names.


def test_most_recently_given_consent_is_named():
    records = [
        consent("consent-old", given_at=T0),
        consent("consent-new", given_at=T0 + DAY),
    ]

    assert ask(records, at=T0 + 2 * DAY).consent_id == "consent-new"


def test_equal_instants_are_settled_by_consent_id():
    records = [consent("consent-b"), consent("consent-a")]

    assert ask(records).consent_id == "consent-a"
    assert ask(list(reversed(records))).consent_id == "consent-a"


def test_a_later_withdrawn_consent_does_not_hide_an_earlier_valid_one():
    records = [
        consent("consent-old", given_at=T0),
        consent("consent-new", given_at=T0 + DAY, withdrawn_at=T0 + 2 * DAY),
    ]

    assert ask(records, at=T0 + 3 * DAY) == Decision(True, Reason.GRANTED, "consent-old")


# The most informative refusal wins.


def test_withdrawn_is_reported_over_another_childs_consent():
    records = [
        consent("consent-other", child_id=OTHER_CHILD),
        consent("consent-1", withdrawn_at=T0 + DAY),
    ]

    assert ask(records, at=T0 + 2 * DAY) == Decision(False, Reason.WITHDRAWN, "consent-1")


@pytest.mark.parametrize(
    ("records", "expected", "named"),
    [
        (
            [
                consent("expired", valid_until=T0 + DAY),
                consent("withdrawn", withdrawn_at=T0 + DAY),
            ],
            Reason.WITHDRAWN,
            "withdrawn",
        ),
        (
            [
                consent("expired", valid_until=T0 + DAY),
                consent("later", given_at=T0 + 9 * DAY),
            ],
            Reason.EXPIRED,
            "expired",
        ),
        (
            [
                consent("later", given_at=T0 + 9 * DAY),
                consent("narrow", categories=[Category.CONTACT]),
            ],
            Reason.NOT_YET_VALID,
            "later",
        ),
        (
            [
                consent("narrow", categories=[Category.CONTACT]),
                consent("club", recipient=CLUB_A),
            ],
            Reason.CATEGORY_NOT_COVERED,
            "narrow",
        ),
        (
            [consent("club", recipient=CLUB_A), consent("other", child_id=OTHER_CHILD)],
            Reason.OTHER_RECIPIENT,
            "club",
        ),
    ],
)
def test_refusal_prefers_the_record_closest_to_allowing(records, expected, named):
    for order in (records, list(reversed(records))):
        assert ask(order, at=T0 + 2 * DAY) == Decision(False, expected, named)


def test_consent_that_expired_before_a_withdrawal_is_reported_expired():
    records = [consent("consent-1", valid_until=T0 + DAY, withdrawn_at=T0 + 2 * DAY)]

    assert ask(records, at=T0 + 3 * DAY).reason is Reason.EXPIRED


def test_consent_withdrawn_before_expiry_is_reported_withdrawn():
    records = [consent("consent-1", valid_until=T0 + 2 * DAY, withdrawn_at=T0 + DAY)]

    assert ask(records, at=T0 + 3 * DAY).reason is Reason.WITHDRAWN


# The decision object and the inputs.


def test_decision_is_truthy_only_when_allowed():
    assert ask([consent()])
    assert not ask([])


@pytest.mark.parametrize(
    ("allowed", "reason", "consent_id"),
    [
        (True, Reason.EXPIRED, "consent-1"),
        (False, Reason.GRANTED, "c"),
        (True, Reason.GRANTED, None),
    ],
)
def test_inconsistent_decision_cannot_be_made(allowed, reason, consent_id):
    with pytest.raises(ValueError):
        Decision(allowed, reason, consent_id)


def test_category_may_be_given_by_its_stored_name():
    assert ask([consent()], category="identity").allowed


def test_unknown_category_raises_instead_of_refusing_quietly():
    with pytest.raises(ValueError):
        ask([consent()], category="shoe_size")


def test_naive_instant_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        ask([consent()], at=T0.replace(tzinfo=None))


def test_records_may_be_any_iterable():
    assert ask(record for record in [consent()]).allowed


def test_allowed_categories_lists_what_the_recipient_may_see_now():
    records = [
        consent("consent-s", categories=[Category.IDENTITY, Category.ECONOMY]),
        consent("consent-a", recipient=CLUB_A, categories=list(Category)),
        consent("consent-old", categories=[Category.CONTACT], withdrawn_at=T0 + DAY),
    ]
    later = T0 + 2 * DAY

    assert allowed_categories(records, child_id=CHILD, recipient=SCHEME, at=later) == {
        Category.IDENTITY,
        Category.ECONOMY,
    }
    assert allowed_categories(iter(records), child_id=CHILD, recipient=CLUB_A, at=later) == {
        Category.IDENTITY,
        Category.CONTACT,
        Category.PRACTICAL_NEEDS,
    }
    assert allowed_categories(records, child_id=CHILD, recipient=CLUB_B, at=later) == set()
    assert not allowed_categories(
        records, child_id=CHILD, recipient=SCHEME, at=T0 - timedelta(seconds=1)
    )
