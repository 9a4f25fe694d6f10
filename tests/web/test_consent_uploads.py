"""Scans of signed consent forms: the type comes from the bytes, never the name; downloads."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from guide.audit.models import AuditEvent
from guide.consents.models import Consent
from guide.consents.uploads import MAX_SCAN_BYTES, ScanRefused, check_scan
from tests import factories
from tests.consent_helpers import signed_consent
from tests.web.helpers import sign_in, signed_in_as
from tests.web.test_consent_records import post_consent

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 64


@pytest.fixture
def org(db):
    organisation = factories.organisation()
    db.session.commit()
    return organisation


def consent_count(db) -> int:
    return db.session.scalar(select(func.count(Consent.id)))


@pytest.mark.parametrize(
    ("data", "name", "browser_type", "stored_type"),
    [
        (PDF, "skjema.pdf", "application/pdf", "application/pdf"),
        (JPEG, "bilde.jpg", "image/jpeg", "image/jpeg"),
        (PNG, "bilde.png", "image/png", "image/png"),
        # The name and the browser's type are ignored: a PNG called .pdf is stored as PNG.
        (PNG, "skjema.pdf", "application/pdf", "image/png"),
        (JPEG, "scan", "application/octet-stream", "image/jpeg"),
    ],
    ids=["pdf", "jpeg", "png", "png-named-pdf", "jpeg-without-extension"],
)
def test_pdf_jpeg_and_png_scans_are_stored_encrypted_with_their_hash(
    client, db, org, data, name, browser_type, stored_type
):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    response = post_consent(client, case, scan=(io.BytesIO(data), name, browser_type))

    assert response.status_code == 302
    db.session.expire_all()
    consent = db.session.scalars(select(Consent)).one()
    assert consent.scan == data
    assert consent.scan_content_type == stored_type
    assert consent.scan_sha256 == hashlib.sha256(data).hexdigest()
    sealed = db.session.execute(select(Consent.__table__.c.scan)).scalar_one()
    assert data not in sealed  # encrypted at rest


@pytest.mark.parametrize(
    ("data", "name", "browser_type", "message"),
    [
        (b"Dette er bare tekst.\n", "skjema.pdf", "application/pdf", "ikke en PDF, JPEG eller PNG"),
        (b"%PDF-" + b"0" * (11 * 1024 * 1024), "stor.pdf", "application/pdf", "større enn 10 MB"),
        (b"", "tom.pdf", "application/pdf", "Filen er tom"),
        (GIF, "bilde.gif", "image/gif", "ikke en PDF, JPEG eller PNG"),
        (GIF, "bilde.png", "image/png", "ikke en PDF, JPEG eller PNG"),
    ],
    ids=["text-named-pdf", "eleven-megabytes", "empty", "gif", "gif-named-png"],
)
def test_anything_else_is_refused_beside_the_field_and_nothing_is_stored(
    client, db, org, data, name, browser_type, message
):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    response = post_consent(client, case, scan=(io.BytesIO(data), name, browser_type))

    assert response.status_code == 400
    error = response.text.split('id="scan-error"', 1)
    assert len(error) == 2, "the message is shown beside the scan field"
    assert message in error[1].split("</div>", 1)[0]
    assert consent_count(db) == 0


def test_a_scan_of_exactly_10_megabytes_is_accepted():
    data = PNG + b"\x00" * (MAX_SCAN_BYTES - len(PNG))
    checked = check_scan(io.BytesIO(data))
    assert checked.content_type == "image/png"
    assert len(checked.data) == MAX_SCAN_BYTES
    with pytest.raises(ScanRefused):
        check_scan(io.BytesIO(data + b"\x00"))


def test_a_scan_is_refused_for_a_verbal_consent(client, db, org):
    case = factories.child_case(org)
    signed_in_as(client, org, "coordinator")

    response = post_consent(
        client, case, method="verbal_documented", scan=(io.BytesIO(PDF), "skjema.pdf")
    )

    assert response.status_code == 400
    assert 'id="scan-error"' in response.text
    assert consent_count(db) == 0


def test_coordinator_downloads_the_scan_as_an_attachment(client, db, org):
    case = factories.child_case(org)
    consent = signed_consent(case)
    db.session.commit()
    signed_in_as(client, org, "coordinator")

    response = client.get(f"/cases/{case.id}/consents/{consent.id}/scan")

    assert response.status_code == 200
    assert response.data == consent.scan
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"consent-{case.reference}.pdf" in disposition
    assert "Testbarn" not in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    downloads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "consent_scan_downloaded")
    ).all()
    assert [event.object_id for event in downloads] == [str(consent.id)]


def test_guide_on_the_case_cannot_download_the_scan(client, db, org):
    guide = factories.user(org, "guide")
    case = factories.child_case(org, guide=guide, status="in_progress")
    consent = signed_consent(case)
    db.session.commit()
    assert sign_in(client, guide.email).status_code == 302

    overview = client.get(f"/cases/{case.id}/consents")
    download = client.get(f"/cases/{case.id}/consents/{consent.id}/scan")

    assert overview.status_code == 200
    assert f"/consents/{consent.id}/scan" not in overview.text
    assert download.status_code == 404


def test_a_consent_without_scan_has_nothing_to_download(client, db, org):
    case = factories.child_case(org)
    coordinator = signed_in_as(client, org, "coordinator")
    response = post_consent(client, case, method="verbal_documented", scan=None)
    assert response.status_code == 302
    consent = db.session.scalars(select(Consent)).one()
    assert consent.documented_by_id == coordinator.id

    assert client.get(f"/cases/{case.id}/consents/{consent.id}/scan").status_code == 404
