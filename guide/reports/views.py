"""The figures pages: coordinators see their own organisation, administrators compare all."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from guide.access import requires_permission
from guide.audit.services import record_event
from guide.dates import local_date
from guide.extensions import db
from guide.policy import Permission
from guide.reports.charts import bar_chart
from guide.reports.exports import annual_report_pdf, table_csv_response
from guide.reports.figures import Figures, organisation_figures
from guide.reports.formatting import cell_text
from guide.reports.forms import PeriodForm, YearForm
from guide.reports.overview import organisations_overview
from guide.reports.periods import Period
from guide.tenant import Organisation

bp = Blueprint("reports", __name__, url_prefix="/figures")


@bp.context_processor
def _figure_helpers() -> dict[str, object]:
    return {"cell_text": cell_text, "bar_chart": bar_chart}


def _period_form() -> tuple[PeriodForm, Period]:
    form = PeriodForm(formdata=request.args)
    form.validate()
    return form, form.chosen_period(local_date())


def _period_args(period: Period) -> dict[str, str]:
    """Query arguments that name ``period`` exactly, for the export links."""
    return {"period": "custom", "start": period.start.isoformat(), "end": period.end.isoformat()}


def _own_figures(period: Period) -> Figures:
    return organisation_figures(
        organisation_id=current_user.organisation_id, period=period, today=local_date()
    )


@bp.route("")
@requires_permission(Permission.figures_view)
def figures_page():
    form, period = _period_form()
    figures = _own_figures(period)
    return render_template(
        "reports/figures.html", form=form, figures=figures, export_args=_period_args(period)
    )


@bp.route("/export.csv")
@requires_permission(Permission.figures_view)
def export_table():
    _form, period = _period_form()
    figures = _own_figures(period)
    key = request.args.get("table", "")
    try:
        table = figures.table(key)
    except KeyError:
        abort(400)
    record_event("figures_exported", actor=current_user, details={"table": key, "format": "csv"})
    return table_csv_response(table, filename=f"{key}_{period.start}_{period.end}.csv")


def _annual_report_context() -> dict[str, object]:
    form = YearForm(formdata=request.args)
    form.validate()
    year = form.chosen_year(local_date())
    organisation = db.session.get(Organisation, current_user.organisation_id)
    return {
        "form": form,
        "year": year,
        "organisation_name": organisation.name if organisation else "",
        "figures": _own_figures(Period.year(year)),
        "made_on": local_date(),
    }


@bp.route("/annual-report")
@requires_permission(Permission.figures_view)
def annual_report():
    return render_template("reports/annual_report.html", **_annual_report_context())


@bp.route("/annual-report.pdf")
@requires_permission(Permission.figures_view)
def annual_report_download():
    context = _annual_report_context()
    pdf = annual_report_pdf(cell_text=cell_text, **context)
    year = context["year"]
    record_event("figures_exported", actor=current_user, details={"year": year, "format": "pdf"})
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="arsrapport-{year}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/organisations")
@requires_permission(Permission.figures_view_across)
def organisations_page():
    form, period = _period_form()
    table = organisations_overview(period=period, today=local_date())
    return render_template(
        "reports/organisations.html", form=form, table=table, export_args=_period_args(period)
    )


@bp.route("/organisations/export.csv")
@requires_permission(Permission.figures_view_across)
def export_organisations():
    _form, period = _period_form()
    table = organisations_overview(period=period, today=local_date())
    record_event(
        "figures_exported", actor=current_user, details={"table": table.key, "format": "csv"}
    )
    return table_csv_response(table, filename=f"organisations_{period.start}_{period.end}.csv")
