"""Reviews: putting a pact in review, recording the review, reading one (the assessment is the
case team's only, S6)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.models import CaseTeamMember
from trama.core.forms import add_service_errors
from trama.pacts import selectors
from trama.pacts.forms import ReviewForm
from trama.pacts.services import reviews as services
from trama.pacts.services.reviews import CommitmentOutcome, item_field
from trama.pacts.views.common import PACT_ROLES, child, form_page, pact_for, to_pact


@programme_view(*PACT_ROLES)
def review_start(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id)
    if request.method == "POST":
        try:
            services.review_open(actor=request.user, pact=pact)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return to_pact(pact)
        messages.success(request, _("The pact is in review."))
        return to_pact(pact, "reviews")
    return form_page(
        request, access, pact, None, title=_("Put the pact in review"), submit=_("Start the review"),
        intro=_("Meet the beneficiary and the places to look at the pact together. Money and hours keep flowing "
                "during the review; record it when you have decided."),
    )  # fmt: skip


@programme_view(*PACT_ROLES)
def review_create(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id, audit=True)
    commitments = list(
        selectors.annotated_commitments(pact.commitments.filter(signed_hours__gt=0)).order_by("created_at", "id")
    )
    record = selectors.pact_record(pact)
    form = ReviewForm(request.POST or None, commitments=commitments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = [
            CommitmentOutcome(c, data[item_field(c, "outcome")], data[item_field(c, "reason")]) for c in commitments
        ]
        try:
            review = services.review_record(
                actor=request.user, pact=pact, reviewed_on=data["reviewed_on"], assessment=data["assessment"],
                items=items, eligibility=data["eligibility"], eligibility_reason=data["eligibility_reason"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The review has been recorded."))
            return to_pact(pact, "reviews") if not review.ends_pact else to_pact(pact)
    return render(request, "pacts/review_form.html", {"access": access, "pact": pact, "form": form, "record": record})


@programme_view(*PACT_ROLES)
def review_detail(request: HttpRequest, access: ProgrammeAccess, pact_id: UUID, review_id: UUID) -> HttpResponse:
    pact = pact_for(request, access, pact_id, audit=True)
    review = child(pact.reviews.select_related("reviewed_by", "version").prefetch_related("items"), review_id)
    on_team = CaseTeamMember.objects.filter(case_id=pact.case_id, user=request.user).exists()
    return render(
        request, "pacts/review_detail.html", {"access": access, "pact": pact, "review": review, "on_team": on_team}
    )
