"""Reading a club/activity register from CSV: plain functions, no app and no database."""

from __future__ import annotations

import codecs
import datetime as dt
import uuid

import pytest

from guide.activities.importing import (
    Catalogue,
    ExtraCost,
    KnownClub,
    RegisterFileError,
    activity_key,
    category_lookup,
    check_against_catalogue,
    normalise_website,
    read_register,
)
from guide.activities.models import ExtraCostKind
from guide.areas.models import area_key
from guide.validation import InvalidInput

HEADER = "Klubb;Organisasjonsnummer;Aktivitet;Kategori;Ukedag;Kontingent;Turer;Leirer"
#: Valid organisation numbers (mod 11) that belong to no club in these tests.
ORG_A, ORG_B = "998877008", "998877016"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *lines]).encode(encoding)


def problem_codes(register) -> dict[int, list[str]]:
    return {row.line: [problem.code for problem in row.problems] for row in register.rows}


def test_the_acceptance_file_names_each_problem_and_keeps_only_the_good_rows():
    register = read_register(
        csv_bytes(
            f"Musikkforeningen;{ORG_A};Gitargruppe;Musikk;onsdag;1 200;;300",
            f"Idrettslaget;{ORG_B};Fotball G10;Idrett;fredag;1 250,50;400;",
            "Feil nummer-laget;998877009;Dans;Dans;mandag;500;;",
            f"Musikkforeningen;{ORG_A};Korps;Musikk;torsdag;-100;;",
            f"Musikkforeningen;{ORG_A};;Musikk;tirsdag;100;;",
            f"Musikkforeningen;{ORG_A};gitargruppe ;musikk;Onsdag;1200;;",
        )
    )
    check_against_catalogue(register, Catalogue())

    assert problem_codes(register) == {
        2: [],
        3: [],
        4: ["org_number_check_digit"],
        5: ["amount_negative"],
        6: ["required"],
        7: ["duplicate_in_file"],
    }
    assert [row.line for row in register.importable_rows] == [2, 3]
    duplicate = register.rows[-1].problems[0]
    assert duplicate.line == 2
    assert register.rows[3].problems[0].column == "Kontingent"
    assert register.rows[4].problems[0].column == "Aktivitet"


def test_good_rows_carry_typed_values():
    register = read_register(
        csv_bytes(f"Idrettslaget;{ORG_B};Fotball G10;Idrett;fredag;1 250,50;400;1 000,-")
    )
    row = register.rows[0]
    assert row.club.org_number == ORG_B
    assert row.activity.category_key == "sport"
    assert row.activity.weekday == 4
    assert row.activity.fee_per_season == 125050
    assert row.activity.extra_costs == (
        ExtraCost(ExtraCostKind.trips, 40000),
        ExtraCost(ExtraCostKind.camps, 100000),
    )


def test_commas_windows_1252_and_a_bom_are_all_read():
    header = "Klubb,Aktivitet,Kategori,Kontingent,Område"
    line = 'Sjakklubben,"Sjakk, nybegynnere",Annet,"1 250,50",Bydel Sør'
    south = uuid.uuid4()
    for data in (
        csv_bytes(line, header=header, encoding="cp1252"),
        codecs.BOM_UTF8 + csv_bytes(line, header=header),
        csv_bytes(line, header=header),
    ):
        register = read_register(data, areas={area_key("Bydel Sør"): south})
        assert register.delimiter == ","
        assert problem_codes(register) == {2: []}
        assert register.rows[0].activity.name == "Sjakk, nybegynnere"
        assert register.rows[0].activity.area_id == south
        assert register.rows[0].activity.fee_per_season == 125050
    assert read_register(csv_bytes(line, header=header, encoding="cp1252")).encoding == (
        "Windows-1252"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (codecs.BOM_UTF16_LE + "Klubb".encode("utf-16-le"), "encoding"),
        (b"Klubb;Aktivitet;Kategori;Kontingent\r\n", "no_rows"),
        (b"Klubb\x00;Aktivitet", "not_csv"),
        (b"x" * (2 * 1024 * 1024 + 1), "too_large"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(data, reason):
    with pytest.raises(RegisterFileError) as refused:
        read_register(data)
    assert refused.value.reason == reason


def test_missing_required_columns_are_named():
    with pytest.raises(RegisterFileError) as refused:
        read_register(b"Klubb;Beskrivelse\r\nLaget;Noe\r\n")
    assert refused.value.reason == "missing_columns"
    assert refused.value.columns == ("Aktivitet", "Kategori", "Kontingent")


def test_too_many_rows_are_refused():
    lines = [f"Laget;{ORG_A};Aktivitet {number};Annet;;0;;" for number in range(2001)]
    with pytest.raises(RegisterFileError) as refused:
        read_register(csv_bytes(*lines))
    assert refused.value.reason == "too_many_rows"


def test_unknown_columns_are_listed_and_header_names_are_forgiving():
    header = " klubb* ;AKTIVITET;Kategori;Kontingent;Vekedag;Byrjar;Sluttar;Farge"
    register = read_register(csv_bytes("Laget;Dans;dans;0;laurdag;kl. 9;10.30;blå", header=header))
    assert register.ignored_columns == ["Farge"]
    activity = register.rows[0].activity
    assert (activity.weekday, activity.starts_at, activity.ends_at) == (
        5,
        dt.time(9, 0),
        dt.time(10, 30),
    )


def test_blank_lines_are_skipped_but_row_numbers_follow_the_spreadsheet():
    register = read_register(
        csv_bytes("Laget;;Dans;Dans;;0;;", ";;;;;;;", "Laget;;Sang;Musikk;;0;;")
    )
    assert [row.line for row in register.rows] == [2, 4]


FULL_HEADER = (
    "Klubb;Aktivitet;Kategori;Kontingent;Alder fra;Alder til;Starter;Slutter;Telefon;"
    "E-post;Nettside;Språk;Gratis prøvetime;Ledige plasser;Ukedag"
)


@pytest.mark.parametrize(
    ("cells", "codes"),
    [
        ("Laget;Dans;Dans;0;8;12;17:00;18:00;;;;;;;", []),
        ("Laget;Dans;Dans;0;12;8;;;;;;;;;", ["age_order"]),
        ("Laget;Dans;Dans;0;3;30;;;;;;;;;", ["age_out_of_range"]),
        ("Laget;Dans;Dans;0;ti;;;;;;;;;;", ["not_whole_number"]),
        ("Laget;Dans;Dans;0;;;18:00;17:00;;;;;;;", ["time_order"]),
        ("Laget;Dans;Dans;0;;;25:00;;;;;;;;", ["time_invalid"]),
        ("Laget;Dans;Dans;0;;;;;ring meg;;;;;;", ["phone_letters"]),
        ("Laget;Dans;Dans;0;;;;;123;;;;;;", ["phone_invalid"]),
        ("Laget;Dans;Dans;0;;;;;;ikke en adresse;;;;;", ["email_invalid"]),
        ("Laget;Dans;Dans;0;;;;;;;javascript:alert(1);;;;", ["website_invalid"]),
        ("Laget;Dans;Dans;0;;;;;;;;fuglespråk;;;", ["language_unknown"]),
        ("Laget;Dans;Dans;0;;;;;;;;;kanskje;;", ["yes_no"]),
        ("Laget;Dans;Dans;0;;;;;;;;;;-2;", ["not_whole_number"]),
        ("Laget;Dans;Dans;0;;;;;;;;;;;fredagskveld", ["weekday_unknown"]),
        ("Laget;Dans;Fallskjerm;0;;;;;;;;;;;", ["category_unknown"]),
        ("Laget;Dans;Dans;;;;;;;;;;;;", ["fee_required"]),
        ("Laget;Dans;Dans;tusen;;;;;;;;;;;", ["amount_format"]),
        ("Laget;Dans;Dans;12,345;;;;;;;;;;;", ["amount_too_many_decimals"]),
        (";Dans;;0;;;;;;;;;;;", ["required", "required"]),
    ],
)
def test_each_kind_of_bad_value_is_reported(cells, codes):
    register = read_register(csv_bytes(cells, header=FULL_HEADER))
    assert problem_codes(register)[2] == codes
    assert register.rows[0].is_importable is (codes == [])


def test_contact_details_are_normalised():
    register = read_register(
        csv_bytes(
            "Laget;Dans;Dans;0;;;;;+47 22 33 44 55;Post@Laget.Example.org;www.laget.example.org;"
            "Norsk, arabisk / en;JA;3;søn",
            header=FULL_HEADER,
        )
    )
    row = register.rows[0]
    assert row.club.phone == "+4722334455"
    assert row.club.email == "Post@laget.example.org"
    assert row.club.website == "https://www.laget.example.org"
    assert row.activity.leader_languages == ("nb", "ar", "en")
    assert row.activity.has_free_trial is True
    assert row.activity.places_left == 3
    assert row.activity.weekday == 6


def test_control_characters_and_long_text_are_refused():
    register = read_register(
        csv_bytes("Laget\x07;;Dans;Dans;;0;;", f"Laget;;{'x' * 201};Dans;;0;;")
    )
    assert problem_codes(register) == {2: ["control_characters"], 3: ["too_long"]}


def test_an_organisations_own_category_is_found_by_name_or_key():
    lookup = category_lookup([("klatring", "Klatring og buldring")])
    register = read_register(
        csv_bytes("Laget;;Vegg;klatring og buldring;;0;;", "Laget;;Tau;KLATRING;;0;;"),
        categories=lookup,
    )
    assert [row.activity.category_key for row in register.rows] == ["klatring", "klatring"]


def test_rows_already_in_the_catalogue_are_left_out():
    club_id = uuid.uuid4()
    catalogue = Catalogue(
        clubs=[KnownClub(ref=club_id, name="Musikkforeningen", org_number=ORG_A)],
        activities=frozenset({activity_key(club_id, "Gitargruppe", 2)}),
    )
    register = read_register(
        csv_bytes(
            f"Musikkforeningen;{ORG_A};Gitargruppe;Musikk;onsdag;1200;;",
            f"Musikkforeningen;{ORG_A};Gitargruppe;Musikk;torsdag;1200;;",
            "MUSIKKFORENINGEN;;  gitargruppe;Musikk;onsdag;1200;;",
        )
    )
    check_against_catalogue(register, catalogue)
    assert problem_codes(register) == {
        2: ["already_in_catalogue"],
        3: [],
        4: ["already_in_catalogue"],
    }
    assert register.rows[1].club_ref == club_id


def test_clubs_are_matched_by_number_then_by_name_and_new_ones_are_numbered():
    existing = uuid.uuid4()
    catalogue = Catalogue(clubs=[KnownClub(ref=existing, name="Laget", org_number=ORG_A)])
    register = read_register(
        csv_bytes(
            f"Nytt navn på laget;{ORG_A};Dans;Dans;;0;;",
            f"Laget;{ORG_B};Sang;Musikk;;0;;",  # same name, another number: another club
            "Helt nytt lag;;Sjakk;Annet;;0;;",
            f"Laget;{ORG_B};Korps;Musikk;;0;;",
            "helt nytt  lag;;Go;Annet;;0;;",
        )
    )
    check_against_catalogue(register, catalogue)
    assert [row.club_ref for row in register.rows] == [existing, 0, 1, 0, 1]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://www.klubb.example.org/barn", "https://www.klubb.example.org/barn"),
        ("http://klubb.example.org", "http://klubb.example.org"),
        ("www.klubb.example.org", "https://www.klubb.example.org"),
        ("klubb.example.org:8080/x", "https://klubb.example.org:8080/x"),
    ],
)
def test_websites_are_http_or_https(typed, stored):
    assert normalise_website(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "ftp://klubb.example.org",
        "mailto:post@klubb.example.org",
        "https://user:pw@klubb.example.org",
        "localhost",
        "https://klubb example.org",
        "data:text/html,hei",
    ],
)
def test_other_addresses_are_refused(typed):
    with pytest.raises(InvalidInput):
        normalise_website(typed)


def test_areas_are_found_by_any_spelling_and_unknown_ones_are_reported():
    header = "Klubb;Aktivitet;Kategori;Kontingent;Område"
    north = uuid.uuid4()
    areas = {area_key("Nord"): north, area_key("Bydel Nord"): north}
    register = read_register(
        csv_bytes(
            "Klubb A;Fotball;Idrett;0;  bydel  NORD ",
            "Klubb A;Dans;Dans;0;Nord",
            "Klubb A;Sjakk;Annet;0;Nordby",
            "Klubb A;Kor;Musikk;0;",
            header=header,
        ),
        areas=areas,
    )
    assert problem_codes(register) == {2: [], 3: [], 4: ["area_unknown"], 5: []}
    assert [row.activity.area_id for row in register.importable_rows] == [north, north, None]
    assert register.rows[2].problems[0].value == "Nordby"
