"""Pathways (individual and group), goals, sessions and the operator's agenda."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.delivery_forms import (
    GoalForm,
    GoalStatusForm,
    PathwayAddCaseForm,
    PathwayEditForm,
    PathwayForm,
    PathwayStatusForm,
    SessionForm,
)
from trama.casework.models import Case, Pathway
from trama.casework.permissions import get_case_for_user, visible_cases
from trama.casework.selectors import delivery as selectors
from trama.casework.services import pathways as services
from trama.casework.views.assessments import CASE_ROLES, case_url
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors as apply_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.network.models import CommunityPlace, Organisation

PAGE_SIZE = 25
STALE = gettext_lazy(
    "Someone else saved this pathway while you were editing it. Their version is shown: apply your changes again."
)


def _places(access: ProgrammeAccess) -> QuerySet[CommunityPlace]:
    return CommunityPlace.objects.filter(programme=access.programme).select_related("municipality").order_by("name")


def _organisations(access: ProgrammeAccess) -> QuerySet[Organisation]:
    return Organisation.objects.filter(partnerships__programme=access.programme).order_by("name")


def _open_cases(request: HttpRequest, access: ProgrammeAccess) -> QuerySet[Case]:
    return (
        visible_cases(request.user, access.programme)
        .filter(status=Case.Status.OPEN)
        .select_related("household__municipality")
        .order_by("household__label")
    )


def _pathway_url(access: ProgrammeAccess, pathway: Pathway) -> str:
    return reverse("casework:pathway-detail", kwargs={"slug": access.programme.slug, "pathway_id": pathway.public_id})


# --- Pathways ------------------------------------------------------------------------------------


@programme_view(*CASE_ROLES)
def pathway_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "") if request.GET.get("kind") in Pathway.Kind.values else ""
    status = request.GET.get("status", "") if request.GET.get("status") in Pathway.Status.values else ""
    pathways = selectors.pathway_list(request.user, access.programme, query=query, kind=kind, status=status)
    export = list_export(
        request, access, name="percorsi", title=_("Pathways"), rows=pathways, columns=listcolumns.PATHWAYS
    )
    if export is not None:
        return export
    page = Paginator(pathways, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/pathway_list.html",
        {
            "access": access,
            "page": page,
            "query": query,
            "kind": kind,
            "status": status,
            "kinds": Pathway.Kind.choices,
            "statuses": Pathway.Status.choices,
            "query_string": urlencode({"q": query, "kind": kind, "status": status}),
        },
    )


@programme_view(*CASE_ROLES)
def pathway_create(request: HttpRequest, access: ProgrammeAccess, case_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    if not selectors.can_work_on_case(request.user, case):
        raise PermissionDenied
    form = PathwayForm(
        request.POST or None,
        organisations=_organisations(access),
        places=_places(access),
        other_cases=_open_cases(request, access).exclude(pk=case.pk),
        initial={"organisation": case.organisation_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pathway = services.pathway_create(
                actor=request.user,
                case=case,
                is_group=form.cleaned_data["is_group"],
                other_cases=list(form.cleaned_data["other_cases"]),
                **form.pathway_fields(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The pathway has been created."))
            return redirect(_pathway_url(access, pathway))
    return render(
        request,
        "casework/pathway_form.html",
        {"access": access, "case": case, "form": form, "back_url": case_url(access, case, "pathways")},
    )


@programme_view(*CASE_ROLES)
def pathway_detail(request: HttpRequest, access: ProgrammeAccess, pathway_id: str) -> HttpResponse:
    pathway = selectors.get_pathway_for_user(request.user, access.programme, pathway_id, request=request)
    viewer = selectors.pathway_access(request.user, pathway)
    return render(
        request,
        "casework/pathway_detail.html",
        {"access": access, "pathway": pathway, "viewer": viewer, **selectors.pathway_detail(pathway, viewer)},
    )


def _managed_pathway(request: HttpRequest, access: ProgrammeAccess, pathway_id: str) -> tuple[Pathway, object]:
    pathway = selectors.get_pathway_for_user(request.user, access.programme, pathway_id, request=request)
    viewer = selectors.pathway_access(request.user, pathway)
    if not viewer.can_manage:
        raise PermissionDenied
    return pathway, viewer


@programme_view(*CASE_ROLES)
def pathway_edit(request: HttpRequest, access: ProgrammeAccess, pathway_id: str) -> HttpResponse:
    pathway, _viewer = _managed_pathway(request, access, pathway_id)
    initial = {"version": pathway.version, **{name: getattr(pathway, name) for name in services.EDITABLE_FIELDS}}
    form = PathwayEditForm(request.POST or None, places=_places(access), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_update(
                actor=request.user,
                pathway=pathway,
                expected_version=form.cleaned_data["version"],
                fields=form.pathway_fields(),
            )
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect("casework:pathway-edit", slug=access.programme.slug, pathway_id=pathway.public_id)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The pathway has been saved."))
            return redirect(_pathway_url(access, pathway))
    return render(request, "casework/pathway_edit.html", {"access": access, "pathway": pathway, "form": form})


@programme_view(*CASE_ROLES)
def pathway_status(request: HttpRequest, access: ProgrammeAccess, pathway_id: str) -> HttpResponse:
    pathway, _viewer = _managed_pathway(request, access, pathway_id)
    form = PathwayStatusForm(request.POST or None, initial={"version": pathway.version, "status": pathway.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_set_status(
                actor=request.user,
                pathway=pathway,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect("casework:pathway-status", slug=access.programme.slug, pathway_id=pathway.public_id)
        messages.success(request, _("The pathway's status has been updated."))
        return redirect(_pathway_url(access, pathway))
    return render(request, "casework/pathway_status.html", {"access": access, "pathway": pathway, "form": form})


@programme_view(*CASE_ROLES)
def pathway_add_cases(request: HttpRequest, access: ProgrammeAccess, pathway_id: str) -> HttpResponse:
    pathway, _viewer = _managed_pathway(request, access, pathway_id)
    if not pathway.is_group:
        raise PermissionDenied
    candidates = _open_cases(request, access).exclude(participations__pathway=pathway)
    form = PathwayAddCaseForm(request.POST or None, cases=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.pathway_add_cases(
                actor=request.user, pathway=pathway, cases=list(form.cleaned_data["cases"])
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Households added: %(count)s.") % {"count": added})
            return redirect(_pathway_url(access, pathway))
    return render(request, "casework/pathway_add_cases.html", {"access": access, "pathway": pathway, "form": form})


# --- Goals ---------------------------------------------------------------------------------------


@programme_view(*CASE_ROLES)
def goal_create(request: HttpRequest, access: ProgrammeAccess, case_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    if not selectors.can_work_on_case(request.user, case):
        raise PermissionDenied
    form = GoalForm(request.POST or None, pathways=Pathway.objects.filter(participations__case=case).order_by("title"))
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The goal has been added."))
            return redirect(case_url(access, case, "pathways"))
    return render(
        request,
        "casework/pathway_goal_form.html",
        {"access": access, "case": case, "form": form, "back_url": case_url(access, case, "pathways")},
    )


@programme_view(*CASE_ROLES)
def goal_status(request: HttpRequest, access: ProgrammeAccess, case_id: str, goal_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    goal = selectors.get_goal_for_case(case, goal_id)
    if not selectors.can_work_on_case(request.user, case):
        raise PermissionDenied
    form = GoalStatusForm(request.POST or None, initial={"status": goal.status})
    if request.method == "POST" and form.is_valid():
        services.goal_set_status(actor=request.user, goal=goal, status=form.cleaned_data["status"])
        messages.success(request, _("The goal's status has been updated."))
        return redirect(case_url(access, case, "pathways"))
    return render(
        request,
        "casework/pathway_goal_status.html",
        {"access": access, "case": case, "goal": goal, "form": form, "back_url": case_url(access, case, "pathways")},
    )


# --- Sessions ------------------------------------------------------------------------------------


@programme_view(*CASE_ROLES)
def session_create(request: HttpRequest, access: ProgrammeAccess, pathway_id: str) -> HttpResponse:
    pathway, viewer = _managed_pathway(request, access, pathway_id)
    form = SessionForm(
        request.POST or None,
        places=_places(access),
        people=selectors.pathway_people(pathway, viewer.visible_case_ids),
        initial={"place": pathway.place_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_create(actor=request.user, pathway=pathway, **form.session_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The session has been recorded."))
            return redirect(_pathway_url(access, pathway))
    return render(request, "casework/session_form.html", {"access": access, "pathway": pathway, "form": form})


@programme_view(*CASE_ROLES)
def session_detail(request: HttpRequest, access: ProgrammeAccess, pathway_id: str, session_id: str) -> HttpResponse:
    pathway = selectors.get_pathway_for_user(request.user, access.programme, pathway_id, request=request)
    session = selectors.get_session_for_pathway(pathway, session_id)
    viewer = selectors.pathway_access(request.user, pathway)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ, actor=request.user, request=request, programme=access.programme,
            target=session,
        )  # fmt: skip
    visible_people = set(selectors.pathway_people(pathway, viewer.visible_case_ids).values_list("pk", flat=True))
    return render(
        request,
        "casework/session_detail.html",
        {
            "access": access,
            "pathway": pathway,
            "session": session,
            "viewer": viewer,
            "attendees": [p for p in session.attendees.all() if p.pk in visible_people],
        },
    )


@programme_view(*CASE_ROLES)
def agenda(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    return render(
        request, "casework/agenda.html", {"access": access, **selectors.agenda_context(request.user, access.programme)}
    )
