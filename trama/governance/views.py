"""The partnership's governance, staff pages: bodies and members, meetings with attendance, minutes
and decisions, and the decisions to follow up.

Thin views: programme gate → access function → form → service → redirect with a message.
Coordinators manage; the partners' staff read; evaluators and funders read without names.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.governance import permissions, selectors, services
from trama.governance.forms import AttendanceForm, BodyForm, DecisionForm, FollowUpForm, MeetingForm, MemberForm
from trama.governance.models import Body

PAGE_SIZE = 25
MANAGERS = (Role.COORDINATOR,)
READERS = (Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER, Role.EVALUATOR, Role.FUNDER)
# The service names the meeting's times; the form asks for a day and two times.
MEETING_ERROR_FIELDS = {"ends_at": "end_time", "starts_at": "start_time"}


def _stale(request: HttpRequest) -> None:
    messages.error(request, _("Someone else changed this record in the meantime: the form shows it as it is now."))


def _form_page(request: HttpRequest, access: ProgrammeAccess, form: Any, **context: Any) -> HttpResponse:
    return render(request, "governance/form_page.html", {"access": access, "form": form, **context})


def _show_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        error = ValidationError({MEETING_ERROR_FIELDS.get(name, name): e for name, e in error.error_dict.items()})
    add_service_errors(form, error)


# --- Bodies ------------------------------------------------------------------------------------------


@programme_view(*READERS)
def body_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    bodies = list(selectors.body_list(request.user, access.programme))
    return render(
        request,
        "governance/body_list.html",
        {"access": access, "bodies": bodies, "can_manage": access.has_role(Role.COORDINATOR)},
    )


@programme_view(*MANAGERS)
def body_edit(request: HttpRequest, access: ProgrammeAccess, body_id: str | None = None) -> HttpResponse:
    body = None if body_id is None else permissions.get_body_for_user(request.user, access.programme, body_id)
    form = BodyForm(request.POST or None, instance=body, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.body_save(
                actor=request.user, programme=access.programme, fields=form.body_fields(), body=body,
                expected_version=form.cleaned_data["version"] or 0,
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The body has been saved."))
            return redirect(saved.get_absolute_url())
    back = body.get_absolute_url() if body else reverse("governance:body-list", args=[access.programme.slug])
    title = body.name if body else _("New body")
    return _form_page(request, access, form, page_title=title, submit_label=_("Save"), back_url=back)


@programme_view(*READERS)
def body_detail(request: HttpRequest, access: ProgrammeAccess, body_id: str) -> HttpResponse:
    body = permissions.get_body_for_user(request.user, access.programme, body_id)
    page = Paginator(selectors.body_meetings(body), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/body_detail.html",
        {
            "access": access, "body": body, "members": selectors.current_members(body), "page": page,
            "query_string": "", "can_manage": access.has_role(Role.COORDINATOR),
            "show_names": permissions.may_see_names(request.user, access.programme),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def member_add(request: HttpRequest, access: ProgrammeAccess, body_id: str) -> HttpResponse:
    body = permissions.get_body_for_user(request.user, access.programme, body_id)
    form = MemberForm(request.POST or None, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_add(
                actor=request.user, body=body, role=data["role"], organisation=data["organisation"], user=data["user"],
                name=data["name"], since=data["since"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The member has been added."))
            return redirect(body.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("Add a member to %(body)s") % {"body": body.name},
        submit_label=_("Add the member"), back_url=body.get_absolute_url(),
    )  # fmt: skip


@programme_view(*MANAGERS)
def member_end(request: HttpRequest, access: ProgrammeAccess, member_id: str) -> HttpResponse:
    """A confirmation page first: the membership ends today and stays in past meetings' records."""
    member = permissions.get_member_for_manager(request.user, access.programme, member_id)
    error = ""
    if request.method == "POST":
        try:
            services.member_end(actor=request.user, member=member)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("The membership has ended."))
            return redirect(member.body.get_absolute_url())
    return render(request, "governance/member_end.html", {"access": access, "member": member, "error": error})


# --- Meetings ----------------------------------------------------------------------------------------


@programme_view(*READERS)
def meeting_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    bodies = list(Body.objects.for_programme(access.programme).order_by("kind", "name"))
    filters = {
        "query": request.GET.get("q", "").strip(),
        "body": request.GET.get("body", ""),
        "when": request.GET.get("when", "") if request.GET.get("when", "") in ("upcoming", "past") else "",
    }
    if filters["body"] not in {str(body.public_id) for body in bodies}:
        filters["body"] = ""
    meetings = selectors.meeting_list(request.user, access.programme, **filters)
    export = list_export(
        request, access, name="riunioni", title=_("Meetings"), rows=meetings, columns=listcolumns.MEETINGS
    )
    if export is not None:
        return export
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/meeting_list.html",
        {
            "access": access, "page": page, "filters": filters, "bodies": bodies,
            "query_string": urlencode({"q": filters["query"], "body": filters["body"], "when": filters["when"]}),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def meeting_create(request: HttpRequest, access: ProgrammeAccess, body_id: str) -> HttpResponse:
    body = permissions.get_body_for_user(request.user, access.programme, body_id)
    form = MeetingForm(request.POST or None, initial={"is_public": body.meets_in_public}, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, body=body, fields=form.meeting_fields())
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The meeting has been planned."))
            return redirect(meeting.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("New meeting of %(body)s") % {"body": body.name},
        submit_label=_("Plan the meeting"), back_url=body.get_absolute_url(), form_id="meeting-form",
    )  # fmt: skip


@programme_view(*MANAGERS)
def meeting_edit(request: HttpRequest, access: ProgrammeAccess, meeting_id: str) -> HttpResponse:
    meeting = permissions.get_meeting_for_user(request.user, access.programme, meeting_id)
    form = MeetingForm(request.POST or None, instance=meeting, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                actor=request.user, meeting=meeting, expected_version=form.cleaned_data["version"] or 0,
                fields=form.meeting_fields(),
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(request.path)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The meeting has been saved."))
            return redirect(meeting.get_absolute_url())
    return _form_page(
        request, access, form, page_title=meeting.title, submit_label=_("Save"),
        back_url=meeting.get_absolute_url(), form_id="meeting-form",
    )  # fmt: skip


@programme_view(*READERS)
def meeting_detail(request: HttpRequest, access: ProgrammeAccess, meeting_id: str) -> HttpResponse:
    meeting = permissions.get_meeting_for_user(request.user, access.programme, meeting_id)
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "access": access, "meeting": meeting, "page": selectors.meeting_page(meeting),
            "can_manage": access.has_role(Role.COORDINATOR),
            "show_names": permissions.may_see_names(request.user, access.programme),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def meeting_attendance(request: HttpRequest, access: ProgrammeAccess, meeting_id: str) -> HttpResponse:
    meeting = permissions.get_meeting_for_user(request.user, access.programme, meeting_id)
    members = selectors.current_members(meeting.body)
    page = selectors.meeting_page(meeting)
    initial = {
        "members": [str(a.member.public_id) for a in page.attendances if a.member_id],
        "organisations": [str(a.organisation.public_id) for a in page.attendances if a.kind == "organisation"],
        "groups": [str(a.citizen_group.public_id) for a in page.attendances if a.citizen_group_id],
        "guests": "\n".join(a.name for a in page.attendances if a.kind == "guest"),
        "others": meeting.other_participants,
    }
    form = AttendanceForm(request.POST or None, initial=initial, meeting=meeting, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            total = services.meeting_attendance_set(
                actor=request.user, meeting=meeting, members=list(data["members"]),
                organisations=list(data["organisations"]), groups=list(data["groups"]), guests=form.guest_names(),
                others=data["others"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = ngettext(
                "Attendance saved: %(count)d participant.", "Attendance saved: %(count)d participants.", total
            )
            messages.success(request, message % {"count": total})
            return redirect(meeting.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("Attendance: %(meeting)s") % {"meeting": meeting.title},
        submit_label=_("Save attendance"), back_url=meeting.get_absolute_url(), form_id="attendance-form",
    )  # fmt: skip


# --- Decisions ---------------------------------------------------------------------------------------


@programme_view(*MANAGERS)
def decision_add(request: HttpRequest, access: ProgrammeAccess, meeting_id: str) -> HttpResponse:
    meeting = permissions.get_meeting_for_user(request.user, access.programme, meeting_id)
    codes = selectors.indicator_codes(access.programme)
    form = DecisionForm(request.POST or None, programme=access.programme, indicator_codes=codes)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_create(actor=request.user, meeting=meeting, fields=form.decision_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect(meeting.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("A decision of %(meeting)s") % {"meeting": meeting.title},
        submit_label=_("Record the decision"), back_url=meeting.get_absolute_url(), form_id="decision-form",
        indicator_codes=codes,
    )  # fmt: skip


@programme_view(*READERS)
def decision_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    bodies = list(Body.objects.for_programme(access.programme).order_by("kind", "name"))
    lines = list(access.programme.action_lines.order_by("position", "name"))
    filters = {
        "query": request.GET.get("q", "").strip(),
        "state": request.GET.get("state", "open") if request.GET.get("state", "open") in selectors.DECISION_STATES
        else "",
        "body": request.GET.get("body", ""),
        "action_line": request.GET.get("action_line", ""),
    }  # fmt: skip
    if filters["body"] not in {str(body.public_id) for body in bodies}:
        filters["body"] = ""
    if filters["action_line"] not in {str(line.public_id) for line in lines}:
        filters["action_line"] = ""
    decisions = selectors.decision_list(request.user, access.programme, **filters)
    export = list_export(
        request, access, name="decisioni", title=_("Decisions"), rows=decisions, columns=listcolumns.DECISIONS
    )
    if export is not None:
        return export
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/decision_list.html",
        {
            "access": access, "page": page, "filters": filters, "bodies": bodies, "lines": lines,
            "query_string": urlencode({key if key != "query" else "q": value for key, value in filters.items()}),
        },
    )  # fmt: skip


@programme_view(*READERS)
def decision_detail(request: HttpRequest, access: ProgrammeAccess, decision_id: str) -> HttpResponse:
    decision = permissions.get_decision_for_user(request.user, access.programme, decision_id)
    can_manage = access.has_role(Role.COORDINATOR)
    form = None
    if can_manage:
        initial = {"version": decision.version, "status": decision.status, "due_on": decision.due_on}
        form = FollowUpForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.decision_follow_up(
                    actor=request.user, decision=decision, expected_version=data["version"], status=data["status"],
                    note=data["note"], due_on=data["due_on"],
                )  # fmt: skip
            except StaleVersionError:
                _stale(request)
                return redirect(request.path)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The follow-up has been recorded."))
                return redirect(decision.get_absolute_url())
    return render(
        request,
        "governance/decision_detail.html",
        {
            "access": access, "decision": decision, "updates": selectors.decision_updates(decision), "form": form,
            "show_names": permissions.may_see_names(request.user, access.programme),
        },
    )  # fmt: skip
