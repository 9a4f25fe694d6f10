"""Consents recorded through the real service, for tests that need one to exist."""

from __future__ import annotations

import datetime as dt
import hashlib

from guide.cases.models import Case
from guide.consents.models import Consent
from guide.consents.services import record_consent
from guide.consents.uploads import CheckedScan
from guide.database import utcnow

#: The smallest bytes that pass as a PDF scan (the type is read from the first bytes).
TINY_PDF = b"%PDF-1.4\n% fictional scan for tests\n%%EOF\n"


def tiny_pdf_scan() -> CheckedScan:
    return CheckedScan(
        data=TINY_PDF, content_type="application/pdf", sha256=hashlib.sha256(TINY_PDF).hexdigest()
    )


def signed_consent(
    case: Case,
    *,
    club=None,
    categories: tuple[str, ...] = ("identity", "contact"),
    given_at: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    by=None,
) -> Consent:
    """A signed paper consent from the case's first guardian, with a scan."""
    child = case.child
    return record_consent(
        child=child,
        by=by,
        guardian=child.guardians[0],
        basis="parental_responsibility",
        child_heard=True,
        child_view="Gleder meg til fotball",
        purpose="start_activity",
        categories=categories,
        club=club,
        method="signed_paper",
        text_version="2026-1",
        text_language="nb",
        given_at=given_at or utcnow() - dt.timedelta(days=1),
        valid_until=valid_until,
        scan=tiny_pdf_scan(),
    )
