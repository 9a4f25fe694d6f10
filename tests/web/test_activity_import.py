"""The CSV import: upload, a preview naming every problem, then only the good rows stored."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from guide.activities.models import Activity, ActivityExtraCost, CatalogueImport, Club
from guide.audit.models import AuditEvent
from guide.tenant import Organisation
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as

HEADER = "Klubb;Organisasjonsnummer;Aktivitet;Kategori;Ukedag;Kontingent;Turer;Leirer"
#: Good rows, a bad organisation number, a negative fee, a missing name and a duplicate.
ACCEPTANCE_FILE = "\r\n".join(
    [
        HEADER,
        "Eksempel Musikkforening;998877008;Gitargruppe;Musikk;onsdag;1 200;;300",
        "Eksempel Musikkforening;998877008;Korps;Musikk;torsdag;900;250;",
        "Eksempel Idrettslag;998877016;Fotball G10;Idrett;fredag;1 250,50;400;",
        "Feilnummer IL;998877009;Håndball;Idrett;mandag;800;;",
        "Eksempel Idrettslag;998877016;Basket;Idrett;tirsdag;-100;;",
        "Eksempel Idrettslag;998877016;;Idrett;tirsdag;100;;",
        "Eksempel Musikkforening;998 877 008;gitargruppe;musikk;Onsdag;1200;;",
    ]
).encode("utf-8-sig")


@pytest.fixture
def coordinator(client, db):
    """A coordinator of a fresh organisation, signed in, reading English."""
    return signed_in_as(client, factories.organisation(), "coordinator", preferred_locale="en")


def upload(client, content: bytes, filename: str = "register.csv"):
    token = csrf_token(client.get("/catalogue/import").text)
    return client.post(
        "/catalogue/import",
        data={"register": (io.BytesIO(content), filename), "csrf_token": token},
        content_type="multipart/form-data",
    )


def confirm(client, preview_url: str):
    token = csrf_token(client.get(preview_url).text)
    return client.post(preview_url, data={"csrf_token": token})


def row_html(page: str, line: int) -> str:
    match = re.search(rf'<tr data-line="{line}".*?</tr>', page, re.S)
    assert match, f"row {line} missing from the preview"
    return match.group(0)


def counts(db) -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Club, Activity, ActivityExtraCost)
    )


def test_the_preview_names_each_problem_and_the_import_stores_exactly_the_good_rows(
    client, db, coordinator
):
    response = upload(client, ACCEPTANCE_FILE)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert counts(db) == (0, 0, 0)  # nothing stored before the import is confirmed

    page = client.get(preview_url).text
    assert "3 rows can be imported." in page
    assert "4 rows will be left out." in page
    for line in (2, 3, 4):
        assert 'data-importable="yes"' in row_html(page, line)
    assert "this organisation number does not add up" in row_html(page, 5)
    assert "Kontingent cannot be negative." in row_html(page, 6)
    assert "Aktivitet is empty; fill it in." in row_html(page, 7)
    assert "already on row 2 of the file" in row_html(page, 8)

    response = confirm(client, preview_url)

    assert response.status_code == 302
    clubs = {club.name: club for club in db.session.scalars(select(Club))}
    assert set(clubs) == {"Eksempel Musikkforening", "Eksempel Idrettslag"}
    assert all(club.organisation_id == coordinator.organisation_id for club in clubs.values())
    activities = {a.name: a for a in db.session.scalars(select(Activity))}
    assert set(activities) == {"Gitargruppe", "Korps", "Fotball G10"}
    assert activities["Gitargruppe"].club is clubs["Eksempel Musikkforening"]
    assert activities["Fotball G10"].fee_per_season == 125050
    assert [(c.kind.value, c.amount) for c in activities["Gitargruppe"].extra_costs] == [
        ("camps", 30000)
    ]
    assert counts(db) == (2, 3, 3)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "catalogue_imported")
    ).one()
    assert event.details == {"clubs_created": 2, "activities_created": 3, "rows_skipped": 4}
    flashed = client.get("/catalogue/activities").text
    assert "Imported 3 activities and 2 new clubs; 4 rows were left out." in flashed


def test_importing_the_same_file_twice_changes_nothing(client, db, coordinator):
    first = upload(client, ACCEPTANCE_FILE).headers["Location"]
    confirm(client, first)
    before = counts(db)
    snapshot = sorted(
        (a.name, a.fee_per_season, a.club_id) for a in db.session.scalars(select(Activity))
    )

    second = upload(client, ACCEPTANCE_FILE).headers["Location"]
    page = client.get(second).text
    assert "0 rows can be imported." in page
    assert "already in the catalogue" in row_html(page, 2)
    assert "There is nothing to import" in page
    confirm(client, second)

    db.session.expire_all()
    assert counts(db) == before
    assert (
        sorted((a.name, a.fee_per_season, a.club_id) for a in db.session.scalars(select(Activity)))
        == snapshot
    )


def test_confirming_the_same_preview_twice_imports_once(client, db, coordinator):
    preview_url = upload(client, ACCEPTANCE_FILE).headers["Location"]
    token = csrf_token(client.get(preview_url).text)

    client.post(preview_url, data={"csrf_token": token})
    again = client.post(preview_url, data={"csrf_token": token})

    assert again.status_code == 302
    assert counts(db) == (2, 3, 3)
    assert "has been imported" in client.get("/catalogue/activities").text


def test_rows_join_clubs_already_in_the_catalogue_and_leave_them_as_they_are(
    client, db, coordinator
):
    club = Club(
        organisation_id=coordinator.organisation_id,
        name="Musikkforeningen (vårt navn)",
        org_number="998877008",
        area="Sentrum",
    )
    db.session.add(club)
    db.session.commit()

    confirm(client, upload(client, ACCEPTANCE_FILE).headers["Location"])

    db.session.refresh(club)
    assert (club.name, club.area) == ("Musikkforeningen (vårt navn)", "Sentrum")
    assert {activity.name for activity in club.activities} == {"Gitargruppe", "Korps"}
    assert counts(db)[0] == 2


def test_a_windows_1252_file_with_commas_is_read(client, db, coordinator):
    org = db.session.get(Organisation, coordinator.organisation_id)
    factories.area(org, "Sør", aliases=["Bydel Sør"])
    db.session.commit()
    content = (
        "Klubb,Aktivitet,Kategori,Kontingent,Område\r\nSjakklubben,Sjakk,Annet,0,Bydel Sør\r\n"
    )
    preview_url = upload(client, content.encode("cp1252")).headers["Location"]
    confirm(client, preview_url)

    activity = db.session.scalars(select(Activity)).one()
    assert (activity.name, activity.area, activity.club.name) == ("Sjakk", "Sør", "Sjakklubben")
    assert activity.area_id == activity.club.area_id is not None


def test_the_example_file_in_the_docs_imports_cleanly(client, db, coordinator, project_root: Path):
    example = (project_root / "docs" / "examples" / "catalogue-import.csv").read_bytes()
    org = db.session.get(Organisation, coordinator.organisation_id)
    page = client.get(upload(client, example).headers["Location"]).text
    assert "is not one of the organisation" in page  # the file's areas are not in the list yet
    factories.area(org, "Nord", aliases=["Bydel Nord"])
    factories.area(org, "Sør", aliases=["Bydel Sør"])
    db.session.commit()
    page = client.get(upload(client, example).headers["Location"]).text
    assert 'data-importable="no"' not in page

    confirm(client, upload(client, example).headers["Location"])
    assert counts(db)[:2] == (2, 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"Klubb;Beskrivelse\r\nLaget;Noe\r\n",
            "The file lacks these columns: Aktivitet, Kategori",
        ),
        (b"", "The file is empty."),
        (b"Klubb\x00;Aktivitet;Kategori;Kontingent\r\n", "does not look like a CSV file"),
    ],
)
def test_an_unreadable_file_is_refused_on_the_upload_page_and_not_kept(
    client, db, coordinator, content, message
):
    response = upload(client, content)

    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(CatalogueImport)) == 0


def test_the_preview_is_kept_on_the_server_not_in_the_cookie(client, db, coordinator):
    response = upload(client, ACCEPTANCE_FILE)
    stored = db.session.scalars(select(CatalogueImport)).one()

    assert stored.content == ACCEPTANCE_FILE
    assert stored.organisation_id == coordinator.organisation_id
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 1000
    assert response.headers["Location"] == f"/catalogue/import/{stored.id}"


def test_a_file_name_with_control_characters_is_kept_without_them(client, db, coordinator):
    response = upload(client, ACCEPTANCE_FILE, filename="kata\x00log\x1b.csv")

    assert response.status_code == 302
    assert db.session.scalars(select(CatalogueImport)).one().filename == "katalog.csv"


def test_another_organisations_upload_answers_404(client, db, coordinator):
    foreign = CatalogueImport(
        organisation_id=factories.organisation().id, filename="deres.csv", content=ACCEPTANCE_FILE
    )
    db.session.add(foreign)
    db.session.commit()

    assert client.get(f"/catalogue/import/{foreign.id}").status_code == 404
    token = csrf_token(client.get("/catalogue/import").text)
    assert (
        client.post(f"/catalogue/import/{foreign.id}", data={"csrf_token": token}).status_code
        == 404
    )
    assert counts(db) == (0, 0, 0)


def test_a_norwegian_coordinator_reads_the_problems_in_bokmal(client, db):
    signed_in_as(client, factories.organisation(), "coordinator", preferred_locale="nb")

    page = client.get(upload(client, ACCEPTANCE_FILE).headers["Location"]).text

    assert "Kontingent kan ikke være negativ." in row_html(page, 6)


@pytest.mark.parametrize("role", ["referrer", "guide"])
def test_referrers_and_guides_cannot_import(client, db, role):
    signed_in_as(client, factories.organisation(), role)

    assert client.get("/catalogue/import").status_code == 403


def test_an_unknown_area_is_reported_on_its_row_and_the_row_is_left_out(client, db, coordinator):
    org = db.session.get(Organisation, coordinator.organisation_id)
    factories.area(org, "Nord", aliases=["Nordbyen"])
    factories.area(factories.organisation(), "Nordby")  # another organisation's area
    db.session.commit()
    content = "\r\n".join(
        [
            "Klubb;Aktivitet;Kategori;Kontingent;Område",
            "Nord IL;Fotball;Idrett;0;NORDBYEN",
            "Nord IL;Håndball;Idrett;0;Nordby",
        ]
    ).encode()
    preview_url = upload(client, content).headers["Location"]
    page = client.get(preview_url).text
    assert "1 row can be imported." in page
    assert "&#34;Nordby&#34; is not one of the organisation&#39;s areas" in row_html(page, 3)
    assert "not one of the organisation" not in row_html(page, 2)

    confirm(client, preview_url)
    activity = db.session.scalars(select(Activity)).one()
    assert (activity.name, activity.area) == ("Fotball", "Nord")
