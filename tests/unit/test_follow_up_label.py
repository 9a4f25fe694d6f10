"""The follow-up line reads naturally in the singular, the plural, and without months."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from guide.cases.labels import follow_up_label


@pytest.mark.parametrize(
    ("months", "locale", "expected"),
    [
        (1, "nb", "1 måned: frist 05.03.2026"),
        (3, "nb", "3 måneder: frist 05.03.2026"),
        (1, "nn", "1 månad: frist 05.03.2026"),
        (6, "en", "6 months: due 05.03.2026"),
        (0, "nb", "Oppfølging: frist 05.03.2026"),
    ],
)
def test_follow_up_label(app, months, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert follow_up_label(months, "05.03.2026") == expected
