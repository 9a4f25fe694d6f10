"""The case's note on practical needs: what the club should know to welcome the child.

Staff write it on the case; a club reads it only while consent allows it the
``practical_needs`` category (see guide.clubs_portal.services).
"""

from __future__ import annotations

from guide.accounts.models import User
from guide.audit.services import record_event
from guide.cases.models import Case
from guide.extensions import db


def update_practical_needs(case: Case, *, by: User, text: str | None) -> None:
    """Replace the note (empty text clears it); the audit log names the field, never the text."""
    case.practical_needs = (text or "").strip() or None
    record_event("case_field_changed", actor=by, obj=case, details={"field": "practical_needs"})
    db.session.flush()
