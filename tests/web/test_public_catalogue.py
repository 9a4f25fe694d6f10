"""The public catalogue at /aktiviteter: open to all, no personal data, cacheable and light."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest

from guide.activities.models import Enrollment, EnrollmentStatus
from tests import factories

#: Each page, with every stylesheet, image and script it loads, must stay under this.
PAGE_BUDGET = 200 * 1024
#: Names and numbers that exist only on children and guardians in these tests.
PERSONAL = (
    "Zelmira",
    "Quenbyfjord",
    "Ottoline Quenbyfjord",
    "2015-04-01",
    "+4799887766",
    "99887766",
)


class AssetLinks(HTMLParser):
    """Collects what a browser would fetch to show the page."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            self.assets.append(values["href"])
        elif tag in ("img", "script", "source", "iframe") and values.get("src"):
            self.assets.append(values["src"])


def transferred_size(client, path: str, **request_args) -> int:
    """Bytes of the page plus everything it loads (fetched through the test client)."""
    page = client.get(path, **request_args)
    assert page.status_code == 200
    parser = AssetLinks()
    parser.feed(page.text)
    total = len(page.data)
    for asset in parser.assets:
        response = client.get(urljoin(path, asset))
        assert response.status_code == 200, asset
        total += len(response.data)
        # Stylesheets may pull in more (fonts, images, other sheets).
        for nested in re.findall(r"url\(([^)]+)\)|@import\s+['\"]([^'\"]+)", response.text):
            target = (nested[0] or nested[1]).strip("'\" ")
            if not target.startswith("data:"):
                total += len(client.get(urljoin(asset, target)).data)
    return total


@pytest.fixture
def catalogue(db):
    """One organisation with a child in an activity, and a few open activities."""
    org = factories.organisation("Frivilligsentralen i Testby")
    guide = factories.user(org, "guide")
    case = factories.child_case(
        org,
        first_name="Zelmira",
        last_name="Quenbyfjord",
        guardian_name="Ottoline Quenbyfjord",
        guide=guide,
        status="active",
    )
    guitar = factories.activity(
        org,
        name="Gitargruppe for nybegynnere",
        area="Nord",
        min_age=9,
        max_age=15,
        has_free_trial=True,
        extra_costs=(("uniforms", 15_000),),
    )
    factories.activity(org, name="Fotball G10", category_key="sport", area="Sør")
    factories.activity(org, name="Nedlagt kor", is_active=False)
    db.session.add(
        Enrollment(
            case_id=case.id,
            activity_id=guitar.id,
            status=EnrollmentStatus.enrolled,
            is_own_choice=True,
        )
    )
    db.session.commit()
    return org


def test_anyone_can_read_the_catalogue_without_signing_in(client, catalogue):
    response = client.get("/aktiviteter")
    assert response.status_code == 200
    html = response.text
    assert "Gitargruppe for nybegynnere" in html
    assert "Fotball G10" in html
    assert "Nedlagt kor" not in html


def test_the_page_may_be_cached_and_sets_no_cookie(client, catalogue):
    response = client.get("/aktiviteter")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept-Language" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers
    assert "csrf_token" not in response.text


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"lang": "nn"},
        {"lang": "en"},
        {"category": "music", "max_total": "2000", "free_trial": "y"},
        {"area": "Nord", "sort": "area"},
    ],
)
def test_no_personal_data_on_any_version_of_the_page(client, catalogue, query):
    html = client.get("/aktiviteter", query_string=query).text
    assert "Gitargruppe for nybegynnere" in html or "Fotball G10" in html
    for value in PERSONAL:
        assert value not in html


def test_a_signed_in_guide_sees_the_same_public_page(client, db, catalogue):
    from tests.web.helpers import signed_in_as

    guide = signed_in_as(client, catalogue, "guide")
    html = client.get("/aktiviteter").text
    assert guide.full_name not in html and guide.email not in html
    for value in PERSONAL:
        assert value not in html


def test_each_page_with_its_assets_is_under_200_kb(client, db, catalogue):
    for number in range(45):  # enough for several pages
        factories.activity(
            catalogue,
            name=f"Aktivitet {number}",
            description="Beskrivelse av aktiviteten. " * 10,
            meeting_place="Samfunnshuset",
            extra_costs=(("trips", 50_000), ("cups", 20_000)),
        )
    db.session.commit()
    pages = [
        "/aktiviteter",
        "/aktiviteter?page=2",
        "/aktiviteter?page=3",
        "/aktiviteter?lang=en",
        "/aktiviteter?lang=nn&category=music&max_total=1500",
    ]
    for path in pages:
        size = transferred_size(client, path)
        assert size < PAGE_BUDGET, f"{path}: {size} bytes"


def test_total_price_and_its_parts_are_shown(client, catalogue):
    html = client.get("/aktiviteter", query_string={"lang": "nb"}).text
    assert "Totalt per sesong: 1\xa0050,00\xa0kr" in html
    assert "Kontingent 900,00\xa0kr" in html
    assert "Uniform og klær 150,00\xa0kr" in html


def test_help_note_names_whom_to_ask_in_each_language(client, catalogue):
    bokmal = client.get("/aktiviteter", headers={"Accept-Language": "nb"}).text
    assert '<html lang="nb"' in bokmal
    assert "Spør Frivilligsentralen i Testby" in bokmal
    nynorsk = client.get("/aktiviteter", query_string={"lang": "nn"}).text
    assert '<html lang="nn"' in nynorsk
    assert "Spør Frivilligsentralen i Testby" in nynorsk
    english = client.get("/aktiviteter", headers={"Accept-Language": "en"}).text
    assert '<html lang="en"' in english
    assert "Ask Frivilligsentralen i Testby" in english
    assert "help to pay the membership fee" in english


def test_language_links_keep_the_filters(client, catalogue):
    html = client.get("/aktiviteter", query_string={"category": "music"}).text
    assert re.search(r'href="/aktiviteter\?lang=nn&amp;category=music"', html)


def test_with_several_organisations_the_visitor_chooses_one(client, db, catalogue):
    other = factories.organisation("Frivilligsentralen i Annenby")
    factories.activity(other, name="Sjakkgruppe")
    db.session.commit()

    chooser = client.get("/aktiviteter").text
    assert "Frivilligsentralen i Testby" in chooser and "Frivilligsentralen i Annenby" in chooser
    assert "Gitargruppe" not in chooser

    html = client.get("/aktiviteter", query_string={"org": str(other.id)}).text
    assert "Sjakkgruppe" in html and "Gitargruppe" not in html
    assert f"org={other.id}" in html  # filters and pages stay in this catalogue


@pytest.mark.parametrize("org", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_an_unknown_organisation_is_not_found(client, catalogue, org):
    assert client.get("/aktiviteter", query_string={"org": org}).status_code == 404


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nb", ("<dt>Hvor</dt>", "<dd>mandag", "Uniform og klær", "Musikk")),
        ("en", ("<dt>Where</dt>", "<dd>Monday", "Uniform and clothing", "Music")),
        ("nn", ("<dt>Kvar</dt>", "<dd>måndag", "Uniform og klede", "Musikk")),
    ],
)
def test_each_visit_gets_the_cards_in_its_own_language(client, db, catalogue, language, words):
    factories.activity(catalogue, name="Korøving", weekday=0, extra_costs=(("uniforms", 10_000),))
    db.session.commit()
    for other in ("nb", "en", "nn"):  # names kept for one language must not leak into another
        client.get("/aktiviteter", query_string={"lang": other})
    html = client.get("/aktiviteter", query_string={"lang": language}).text
    for word in words:
        assert word in html
