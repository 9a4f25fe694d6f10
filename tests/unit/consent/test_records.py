"""Consent records refuse shapes that would make decisions ambiguous."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from tests.unit.consent.builders import DAY, T0, TICK, consent


def test_record_is_immutable():
    record = consent()

    with pytest.raises(FrozenInstanceError):
        record.withdrawn_at = T0  # type: ignore[misc]


@pytest.mark.parametrize("field", ["given_at", "valid_until", "withdrawn_at"])
def test_naive_datetime_is_rejected(field):
    with pytest.raises(ValueError, match="timezone-aware"):
        consent(**{field: T0.replace(tzinfo=None)})


def test_categories_must_be_category_members():
    with pytest.raises(TypeError):
        consent(categories=["identity"])


@pytest.mark.parametrize("field", ["consent_id", "child_id"])
def test_ids_must_not_be_empty(field):
    with pytest.raises(ValueError):
        consent(**{field: ""})


def test_record_counts_from_given_at_until_expiry_or_withdrawal():
    record = consent(given_at=T0, valid_until=T0 + 3 * DAY, withdrawn_at=T0 + 2 * DAY)

    assert not record.is_in_force(T0 - TICK)
    assert record.is_in_force(T0)
    assert record.is_in_force(T0 + 2 * DAY - TICK)
    assert not record.is_in_force(T0 + 2 * DAY)
    assert record.is_withdrawn(T0 + 2 * DAY)
    assert not record.is_expired(T0 + 3 * DAY - TICK)
    assert record.is_expired(T0 + 3 * DAY)
