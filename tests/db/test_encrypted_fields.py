"""Encrypted model attributes: plain text in Python, sealed bytes bound to the row in the table."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import LargeBinary, select, update

from consent import Category
from guide.cases.models import Child, Guardian, GuardianRelation
from guide.consents.models import (
    Consent,
    ConsentBasis,
    ConsentMethod,
    RecipientKind,
)
from guide.crypto.cipher import DecryptionError, key_id_of
from guide.crypto.fields import ENCRYPTED_FIELDS, EncryptedBytes, field_cipher
from guide.tenant import Organisation, OrganisationKind

children = Child.__table__
guardians = Guardian.__table__


def add_organisation(db) -> Organisation:
    organisation = Organisation(
        name="Frivilligsentralen Test", kind=OrganisationKind.frivilligsentral
    )
    db.session.add(organisation)
    db.session.flush()  # children refer to it, with no relationship to order the inserts
    return organisation


def add_child(db, organisation: Organisation, first: str = "Ola", last: str = "Nordmann") -> Child:
    child = Child(
        organisation_id=organisation.id,
        first_name=first,
        last_name=last,
        birth_date="2015-04-03",
    )
    db.session.add(child)
    return child


def raw(db, table, column: str, row_id) -> bytes | None:
    return db.session.execute(select(table.c[column]).where(table.c.id == row_id)).scalar_one()


def reload(db, model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def test_names_round_trip_through_the_database(db) -> None:
    organisation = add_organisation(db)
    child = add_child(db, organisation, first="Åse Marie", last="Ødegård-Ærø")
    db.session.commit()
    loaded = reload(db, Child, child.id)
    assert (loaded.first_name, loaded.last_name) == ("Åse Marie", "Ødegård-Ærø")
    assert loaded.born_on == dt.date(2015, 4, 3)


def test_the_table_holds_only_sealed_bytes_under_the_active_key(db) -> None:
    child = add_child(db, add_organisation(db), first="Ingeborg")
    db.session.commit()
    stored = raw(db, children, "first_name", child.id)
    assert isinstance(stored, bytes)
    assert b"Ingeborg" not in stored
    assert "Ingeborg".encode("utf-16-le") not in stored
    assert key_id_of(stored) == field_cipher().keyring.active_key_id


def test_value_copied_to_another_row_does_not_decrypt(db) -> None:
    organisation = add_organisation(db)
    ola = add_child(db, organisation, first="Ola")
    kari = add_child(db, organisation, first="Kari")
    db.session.commit()
    ola_id, kari_id = ola.id, kari.id
    ola_blob = raw(db, children, "first_name", ola_id)
    db.session.execute(update(children).where(children.c.id == kari_id).values(first_name=ola_blob))
    db.session.commit()
    kari = reload(db, Child, kari_id)
    with pytest.raises(DecryptionError):
        _ = kari.first_name
    assert reload(db, Child, ola_id).first_name == "Ola"


def test_value_copied_to_another_column_of_the_same_row_does_not_decrypt(db) -> None:
    child = add_child(db, add_organisation(db), first="Ola", last="Nordmann")
    db.session.commit()
    child_id = child.id
    first_blob = raw(db, children, "first_name", child_id)
    db.session.execute(
        update(children).where(children.c.id == child_id).values(last_name=first_blob)
    )
    db.session.commit()
    child = reload(db, Child, child_id)
    assert child.first_name == "Ola"
    with pytest.raises(DecryptionError):
        _ = child.last_name


def test_a_changed_value_in_the_table_is_read_again(db) -> None:
    # The descriptor caches plaintext per sealed value; a reload must not serve the old name.
    child = add_child(db, add_organisation(db), first="Ola")
    db.session.commit()
    assert child.first_name == "Ola"
    sealed = field_cipher().encrypt(
        "Per", table="children", column="first_name", row_id=str(child.id)
    )
    db.session.execute(update(children).where(children.c.id == child.id).values(first_name=sealed))
    db.session.commit()
    db.session.refresh(child)
    assert child.first_name == "Per"


def test_changing_an_attribute_seals_the_new_value(db) -> None:
    child = add_child(db, add_organisation(db), first="Ola")
    db.session.commit()
    before = raw(db, children, "first_name", child.id)
    child.first_name = "Ole"
    db.session.commit()
    after = raw(db, children, "first_name", child.id)
    assert after != before
    assert reload(db, Child, child.id).first_name == "Ole"


def test_optional_fields_store_null_and_required_fields_refuse_none(db) -> None:
    organisation = add_organisation(db)
    child = add_child(db, organisation)
    guardian = Guardian(
        organisation_id=organisation.id,
        child=child,
        full_name="Kari Nordmann",
        phone=None,
        relation=GuardianRelation.mother,
    )
    db.session.add(guardian)
    db.session.commit()
    assert raw(db, guardians, "phone", guardian.id) is None
    assert reload(db, Guardian, guardian.id).phone is None
    with pytest.raises(ValueError, match="cannot be empty"):
        guardian.full_name = None


def test_empty_text_is_not_confused_with_null(db) -> None:
    organisation = add_organisation(db)
    guardian = Guardian(
        organisation_id=organisation.id,
        child=add_child(db, organisation),
        full_name="Kari Nordmann",
        email="",
        relation=GuardianRelation.mother,
    )
    db.session.add(guardian)
    db.session.commit()
    assert raw(db, guardians, "email", guardian.id) is not None
    assert reload(db, Guardian, guardian.id).email == ""


def test_consent_scan_bytes_round_trip(db) -> None:
    organisation = add_organisation(db)
    child = add_child(db, organisation)
    scan = bytes(range(256)) * 400 + b"%PDF-1.7 \x00\xff"
    consent = Consent(
        organisation_id=organisation.id,
        child=child,
        given_by_name="Kari Nordmann",
        given_by_relation="mother",
        basis=ConsentBasis.parental_responsibility,
        purpose="Fritidsguide",
        categories=[Category.IDENTITY.value],
        recipient_kind=RecipientKind.scheme,
        method=ConsentMethod.signed_paper,
        scan=scan,
        scan_sha256=hashlib.sha256(scan).hexdigest(),
        scan_content_type="application/pdf",
        text_version="2026-01",
        text_language="nb",
        text_sha256="0" * 64,
        given_at=dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC),
    )
    db.session.add(consent)
    db.session.commit()
    stored = raw(db, Consent.__table__, "scan", consent.id)
    assert b"%PDF" not in stored
    assert reload(db, Consent, consent.id).scan == scan


def test_every_sensitive_column_is_registered_for_rotation(db) -> None:
    registered = {f"{field.table}.{field.name}" for field in ENCRYPTED_FIELDS}
    assert {
        "children.first_name",
        "children.last_name",
        "children.birth_date",
        "children.national_id",
        "guardians.full_name",
        "guardians.phone",
        "guardians.email",
        "guardians.address",
        "consents.given_by_name",
        "consents.scan",
        "cases.practical_needs",
    } <= registered
    assert any(isinstance(field, EncryptedBytes) for field in ENCRYPTED_FIELDS)


def test_every_binary_column_of_the_schema_is_an_encrypted_field(db) -> None:
    # A raw LargeBinary column outside the registry would be skipped by key rotation.
    registered = {(field.table, field.name) for field in ENCRYPTED_FIELDS}
    binary_columns = {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    }
    assert binary_columns
    assert binary_columns <= registered
