"""Queueing e-mail: render a plain-text template in the recipient's language and store it.

Mail is never sent inside a request. It is written to the outbox in the same
transaction as the change that caused it, and the worker (guide.outbox.worker)
sends it later, so a slow or absent mail server never breaks a page and a
rolled-back request sends nothing.

E-mails never carry personal data about children or guardians: they say what
happened and link to the app, where access control applies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from guide.extensions import db
from guide.outbox.models import OutboxMessage, OutboxStatus

SUBJECT_PREFIX = "Subject:"


class EmailTemplateError(ValueError):
    """A template in templates/email/ does not start with a one-line ``Subject: ...``."""


def render_email(
    template: str, *, locale: str, context: dict[str, Any], also_locales: Iterable[str] = ()
) -> tuple[str, str]:
    """(subject, body) of templates/email/<template>.txt rendered in ``locale``."""
    with force_locale(supported_locale(locale, also=also_locales)):
        text = render_template(f"email/{template}.txt", base_url=app_base_url(), **context)
    first_line, _, body = text.lstrip("\n").partition("\n")
    if not first_line.startswith(SUBJECT_PREFIX):
        raise EmailTemplateError(f"email/{template}.txt must start with '{SUBJECT_PREFIX} ...'")
    subject = first_line[len(SUBJECT_PREFIX) :].strip()
    if not subject or "\r" in subject:
        raise EmailTemplateError(f"email/{template}.txt has an empty or broken subject")
    return subject, body.strip("\n") + "\n"


def queue_email(
    *,
    to: str,
    template: str,
    locale: str,
    context: dict[str, Any],
    organisation_id: uuid.UUID | None = None,
    also_locales: Iterable[str] = (),
) -> OutboxMessage:
    """Render ``template`` in ``locale`` and add it to the outbox (with the request's commit).

    ``also_locales`` are languages this mail exists in beyond the UI's (a family's language).
    """
    (message,) = queue_emails(
        recipients=[(to, locale)],
        template=template,
        context=context,
        organisation_id=organisation_id,
        also_locales=also_locales,
    )
    return message


def queue_emails(
    *,
    recipients: Iterable[tuple[str, str]],
    template: str,
    context: dict[str, Any],
    organisation_id: uuid.UUID | None = None,
    also_locales: Iterable[str] = (),
) -> list[OutboxMessage]:
    """Queue one mail to each ``(address, locale)``: rendered once per language, one flush."""
    also_locales = tuple(also_locales)
    rendered: dict[str, tuple[str, str]] = {}
    messages = []
    for to, wanted_locale in recipients:
        locale = supported_locale(wanted_locale, also=also_locales)
        if locale not in rendered:
            rendered[locale] = render_email(
                template, locale=locale, context=context, also_locales=(locale,)
            )
        subject, body = rendered[locale]
        messages.append(
            OutboxMessage(
                organisation_id=organisation_id,
                recipient=to.strip(),
                subject=subject[:200],
                body_text=body,
                locale=locale,
                status=OutboxStatus.queued,
                attempts=0,
            )
        )
    db.session.add_all(messages)
    return messages


def supported_locale(locale: str | None, *, also: Iterable[str] = ()) -> str:
    """``locale`` if the app (or ``also``) offers it, else the default language."""
    settings = current_app.extensions["fritidsguide.settings"]
    offered = (*settings.locales, *also)
    return locale if locale in offered else settings.default_locale


def app_base_url() -> str:
    """The public address of the app, without a trailing slash, for links in e-mails."""
    return current_app.extensions["fritidsguide.settings"].base_url.rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (from ``url_for``) on the public address, never on the request's Host header."""
    return app_base_url() + "/" + path.lstrip("/")
