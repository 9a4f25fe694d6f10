"""Consents and withdrawals are facts: the ORM refuses to change or delete them.

A consent is only removed together with its child (erasure, or a duplicate merged away);
key rotation re-seals encrypted columns with Core statements, which this guard allows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from guide.cases.models import Child
from guide.consents.models import Consent, ConsentWithdrawal

GUARDED = (Consent, ConsentWithdrawal)


class ConsentRecordIsFinal(RuntimeError):
    """Something tried to edit or delete a consent record or a withdrawal."""


def _child_id(instance: Consent | ConsentWithdrawal) -> Any:
    if isinstance(instance, ConsentWithdrawal):
        consent = instance.consent
        return consent.child_id if consent is not None else None
    return instance.child_id


def _changed_columns(instance: Any) -> list[str]:
    # Relationship changes (a withdrawal attached to its consent) are not edits of the row.
    state = inspect(instance)
    return [
        attribute.key
        for attribute in state.mapper.column_attrs
        if state.attrs[attribute.key].history.has_changes()
    ]


@event.listens_for(Session, "before_flush")
def _refuse_edits(session: Session, _context: Any, _instances: Any) -> None:
    erased_children = {instance.id for instance in session.deleted if isinstance(instance, Child)}
    for instance in session.deleted:
        if isinstance(instance, GUARDED) and _child_id(instance) not in erased_children:
            raise ConsentRecordIsFinal(
                "Consent records are never deleted; record a withdrawal instead."
            )
    for instance in session.dirty:
        if isinstance(instance, GUARDED) and _changed_columns(instance):
            raise ConsentRecordIsFinal(
                "Consent records are never edited; record a withdrawal or a new consent."
            )


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_edits(state: ORMExecuteState) -> None:
    # session.execute(update(Consent)...) never reaches before_flush.
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in GUARDED for mapper in state.all_mappers
    ):
        raise ConsentRecordIsFinal("Consent records are never edited or deleted.")
