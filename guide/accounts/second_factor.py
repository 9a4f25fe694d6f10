"""Second-factor services: enrollment, checking codes, recovery codes, reset by an admin."""

from __future__ import annotations

import enum

from flask import current_app
from flask_login import login_user
from sqlalchemy import delete, func, select

from guide.accounts import totp
from guide.accounts.models import RecoveryCode, User
from guide.accounts.sessions import end_all_sessions, start_session
from guide.accounts.throttling import register_failure, register_success
from guide.audit.services import record_event
from guide.database import utcnow
from guide.extensions import db


class SecondFactorMethod(enum.StrEnum):
    totp = "totp"
    recovery_code = "recovery_code"
    #: Demo accounts in demo mode, which hold only fictional data.
    demo_skip = "demo_skip"
    #: Signed in to a restricted session that can only enroll.
    not_enrolled = "not_enrolled"


def is_enrolled(user: User) -> bool:
    return user.totp_enrolled_at is not None


def may_skip_second_factor(user: User) -> bool:
    """Only the fictional demo accounts, and only while the app runs in demo mode."""
    from guide.demo.data import DEMO_EMAIL_DOMAIN

    settings = current_app.extensions["fritidsguide.settings"]
    return settings.demo_mode and user.email.endswith("@" + DEMO_EMAIL_DOMAIN)


def needs_code_at_sign_in(user: User) -> bool:
    """True when the password step must be followed by a TOTP or recovery code."""
    return is_enrolled(user) and not may_skip_second_factor(user)


def has_second_factor_or_exemption(user: User) -> bool:
    """True when the user may open pages with personal data."""
    return is_enrolled(user) or may_skip_second_factor(user)


def start_enrollment(user: User) -> None:
    """Give a user who has not finished enrollment a new secret to scan."""
    if is_enrolled(user):
        raise ValueError("second factor already enrolled")
    user.totp_secret = totp.new_secret()
    user.totp_last_step = None
    # Stored audit action names keep the spelling they were first written with.
    record_event("second_factor_enrolment_started", actor=user, obj=user)
    db.session.flush()


def confirm_enrollment(user: User, code: str) -> list[str] | None:
    """Finish enrollment if ``code`` matches the new secret; returns the fresh recovery codes."""
    if is_enrolled(user) or not user.totp_secret:
        return None
    step = totp.matching_step(user.totp_secret, code, last_step=None)
    if step is None:
        record_event("second_factor_enrolment_failed", actor=user, obj=user)
        return None
    user.totp_last_step = step
    user.totp_enrolled_at = utcnow()
    codes = replace_recovery_codes(user)
    record_event("second_factor_enrolled", actor=user, obj=user)
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes for ``user``; the old ones stop working. Shown once, stored hashed."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [totp.new_recovery_code() for _ in range(totp.RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.recovery_code_hash(code, user_id=user.id))
        for code in codes
    )
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def check_second_factor(user: User, code: str) -> SecondFactorMethod | None:
    """Accept a TOTP code (once) or an unused recovery code; a failure counts towards throttling."""
    if not is_enrolled(user) or not user.totp_secret:
        return None
    if totp.looks_like_totp_code(code):
        step = totp.matching_step(user.totp_secret, code, last_step=user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return SecondFactorMethod.totp
        register_failure(user, reason="wrong_code")
        return None
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.recovery_code_hash(code, user_id=user.id),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        register_failure(user, reason="wrong_recovery_code")
        return None
    row.used_at = utcnow()
    record_event("recovery_code_used", actor=user, obj=user)
    return SecondFactorMethod.recovery_code


def complete_sign_in(user: User, *, method: SecondFactorMethod) -> None:
    """Sign ``user`` in with a new server-side session; resets the failure count and audits it."""
    register_success(user)
    user.last_sign_in_at = utcnow()
    record_event("signed_in", actor=user, details={"second_factor": method.value})
    start_session(user)
    login_user(user)
    db.session.flush()


def reset_second_factor(user: User, *, by: User) -> None:
    """Remove ``user``'s authenticator and recovery codes and end their sessions (lost phone)."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    ended = end_all_sessions(user, "second_factor_reset")
    record_event("second_factor_reset", actor=by, obj=user, details={"sessions_ended": ended})
    db.session.flush()
