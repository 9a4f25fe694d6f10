"""Each kind of task: who is told (its audience), what they must hold to see it, its sentence.

The audience is the default; ``raise_task(users=...)`` names other people. Either way a
task reaches only active people of the case's organisation who hold the kind's permission
and may see the case (guide.tasks.services), and the same is checked again at read time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from guide.policy import Permission
from guide.tasks.models import TaskKind


class Audience(enum.StrEnum):
    """Who is told by default."""

    #: The active coordinators of the case's (or the given) organisation.
    coordinators = "coordinators"
    #: The case's assigned guide.
    guide = "guide"
    #: Whoever sent a referral that became (or was merged into) the case.
    referrer = "referrer"


@dataclass(frozen=True)
class KindRule:
    audiences: tuple[Audience, ...]
    #: Held by the person at raise time and at read time; a role change hides the task.
    permission: Permission
    #: The sentence on the To do page ("%(reference)s" is the case's random reference).
    sentence: LazyString
    #: The digest's line for a count of this kind.
    digest_label: LazyString
    #: False for a task that tells someone they lost access (a guide taken off a case):
    #: it stays visible without the case, shows only the reference, and links elsewhere.
    needs_case_access: bool = True


_CG = (Audience.coordinators, Audience.guide)

RULES: dict[TaskKind, KindRule] = {
    TaskKind.NEW_REFERRAL: KindRule(
        (Audience.coordinators,),
        Permission.referral_triage,
        _l("A new referral is waiting for a decision (case %(reference)s)."),
        _l("New referrals"),
    ),
    TaskKind.REFERRAL_ACCEPTED: KindRule(
        (Audience.referrer,),
        Permission.referral_view_status_own,
        _l("Your referral was accepted (case %(reference)s)."),
        _l("Referrals accepted"),
    ),
    TaskKind.REFERRAL_DECLINED: KindRule(
        (Audience.referrer,),
        Permission.referral_view_status_own,
        _l("Your referral was declined (case %(reference)s)."),
        _l("Referrals declined"),
    ),
    TaskKind.GUIDE_ASSIGNED: KindRule(
        (Audience.guide,),
        Permission.case_view,
        _l("You have been given a new case (%(reference)s): get in touch with the family."),
        _l("New cases for you"),
    ),
    TaskKind.GUIDE_UNASSIGNED: KindRule(
        (Audience.guide,),
        Permission.account_own,
        _l("You are no longer the guide of case %(reference)s."),
        _l("Cases taken off you"),
        needs_case_access=False,
    ),
    TaskKind.CLUB_START_CONFIRMED: KindRule(
        _CG,
        Permission.case_view,
        _l("The club confirmed that the child has started (case %(reference)s)."),
        _l("Starts confirmed by a club"),
    ),
    TaskKind.CLUB_ABSENCE_REPORTED: KindRule(
        _CG,
        Permission.case_view,
        _l("The club reports that the child has not come for a while (case %(reference)s)."),
        _l("Absences reported by a club"),
    ),
    TaskKind.FAMILY_ANSWERED: KindRule(
        _CG,
        Permission.case_view,
        _l("The family answered the consent link (case %(reference)s)."),
        _l("Answers from families"),
    ),
    TaskKind.CONSENT_WITHDRAWN: KindRule(
        _CG,
        Permission.case_view,
        _l("The family withdrew a consent (case %(reference)s)."),
        _l("Consents withdrawn"),
    ),
    TaskKind.SUPPORT_REQUESTED: KindRule(
        (Audience.coordinators,),
        Permission.support_approve,
        _l("A support request is waiting for approval (case %(reference)s)."),
        _l("Support requests waiting"),
    ),
    TaskKind.SUPPORT_DECIDED: KindRule(
        (Audience.guide,),
        Permission.case_view,
        _l("A support request was decided (case %(reference)s)."),
        _l("Support requests decided"),
    ),
    TaskKind.SHARED_WITH_CLUB: KindRule(
        (Audience.guide,),
        Permission.case_view,
        _l("The child's details were shared with a club (case %(reference)s)."),
        _l("Shares with clubs"),
    ),
    TaskKind.LOAN_OVERDUE: KindRule(
        _CG,
        Permission.case_view,
        _l("An equipment loan is overdue (case %(reference)s)."),
        _l("Loans overdue"),
    ),
    TaskKind.FOLLOW_UP_DUE: KindRule(
        _CG,
        Permission.follow_up_complete,
        _l("A follow-up is due (case %(reference)s)."),
        _l("Follow-ups due"),
    ),
    TaskKind.CASE_QUIET: KindRule(
        _CG,
        Permission.case_view,
        _l("No visit has been logged for a while (case %(reference)s)."),
        _l("Quiet cases"),
    ),
    TaskKind.CERTIFICATE_EXPIRING: KindRule(
        (Audience.coordinators,),
        Permission.guide_manage,
        _l("A guide's police certificate is about to expire."),
        _l("Police certificates about to expire"),
    ),
}


def rule_for(kind: TaskKind) -> KindRule:
    return RULES[TaskKind(kind)]


def sentence_for(kind: TaskKind, reference: str | None) -> str:
    """The translated sentence of a task, with its case's reference where it has one."""
    return str(rule_for(kind).sentence) % {"reference": reference or "–"}


def once_key(kind: TaskKind, *parts: object) -> str:
    """The once key of a task about one thing: ``follow_up_due:<follow-up id>``."""
    return ":".join([TaskKind(kind).value, *(str(part) for part in parts)])
