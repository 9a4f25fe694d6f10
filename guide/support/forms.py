"""Forms for funds, support requests, decisions, payment and the payment list."""

from __future__ import annotations

import datetime as dt
import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from guide.activities.models import Activity
from guide.submissions import SubmittedOnce
from guide.support.models import Fund, PayeeKind, SupportKind
from guide.support.services import (
    FUND_SOURCE_LABELS,
    KIND_LABELS,
    PAYEE_LABELS,
    FundDetails,
    GrantDetails,
)
from guide.validation.fields import FreeText, KronerField, MaxLength
from guide.validation.forms import Form
from guide.validation.versions import VersionField

REASON_MAX = 1000
PAYEE_NAME_MAX = 200
REFERENCE_MAX = 40
FUND_NAME_MAX = 200
FUND_NOTES_MAX = 2000
#: Funds belong to a budget year; anything outside this is a typing slip.
YEAR_RANGE = (2000, 2100)
#: The select value for "no activity" and "no fund yet".
NONE_CHOICE = ""


def _positive_amount(form: Form, field: KronerField) -> None:
    if field.data is not None and field.data <= 0:
        raise ValidationError(_l("The amount must be more than 0 kr."))


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


class VersionedForm(Form):
    """Carries the grant version the user saw, so a decision on stale data is refused."""

    version = VersionField()


class FundForm(SubmittedOnce, Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the fund a name.")), MaxLength(FUND_NAME_MAX)],
    )
    source = SelectField(
        _l("Where the money comes from"),
        choices=[SelectChoice(key, label) for key, label in FUND_SOURCE_LABELS.items()],
        validators=[InputRequired(_l("Choose where the money comes from."))],
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the budget year, for example 2027.")),
            NumberRange(*YEAR_RANGE, message=_l("Enter a year between 2000 and 2100.")),
        ],
    )
    budget = KronerField(
        _l("Budget (kr)"), validators=[InputRequired(_l("Enter the budget in kroner."))]
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), MaxLength(FUND_NOTES_MAX), FreeText()]
    )
    is_active = BooleanField(_l("Grants can draw on this fund"), default=True)

    def details(self) -> FundDetails:
        return FundDetails(
            name=self.name.data,
            source=self.source.data,
            year=self.year.data,
            budget=self.budget.data,
            notes=self.notes.data,
            is_active=self.is_active.data,
        )

    @classmethod
    def for_fund(cls, fund: Fund) -> FundForm:
        form = cls(obj=fund)
        if not form.is_submitted() and fund.source not in FUND_SOURCE_LABELS:
            form.source.data = "other"
        return form


class GrantForm(SubmittedOnce, VersionedForm):
    """Ask for support, or correct a request."""

    kind = RadioField(
        _l("What the support is for"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[InputRequired(_l("Choose what the support is for."))],
    )
    amount = KronerField(
        _l("Amount (kr)"),
        validators=[InputRequired(_l("Enter the amount in kroner.")), _positive_amount],
    )
    # No Optional() on fields with a validate_<name> method: it would stop that check too.
    activity = SelectField(_l("Activity"), default=NONE_CHOICE)
    payee_kind = RadioField(
        _l("Who is paid"),
        choices=[SelectChoice(kind.value, label) for kind, label in PAYEE_LABELS.items()],
        default=PayeeKind.club.value,
        validators=[InputRequired(_l("Choose who is paid."))],
    )
    payee_name = StringField(
        _l("Name of the shop or payee"), validators=[MaxLength(PAYEE_NAME_MAX)]
    )
    fund = SelectField(_l("Fund"), validators=[Optional()], default=NONE_CHOICE)
    reason = TextAreaField(
        _l("What the money is for (not shown to the club)"),
        validators=[Optional(), MaxLength(REASON_MAX), FreeText()],
        render_kw={"rows": 3},
    )

    def __init__(self, *args, activities: list[Activity], funds: list[Fund], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.activity.choices = [SelectChoice(NONE_CHOICE, _l("No activity"))] + [
            SelectChoice(str(item.id), f"{item.name} ({item.club.name})") for item in activities
        ]
        self.fund.choices = [SelectChoice(NONE_CHOICE, _l("Let the coordinator choose"))] + [
            SelectChoice(str(fund.id), f"{fund.name} ({fund.year})") for fund in funds
        ]
        if len(activities) == 1 and not self.is_submitted() and not self.activity.data:
            self.activity.data = str(activities[0].id)

    def validate_activity(self, field: SelectField) -> None:
        if self.payee_kind.data == PayeeKind.club.value and not field.data:
            raise ValidationError(_l("Choose the activity whose club is to be paid."))

    def validate_payee_name(self, field: StringField) -> None:
        if self.payee_kind.data != PayeeKind.club.value and not (field.data or "").strip():
            raise ValidationError(_l("Write the name of the shop or payee."))

    def details(self) -> GrantDetails:
        return GrantDetails(
            kind=SupportKind(self.kind.data),
            amount=self.amount.data,
            activity_id=_uuid_or_none(self.activity.data),
            payee_kind=PayeeKind(self.payee_kind.data),
            payee_name=self.payee_name.data,
            fund_id=_uuid_or_none(self.fund.data),
            reason=self.reason.data,
        )

    def fill_from(self, grant) -> None:
        """Show a stored grant in the form (on GET)."""
        self.version.data = grant.version
        self.kind.data = grant.kind.value
        self.amount.data = grant.amount
        self.activity.data = str(grant.activity_id) if grant.activity_id else NONE_CHOICE
        self.payee_kind.data = grant.payee_kind.value
        self.payee_name.data = grant.payee_name
        self.fund.data = str(grant.fund_id) if grant.fund_id else NONE_CHOICE
        self.reason.data = grant.reason


class ApproveForm(VersionedForm):
    fund = SelectField(_l("Pay from fund"), validators=[InputRequired(_l("Choose a fund."))])
    override = BooleanField(_l("Approve even if the fund is overdrawn"))
    override_reason = TextAreaField(
        _l("Why the fund may be overdrawn"),
        validators=[MaxLength(REASON_MAX), FreeText()],
        render_kw={"rows": 2},
    )

    def __init__(self, *args, funds: list[Fund], **kwargs) -> None:
        # Three decision forms share the grant's page: prefixes keep their ids apart.
        super().__init__(*args, prefix="approve", **kwargs)
        self.fund.choices = [SelectChoice(NONE_CHOICE, _l("Choose a fund"))] + [
            SelectChoice(str(fund.id), f"{fund.name} ({fund.year})") for fund in funds
        ]

    def validate_fund(self, field: SelectField) -> None:
        if _uuid_or_none(field.data) is None:
            raise ValidationError(_l("Choose a fund."))

    def validate_override_reason(self, field: TextAreaField) -> None:
        if self.override.data and not (field.data or "").strip():
            raise ValidationError(_l("Say why the fund may be overdrawn."))

    def fund_id(self) -> uuid.UUID:
        return uuid.UUID(self.fund.data)


class RejectForm(VersionedForm):
    reason = TextAreaField(
        _l("Why the request is rejected"),
        validators=[
            DataRequired(_l("Say why the request is rejected.")),
            MaxLength(REASON_MAX),
            FreeText(),
        ],
        render_kw={"rows": 2},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="reject", **kwargs)


class PayForm(VersionedForm):
    payment_reference = StringField(
        _l("Payment reference"),
        validators=[
            DataRequired(_l("Enter the payment reference from the accounts.")),
            MaxLength(REFERENCE_MAX),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="pay", **kwargs)


class PaymentListForm(Form):
    """The period and payee of the payment list; read from the address, changes nothing."""

    class Meta:
        csrf = False

    date_from = DateField(
        _l("First payment date"), validators=[DataRequired(_l("Enter the first day."))]
    )
    date_to = DateField(
        _l("Last payment date"), validators=[DataRequired(_l("Enter the last day."))]
    )
    payee = SelectField(_l("Payee"), validators=[Optional()], default=NONE_CHOICE)

    def __init__(self, *args, clubs, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.payee.choices = [SelectChoice(NONE_CHOICE, _l("All payees"))] + [
            SelectChoice(str(club.id), club.name) for club in clubs
        ]
        if self.date_from.data is None and not self.date_from.raw_data:
            self.date_from.data = today.replace(day=1)
        if self.date_to.data is None and not self.date_to.raw_data:
            self.date_to.data = today

    def validate_date_to(self, field: DateField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def payee_club_id(self) -> uuid.UUID | None:
        return _uuid_or_none(self.payee.data)
