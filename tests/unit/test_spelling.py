"""Words the code spells one way everywhere: "enrollment", as the models do."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: "enrol", "enrols", "enrolment" in any case, also inside identifiers; "enrolled" is fine.
BRITISH = re.compile(r"(?<![a-z])enrol(?:ment|s)?(?![a-z])", re.IGNORECASE)
#: Stored audit action names keep the spelling they were first written with.
STORED = ("second_factor_enrolment_started", "second_factor_enrolment_failed")


def british_spellings(text: str) -> list[str]:
    for name in STORED:
        text = text.replace(name, "")
    return BRITISH.findall(text)


def test_the_pattern_finds_the_british_spelling_and_leaves_enrolled_alone():
    assert british_spellings("Enrolment; start_enrolment; ENROL_PATH; she enrols") == [
        "Enrolment",
        "enrolment",
        "ENROL",
        "enrols",
    ]
    assert british_spellings("enrolled, Enrollment, enroll, unenrolled, totp_enrolled_at") == []
    assert british_spellings('record_event("second_factor_enrolment_failed")') == []


def test_code_templates_and_docs_spell_enrollment_one_way():
    sources = [
        path
        for folder in ("guide", "consent", "templates", "docs", "tests")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html", ".md", ".txt"}
        and "static" not in path.parts
        and path != Path(__file__).resolve()
    ]
    assert len(sources) > 100  # the walk found the project
    found = {
        str(path.relative_to(ROOT)): british_spellings(path.read_text(encoding="utf-8"))
        for path in [*sources, ROOT / "README.md"]
    }

    assert {name: words for name, words in found.items() if words} == {}
