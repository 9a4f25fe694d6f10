"""A real SMTP server on 127.0.0.1 for tests, collecting what it receives.

    with SmtpCapture() as smtp:
        ...send mail to 127.0.0.1:smtp.port...
        assert smtp.messages[0]["Subject"] == "..."

``stop()`` and ``start()`` take the server down and up again on the same port, to
test what the outbox does while the mail server is away. ``hold_reply_to(n)`` keeps
the n-th message but delays its "250" reply until ``release()``, to stop a sender
after the server has the mail and before it hears so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import socket
import threading
from email.message import EmailMessage
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class _Collector:
    """aiosmtpd handler: parse every message and keep it with its envelope recipients."""

    def __init__(self, capture: SmtpCapture) -> None:
        self.capture = capture

    async def handle_RCPT(
        self, server: object, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if self.capture.refuse_recipients_with:
            return self.capture.refuse_recipients_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.capture.lock:
            self.capture.messages.append(message)  # type: ignore[arg-type]
            self.capture.envelope_recipients.append(list(envelope.rcpt_tos))
            self.capture.received_at.append(dt.datetime.now(dt.UTC))
            held = len(self.capture.messages) == self.capture.held_number
        if held:
            self.capture.holding.set()
            while not self.capture.released.is_set():
                await asyncio.sleep(0.02)  # other sessions carry on meanwhile
        return "250 Message accepted for delivery"


class SmtpCapture:
    """A local SMTP server that keeps every message it is sent, in order."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.envelope_recipients: list[list[str]] = []
        #: When each message arrived (UTC), in the order of ``messages``.
        self.received_at: list[dt.datetime] = []
        #: An SMTP reply such as "550 5.1.1 No such user" to refuse every recipient with.
        self.refuse_recipients_with = ""
        self.lock = threading.Lock()
        self.held_number = 0
        self.holding = threading.Event()
        self.released = threading.Event()
        self._controller: Controller | None = None

    @property
    def is_running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(_Collector(self), hostname=HOST, port=self.port)
            controller.start()
            self._controller = controller

    def hold_reply_to(self, number: int) -> None:
        """Keep the ``number``-th message (from 1) but answer it only after ``release()``."""
        self.held_number = number
        self.holding.clear()
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    def stop(self) -> None:
        self.release()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def bodies(self) -> list[str]:
        """The plain-text body of every message received."""
        return [message.get_content().replace("\r\n", "\n") for message in self.messages]

    def __enter__(self) -> SmtpCapture:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
