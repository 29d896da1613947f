"""The case: list, page, and the actions of the team and the coordinators.

Every case is reached through `visible_cases` (S1): a case one may not see answers 404 like a
missing one; a case one may see but not change (a supervisor's) answers 403 to the actions.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from trama.accounts.models import Role, User
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.forms import CaseCloseForm, CaseEditForm, CaseReopenForm, PhaseForm, TeamAddForm
from trama.casework.models import Case, CaseTeamMember
from trama.casework.permissions import get_case_for_user, visible_cases
from trama.casework.selectors.cases import CaseFilters, case_list, case_organisations, case_record, programme_operators
from trama.casework.selectors.delivery import case_delivery_context
from trama.casework.services import cases as services
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors as apply_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export

PAGE_SIZE = 25
CASE_ROLES = (Role.COORDINATOR, Role.OPERATOR)
STALE = gettext_lazy(
    "Someone else changed this case while you were working on it. The form now shows the current version: "
    "check it and apply your change again."
)


@programme_view(*CASE_ROLES)
def case_list_view(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = CaseFilters(
        query=request.GET.get("q", "").strip(),
        phase=request.GET.get("phase", "") if request.GET.get("phase", "") in Case.Phase.values else "",
        status=request.GET.get("status", "") if request.GET.get("status", "") in Case.Status.values else "",
        organisation=_uuid_text(request.GET.get("organisation", "")),
        mine=request.GET.get("mine") == "1",
    )
    cases = case_list(request.user, access.programme, filters)
    export = list_export(request, access, name="casi", title=_("Cases"), rows=cases, columns=listcolumns.CASES)
    if export is not None:
        return export
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/case_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "phases": Case.Phase.choices,
            "statuses": Case.Status.choices,
            "organisations": case_organisations(access.programme),
            "query_string": urlencode(
                {
                    "q": filters.query,
                    "phase": filters.phase,
                    "status": filters.status,
                    "organisation": filters.organisation,
                    "mine": "1" if filters.mine else "",
                }
            ),
        },
    )


def _uuid_text(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return ""


@programme_view(*CASE_ROLES)
def case_detail(request: HttpRequest, access: ProgrammeAccess, case_id: UUID) -> HttpResponse:
    """The case page; opening it writes a READ audit row (S10)."""
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    record = case_record(case)
    # The same rules as services.writer_membership / team_manager_membership, read from what
    # the page has already loaded (the services check again on every write).
    on_team = next((member for member in record.team if member.user_id == request.user.pk), None)
    coordinator = access.has_role(Role.COORDINATOR)
    team_operator = on_team is not None and access.has_role(Role.OPERATOR)
    return render(
        request,
        "casework/case_detail.html",
        {
            "access": access,
            "case": case,
            "record": record,
            # The closing evaluation is special-category text: the case team only (S6).
            "can_read_notes": on_team is not None,
            "can_write": coordinator or team_operator,
            "can_manage_team": coordinator or (team_operator and on_team.is_lead),
            # What the page has already read saves the delivery panel three queries.
            **case_delivery_context(
                case,
                request.user,
                memberships=access.memberships,
                on_team=on_team is not None,
                household_person_ids={member.person_id for member in record.members},
            ),
        },
    )


def _case(access: ProgrammeAccess, user: User, case_id: UUID, *, team: bool = False) -> Case:
    """A case the user may change: 404 if they cannot see it, 403 if they can only read it."""
    case = (
        visible_cases(user, access.programme)
        .select_related("household", "organisation", "action_line", "programme")
        .filter(public_id=case_id)
        .first()
    )
    if case is None:
        raise Http404
    (services.team_manager_membership if team else services.writer_membership)(user, case)
    return case


def _detail(case: Case) -> HttpResponse:
    return redirect("casework:case-detail", slug=case.programme.slug, case_id=case.public_id)


def _stale(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    messages.error(request, STALE)
    return render(request, template, context, status=409)


@programme_view(*CASE_ROLES)
def case_edit(request: HttpRequest, access: ProgrammeAccess, case_id: UUID) -> HttpResponse:
    case = _case(access, request.user, case_id)

    def form_for(data: Any = None) -> CaseEditForm:
        initial = {
            "version": case.version,
            "organisation": case.organisation.public_id,
            "action_line": case.action_line.public_id if case.action_line else None,
        }
        return CaseEditForm(
            data, initial=initial, organisations=case_organisations(access.programme),
            action_lines=access.programme.action_lines.order_by("name"),
        )  # fmt: skip

    form = form_for(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                actor=request.user, case=case, expected_version=form.cleaned_data["version"],
                organisation=form.cleaned_data["organisation"], action_line=form.cleaned_data["action_line"],
            )  # fmt: skip
        except StaleVersionError:
            case.refresh_from_db()
            return _stale(request, "casework/case_edit.html", {"access": access, "case": case, "form": form_for()})
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The case has been saved."))
            return _detail(case)
    return render(request, "casework/case_edit.html", {"access": access, "case": case, "form": form})


@programme_view(*CASE_ROLES)
def case_phase(request: HttpRequest, access: ProgrammeAccess, case_id: UUID) -> HttpResponse:
    case = _case(access, request.user, case_id)
    if case.status != Case.Status.OPEN:
        messages.error(request, _("A closed case does not change phase: reopen it first."))
        return _detail(case)
    form = PhaseForm(request.POST or None, case=case, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_move_phase(
                actor=request.user, case=case, expected_version=form.cleaned_data["version"],
                to_phase=form.cleaned_data["to_phase"], note=form.cleaned_data["note"],
            )  # fmt: skip
        except StaleVersionError:
            case.refresh_from_db()
            fresh = PhaseForm(case=case, initial={"version": case.version})
            return _stale(request, "casework/case_phase.html", {"access": access, "case": case, "form": fresh})
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The case has moved to a new phase."))
            return _detail(case)
    return render(request, "casework/case_phase.html", {"access": access, "case": case, "form": form})


@programme_view(*CASE_ROLES)
def case_close(request: HttpRequest, access: ProgrammeAccess, case_id: UUID) -> HttpResponse:
    case = _case(access, request.user, case_id)
    if case.status != Case.Status.OPEN:
        return _detail(case)
    initial = {"version": case.version, "closed_on": timezone.localdate()}
    form = CaseCloseForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_close(
                actor=request.user, case=case, expected_version=data["version"], outcome=data["outcome"],
                closing_note=data["closing_note"], closed_on=data["closed_on"],
            )  # fmt: skip
        except StaleVersionError:
            case.refresh_from_db()
            initial["version"] = case.version
            fresh = CaseCloseForm(case=case, initial=initial)
            return _stale(request, "casework/case_close.html", {"access": access, "case": case, "form": fresh})
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The case has been closed."))
            return _detail(case)
    return render(request, "casework/case_close.html", {"access": access, "case": case, "form": form})


@programme_view(*CASE_ROLES)
def case_reopen(request: HttpRequest, access: ProgrammeAccess, case_id: UUID) -> HttpResponse:
    case = _case(access, request.user, case_id)
    if case.status != Case.Status.CLOSED:
        return _detail(case)
    initial = {"version": case.version, "to_phase": Case.Phase.DELIVERY}
    form = CaseReopenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_reopen(
                actor=request.user, case=case, expected_version=data["version"], reason=data["reason"],
                to_phase=data["to_phase"],
            )  # fmt: skip
        except StaleVersionError:
            case.refresh_from_db()
            initial["version"] = case.version
            fresh = CaseReopenForm(initial=initial)
            return _stale(request, "casework/case_reopen.html", {"access": access, "case": case, "form": fresh})
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The case has been reopened."))
            return _detail(case)
    return render(request, "casework/case_reopen.html", {"access": access, "case": case, "form": form})


# --- The team -----------------------------------------------------------------------------


@programme_view(*CASE_ROLES)
def case_team(request: HttpRequest, access: ProgrammeAccess, case_id: UUID) -> HttpResponse:
    case = _case(access, request.user, case_id, team=True)
    team = list(case.team.select_related("user", "organisation").order_by("-is_lead", "user__full_name"))
    operators = programme_operators(access.programme).exclude(user__in=[m.user_id for m in team])
    form = TeamAddForm(request.POST or None, operators=operators)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_team_add(
                actor=request.user, case=case, member=form.cleaned_data["member"], is_lead=form.cleaned_data["is_lead"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The operator has been added to the team."))
            return redirect("casework:case-team", slug=access.programme.slug, case_id=case.public_id)
    return render(request, "casework/case_team.html", {"access": access, "case": case, "team": team, "form": form})


def _team_member(case: Case, member_id: UUID) -> CaseTeamMember:
    """A member of this case's team (S2): a member of another case's team answers 404."""
    member = case.team.select_related("user", "organisation").filter(public_id=member_id).first()
    if member is None:
        raise Http404
    return member


@require_POST
@programme_view(*CASE_ROLES)
def case_team_lead(request: HttpRequest, access: ProgrammeAccess, case_id: UUID, member_id: UUID) -> HttpResponse:
    case = _case(access, request.user, case_id, team=True)
    member = _team_member(case, member_id)
    services.case_team_set_lead(actor=request.user, case=case, team_member=member)
    messages.success(request, _("%(name)s is now the case lead.") % {"name": member.user.full_name})
    return redirect("casework:case-team", slug=access.programme.slug, case_id=case.public_id)


@programme_view(*CASE_ROLES)
def case_team_remove(request: HttpRequest, access: ProgrammeAccess, case_id: UUID, member_id: UUID) -> HttpResponse:
    case = _case(access, request.user, case_id, team=True)
    member = _team_member(case, member_id)
    if request.method == "POST":
        try:
            services.case_team_remove(actor=request.user, case=case, team_member=member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The operator has been taken off the team."))
        return redirect("casework:case-team", slug=access.programme.slug, case_id=case.public_id)
    return render(request, "casework/case_team_remove.html", {"access": access, "case": case, "member": member})
