"""The domain model on a real database: encryption, locking, cascades and the audit log."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import LargeBinary, delete, select, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from guide.accounts.models import User
from guide.audit.models import AuditEvent, AuditLogIsAppendOnly
from guide.cases.identity import child_identity_digest
from guide.cases.models import Case, CaseStatus, Child, Guardian, GuardianRelation, HelpLevel
from guide.crypto.fields import ENCRYPTED_FIELDS
from guide.database import utcnow
from guide.roles import Role
from guide.support.models import GrantStatus, PayeeKind, SupportGrant, SupportKind
from guide.tenant import Organisation, OrganisationKind

#: Every column that must be encrypted: a new sensitive field belongs here and in the model.
EXPECTED_ENCRYPTED = {
    ("users", "totp_secret"),
    ("children", "first_name"),
    ("children", "last_name"),
    ("children", "birth_date"),
    ("children", "national_id"),
    ("guardians", "full_name"),
    ("guardians", "phone"),
    ("guardians", "email"),
    ("guardians", "address"),
    ("cases", "interests_in_own_words"),
    ("cases", "close_note"),
    ("cases", "practical_needs"),
    ("case_status_changes", "note"),
    ("visits", "notes"),
    ("visits", "child_words"),
    ("follow_ups", "note"),
    ("club_reports", "note"),
    ("referrals", "reason"),
    ("referrals", "interests_in_own_words"),
    ("referrals", "consent_given_by"),
    ("referrals", "decline_reason"),
    ("consents", "given_by_name"),
    ("consents", "child_view"),
    ("consents", "scan"),
    ("consent_withdrawals", "withdrawn_by_name"),
    ("support_grants", "reason"),
    ("support_grants", "decision_note"),
    ("support_grants", "override_reason"),
    ("equipment_loans", "note"),
    ("outbox_messages", "recipient"),
    ("outbox_messages", "body_text"),
    ("catalogue_imports", "content"),
}


def make_case(db, *, first_name: str = "Sanna", last_name: str = "Ødegård") -> Case:
    organisation = Organisation(
        name="Frivilligsentralen Test", kind=OrganisationKind.frivilligsentral
    )
    # Relationships, not ids: one flush must insert the new organisation first.
    child = Child(
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        birth_date="2015-04-03",
        languages=["nb", "ar"],
    )
    child.guardians.append(
        Guardian(
            organisation=organisation,
            full_name="Maryam Ødegård",
            phone="+47 912 34 567",
            relation=GuardianRelation.mother,
        )
    )
    case = Case(
        organisation=organisation,
        child=child,
        help_level=HelpLevel.find_activity,
        interests_in_own_words="Jeg vil spille fotball med venninnene mine",
        interest_tags=["football"],
    )
    db.session.add_all([organisation, child, case])
    db.session.commit()
    return case


def raw_value(db, column, row_id: uuid.UUID):
    return db.session.execute(select(column).where(column.table.c.id == row_id)).scalar_one()


def test_child_guardian_and_case_round_trip_decrypted(db):
    case = make_case(db)
    case_id = case.id
    db.session.expunge_all()

    loaded = db.session.get(Case, case_id)
    assert loaded.child.first_name == "Sanna"
    assert loaded.child.last_name == "Ødegård"
    assert loaded.child.born_on == dt.date(2015, 4, 3)
    assert loaded.child.guardians[0].full_name == "Maryam Ødegård"
    assert loaded.child.guardians[0].email is None
    assert loaded.interests_in_own_words.startswith("Jeg vil spille fotball")
    assert loaded.status == CaseStatus.referred
    assert loaded.reference.startswith("FG-")
    assert loaded.version == 1


def test_stored_bytes_do_not_contain_the_plain_text(db):
    case = make_case(db)
    children = Child.__table__.c
    guardians = Guardian.__table__.c
    checks = [
        (children.first_name, case.child.id, "Sanna"),
        (children.last_name, case.child.id, "Ødegård"),
        (children.birth_date, case.child.id, "2015-04-03"),
        (guardians.full_name, case.child.guardians[0].id, "Maryam"),
        (guardians.phone, case.child.guardians[0].id, "912 34 567"),
        (Case.__table__.c.interests_in_own_words, case.id, "fotball"),
    ]
    for column, row_id, plain in checks:
        stored = bytes(raw_value(db, column, row_id))
        assert len(stored) > len(plain.encode())
        assert plain.encode() not in stored, column


def test_identity_index_finds_the_child_and_follows_corrections(db):
    case = make_case(db)
    child = case.child
    assert child.identity_index == child_identity_digest("SANNA", " ødegård ", "2015-04-03")

    child.last_name = "Hansen"
    db.session.commit()
    assert child.identity_index == child_identity_digest("Sanna", "Hansen", "2015-04-03")
    found = db.session.scalar(
        select(Child).where(
            Child.organisation_id == child.organisation_id,
            Child.identity_index == child_identity_digest("sanna", "hansen", "2015-04-03"),
        )
    )
    assert found is child


def test_two_sessions_updating_the_same_case_one_gets_stale_data_error(db):
    case = make_case(db)
    with Session(db.engine) as other:
        theirs = other.get(Case, case.id)
        theirs.status = CaseStatus.accepted
        other.commit()

    case.status = CaseStatus.declined
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()

    db.session.refresh(case)
    assert case.status == CaseStatus.accepted
    assert case.version == 2


def test_two_sessions_deciding_the_same_grant_one_gets_stale_data_error(db):
    case = make_case(db)
    requester = User(
        organisation_id=case.organisation_id,
        email="Guide@Example.test",
        full_name="Test Guide",
        role=Role.guide,
    )
    grant = SupportGrant(
        organisation_id=case.organisation_id,
        case=case,
        kind=SupportKind.membership_fee,
        amount=150_000,
        payee_kind=PayeeKind.club,
        requested_by_id=requester.id,
    )
    db.session.add_all([requester, grant])
    db.session.commit()
    assert requester.email == "guide@example.test"
    assert requester.get_id() == str(requester.id)

    with Session(db.engine) as other:
        other.get(SupportGrant, grant.id).status = GrantStatus.approved
        other.commit()
    grant.status = GrantStatus.rejected
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_lists_change_in_place_and_enum_values_are_stored_as_text(db):
    case = make_case(db)
    case.interest_tags.append("guitar")
    db.session.commit()
    db.session.expunge_all()

    loaded = db.session.get(Case, case.id)
    assert loaded.interest_tags == ["football", "guitar"]
    assert raw_value(db, Case.__table__.c.status, case.id) == "referred"


def test_unknown_enum_value_is_refused(db):
    case = make_case(db)
    case.status = "lost"
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()


def test_erasing_a_child_removes_guardians_and_keeps_the_anonymous_case(db):
    case = make_case(db)
    case_id, child_id = case.id, case.child.id
    db.session.execute(delete(Child).where(Child.id == child_id))
    db.session.commit()
    db.session.expunge_all()

    assert db.session.scalars(select(Guardian).where(Guardian.child_id == child_id)).all() == []
    kept = db.session.get(Case, case_id)
    assert kept.child_id is None
    assert kept.interest_tags == ["football"]


def new_audit_event(db) -> AuditEvent:
    event = AuditEvent(action="case_viewed", occurred_at=utcnow())
    db.session.add(event)
    db.session.commit()
    return event


def test_audit_event_cannot_be_changed(db):
    event = new_audit_event(db)
    event.action = "nothing_happened"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_audit_event_cannot_be_deleted(db):
    event = new_audit_event(db)
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_audit_events_cannot_be_changed_or_deleted_in_bulk(db):
    new_audit_event(db)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditEvent).values(action="rewritten"))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action)) == "case_viewed"


def test_every_sensitive_column_is_encrypted_and_every_binary_column_is_known(app):
    encrypted = {(field.table, field.name) for field in ENCRYPTED_FIELDS}
    assert encrypted == EXPECTED_ENCRYPTED

    from guide.extensions import db

    binary = {
        (table.name, column.name)
        for table in db.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    }
    assert binary == EXPECTED_ENCRYPTED
