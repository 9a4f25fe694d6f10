"""Handing messages to an SMTP server, and describing failures without personal data."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from types import TracebackType

from guide.settings import Settings

#: Port of SMTP over implicit TLS ("submissions"); other ports use STARTTLS when TLS is on.
IMPLICIT_TLS_PORT = 465


@dataclass(frozen=True)
class SmtpSender:
    """Where and how to deliver mail; ``session()`` gives one connection for a run."""

    host: str
    port: int
    mail_from: str
    timeout_seconds: float = 10
    use_tls: bool = False
    username: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            mail_from=settings.mail_from,
            timeout_seconds=settings.smtp_timeout_seconds,
            use_tls=settings.smtp_use_tls,
            username=settings.smtp_username,
            password=settings.smtp_password,
        )

    def __repr__(self) -> str:  # the password must never reach a log
        return f"SmtpSender(host={self.host!r}, port={self.port!r})"

    def session(self) -> SmtpSession:
        """One SMTP connection for a run of the worker, opened when the first mail goes out."""
        return SmtpSession(self)

    def open_client(self) -> smtplib.SMTP:
        if self.use_tls and self.port == IMPLICIT_TLS_PORT:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout_seconds, context=_tls_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)
            if self.use_tls:
                client.starttls(context=_tls_context())
        if self.username:
            client.login(self.username, self.password)
        return client


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class SmtpSession:
    """An SMTP connection opened at the first ``send``; use as a context manager.

    When the server cannot be reached, every later ``send`` in the session fails with
    the same error instead of trying again: the run records one attempt per message.
    """

    def __init__(self, sender: SmtpSender) -> None:
        self.sender = sender
        self._client: smtplib.SMTP | None = None
        self._connect_error: Exception | None = None

    def send(self, *, key: uuid.UUID, recipient: str, subject: str, body: str) -> None:
        """Hand one message to the server, with the Message-ID that ``key`` always gives."""
        mail = build_message(self.sender.mail_from, recipient, subject, body, key=key)
        self._connected().send_message(mail)

    def _connected(self) -> smtplib.SMTP:
        if self._connect_error is not None:
            raise self._connect_error.with_traceback(None)
        if self._client is None:
            try:
                self._client = self.sender.open_client()
            except Exception as error:
                self._connect_error = error
                raise
        return self._client

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._client is None:
            return
        try:
            self._client.quit()
        except (smtplib.SMTPException, OSError):
            self._client.close()


def build_message(
    mail_from: str, recipient: str, subject: str, body: str, *, key: uuid.UUID
) -> EmailMessage:
    """A plain-text UTF-8 message with the headers a receiving server expects."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = stable_message_id(key, mail_from)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, subtype="plain", charset="utf-8")
    return message


def stable_message_id(key: uuid.UUID, mail_from: str) -> str:
    """``<key@sender's domain>``: the same on every attempt, so a repeat is recognisable."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "fritidsguide.invalid"
    return f"<{key}@{domain}>"


def describe_failure(error: BaseException) -> str:
    """The error's class name and SMTP reply code only: never an address or message text."""
    codes: list[int] = []
    if isinstance(error, smtplib.SMTPResponseException):
        codes.append(error.smtp_code)
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        # The mapping is keyed by address: keep only the reply codes.
        codes.extend(sorted({code for code, _reply in error.recipients.values()}))
    name = type(error).__name__
    return f"{name} {' '.join(str(code) for code in codes)}".strip()[:500]
