"""The community's side: requesting money, the coordinators' decision, the payment and receipt,
and the coordinators' queue of requests to decide."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.forms import add_service_errors
from trama.pacts import selectors
from trama.pacts.forms import DecisionForm, DisbursementForm, PaymentForm, ReceiptForm
from trama.pacts.models import Disbursement, Pact
from trama.pacts.services import money as services
from trama.pacts.views.common import PACT_ROLES, child, form_page, pact_for, to_pact

PAGE_SIZE = 25


def _disbursement(pact: Pact, disbursement_id: UUID) -> Disbursement:
    return child(pact.disbursements.select_related("budget_line", "requested_by", "decided_by"), disbursement_id)


def _to_disbursement(pact: Pact, disbursement: Disbursement) -> HttpResponse:
    return redirect(
        "pacts:disbursement-detail", slug=pact.programme.slug, pact_id=pact.public_id,
        disbursement_id=disbursement.public_id,
    )  # fmt: skip


@programme_view(*PACT_ROLES)
def disbursement_create(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    if not pact.is_running:
        messages.error(request, _("Money can be requested only while the pact is active."))
        return to_pact(pact, "money")
    lines = selectors.annotated_lines(pact).filter(signed_amount__gt=0)
    initial = {"due_on": timezone.localdate()}
    form = DisbursementForm(request.POST or None, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disbursement = services.disbursement_request(
                actor=request.user, pact=pact, budget_line=data["budget_line"], amount=data["amount"],
                payee=data["payee"], description=data["description"], due_on=data["due_on"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The request has been sent to the coordinators."))
            return _to_disbursement(pact, disbursement)
    return form_page(
        request, access, pact, form, title=_("Request money"), submit=_("Send the request"),
        intro=_("A coordinator approves or refuses the request. The amount cannot exceed what remains on the line."),
    )  # fmt: skip


@programme_view(*PACT_ROLES)
def disbursement_detail(
    request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, disbursement_id: UUID
) -> HttpResponse:
    pact = pact_for(request, access, pact_id, audit=True)
    disbursement = _disbursement(pact, disbursement_id)
    coordinator = access.has_role(Role.COORDINATOR)
    line = selectors.annotated_lines(pact).get(pk=disbursement.budget_line_id)
    return render(
        request,
        "pacts/disbursement_detail.html",
        {
            "access": access,
            "pact": pact,
            "disbursement": disbursement,
            "line_remaining": line.signed_amount - line.spent,
            "can_decide": coordinator
            and disbursement.status == Disbursement.Status.REQUESTED
            and disbursement.requested_by_id != request.user.pk,
            "decision_form": DecisionForm(),
            "payment_form": PaymentForm(initial={"paid_on": timezone.localdate()}),
            "receipt_form": ReceiptForm(),
        },
    )


@require_POST
@programme_view(Role.COORDINATOR)
def disbursement_decide(
    request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, disbursement_id: UUID
) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    disbursement = _disbursement(pact, disbursement_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == DecisionForm.APPROVE:
                services.disbursement_approve(actor=request.user, disbursement=disbursement)
                messages.success(request, _("The request has been approved."))
            else:
                services.disbursement_refuse(
                    actor=request.user, disbursement=disbursement, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The request has been refused."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return _to_disbursement(pact, disbursement)


@programme_view(*PACT_ROLES)
def disbursement_withdraw(
    request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, disbursement_id: UUID
) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    disbursement = _disbursement(pact, disbursement_id)
    if request.method == "POST":
        try:
            services.disbursement_withdraw(actor=request.user, disbursement=disbursement)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The request has been withdrawn."))
        return to_pact(pact, "money")
    return form_page(
        request, access, pact, None, title=_("Withdraw the request"), submit=_("Withdraw"), danger=True,
        intro=_("The request for %(payee)s will no longer be decided on.") % {"payee": disbursement.payee},
    )  # fmt: skip


@require_POST
@programme_view(*PACT_ROLES)
def disbursement_payment(
    request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, disbursement_id: UUID
) -> HttpResponse:
    """Record the payment (date and receipt), or attach the receipt to a payment recorded without."""
    pact = pact_for(request, access, pact_id)
    disbursement = _disbursement(pact, disbursement_id)
    paid = disbursement.status == Disbursement.Status.PAID
    form = (ReceiptForm if paid else PaymentForm)(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.disbursement_record_payment(
                actor=request.user, disbursement=disbursement,
                paid_on=disbursement.paid_on if paid else form.cleaned_data["paid_on"],
                receipt=form.cleaned_data["receipt"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The payment has been recorded."))
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return _to_disbursement(pact, disbursement)


@programme_view(*PACT_ROLES)
def disbursement_receipt(
    request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, disbursement_id: UUID
) -> HttpResponse:
    pact = pact_for(request, access, pact_id, audit=True)
    disbursement = _disbursement(pact, disbursement_id)
    if not disbursement.receipt:
        raise Http404
    extension = disbursement.receipt.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        disbursement.receipt.open("rb"), as_attachment=True, filename=f"ricevuta-{disbursement.public_id}.{extension}"
    )


@programme_view(Role.COORDINATOR)
def requests_queue(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The coordinators' queue: requests for money waiting for a decision, oldest first."""
    page = Paginator(selectors.requests_to_decide(access.programme), PAGE_SIZE).get_page(request.GET.get("page"))
    for disbursement in page.object_list:
        disbursement.line_remaining = disbursement.budget_line.signed_amount - disbursement.line_spent
    return render(request, "pacts/requests.html", {"access": access, "page": page, "query_string": ""})
