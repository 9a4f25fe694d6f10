"""The activity search filters, read from the query string (public page, search, suggestions)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from guide.activities.search import ActivityFilters, SortOrder
from guide.catalogue.labels import weekday_names
from guide.i18n import language_name
from guide.validation.fields import KronerField
from guide.validation.forms import Form
from guide.web.widgets import PlainOptionsSelect

MAX_AGE = 25


def _filter_select(label, **kwargs) -> SelectField:
    """An optional choice; its options are plain, so they are written the quick way."""
    return SelectField(label, validators=[Optional()], widget=PlainOptionsSelect(), **kwargs)


class ActivitySearchForm(Form):
    """Filters and sort order; a filter that does not validate is ignored, never an error page."""

    class Meta:
        csrf = False

    category = _filter_select(_l("Category"))
    age = IntegerField(
        _l("Age"),
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_AGE, message=_l("Write an age from 0 to 25.")),
        ],
    )
    area = _filter_select(_l("Area"))
    weekday = _filter_select(_l("Day of the week"))
    language = _filter_select(_l("Language the leaders speak"))
    free_trial = BooleanField(_l("Only activities with a free trial"))
    max_total = KronerField(_l("Highest total price per season (kr)"), validators=[Optional()])
    sort = _filter_select(
        _l("Sort by"),
        choices=[
            SelectChoice(SortOrder.total_cost.value, _l("Lowest total price")),
            SelectChoice(SortOrder.area.value, _l("Area")),
        ],
        default=SortOrder.total_cost.value,
    )

    def set_choices(
        self, *, categories: dict[str, str], areas: list[str], languages: list[str]
    ) -> None:
        """Offer only what the catalogue has; call before ``validate``."""
        self.category.choices = [SelectChoice("", _l("All categories"))] + [
            SelectChoice(key, name) for key, name in sorted(categories.items(), key=lambda i: i[1])
        ]
        self.area.choices = [SelectChoice("", _l("All areas"))] + [
            SelectChoice(area, area) for area in areas
        ]
        self.weekday.choices = [SelectChoice("", _l("Any day"))] + [
            SelectChoice(str(day), name) for day, name in weekday_names()
        ]
        self.language.choices = [SelectChoice("", _l("Any language"))] + [
            SelectChoice(code, language_name(code)) for code in languages
        ]

    def _valid(self, field) -> object:
        return None if field.errors or field.data in (None, "") else field.data

    def filters(self, *, age: int | None = None) -> ActivityFilters:
        """The valid filters; ``age`` (the child's) is used when the form gives none."""
        weekday = self._valid(self.weekday)
        own_age = self._valid(self.age)
        return ActivityFilters(
            category=self._valid(self.category),
            age=own_age if own_age is not None else age,
            area=self._valid(self.area),
            weekday=int(weekday) if weekday is not None else None,
            language=self._valid(self.language),
            free_trial_only=bool(self.free_trial.data),
            max_total=self._valid(self.max_total),
        )

    def sort_order(self) -> SortOrder:
        value = self._valid(self.sort)
        return SortOrder(value) if value else SortOrder.total_cost

    def query_args(self) -> dict[str, str]:
        """The valid filters as query-string arguments, for links to other pages."""
        args = {}
        for name in ("category", "age", "area", "weekday", "language", "sort"):
            field = getattr(self, name)
            if self._valid(field) is not None and field.raw_data:
                args[name] = str(field.raw_data[0])
        if self.free_trial.data:
            args["free_trial"] = "y"
        if self._valid(self.max_total) is not None and self.max_total.raw_data:
            args["max_total"] = str(self.max_total.raw_data[0])
        return args


def page_number(text: str | None) -> int:
    """The ``page`` query argument as a page number; anything odd is page 1."""
    try:
        return max(int(text or 1), 1)
    except ValueError:
        return 1
