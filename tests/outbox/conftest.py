"""A real local SMTP server, and a sender pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guide.outbox.sender import SmtpSender
from tests.smtp import HOST, SmtpCapture

MAIL_FROM = "Fritidsguide <ikke-svar@fritidsguide.test>"


@pytest.fixture
def smtp() -> Iterator[SmtpCapture]:
    with SmtpCapture() as server:
        yield server


@pytest.fixture
def sender(smtp: SmtpCapture) -> SmtpSender:
    return SmtpSender(host=HOST, port=smtp.port, mail_from=MAIL_FROM, timeout_seconds=5)
