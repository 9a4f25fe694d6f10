"""Check values: computed from the key, compared without a database, explained without keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from guide.crypto.checks import (
    INDEX_KEY_ID,
    KeyProblem,
    KeyPurpose,
    Mismatch,
    check_value,
    compare,
    expected_checks,
    refusal,
)
from guide.crypto.keyring import Keyring

KEYRING = Keyring.generate()
KEY_ID = KEYRING.active_key_id


def test_a_check_value_is_an_hmac_of_the_fixed_label_under_the_key() -> None:
    key = KEYRING.active_key
    expected = hmac.new(key, b"fritidsguide key check v1: data", hashlib.sha256).hexdigest()
    assert check_value(key, KeyPurpose.data) == expected
    assert check_value(key, KeyPurpose.data) == check_value(key, KeyPurpose.data)
    assert check_value(key, KeyPurpose.index) != expected
    assert check_value(secrets.token_bytes(32), KeyPurpose.data) != expected
    assert key.hex() not in expected


def test_every_key_of_the_keyring_has_one_the_index_key_included() -> None:
    grown = KEYRING.with_new_active_key()
    assert set(expected_checks(grown)) == {
        (KeyPurpose.data, KEY_ID),
        (KeyPurpose.data, grown.active_key_id),
        (KeyPurpose.index, INDEX_KEY_ID),
    }


def test_the_keyring_that_recorded_the_values_matches_and_new_keys_pass() -> None:
    recorded = expected_checks(KEYRING)
    assert compare(KEYRING, recorded) == []
    assert compare(KEYRING.with_new_active_key(), recorded) == []
    assert compare(KEYRING, {}) == []


def test_a_key_the_keyring_lacks_is_missing() -> None:
    grown = KEYRING.with_new_active_key()
    assert compare(grown.without_key(KEY_ID), expected_checks(grown)) == [
        KeyProblem(Mismatch.key_missing, KEY_ID)
    ]


def test_another_key_under_a_known_id_is_different() -> None:
    swapped = Keyring(
        active_key_id=KEY_ID, keys={KEY_ID: secrets.token_bytes(32)}, index_key=KEYRING.index_key
    )
    assert compare(swapped, expected_checks(KEYRING)) == [
        KeyProblem(Mismatch.different_key, KEY_ID)
    ]
    other_index = Keyring(
        active_key_id=KEY_ID, keys=KEYRING.keys, index_key=secrets.token_bytes(32)
    )
    assert compare(other_index, expected_checks(KEYRING)) == [
        KeyProblem(Mismatch.different_key, INDEX_KEY_ID, KeyPurpose.index)
    ]


def test_the_refusal_names_each_key_and_what_to_do_without_key_material() -> None:
    stranger = Keyring.generate()
    problems = [
        *compare(stranger, expected_checks(KEYRING)),
        KeyProblem(Mismatch.value_key_missing, KEY_ID),
        KeyProblem(Mismatch.value_unreadable, KEY_ID),
    ]
    message = refusal(problems)
    assert message.startswith("The keyring does not belong to this database.")
    assert f"used with key {KEY_ID!r}, which this keyring lacks" in message
    assert f"flask keys drop {KEY_ID}" in message
    assert "The index key in this keyring is not the one" in message
    assert f"Stored values are sealed with key {KEY_ID!r}" in message
    assert f"sealed with key {KEY_ID!r} does not open" in message
    assert "Start with the keyring this database was created with" in message
    assert "docs/keys.md" in message
    for keyring in (KEYRING, stranger):
        for key in [*keyring.keys.values(), keyring.index_key]:
            assert base64.b64encode(key).decode() not in message
            assert key.hex() not in message
