"""The public activity catalogue at /aktiviteter, and the staff's activity search.

The public page shows one organisation's catalogue: the one named by ``?org=<id>``, or the
only active organisation when there is just one (otherwise it lists the organisations to
choose from). ``?lang=nb|nn|en`` picks the language for a shareable link; without it the
switcher's choice or the browser's Accept-Language decides. The page holds no personal
data, so shared caches may keep it for five minutes.
"""

from __future__ import annotations

import uuid
from contextlib import nullcontext

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import force_locale
from flask_login import current_user
from sqlalchemy import select

from consent import age_on
from guide.access import public, requires_permission
from guide.activities.search import (
    filter_options,
    search_activities,
)
from guide.areas.services import nearby_area_ids
from guide.cases.services import load_case
from guide.catalogue.forms import ActivitySearchForm, page_number
from guide.catalogue.labels import category_names, template_helpers
from guide.dates import local_date
from guide.enrollments.forms import ProposeForm
from guide.extensions import db
from guide.policy import Permission
from guide.tenant import Organisation

bp = Blueprint("catalogue", __name__)
bp.app_context_processor(template_helpers)

#: How long browsers and shared caches may keep a public page, in seconds.
PUBLIC_MAX_AGE = 300


def search_form(organisation_id: uuid.UUID) -> tuple[ActivitySearchForm, dict[str, str]]:
    """The filter form with the organisation's choices, validated; and the category names."""
    names = category_names(organisation_id=organisation_id)
    offered = filter_options(organisation_id=organisation_id)
    form = ActivitySearchForm(formdata=request.args)
    form.set_choices(
        categories={key: names.get(key, key) for key in offered.category_keys},
        areas=offered.areas,
        languages=offered.languages,
    )
    form.validate()
    return form, names


@bp.get("/aktiviteter")
@public
def public_catalogue():
    organisation, choices = _public_organisation(request.args.get("org"))
    with _requested_locale():
        if organisation is None:
            html = render_template("catalogue/choose_organisation.html", organisations=choices)
        else:
            html = _catalogue_page(organisation, choices)
    response = make_response(html)
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def _catalogue_page(organisation: Organisation, choices: list[Organisation]) -> str:
    """One page of the organisation's activities, filtered and sorted as the address asks."""
    form, names = search_form(organisation.id)
    filters = form.filters()
    page = search_activities(
        organisation_id=organisation.id,
        filters=filters,
        sort=form.sort_order(),
        home_area=filters.area,
        page=page_number(request.args.get("page")),
    )
    query_args = form.query_args()
    fixed_args = _public_fixed_args(organisation, choices)
    link_args = query_args | fixed_args
    return render_template(
        "catalogue/public.html",
        organisation=organisation,
        form=form,
        page=page,
        category_names=names,
        link_args=link_args,
        fixed_args=fixed_args,
        language_link_args={k: v for k, v in link_args.items() if k != "lang"},
        is_filtered=bool(query_args),
    )


def _public_organisation(
    requested: str | None,
) -> tuple[Organisation | None, list[Organisation]]:
    """The organisation whose catalogue to show, or None and the active ones to choose from."""
    active = select(Organisation).where(Organisation.is_active.is_(True))
    if requested:
        try:
            organisation_id = uuid.UUID(requested)
        except ValueError:
            abort(404)
        organisation = db.session.scalar(active.where(Organisation.id == organisation_id))
        if organisation is None:
            abort(404)
        return organisation, []
    choices = list(db.session.scalars(active.order_by(Organisation.name).limit(101)))
    return (choices[0], choices) if len(choices) == 1 else (None, choices)


def _requested_locale():
    locale = request.args.get("lang")
    if locale in current_app.extensions["fritidsguide.settings"].locales:
        return force_locale(locale)
    return nullcontext()


def _public_fixed_args(organisation: Organisation, choices: list[Organisation]) -> dict[str, str]:
    """The arguments every link on the page keeps: the organisation if named, the language."""
    args = {}
    if not choices:  # named in the address, so keep naming it
        args["org"] = str(organisation.id)
    if request.args.get("lang") in current_app.extensions["fritidsguide.settings"].locales:
        args["lang"] = request.args["lang"]
    return args


@bp.get("/activities/search")
@requires_permission(Permission.activity_propose)
def search():
    case = _case_from_args()
    child = case.child if case is not None else None
    child_age = age_on(child.born_on, local_date()) if child is not None else None
    form, names = search_form(current_user.organisation_id)
    filters = form.filters(age=child_age)
    page = search_activities(
        organisation_id=current_user.organisation_id,
        filters=filters,
        sort=form.sort_order(),
        home_area=filters.area,
        nearby_areas=nearby_area_ids(child.area_id if child is not None else None),
        page=page_number(request.args.get("page")),
    )
    link_args = form.query_args() | ({"case": str(case.id)} if case is not None else {})
    return render_template(
        "catalogue/search.html",
        form=form,
        page=page,
        case=case,
        child_age=child_age,
        category_names=names,
        link_args=link_args,
        propose_form=ProposeForm() if case is not None else None,
    )


def _case_from_args():
    """The case named by ``?case=`` (searching on a child's behalf), through the object rule."""
    raw = request.args.get("case")
    if not raw:
        return None
    try:
        case_id = uuid.UUID(raw)
    except ValueError:
        abort(404)
    return load_case(viewer=current_user, case_id=case_id)
