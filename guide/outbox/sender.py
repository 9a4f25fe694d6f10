"""Handing messages to an SMTP server, and describing failures without personal data."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from types import TracebackType

from guide.settings import Settings

#: Port of SMTP over implicit TLS ("submissions"); other ports use STARTTLS when TLS is on.
IMPLICIT_TLS_PORT = 465


@dataclass(frozen=True)
class SmtpSender:
    """Where and how to deliver mail; ``connect()`` opens one connection for a batch."""

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

    def connect(self) -> SmtpConnection:
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
        return SmtpConnection(client, self.mail_from)


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class SmtpConnection:
    """An open SMTP session; use as a context manager so it is always closed."""

    def __init__(self, client: smtplib.SMTP, mail_from: str) -> None:
        self.client = client
        self.mail_from = mail_from

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        self.client.send_message(build_message(self.mail_from, recipient, subject, body))

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()


def build_message(mail_from: str, recipient: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message with the headers a receiving server expects."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    sender_domain = parseaddr(mail_from)[1].rpartition("@")[2] or "fritidsguide.invalid"
    message["Message-ID"] = make_msgid(domain=sender_domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, subtype="plain", charset="utf-8")
    return message


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
