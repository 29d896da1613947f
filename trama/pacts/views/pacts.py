"""The pact: list, drafting, its page, its text, signatories, budget lines, commitments, versions
and signature, start and interruption, the PDF to sign and the two-sided ledger."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.activities.models import Activity
from trama.casework.models import Case
from trama.casework.permissions import visible_cases
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.pacts import documents, selectors
from trama.pacts.forms import (
    BudgetLineForm,
    CaseForm,
    CommitmentForm,
    InterruptForm,
    PactCreateForm,
    PactEditForm,
    ScanForm,
    SignatoryForm,
    SignForm,
    StartForm,
)
from trama.pacts.models import Pact, PactVersion
from trama.pacts.permissions import can_write
from trama.pacts.services import pacts as services
from trama.pacts.services.common import add_months
from trama.pacts.services.pacts import PactText
from trama.pacts.views.common import PACT_ROLES, STALE, child, form_page, pact_for, to_pact
from trama.people.models import Person

PAGE_SIZE = 25


# --- List and drafting ------------------------------------------------------------------------


@programme_view(*PACT_ROLES)
def pact_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    status = request.GET.get("status", "")
    filters = selectors.PactFilters(
        query=request.GET.get("q", "").strip()[:100],
        status=status if status in Pact.Status.values else "",
        mine=request.GET.get("mine") == "1",
    )
    pacts = selectors.pact_list(request.user, access.programme, filters)
    export = list_export(request, access, name="patti", title=_("Pacts"), rows=pacts, columns=listcolumns.PACTS)
    if export is not None:
        return export
    page = Paginator(pacts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pacts/pact_list.html",
        {
            "access": access,
            "page": page,
            "filters": filters,
            "statuses": Pact.Status.choices,
            "query_string": urlencode(
                {"q": filters.query, "status": filters.status, "mine": "1" if filters.mine else ""}
            ),
        },
    )


def _draftable_cases(request: HttpRequest, access: ProgrammeAccess) -> object:
    """Open cases the user may draft a pact for: all for coordinators, their team's for operators."""
    cases = visible_cases(request.user, access.programme).filter(status=Case.Status.OPEN)
    if not access.has_role(Role.COORDINATOR):
        cases = cases.filter(team__user=request.user)
    return cases.select_related("household__municipality").order_by("household__label")


@programme_view(*PACT_ROLES)
def pact_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """Drafting takes two steps: the case (`?case=<id>`, also the link from a case's page), then
    the beneficiary among its household and the pact's text."""
    cases = _draftable_cases(request, access)
    choose = CaseForm(request.GET if "case" in request.GET else None, cases=cases)
    if not choose.is_bound or not choose.is_valid():
        return render(request, "pacts/pact_create_case.html", {"access": access, "form": choose})
    case = choose.cleaned_data["case"]
    people = Person.objects.filter(
        household_memberships__household=case.household, erased_at__isnull=True, is_restricted=False
    ).order_by("last_name", "first_name")
    today = timezone.localdate()
    initial = {
        "person": case.household.primary_contact.public_id if case.household.primary_contact_id else None,
        "scope": Pact.Scope.PERSON, "start_date": today, "end_date": add_months(today, 12) - timedelta(days=1),
        "review_interval_months": 3,
    }  # fmt: skip
    form = PactCreateForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pact = services.pact_create(
                actor=request.user, case=case, person=data["person"], scope=data["scope"],
                review_interval_months=data["review_interval_months"],
                text=PactText(objectives=data["objectives"], start_date=data["start_date"], end_date=data["end_date"]),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pact has been drafted: now add what the community gives and gives back."))
            return to_pact(pact)
    return render(request, "pacts/pact_create.html", {"access": access, "case": case, "form": form})


# --- The pact's page --------------------------------------------------------------------------


@programme_view(*PACT_ROLES)
def pact_detail(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    """The pact's page; opening it writes a READ audit row (S10)."""
    pact = pact_for(request, access, pact_id, audit=True)
    record = selectors.pact_record(pact)
    return render(
        request,
        "pacts/pact_detail.html",
        {
            "access": access,
            "pact": pact,
            "record": record,
            "text": pact.latest_version,
            **selectors.context_flags(pact, can_write(request.user, pact), access.has_role(Role.COORDINATOR)),
        },
    )


@programme_view(*PACT_ROLES)
def pact_ledger(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    """The two-sided ledger: what the community gave, what the beneficiary gave back, by month."""
    pact = pact_for(request, access, pact_id, audit=True)
    record = selectors.pact_record(pact)
    return render(
        request,
        "pacts/ledger.html",
        {"access": access, "pact": pact, "record": record, "months": selectors.ledger(pact)},
    )


@programme_view(*PACT_ROLES)
def pact_edit(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    draft = pact.latest_version

    def form_for(data: object = None) -> PactEditForm:
        initial = {
            "version": pact.version, "objectives": draft.objectives, "start_date": draft.start_date,
            "end_date": draft.end_date, "scope": pact.scope, "review_interval_months": pact.review_interval_months,
            "change_note": draft.change_note if draft.is_draft else "",
        }  # fmt: skip
        return PactEditForm(data, initial=initial)

    form = form_for(request.POST or None)
    title = _("Change the pact")
    intro = "" if draft.is_draft else _("The pact is signed: your change makes a new version, to be signed again.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.pact_update(
                actor=request.user, pact=pact, expected_version=data["version"], scope=data["scope"],
                review_interval_months=data["review_interval_months"], change_note=data["change_note"],
                text=PactText(objectives=data["objectives"], start_date=data["start_date"], end_date=data["end_date"]),
            )  # fmt: skip
        except StaleVersionError:
            pact.refresh_from_db()
            draft = pact.latest_version
            messages.error(request, STALE)
            return form_page(request, access, pact, form_for(), title=title, submit=_("Save"), intro=intro, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pact has been saved."))
            return to_pact(pact)
    return form_page(request, access, pact, form, title=title, submit=_("Save"), intro=intro)


# --- Signatories ------------------------------------------------------------------------------


@programme_view(*PACT_ROLES)
def signatory_add(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    programme = access.programme
    form = SignatoryForm(
        request.POST or None,
        places=CommunityPlace.objects.filter(programme=programme).order_by("name"),
        groups=CitizenGroup.objects.filter(programme=programme).order_by("name"),
        organisations=Organisation.objects.filter(partnerships__programme=programme).distinct().order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.signatory_add(
                actor=request.user, pact=pact, kind=data["kind"], place=data["place"], group=data["group"],
                organisation=data["organisation"], signer_name=data["signer_name"], role_in_pact=data["role_in_pact"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The signatory has been added."))
            return to_pact(pact, "signatories")
    return form_page(
        request, access, pact, form, title=_("Add a signatory"), submit=_("Add"), script="js/pacts.js",
        intro=_("A community actor who takes part in the pact: a place, a citizen group, a company or a partner."),
    )  # fmt: skip


@programme_view(*PACT_ROLES)
def signatory_remove(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, signatory_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    signatory = child(pact.signatories.select_related("place", "group", "organisation", "person"), signatory_id)
    if request.method == "POST":
        try:
            services.signatory_remove(actor=request.user, pact=pact, signatory=signatory)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The signatory has been removed."))
        return to_pact(pact, "signatories")
    return form_page(
        request, access, pact, None, title=_("Remove a signatory"), submit=_("Remove"), danger=True,
        intro=_("%(name)s will no longer sign the pact. If the pact is signed, this makes a new version to sign.")
        % {"name": signatory.name},
    )  # fmt: skip


# --- Budget lines -----------------------------------------------------------------------------


def _funders(access: ProgrammeAccess) -> object:
    return (
        Organisation.objects.filter(Q(partnerships__programme=access.programme) | Q(kind=Organisation.Kind.FOUNDATION))
        .distinct()
        .order_by("name")
    )


@programme_view(*PACT_ROLES)
def line_create(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    return _line_form(request, access, pact_id, None)


@programme_view(*PACT_ROLES)
def line_edit(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, line_id: UUID) -> HttpResponse:
    return _line_form(request, access, pact_id, line_id)


def _line_form(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, line_id: UUID | None) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    line = child(pact.budget_lines.select_related("funder"), line_id) if line_id else None
    initial = {}
    if line is not None:
        initial = {
            "version": line.version, "purpose": line.purpose, "description": line.description, "source": line.source,
            "funder": line.funder.public_id if line.funder else None, "amount": line.amount,
        }  # fmt: skip
    form = BudgetLineForm(request.POST or None, funders=_funders(access), initial=initial)
    title = _("Change a budget line") if line else _("Add a budget line")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.budget_line_save(
                actor=request.user, pact=pact, line=line, expected_version=data["version"], purpose=data["purpose"],
                description=data["description"], source=data["source"], funder=data["funder"], amount=data["amount"],
            )  # fmt: skip
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget line has been saved."))
            return to_pact(pact, "budget")
    return form_page(request, access, pact, form, title=title, submit=_("Save"), intro=_signed_note(pact))


def _signed_note(pact: Pact) -> str:
    if pact.latest_version and not pact.latest_version.is_draft:
        return _("The pact is signed: your change makes a new version, to be signed again.")
    return ""


@programme_view(*PACT_ROLES)
def line_delete(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, line_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    line = child(pact.budget_lines.all(), line_id)
    if request.method == "POST":
        try:
            services.budget_line_delete(actor=request.user, pact=pact, line=line)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The budget line has been removed."))
        return to_pact(pact, "budget")
    return form_page(
        request, access, pact, None, title=_("Remove a budget line"), submit=_("Remove"), danger=True,
        intro=_("The line “%(purpose)s” will be removed from the version to sign.")
        % {"purpose": line.get_purpose_display()},
    )  # fmt: skip


# --- Commitments ------------------------------------------------------------------------------


def _commitment_form(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, commitment_id: UUID | None
                     ) -> HttpResponse:  # fmt: skip
    pact = pact_for(request, access, pact_id)
    programme = access.programme
    commitment = (
        child(pact.commitments.select_related("place", "group", "activity"), commitment_id) if commitment_id else None
    )
    form = CommitmentForm(
        request.POST or None,
        initial=CommitmentForm.initial_for(commitment) if commitment else {},
        places=CommunityPlace.objects.filter(programme=programme).order_by("name"),
        groups=CitizenGroup.objects.filter(programme=programme).order_by("name"),
        activities=Activity.objects.filter(programme=programme, status=Activity.Status.ACTIVE).order_by("title"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.commitment_save(
                actor=request.user, pact=pact, commitment=commitment, expected_version=data["version"],
                description=data["description"], hours=data["hours"], **form.targets(),
            )  # fmt: skip
        except StaleVersionError:
            messages.error(request, STALE)
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The commitment has been saved."))
            return to_pact(pact, "commitments")
    title = _("Change a commitment") if commitment else _("Add a commitment")
    return form_page(request, access, pact, form, title=title, submit=_("Save"), intro=_signed_note(pact),
                     script="js/pacts.js")  # fmt: skip


@programme_view(*PACT_ROLES)
def commitment_create(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    return _commitment_form(request, access, pact_id, None)


@programme_view(*PACT_ROLES)
def commitment_edit(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, commitment_id: UUID) -> HttpResponse:
    return _commitment_form(request, access, pact_id, commitment_id)


@programme_view(*PACT_ROLES)
def commitment_delete(
    request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, commitment_id: UUID
) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    commitment = child(pact.commitments.all(), commitment_id)
    if request.method == "POST":
        try:
            services.commitment_delete(actor=request.user, pact=pact, commitment=commitment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The commitment has been removed."))
        return to_pact(pact, "commitments")
    return form_page(
        request, access, pact, None, title=_("Remove a commitment"), submit=_("Remove"), danger=True,
        intro=_("The commitment “%(what)s” will be removed from the version to sign.")
        % {"what": commitment.description},
    )  # fmt: skip


# --- Versions, signature, the document --------------------------------------------------------


@programme_view(*PACT_ROLES)
def pact_sign(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    version = pact.latest_version
    if not version.is_draft:
        messages.info(request, _("There is no new version to sign."))
        return to_pact(pact)
    form = SignForm(request.POST or None, request.FILES or None, initial={"signed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.pact_sign(
                actor=request.user, pact=pact, signed_on=form.cleaned_data["signed_on"], scan=form.cleaned_data["scan"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The signature has been recorded: this version is now in force."))
            return to_pact(pact, "versions")
    pdf_url = reverse(
        "pacts:version-pdf", kwargs={"slug": access.programme.slug, "pact_id": pact.public_id, "number": version.number}
    )
    return form_page(
        request, access, pact, form, title=_("Record the signature of version %(number)s") % {"number": version.number},
        submit=_("Record the signature"), pdf_url=pdf_url,
        intro=_("Print the pact, read it with the beneficiary and the other parties, and have it signed. Once "
                "recorded, this version cannot change any more: a later change makes a new version."),
    )  # fmt: skip


def _version(pact: Pact, number: int) -> PactVersion:
    version = pact.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


@programme_view(*PACT_ROLES)
def version_pdf(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, number: int) -> HttpResponse:
    """The pact's version as a plain-language Italian PDF, ready to sign (an audited export)."""
    pact = pact_for(request, access, pact_id)
    version = _version(pact, number)
    pdf = documents.pact_pdf_export(actor=request.user, pact=pact, version=version, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="patto-{pact.public_id}-v{version.number}.pdf"'
    return response


@programme_view(*PACT_ROLES)
def version_scan(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, number: int) -> HttpResponse:
    """The signed copy, only through this authorised view, as a download (S20)."""
    pact = pact_for(request, access, pact_id, audit=True)
    version = _version(pact, number)
    if not version.signed_scan:
        raise Http404
    extension = version.signed_scan.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        version.signed_scan.open("rb"), as_attachment=True,
        filename=f"patto-{pact.public_id}-v{version.number}-firmato.{extension}",
    )  # fmt: skip


@programme_view(*PACT_ROLES)
def version_scan_upload(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, number: int) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    version = _version(pact, number)
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_attach_scan(actor=request.user, pact=pact, version=version, scan=form.cleaned_data["scan"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The signed copy has been attached."))
            return to_pact(pact, "versions")
    return form_page(
        request, access, pact, form, title=_("Attach the signed copy of version %(number)s") % {"number": number},
        submit=_("Attach"),
    )  # fmt: skip


# --- Start and interruption -------------------------------------------------------------------


@programme_view(*PACT_ROLES)
def pact_start(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    today = timezone.localdate()
    start = pact.version_in_force.start_date if pact.version_in_force else today
    form = StartForm(request.POST or None, initial={"started_on": min(start, today)})
    if request.method == "POST" and form.is_valid():
        try:
            services.pact_start(actor=request.user, pact=pact, started_on=form.cleaned_data["started_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pact has started."))
            return to_pact(pact)
    return form_page(
        request, access, pact, form, title=_("Start the pact"), submit=_("Start the pact"),
        intro=_("From the start the budget can be used and hours given back; the first review is due after the "
                "review interval."),
    )  # fmt: skip


@programme_view(*PACT_ROLES)
def pact_interrupt(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    form = InterruptForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.pact_interrupt(
                actor=request.user, pact=pact, reason=form.cleaned_data["reason"],
                closed_on=form.cleaned_data["closed_on"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pact has been interrupted."))
            return to_pact(pact)
    return form_page(
        request, access, pact, form, title=_("Interrupt the pact"), submit=_("Interrupt the pact"), danger=True,
        intro=_("The pact closes now. Requests for money still waiting are refused; what was given and given back "
                "stays on record."),
    )  # fmt: skip
