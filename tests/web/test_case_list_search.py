"""The case list's search box (part of a name, reference, school, guide) and sorting."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from guide.audit.models import AuditEvent
from guide.cases import name_index
from guide.database import utcnow
from tests import factories
from tests.web.helpers import csrf_token, signed_in_as


def coordinator(client):
    org = factories.organisation()
    return org, signed_in_as(client, org, "coordinator", preferred_locale="en")


def search(client, text: str, **fields):
    page = client.get("/cases")
    assert page.status_code == 200
    return client.post("/cases", data={"csrf_token": csrf_token(page.text), "q": text, **fields})


def listed(response) -> str:
    """The table's body: the cases shown (the search box echoes what was typed)."""
    assert response.status_code == 200, response.status_code
    return (
        response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        if "<tbody>" in (response.text)
        else ""
    )


def names_found(client, text: str, **fields) -> set[str]:
    body = listed(search(client, text, **fields))
    # The child's name is a link to the case (issue 14, item 7).
    return set(re.findall(r"<td><a [^>]*>([^<>]+ [^<>]+)</a></td>", body)) & NAMES


def named_guide(org, name: str):
    guide = factories.user(org, "guide")
    guide.full_name = name
    return guide


NAMES = {"Amina Hansen", "Øystein Berg", "Åse Lund", "Mikkel Dahl", "Zofia Wiśniewska"}


def children(org):
    cases = {}
    for name in sorted(NAMES):
        first, last = name.split()
        cases[name] = factories.child_case(org, first_name=first, last_name=last)
    return cases


def test_part_of_a_name_finds_the_child_in_any_case_and_with_or_without_accents(client, db):
    org, _ = coordinator(client)
    children(org)
    db.session.commit()

    assert names_found(client, "ami") == {"Amina Hansen"}
    assert names_found(client, "AMI") == {"Amina Hansen"}
    assert names_found(client, "oystein") == {"Øystein Berg"}
    assert names_found(client, "Øyst") == {"Øystein Berg"}
    assert names_found(client, "ase") == {"Åse Lund"}
    assert names_found(client, "åse") == {"Åse Lund"}
    assert names_found(client, "wisniewska") == {"Zofia Wiśniewska"}
    # Every word must be in the name, in any order.
    assert names_found(client, "hansen ami") == {"Amina Hansen"}
    assert names_found(client, "amina berg") == set()
    assert names_found(client, "xyz") == set()
    assert "No cases match these filters." in search(client, "xyz").text


def test_reference_school_and_guide_are_found_from_the_same_box(client, db):
    org, _ = coordinator(client)
    cases = children(org)
    cases["Mikkel Dahl"].child.school = "Sjøsiden skole"
    guide = named_guide(org, "Gunnhild Ødegård")
    cases["Åse Lund"].assigned_guide = guide.guide_profile
    cases["Åse Lund"].status = "guide_assigned"
    db.session.commit()
    reference = cases["Amina Hansen"].reference

    assert names_found(client, reference.lower().replace("-", " ")) == {"Amina Hansen"}
    assert names_found(client, "sjosiden") == {"Mikkel Dahl"}
    assert names_found(client, "odegard") == {"Åse Lund"}
    assert names_found(client, "gunnhild") == {"Åse Lund"}


def test_search_keeps_the_filters(client, db):
    org, _ = coordinator(client)
    cases = children(org)
    cases["Amina Hansen"].status = "accepted"
    db.session.commit()
    assert names_found(client, "a", status="accepted") == {"Amina Hansen"}
    page = search(client, "a", status="accepted")
    assert 'value="a"' in page.text
    assert re.search(
        r'<option[^>]*selected[^>]*value="accepted"|<option value="accepted" selected', page.text
    )


def test_another_organisations_children_are_never_found(client, db):
    org, _ = coordinator(client)
    factories.child_case(org, first_name="Amina", last_name="Hansen")
    other = factories.organisation()
    factories.child_case(other, first_name="Amira", last_name="Annen")
    factories.child_case(other, first_name="Kari", last_name="Ute", birth_date="2014-01-01")
    db.session.commit()

    assert names_found(client, "ami") == {"Amina Hansen"}
    assert "Amira" not in listed(search(client, "ami"))
    assert "Annen" not in listed(search(client, "annen"))


def test_a_guide_cannot_search_the_case_list(client, db):
    org = factories.organisation()
    guide = signed_in_as(client, org, "guide", preferred_locale="en")
    own = factories.child_case(org, first_name="Amina", last_name="Egen", guide=guide)
    own.status = "guide_assigned"
    factories.child_case(org, first_name="Aminata", last_name="Annen")
    db.session.commit()
    page = client.get("/my-cases")
    assert client.get("/cases").status_code == 403
    refused = client.post("/cases", data={"csrf_token": csrf_token(page.text), "q": "ami"})
    assert refused.status_code == 403
    assert "Aminata" not in refused.text and "Amina" not in refused.text


def test_a_renamed_child_is_found_by_the_new_name_only(client, db):
    org, _ = coordinator(client)
    case = factories.child_case(org, first_name="Amina", last_name="Hansen")
    db.session.commit()
    assert "Amina" in listed(search(client, "ami"))  # the index is built now

    case.child.first_name = "Zahra"
    db.session.commit()

    assert "Zahra Hansen" in listed(search(client, "zah"))
    assert listed(search(client, "ami")) == listed(search(client, "nothing-like-it"))


def test_a_new_child_is_found_after_the_index_was_built(client, db):
    org, _ = coordinator(client)
    factories.child_case(org, first_name="Amina", last_name="Hansen")
    db.session.commit()
    assert "Amina" in listed(search(client, "ami"))
    factories.child_case(org, first_name="Jamila", last_name="Berg")
    db.session.commit()
    assert {"Amina", "Jamila"} <= set(re.findall(r"(Amina|Jamila)", listed(search(client, "ami"))))


def test_a_deleted_case_disappears(client, db):
    org, _ = coordinator(client)
    case = factories.child_case(org, first_name="Amina", last_name="Hansen")
    factories.child_case(org, first_name="Amira", last_name="Berg")
    db.session.commit()
    assert "Amina" in listed(search(client, "ami"))

    child = case.child
    db.session.delete(case)
    db.session.delete(child)
    db.session.commit()

    body = listed(search(client, "ami"))
    assert "Amira" in body and "Amina" not in body


def test_too_many_matching_names_asks_for_more_of_the_name(client, db, monkeypatch):
    org, _ = coordinator(client)
    for number in range(3):
        factories.child_case(org, first_name="Amina", last_name=f"Hansen{'x' * number}")
    db.session.commit()
    monkeypatch.setattr(name_index, "MAX_MATCHES", 2)
    assert "Type more of the name." in search(client, "ami").text
    assert "Type more of the name." not in search(client, "hansenxx").text


def test_the_search_text_stays_out_of_addresses_and_the_audit(client, db):
    org, account = coordinator(client)
    for number in range(3):
        factories.child_case(org, first_name="Amina", last_name=f"Hansen{number}")
    db.session.commit()
    page = search(client, "Amina Hansen", resort="area")
    assert 'value="Amina Hansen"' in page.text  # kept in the box
    hrefs = re.findall(r'href="([^"]*)"', page.text)
    assert hrefs and not [href for href in hrefs if "amina" in href.lower()]
    # Sorting while a search is shown posts the form again, keeping the text out of links.
    assert 'name="resort"' in page.text
    # A search in the address is not read.
    assert "Hansen0" in listed(client.get("/cases?q=nobody"))
    details = [
        event.details
        for event in db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.actor_id == account.id, AuditEvent.action == "case_list_viewed"
            )
        )
    ]
    assert any(detail.get("searched") for detail in details)
    assert "amina" not in str(details).lower()


# --- sorting -----------------------------------------------------------------------------


def sorted_cases(org, db):
    now = utcnow()
    kari = named_guide(org, "Kari Guide")
    bjorn = named_guide(org, "Bjørn Guide")
    rows = [
        # first name, status, area, guide, days since referral
        ("Alfa", "accepted", "Nord", None, 30),
        ("Bravo", "closed", "Sentrum", kari, 5),
        ("Charlie", "guide_assigned", "Vest", bjorn, 60),
        ("Delta", "referred", "Øst", None, 1),
    ]
    for first, status, area, guide, days in rows:
        case = factories.child_case(
            org,
            first_name=first,
            status=status,
            guide=guide,
            referred_at=now - dt.timedelta(days=days),
        )
        case.child.area = area
    db.session.commit()


def order_shown(html: str) -> list[str]:
    return re.findall(r"(Alfa|Bravo|Charlie|Delta) ", html.split("<tbody>", 1)[1])


def test_the_list_sorts_by_each_column_both_ways(client, db):
    org, _ = coordinator(client)
    sorted_cases(org, db)
    expected = {
        "referred": ["Charlie", "Alfa", "Bravo", "Delta"],  # longest waiting first
        "status": ["Delta", "Alfa", "Charlie", "Bravo"],  # in the course's order
        "area": ["Alfa", "Bravo", "Charlie", "Delta"],
        "guide": ["Delta", "Alfa", "Charlie", "Bravo"],  # no guide first, then by name
    }
    # Ties (Alfa and Delta have no guide) go newest referral first in both directions.
    descending = {"guide": ["Bravo", "Charlie", "Delta", "Alfa"]}
    for key, ascending in expected.items():
        page = client.get(f"/cases?sort={key}")
        assert order_shown(page.text) == ascending, key
        assert re.search(
            rf'<th scope="col" aria-sort="ascending">\s*<a[^>]*sort=-{key}"', page.text
        )
        page = client.get(f"/cases?sort=-{key}")
        assert order_shown(page.text) == descending.get(key, ascending[::-1]), key
        assert re.search(
            rf'<th scope="col" aria-sort="descending">\s*<a[^>]*sort={key}"', page.text
        )
    # The default: newest referral first, and only that column says so.
    page = client.get("/cases").text
    assert order_shown(page) == expected["referred"][::-1]
    assert page.count("aria-sort=") == 1


def test_an_order_the_list_does_not_know_is_ignored(client, db):
    """Column headers set the order; nobody types it, so a wrong one falls back quietly."""
    org, _ = coordinator(client)
    sorted_cases(org, db)
    default = order_shown(client.get("/cases").text)
    token = csrf_token(client.get("/cases").text)
    for sent in (["nonsense"], ["\x00"], ["area", "\x00"], ["-area\x00"]):
        page = client.post("/cases", data={"csrf_token": token, "sort": sent, "resort": sent})
        assert page.status_code == 200, sent
        expected = ["Alfa", "Bravo", "Charlie", "Delta"] if sent[0] == "area" else default
        assert order_shown(page.text) == expected, sent


def test_sort_links_keep_the_filters_and_a_search_keeps_its_order(client, db):
    org, _ = coordinator(client)
    sorted_cases(org, db)
    page = client.get("/cases?status=accepted&sort=area").text
    assert re.search(r'href="/cases\?status=accepted&amp;sort=-area"', page)
    found = search(client, "a", resort="-area")  # a header pressed while searching
    assert order_shown(found.text) == ["Delta", "Charlie", "Bravo", "Alfa"]
    assert '<input type="hidden" name="sort" value="-area">' in found.text
    assert order_shown(search(client, "a", sort="-area").text) == [
        "Delta",
        "Charlie",
        "Bravo",
        "Alfa",
    ]


def test_pages_follow_the_chosen_order(app, db):
    from guide.cases.services import CaseOrder, CaseSort, list_cases

    org = factories.organisation()
    viewer = factories.user(org, "coordinator")
    referred = utcnow() - dt.timedelta(days=3)
    for number in range(7):
        case = factories.child_case(
            org, first_name=f"Barn{number}", referred_at=referred + dt.timedelta(hours=number % 3)
        )
        case.child.area = ("Nord", "Sør", None)[number % 3]
    db.session.flush()
    for key in CaseSort:
        for descending in (False, True):
            order = CaseOrder(key, descending=descending)
            whole = [row.id for row in list_cases(viewer=viewer, order=order, limit=50).cases]
            paged, cursor = [], None
            while True:
                page = list_cases(viewer=viewer, order=order, limit=2, cursor=cursor)
                paged += [row.id for row in page.cases]
                if not (cursor := page.next_cursor):
                    break
            assert paged == whole and len(whole) == 7, (key, descending)


def test_a_too_long_search_is_answered_beside_the_field(client, db):
    org, _ = coordinator(client)
    factories.child_case(org, first_name="Amina", last_name="Hansen")
    db.session.commit()
    answer = search(client, "a" * 101, resort="nonsense", after="garbled")
    assert answer.status_code == 400
    assert 'id="q-error"' in answer.text
    assert "Amina" in answer.text  # the list is still shown, unsearched


def test_posting_the_list_needs_the_csrf_token(client, db):
    coordinator(client)
    assert client.post("/cases", data={"q": "ami"}).status_code == 400
