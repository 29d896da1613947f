"""The Well-Fare Lab's staff pages: the catalogue of courses, a course's page (sessions, modules,
trainers, participants and their hours), attendance of a session, certificates, the participants
and each person's training record ("competence passport").

Thin views: programme gate → access function → form → service → redirect with a message.
Coordinators run courses; a course's trainers record attendance and issue certificates; every
member reads the catalogue and their own training record.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.activities.models import Occurrence
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export, requested_format
from trama.training import permissions, selectors, services
from trama.training.forms import (
    CheckinForm,
    CourseEditForm,
    CourseForm,
    EnrolForm,
    ModuleForm,
    SessionAssignForm,
    SessionForm,
    TrainerForm,
)
from trama.training.models import Audience, Certificate, Participant, Trainer

PAGE_SIZE = 25
MANAGERS = (Role.COORDINATOR,)
# The service names the times of a session; the form asks for a day and two times.
SESSION_ERROR_FIELDS = {"ends_at": "end_time", "starts_at": "start_time"}


def _form_page(request: HttpRequest, access: ProgrammeAccess, form: Any, **context: Any) -> HttpResponse:
    return render(request, "training/form_page.html", {"access": access, "form": form, **context})


def _show_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        error = ValidationError({SESSION_ERROR_FIELDS.get(name, name): e for name, e in error.error_dict.items()})
    add_service_errors(form, error)


# --- Courses ---------------------------------------------------------------------------------------


@programme_view()
def course_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "audience": request.GET.get("audience", "") if request.GET.get("audience", "") in Audience.values else "",
    }
    courses = selectors.course_list(request.user, access.programme, **filters)
    export = list_export(request, access, name="corsi", title=_("Courses"), rows=courses, columns=listcolumns.COURSES)
    if export is not None:
        return export
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    taught = set(
        Trainer.objects.filter(user=request.user, course__programme=access.programme).values_list(
            "course_id", flat=True
        )
    )
    return render(
        request,
        "training/course_list.html",
        {
            "access": access, "page": page, "filters": filters, "audiences": Audience.choices, "taught": taught,
            "query_string": urlencode({"q": filters["query"], "audience": filters["audience"]}),
            "can_manage": access.has_role(Role.COORDINATOR),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def course_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = CourseForm(request.POST or None, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(
                actor=request.user, programme=access.programme, fields=form.course_fields(),
                first_start=form.first_start(), duration_minutes=form.cleaned_data["duration_minutes"],
                sessions=form.cleaned_data["sessions"], where=form.where(),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The course has been created with its sessions."))
            return redirect(course.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("New course"), submit_label=_("Create the course"),
        back_url=reverse("training:course-list", args=[access.programme.slug]), form_id="course-form",
    )  # fmt: skip


@programme_view(*MANAGERS)
def course_edit(request: HttpRequest, access: ProgrammeAccess, course_id: str) -> HttpResponse:
    course = permissions.get_course_for_user(request.user, access.programme, course_id)
    form = CourseEditForm(request.POST or None, instance=course, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(
                actor=request.user, course=course, expected_version=form.cleaned_data["version"] or 0,
                fields=form.course_fields(),
            )  # fmt: skip
        except StaleVersionError:
            messages.error(
                request, _("Someone else changed this course in the meantime: the form shows it as it is now.")
            )
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The course has been saved."))
            return redirect(course.get_absolute_url())
    return _form_page(
        request, access, form, page_title=course.title, submit_label=_("Save"), back_url=course.get_absolute_url()
    )


@programme_view()
def course_detail(request: HttpRequest, access: ProgrammeAccess, course_id: str) -> HttpResponse:
    course = permissions.get_course_for_user(request.user, access.programme, course_id)
    return render(
        request,
        "training/course_detail.html",
        {
            "access": access, "course": course, "page": selectors.course_page(course),
            "can_manage": access.has_role(Role.COORDINATOR), "now": timezone.now(),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def module_add(request: HttpRequest, access: ProgrammeAccess, course_id: str) -> HttpResponse:
    course = permissions.get_course_for_user(request.user, access.programme, course_id)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.module_add(
                actor=request.user, course=course, title=data["title"], planned_hours=data["planned_hours"],
                description=data["description"], competences=data["competences"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The module has been added."))
            return redirect(course.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("A module of %(course)s") % {"course": course.title},
        submit_label=_("Add the module"), back_url=course.get_absolute_url(),
    )  # fmt: skip


@programme_view(*MANAGERS)
def trainer_add(request: HttpRequest, access: ProgrammeAccess, course_id: str) -> HttpResponse:
    course = permissions.get_course_for_user(request.user, access.programme, course_id)
    form = TrainerForm(request.POST or None, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.trainer_add(
                actor=request.user, course=course, user=data["user"], name=data["name"],
                organisation=data["organisation"], topic=data["topic"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The trainer has been added."))
            return redirect(course.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("A trainer of %(course)s") % {"course": course.title},
        submit_label=_("Add the trainer"), back_url=course.get_absolute_url(), form_id="trainer-form",
    )  # fmt: skip


@programme_view(*MANAGERS)
def trainer_remove(request: HttpRequest, access: ProgrammeAccess, trainer_id: str) -> HttpResponse:
    """A confirmation page first."""
    trainer = (
        Trainer.objects.filter(public_id=trainer_id, course__programme=access.programme)
        .select_related("course__programme", "user", "organisation")
        .first()
    )
    if trainer is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            services.trainer_remove(actor=request.user, trainer=trainer)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("The trainer has been removed from the course."))
            return redirect(trainer.course.get_absolute_url())
    return render(request, "training/trainer_remove.html", {"access": access, "trainer": trainer, "error": error})


@programme_view(*MANAGERS)
def session_add(request: HttpRequest, access: ProgrammeAccess, course_id: str) -> HttpResponse:
    course = permissions.get_course_for_user(request.user, access.programme, course_id)
    form = SessionForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            services.session_add(
                actor=request.user, course=course, starts_at=starts_at, ends_at=ends_at,
                module=form.cleaned_data["module"], trainer=form.cleaned_data["trainer"],
            )  # fmt: skip
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The session has been added."))
            return redirect(course.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("A session of %(course)s") % {"course": course.title},
        submit_label=_("Add the session"), back_url=course.get_absolute_url(),
    )  # fmt: skip


@programme_view(*MANAGERS)
def session_assign(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> HttpResponse:
    occurrence = permissions.get_session_occurrence(request.user, access.programme, occurrence_id)
    course = occurrence.activity.training_course
    session = getattr(occurrence, "training_session", None)
    initial = {}
    if session is not None:
        initial = {
            "module": session.module.public_id if session.module_id else None,
            "trainer": session.trainer.public_id if session.trainer_id else None,
        }
    form = SessionAssignForm(request.POST or None, initial=initial, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_assign(
                actor=request.user, course=course, occurrence=occurrence, module=form.cleaned_data["module"],
                trainer=form.cleaned_data["trainer"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The session has been saved."))
            return redirect(course.get_absolute_url())
    when = timezone.localtime(occurrence.starts_at).strftime("%d/%m/%Y %H:%M")
    return _form_page(
        request, access, form, page_title=_("Course session of %(when)s") % {"when": when}, submit_label=_("Save"),
        back_url=course.get_absolute_url(),
    )  # fmt: skip


@programme_view(*MANAGERS)
def enrol(request: HttpRequest, access: ProgrammeAccess, course_id: str) -> HttpResponse:
    course = permissions.get_course_for_user(request.user, access.programme, course_id)
    form = EnrolForm(request.POST or None, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant = services.participant_ensure(
                actor=request.user, programme=access.programme, profile=data["profile"], user=data["user"],
                first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
                organisation=data["organisation"], job_title=data["job_title"],
            )  # fmt: skip
            services.enrol(actor=request.user, course=course, participant=participant)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is enrolled.") % {"name": participant})
            return redirect(course.get_absolute_url())
    return _form_page(
        request, access, form, page_title=_("Enrol in %(course)s") % {"course": course.title},
        submit_label=_("Enrol"), back_url=course.get_absolute_url(), form_id="enrol-form",
    )  # fmt: skip


# --- Attendance and certificates ---------------------------------------------------------------------


@programme_view()
def session_attendance(request: HttpRequest, access: ProgrammeAccess, occurrence_id: str) -> HttpResponse:
    """The trainer's check-in sheet for one session of their course."""
    occurrence = permissions.get_session_occurrence(request.user, access.programme, occurrence_id)
    course = occurrence.activity.training_course
    rows = selectors.checkin_participants(occurrence)
    participants = [participant for participant, _present in rows]
    form = CheckinForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        present = form.present_participants()
        try:
            services.attendance_record(actor=request.user, occurrence=occurrence, present=present)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = ngettext(
                "Attendance saved: %(count)d person present.", "Attendance saved: %(count)d people present.",
                len(present),
            )  # fmt: skip
            messages.success(request, message % {"count": len(present)})
            return redirect(course.get_absolute_url())
    ticked = set(form["present"].value() or []) if form.is_bound else {str(p.public_id) for p, here in rows if here}
    return render(
        request,
        "training/session_attendance.html",
        {
            "access": access, "course": course, "occurrence": occurrence, "form": form,
            "rows": [(participant, str(participant.public_id) in ticked) for participant in participants],
            "refusal": _refusal(occurrence),
        },
    )  # fmt: skip


def _refusal(occurrence: Occurrence) -> str:
    if occurrence.is_cancelled:
        return _("This session was cancelled: no attendance can be recorded.")
    if timezone.localdate(occurrence.starts_at) > timezone.localdate():
        return _("Attendance can be recorded from the day of the session, not before.")
    return ""


@programme_view()
def certificates_issue(request: HttpRequest, access: ProgrammeAccess, course_id: str) -> HttpResponse:
    """A confirmation page lists who will receive the certificate; issuing freezes their hours."""
    course = permissions.get_course_for_user(request.user, access.programme, course_id)
    page = selectors.course_page(course)
    if request.method == "POST":
        issued = services.certificates_issue(actor=request.user, course=course)
        message = ngettext(
            "%(count)d certificate issued.", "%(count)d certificates issued.", len(issued)
        ) % {"count": len(issued)}  # fmt: skip
        messages.success(request, message)
        return redirect(course.get_absolute_url())
    return render(
        request,
        "training/certificates_issue.html",
        {"access": access, "course": course, "page": page,
         "eligible": [row for row in page.participants if row.eligible and row.certificate is None]},
    )  # fmt: skip


@programme_view()
def certificate_pdf(request: HttpRequest, access: ProgrammeAccess, certificate_id: str) -> HttpResponse:
    certificate = (
        Certificate.objects.filter(public_id=certificate_id, programme=access.programme)
        .select_related("programme", "course__activity", "participant__person")
        .first()
    )
    if certificate is None:
        raise Http404
    try:
        pdf = services.certificate_export(actor=request.user, certificate=certificate, request=request)
    except PermissionDenied:
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"attestato-{certificate.year}-{certificate.number:04d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


# --- Participants and training records -------------------------------------------------------------


@programme_view(*MANAGERS)
def participant_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "profile": request.GET.get("profile", "")
        if request.GET.get("profile", "") in Participant.Profile.values
        else "",
    }
    participants = selectors.participant_list(request.user, access.programme, **filters)
    if requested_format(request):
        everyone = list(participants)
        everyone_hours = selectors.hours_of(everyone)
        return list_export(
            request, access, name="partecipanti", title=_("Participants of the Well-Fare Lab"),
            rows=[(participant, everyone_hours.get(participant.person_id)) for participant in everyone],
            columns=listcolumns.PARTICIPANTS,
        )  # fmt: skip
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page"))
    hours = selectors.hours_of(list(page.object_list))
    return render(
        request,
        "training/participant_list.html",
        {
            "access": access, "page": page, "filters": filters, "profiles": Participant.Profile.choices,
            "rows": [(p, hours.get(p.person_id)) for p in page.object_list],
            "query_string": urlencode({"q": filters["query"], "profile": filters["profile"]}),
        },
    )  # fmt: skip


@programme_view()
def passport(request: HttpRequest, access: ProgrammeAccess, participant_id: str) -> HttpResponse:
    participant = permissions.get_participant_for_user(request.user, access.programme, participant_id, request=request)
    return render(
        request,
        "training/passport.html",
        {"access": access, "passport": selectors.passport(participant), "own": participant.user_id == request.user.pk},
    )


@programme_view()
def my_passport(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    participant = permissions.own_participant(request.user, access.programme)
    record = selectors.passport(participant) if participant is not None else None
    return render(request, "training/passport.html", {"access": access, "passport": record, "own": True})
