"""People, households, consent, data-subject rights and the register of processing.

Thin views: programme gate → access function (audited read) → form → service → redirect.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.models import Case
from trama.core.concurrency import StaleVersionError
from trama.core.exports import csv_bytes
from trama.core.forms import add_service_errors
from trama.core.processing import register
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.people import services
from trama.people.documents import render_pdf
from trama.people.forms import (
    ConsentForm,
    ErasureForm,
    NewMemberForm,
    NewPersonForm,
    PersonForm,
    PrimaryContactForm,
    RelationForm,
)
from trama.people.models import Household, HouseholdMember, Person
from trama.people.permissions import get_household_for_user, get_person_for_user
from trama.people.rights import access_events, access_rows, person_file, retention_rules
from trama.people.selectors import (
    composition,
    duplicates_visible_to,
    household_cases,
    household_members,
    may_edit_household,
    may_edit_person,
    people_search,
    person_cases,
    person_consents,
    person_memberships,
    programme_partners,
)
from trama.territory.models import Municipality

PAGE_SIZE = 25
ACCESS_PAGE_SIZE = 50
STAFF = (Role.COORDINATOR, Role.OPERATOR)
STALE = gettext_lazy(
    "Someone else saved this record while you were editing it. Their version is shown: apply your changes again."
)


def _case_url(slug: str, case: Case) -> str | None:
    """The case page, when the casework routes offer it (they are built alongside)."""
    try:
        return reverse("casework:case-detail", kwargs={"slug": slug, "case_id": case.public_id})
    except NoReverseMatch:
        return None


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _municipalities(access: ProgrammeAccess, person: Person | None = None) -> QuerySet[Municipality]:
    """The programme's territory, and the person's current municipality if they live elsewhere."""
    current = Q(pk=person.municipality_id) if person is not None and person.municipality_id else Q(pk__in=[])
    return Municipality.objects.filter(Q(programmes=access.programme) | current).distinct().order_by("name")


# --- Search and detail -----------------------------------------------------------------------


@programme_view(*STAFF)
def person_search(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    coordinator = access.has_role(Role.COORDINATOR)
    include_restricted = coordinator and request.GET.get("limitati") == "1"
    people = people_search(request.user, access.programme, query=query, include_restricted=include_restricted)
    export = list_export(request, access, name="persone", title=_("People"), rows=people, columns=listcolumns.PEOPLE)
    if export is not None:
        return export
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    services.person_search_record(actor=request.user, programme=access.programme, query=query, request=request)
    query_string = urlencode({"q": query, **({"limitati": "1"} if include_restricted else {})})
    return render(
        request,
        "people/person_search.html",
        {
            "access": access,
            "page": page,
            "query": query,
            "query_string": query_string,
            "include_restricted": include_restricted,
            "is_coordinator": coordinator,
        },
    )


@programme_view(*STAFF)
def person_detail(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    slug = access.programme.slug
    return render(
        request,
        "people/person_detail.html",
        {
            "access": access,
            "person": person,
            "memberships": person_memberships(request.user, access.programme, person),
            "consents": person_consents(person),
            "cases": [(case, _case_url(slug, case)) for case in person_cases(request.user, access.programme, person)],
            "can_edit": may_edit_person(request.user, person),
            "is_coordinator": access.has_role(Role.COORDINATOR),
            "today": timezone.localdate(),
        },
    )


@programme_view(*STAFF)
def household_detail(request: HttpRequest, access: ProgrammeAccess, household_id: str) -> HttpResponse:
    household = get_household_for_user(request.user, access.programme, household_id, request=request)
    members = household_members(household)
    slug = access.programme.slug
    today = timezone.localdate()
    can_edit = may_edit_household(request.user, household)
    contact_form = None
    if can_edit:
        contact_form = PrimaryContactForm(
            initial={
                "version": household.version,
                "primary_contact": members_by_pk(members).get(household.primary_contact_id),
            },
            members=Person.objects.filter(pk__in=[m.person_id for m in members]),
        )
    return render(
        request,
        "people/household_detail.html",
        {
            "access": access,
            "household": household,
            "members": [(member, member.person.age(today)) for member in members],
            "composition": composition([member.person for member in members], today),
            "cases": [
                (case, _case_url(slug, case)) for case in household_cases(request.user, access.programme, household)
            ],
            "can_edit": can_edit,
            "contact_form": contact_form,
        },
    )


def members_by_pk(members: list[HouseholdMember]) -> dict[int, Person]:
    return {member.person_id: member.person for member in members}


# --- Creating and editing people --------------------------------------------------------------


def _duplicate_context(
    request: HttpRequest, access: ProgrammeAccess, error: services.DuplicatePersonError
) -> dict[str, Any]:
    """What the user may be told of a possible duplicate: the match itself only if they may see
    it; otherwise that the programme knows such a person, and whom to ask."""
    visible = duplicates_visible_to(request.user, access.programme, error.matches)
    return {
        "duplicates": visible,
        "hidden_duplicate": len(visible) < len(error.matches),
        "same_tax_code": error.same_tax_code,
    }


@programme_view(Role.COORDINATOR)
def person_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    form = NewPersonForm(request.POST or None, municipalities=_municipalities(access))
    duplicate: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=request.user,
                programme=access.programme,
                fields=form.person_fields(),
                different_person=form.cleaned_data["different_person"],
            )
        except services.DuplicatePersonError as error:
            duplicate = _duplicate_context(request, access, error)
            if not error.same_tax_code:
                form.offer_different_person()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The person has been added."))
            return redirect("people:person-detail", slug=access.programme.slug, person_id=person.public_id)
    return render(
        request,
        "people/person_form.html",
        {"access": access, "form": form, "person": None, "household": None, **duplicate},
    )


@programme_view(*STAFF)
def household_member_create(request: HttpRequest, access: ProgrammeAccess, household_id: str) -> HttpResponse:
    household = get_household_for_user(request.user, access.programme, household_id, request=request)
    if not may_edit_household(request.user, household):
        raise PermissionDenied
    form = NewMemberForm(request.POST or None, municipalities=_municipalities(access))
    duplicate: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.person_create(
                actor=request.user,
                programme=access.programme,
                fields=form.person_fields(),
                household=household,
                relation=form.cleaned_data["relation"],
                different_person=form.cleaned_data["different_person"],
            )
        except services.DuplicatePersonError as error:
            duplicate = _duplicate_context(request, access, error)
            if not error.same_tax_code:
                form.offer_different_person()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The person has been added to the household."))
            return redirect("people:household-detail", slug=access.programme.slug, household_id=household.public_id)
    return render(
        request,
        "people/person_form.html",
        {"access": access, "form": form, "person": None, "household": household, **duplicate},
    )


@programme_view(*STAFF)
def person_edit(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    if not may_edit_person(request.user, person):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person, municipalities=_municipalities(access, person))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data["version"] or 0,
                fields=form.person_fields(),
            )
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect("people:person-edit", slug=access.programme.slug, person_id=person.public_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The person's details have been saved."))
            return redirect("people:person-detail", slug=access.programme.slug, person_id=person.public_id)
    return render(
        request, "people/person_form.html", {"access": access, "form": form, "person": person, "household": None}
    )


# --- Household membership ------------------------------------------------------------------


def _editable_household(request: HttpRequest, access: ProgrammeAccess, household_id: str) -> Household:
    household = get_household_for_user(request.user, access.programme, household_id, request=request)
    if not may_edit_household(request.user, household):
        raise PermissionDenied
    return household


@programme_view(*STAFF)
def household_member_add(
    request: HttpRequest, access: ProgrammeAccess, household_id: str, person_id: str
) -> HttpResponse:
    household = _editable_household(request, access, household_id)
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    form = RelationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_add_member(
                actor=request.user, household=household, person=person, relation=form.cleaned_data["relation"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The person has been added to the household."))
            return redirect("people:household-detail", slug=access.programme.slug, household_id=household.public_id)
    return render(
        request, "people/member_add.html", {"access": access, "household": household, "person": person, "form": form}
    )


@programme_view(*STAFF)
def household_member_remove(
    request: HttpRequest, access: ProgrammeAccess, household_id: str, member_id: str
) -> HttpResponse:
    household = _editable_household(request, access, household_id)
    member = HouseholdMember.objects.filter(household=household, public_id=member_id).select_related("person").first()
    if member is None:
        raise Http404
    if request.method == "POST":
        services.household_remove_member(actor=request.user, household=household, member=member)
        messages.success(request, _("The person is no longer a member of the household."))
        return redirect("people:household-detail", slug=access.programme.slug, household_id=household.public_id)
    return render(request, "people/member_remove.html", {"access": access, "household": household, "member": member})


@programme_view(*STAFF)
def household_primary_contact(request: HttpRequest, access: ProgrammeAccess, household_id: str) -> HttpResponse:
    household = _editable_household(request, access, household_id)
    members = Person.objects.filter(household_memberships__household=household)
    form = PrimaryContactForm(request.POST or None, members=members, initial={"version": household.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.household_set_primary_contact(
                actor=request.user,
                household=household,
                person=form.cleaned_data["primary_contact"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect("people:household-detail", slug=access.programme.slug, household_id=household.public_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The primary contact has been saved."))
            return redirect("people:household-detail", slug=access.programme.slug, household_id=household.public_id)
    return render(request, "people/primary_contact.html", {"access": access, "household": household, "form": form})


# --- Consent -----------------------------------------------------------------------------


def _editable_person(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> Person:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    if not may_edit_person(request.user, person):
        raise PermissionDenied
    return person


@programme_view(*STAFF)
def consent_create(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = _editable_person(request, access, person_id)
    form = ConsentForm(
        request.POST or None, request.FILES or None, person=person, partners=programme_partners(access.programme)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                actor=request.user,
                person=person,
                fields=form.consent_fields(),
                signed_form=form.cleaned_data["signed_form_upload"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent has been recorded."))
            return redirect("people:person-detail", slug=access.programme.slug, person_id=person.public_id)
    return render(request, "people/consent_form.html", {"access": access, "person": person, "form": form})


def _consent(person: Person, consent_id: str) -> Any:
    consent = person.consents.filter(public_id=consent_id).select_related("partner").first()
    if consent is None:
        raise Http404
    return consent


@programme_view(*STAFF)
def consent_withdraw(request: HttpRequest, access: ProgrammeAccess, person_id: str, consent_id: str) -> HttpResponse:
    person = _editable_person(request, access, person_id)
    consent = _consent(person, consent_id)
    if request.method == "POST":
        try:
            services.consent_withdraw(actor=request.user, consent=consent)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The consent has been withdrawn."))
        return redirect("people:person-detail", slug=access.programme.slug, person_id=person.public_id)
    return render(request, "people/consent_withdraw.html", {"access": access, "person": person, "consent": consent})


@programme_view(*STAFF)
def consent_signed_form(request: HttpRequest, access: ProgrammeAccess, person_id: str, consent_id: str) -> HttpResponse:
    """The signed form, only through this authenticated, authorised view, as a download (S20)."""
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    consent = _consent(person, consent_id)
    if not consent.signed_form:
        raise Http404
    extension = consent.signed_form.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        consent.signed_form.open("rb"), as_attachment=True, filename=f"consenso-{consent.public_id}.{extension}"
    )


# --- Data-subject rights (coordinators) ------------------------------------------------------


@programme_view(Role.COORDINATOR)
def person_rights(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    return render(
        request,
        "people/person_rights.html",
        {
            "access": access,
            "person": person,
            "retention": retention_rules(),
            "blockers": services.erasure_blockers(person),
        },
    )


@programme_view(Role.COORDINATOR)
def person_access_report(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    services.person_access_report_read(actor=request.user, person=person, file_format="page")
    file = person_file(person)
    page = Paginator(access_events(file), ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = access_rows(file, list(page.object_list))
    return render(
        request, "people/access_report.html", {"access": access, "person": person, "page": page, "rows": rows}
    )


@programme_view(Role.COORDINATOR)
def person_access_report_pdf(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    services.person_access_report_read(actor=request.user, person=person, file_format="pdf")
    file = person_file(person)
    rows = access_rows(file, list(access_events(file)))
    pdf = render_pdf(
        "people/pdf/access_report.html",
        {"person": person, "programme": access.programme, "rows": rows, "generated_at": timezone.now()},
    )
    return _attachment(pdf, "application/pdf", f"accessi-{person.public_id}.pdf")


@programme_view(Role.COORDINATOR)
def person_export_json(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    data = services.person_export(actor=request.user, person=person, file_format="json")
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return _attachment(content, "application/json; charset=utf-8", f"dati-{person.public_id}.json")


@programme_view(Role.COORDINATOR)
def person_export_pdf(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    data = services.person_export(actor=request.user, person=person, file_format="pdf")
    pdf = render_pdf("people/pdf/export.html", {"data": data})
    return _attachment(pdf, "application/pdf", f"dati-{person.public_id}.pdf")


@programme_view(Role.COORDINATOR)
def person_erase(request: HttpRequest, access: ProgrammeAccess, person_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, access.programme, person_id, request=request)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.person_erase(
                actor=request.user, person=person, mode=form.cleaned_data["mode"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result is None:
                messages.success(request, _("The person has been deleted."))
                return redirect("people:person-search", slug=access.programme.slug)
            messages.success(request, _("The erasure request has been resolved."))
            return redirect("people:person-rights", slug=access.programme.slug, person_id=person.public_id)
    return render(
        request,
        "people/person_erase.html",
        {"access": access, "person": person, "form": form, "blockers": services.erasure_blockers(person)},
    )


# --- The register of processing (S14) --------------------------------------------------------


REGISTER_HEADER = (
    gettext_lazy("Record"),
    gettext_lazy("Field"),
    gettext_lazy("Category of data"),
    gettext_lazy("Purpose"),
    gettext_lazy("Retention"),
)


@programme_view(Role.COORDINATOR)
def processing_register(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    return render(
        request,
        "people/processing_register.html",
        {"access": access, "entries": register(), "retention": retention_rules()},
    )


@programme_view(Role.COORDINATOR)
def processing_register_csv(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    rows = [(e.model, e.field, e.category, e.purpose, e.retention) for e in register()]
    content = csv_bytes([str(title) for title in REGISTER_HEADER], rows)
    return _attachment(content, "text/csv; charset=utf-8", "registro-trattamenti.csv")
