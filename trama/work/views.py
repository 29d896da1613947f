"""Staff and company pages of the work plan, under /area/<slug>/lavoro/. Thin views: access
function → form → service → redirect; the company user reaches only openings and placements."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.network.models import Organisation, Partnership
from trama.work import matching, selectors, services
from trama.work.forms import (
    ApproveForm,
    CompanyForm,
    OpeningForm,
    PathwayForm,
    SeekerForm,
    SeekerStatusForm,
    StepForm,
)
from trama.work.models import Contract, JobSeeker, Opening, Placement, Sector, Shift, Skill, labels
from trama.work.permissions import get_opening_for_user, get_placement_for_user, get_seeker_for_user, visible_seekers
from trama.work.uploads import clean_cv

PAGE_SIZE = 25
STAFF = (Role.COORDINATOR, Role.OPERATOR)
ALL = (Role.COORDINATOR, Role.OPERATOR, Role.COMPANY)
STALE = gettext_lazy("Someone else changed this record while you were working on it: check it and try again.")


def _choice(request: HttpRequest, name: str, values: list[str]) -> str:
    value = request.GET.get(name, "")
    return value if value in values else ""


def _municipalities(access: ProgrammeAccess) -> Any:
    return access.programme.municipalities.order_by("name")


def _version(request: HttpRequest) -> int:
    """The version the editor started from (S21); a missing or mangled one (0: versions start at 1)
    is refused as stale rather than overwriting."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _is_staff(access: ProgrammeAccess) -> bool:
    return access.has_role(*STAFF)


# --- Job seekers -------------------------------------------------------------------------------------


@require_safe
@programme_view(*STAFF)
def seeker_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = selectors.SeekerFilters(
        query=request.GET.get("q", "").strip()[:100],
        status=_choice(request, "status", JobSeeker.Status.values),
        skill=_choice(request, "skill", Skill.values),
    )
    seekers = selectors.seeker_list(request.user, access.programme, filters)
    export = list_export(
        request, access, name="candidati", title=_("Job seekers"), rows=seekers, columns=listcolumns.JOB_SEEKERS
    )
    if export is not None:
        return export
    page = Paginator(seekers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "work/seeker_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "statuses": JobSeeker.Status.choices,
            "skills": Skill.choices,
            "query_string": urlencode({"q": filters.query, "status": filters.status, "skill": filters.skill}),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@programme_view(*STAFF)
def seeker_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    cases = list(selectors.cases_for_new_seeker(request.user, access.programme))
    form = SeekerForm(
        request.POST or None,
        request.FILES or None,
        municipalities=_municipalities(access),
        cases=cases,
        initial={"started_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        case, person = form.chosen()
        try:
            cv = clean_cv(form.cleaned_data["cv_file"]) if form.cleaned_data.get("cv_file") else None
            seeker = services.seeker_create(
                actor=request.user, case=case, person=person, fields=form.fields_for_service(), cv=cv
            )
        except ValidationError as error:
            add_service_errors(form, _cv_key(error))
        else:
            messages.success(request, _("The job seeker's profile has been created."))
            return redirect(seeker.get_absolute_url())
    return render(request, "work/seeker_form.html", {"access": access, "form": form, "seeker": None})


def _cv_key(error: ValidationError) -> ValidationError:
    """The upload field of the form is `cv_file`; the service names it `cv`."""
    if hasattr(error, "error_dict") and "cv" in error.error_dict:
        return ValidationError({"cv_file" if k == "cv" else k: v for k, v in error.error_dict.items()})
    return error


@require_safe
@programme_view(*STAFF)
def seeker_detail(request: HttpRequest, access: ProgrammeAccess, seeker_id: str) -> HttpResponse:
    seeker = get_seeker_for_user(request.user, access.programme, seeker_id, request=request)
    ranked = matching.rank_openings(seeker) if seeker.status == JobSeeker.Status.ACTIVE else []
    return render(
        request,
        "work/seeker_detail.html",
        {
            "access": access,
            "seeker": seeker,
            "ranked": ranked,
            "placements": selectors.seeker_placements(seeker),
            "pathways": selectors.seeker_pathways(seeker),
            "skills": labels(seeker.skills, Skill),
            "sectors": labels(seeker.desired_sectors, Sector),
            "shifts": labels(seeker.shifts, Shift),
            "languages": _language_labels(seeker.languages),
            "status_form": SeekerStatusForm(initial={"version": seeker.version, "status": seeker.status}),
        },
    )


def _language_labels(text: str) -> list[str]:
    from trama.mutualaid.models import Language

    return labels(text, Language)


@require_http_methods(["GET", "HEAD", "POST"])
@programme_view(*STAFF)
def seeker_edit(request: HttpRequest, access: ProgrammeAccess, seeker_id: str) -> HttpResponse:
    seeker = get_seeker_for_user(request.user, access.programme, seeker_id, request=request)
    version = seeker.version
    form = SeekerForm(
        request.POST or None, request.FILES or None, instance=seeker, municipalities=_municipalities(access)
    )
    if request.method == "POST" and form.is_valid():
        try:
            cv = clean_cv(form.cleaned_data["cv_file"]) if form.cleaned_data.get("cv_file") else None
            services.seeker_update(
                actor=request.user,
                seeker=seeker,
                expected_version=_version(request),
                fields=form.fields_for_service(),
                cv=cv,
            )
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect("work:seeker-edit", slug=access.programme.slug, seeker_id=seeker.public_id)
        except PermissionDenied:
            raise
        except ValidationError as error:
            add_service_errors(form, _cv_key(error))
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect(seeker.get_absolute_url())
    return render(
        request, "work/seeker_form.html", {"access": access, "form": form, "seeker": seeker, "version": version}
    )


@require_POST
@programme_view(*STAFF)
def seeker_status(request: HttpRequest, access: ProgrammeAccess, seeker_id: str) -> HttpResponse:
    seeker = get_seeker_for_user(request.user, access.programme, seeker_id, request=request)
    form = SeekerStatusForm(request.POST)
    if form.is_valid():
        try:
            services.seeker_update(
                actor=request.user,
                seeker=seeker,
                expected_version=form.cleaned_data["version"],
                fields={},
                status=form.cleaned_data["status"],
            )
        except StaleVersionError:
            messages.error(request, STALE)
        else:
            messages.success(request, _("The status has been saved."))
    return redirect(seeker.get_absolute_url())


@require_safe
@programme_view(*STAFF)
def seeker_cv(request: HttpRequest, access: ProgrammeAccess, seeker_id: str) -> HttpResponse:
    seeker = get_seeker_for_user(request.user, access.programme, seeker_id, request=request)
    if not seeker.cv:
        raise Http404
    services.seeker_cv_read(actor=request.user, seeker=seeker)
    return _cv_response(seeker)


def _cv_response(seeker: JobSeeker) -> FileResponse:
    name = f"cv-{seeker.person.last_name}-{seeker.person.first_name}.pdf".replace(" ", "-").lower()
    return FileResponse(seeker.cv.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@require_http_methods(["GET", "HEAD", "POST"])
@programme_view(*STAFF)
def pathway_create(request: HttpRequest, access: ProgrammeAccess, seeker_id: str) -> HttpResponse:
    seeker = get_seeker_for_user(request.user, access.programme, seeker_id, request=request)
    organisations = Organisation.objects.filter(partnerships__programme=access.programme).order_by("name").distinct()
    form = PathwayForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_record(actor=request.user, seeker=seeker, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pathway has been recorded in the case."))
            return redirect(seeker.get_absolute_url())
    return render(request, "work/pathway_form.html", {"access": access, "form": form, "seeker": seeker})


# --- Openings ----------------------------------------------------------------------------------------


@require_safe
@programme_view(*ALL)
def opening_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = selectors.OpeningFilters(
        query=request.GET.get("q", "").strip()[:100],
        status=_choice(request, "status", Opening.Status.values),
        contract=_choice(request, "contract", Contract.values),
        sector=_choice(request, "sector", Sector.values),
    )
    openings = selectors.opening_list(request.user, access.programme, filters)
    export = list_export(
        request, access, name="offerte-lavoro", title=_("Job openings"), rows=openings, columns=listcolumns.JOB_OPENINGS
    )
    if export is not None:
        return export
    page = Paginator(openings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "work/opening_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "is_staff": _is_staff(access),
            "statuses": Opening.Status.choices,
            "contracts": Contract.choices,
            "sectors": Sector.choices,
            "query_string": urlencode(
                {"q": filters.query, "status": filters.status, "contract": filters.contract, "sector": filters.sector}
            ),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@programme_view(*STAFF)
def opening_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = OpeningForm(
        request.POST or None,
        municipalities=_municipalities(access),
        companies=services.programme_companies(access.programme).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            opening = services.opening_create(actor=request.user, programme=access.programme, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The opening has been saved."))
            return redirect(opening.get_absolute_url())
    return render(request, "work/opening_form.html", {"access": access, "form": form, "opening": None})


@require_http_methods(["GET", "HEAD", "POST"])
@programme_view(*STAFF)
def opening_edit(request: HttpRequest, access: ProgrammeAccess, opening_id: str) -> HttpResponse:
    opening = get_opening_for_user(request.user, access.programme, opening_id)
    version = opening.version
    form = OpeningForm(
        request.POST or None,
        instance=opening,
        municipalities=_municipalities(access),
        companies=services.programme_companies(access.programme).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_update(
                actor=request.user,
                opening=opening,
                expected_version=_version(request),
                fields=form.cleaned_data,
            )
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect("work:opening-edit", slug=access.programme.slug, opening_id=opening.public_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The opening has been saved."))
            return redirect(opening.get_absolute_url())
    return render(
        request, "work/opening_form.html", {"access": access, "form": form, "opening": opening, "version": version}
    )


@require_safe
@programme_view(*ALL)
def opening_detail(request: HttpRequest, access: ProgrammeAccess, opening_id: str) -> HttpResponse:
    opening = get_opening_for_user(request.user, access.programme, opening_id)
    is_staff = _is_staff(access)
    ranked = []
    if is_staff and opening.status == Opening.Status.OPEN:
        ranked = matching.rank_candidates(opening, visible_seekers(request.user, access.programme))
    approve_form = None
    if opening.status == Opening.Status.TO_REVIEW and access.has_role(Role.COORDINATOR):
        approve_form = ApproveForm(companies=services.programme_companies(access.programme).order_by("name"))
    return render(
        request,
        "work/opening_detail.html",
        {
            "access": access,
            "opening": opening,
            "is_staff": is_staff,
            "ranked": ranked,
            "placements": selectors.opening_placements(request.user, opening),
            "skills": labels(opening.skills, Skill),
            "shifts": labels(opening.shifts, Shift),
            "approve_form": approve_form,
        },
    )


@require_POST
@programme_view(Role.COORDINATOR)
def opening_approve(request: HttpRequest, access: ProgrammeAccess, opening_id: str) -> HttpResponse:
    opening = get_opening_for_user(request.user, access.programme, opening_id)
    companies = services.programme_companies(access.programme).order_by("name")
    form = ApproveForm(request.POST, companies=companies)
    if form.is_valid():
        try:
            company = form.cleaned_data["company"] or services.company_register(
                actor=request.user, programme=access.programme, name=opening.company_name.strip()
            )
            services.opening_approve(actor=request.user, opening=opening, company=company)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The opening is now open: candidates can be proposed."))
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect(opening.get_absolute_url())


@require_POST
@programme_view(*STAFF)
def opening_close(request: HttpRequest, access: ProgrammeAccess, opening_id: str) -> HttpResponse:
    opening = get_opening_for_user(request.user, access.programme, opening_id)
    services.opening_close(actor=request.user, opening=opening)
    messages.success(request, _("The opening has been closed."))
    return redirect(opening.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
@programme_view(Role.COORDINATOR)
def company_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = CompanyForm(request.POST or None, municipalities=_municipalities(access))
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if value}
        try:
            company = services.company_register(actor=request.user, programme=access.programme, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is now a company of the network.") % {"name": company.name})
            return redirect("work:opening-create", slug=access.programme.slug)
    partners = Partnership.objects.filter(
        programme=access.programme, organisation__kind=Organisation.Kind.COMPANY
    ).select_related("organisation")
    return render(request, "work/company_form.html", {"access": access, "form": form, "companies": partners})


# --- Placements --------------------------------------------------------------------------------------


@require_POST
@programme_view(*STAFF)
def placement_propose(request: HttpRequest, access: ProgrammeAccess, opening_id: str, seeker_id: str) -> HttpResponse:
    opening = get_opening_for_user(request.user, access.programme, opening_id)
    seeker = get_seeker_for_user(request.user, access.programme, seeker_id, request=request)
    try:
        score = float(request.POST.get("score", ""))
    except ValueError:
        score = None
    try:
        placement = services.placement_propose(
            actor=request.user,
            opening=opening,
            seeker=seeker,
            score=score if score is not None and 0 <= score <= 1 else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        back = seeker if request.POST.get("back") == "seeker" else opening
        return redirect(back.get_absolute_url())
    messages.success(request, _("%(name)s has been proposed for this opening.") % {"name": seeker})
    return redirect(placement.get_absolute_url())


@require_safe
@programme_view(*ALL)
def placement_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = selectors.PlacementFilters(
        query=request.GET.get("q", "").strip()[:100], status=_choice(request, "status", Placement.Status.values)
    )
    placements = selectors.placement_list(request.user, access.programme, filters)
    export = list_export(
        request, access, name="inserimenti", title=_("Placements"), rows=placements, columns=listcolumns.PLACEMENTS
    )
    if export is not None:
        return export
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.pipeline_counts(request.user, access.programme)
    return render(
        request,
        "work/placement_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "is_staff": _is_staff(access),
            "pipeline": [(value, label, counts.get(value, 0)) for value, label in Placement.Status.choices],
            "query_string": urlencode({"q": filters.query, "status": filters.status}),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@programme_view(*ALL)
def placement_detail(request: HttpRequest, access: ProgrammeAccess, placement_id: str) -> HttpResponse:
    placement = get_placement_for_user(request.user, access.programme, placement_id, request=request)
    is_staff = _is_staff(access)
    allowed = services.TRANSITIONS.get(placement.status, ())
    form = None
    if is_staff and allowed:
        form = StepForm(
            request.POST or None,
            allowed=allowed,
            sources=selectors.funding_sources(access.programme),
            initial={"version": placement.version, "on": timezone.localdate()},
        )
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        data["to_status"] = data.pop("to_status")
        data["hiring_contract"] = data.get("hiring_contract") or ""
        data["reason"] = data.get("reason") or ""
        try:
            services.placement_move(
                actor=request.user, placement=placement, expected_version=version, step=services.Step(**data)
            )
        except StaleVersionError:
            messages.error(request, STALE)
        except ValidationError as error:
            add_service_errors(form, error)
            return _placement_page(request, access, placement, form, is_staff, status=400)
        else:
            messages.success(request, _("The placement has been updated."))
        return redirect(placement.get_absolute_url())
    return _placement_page(request, access, placement, form, is_staff)


def _placement_page(
    request: HttpRequest,
    access: ProgrammeAccess,
    placement: Placement,
    form: StepForm | None,
    is_staff: bool,
    *,
    status: int = 200,
) -> HttpResponse:
    seeker = placement.job_seeker
    return render(
        request,
        "work/placement_detail.html",
        {
            "access": access,
            "placement": placement,
            "seeker": seeker,
            "is_staff": is_staff,
            "form": form,
            "transitions": placement.transitions.select_related("by").order_by("created_at"),
            "skills": labels(seeker.skills, Skill),
            "languages": _language_labels(seeker.languages),
        },
        status=status,
    )


@require_safe
@programme_view(*ALL)
def placement_cv(request: HttpRequest, access: ProgrammeAccess, placement_id: str) -> HttpResponse:
    """The CV of a candidate, for the staff or for the company it was proposed to (with consent)."""
    placement = get_placement_for_user(request.user, access.programme, placement_id, request=request)
    seeker = placement.job_seeker
    if not seeker.cv:
        raise Http404
    services.seeker_cv_read(actor=request.user, seeker=seeker)
    return _cv_response(seeker)
