"""Referrals: create from a case, follow them from both sides, decide, revoke.

The sending side reaches a referral through its case (S2); the receiving organisation through its
queue, seeing only the minimal data (name, age band, what for, who sent it) and only while the
referral is pending, accepted or completed (S5).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.casework.delivery_forms import ReferralDecisionForm, ReferralForm
from trama.casework.models import Referral
from trama.casework.permissions import get_case_for_user, is_case_team_member
from trama.casework.selectors import delivery as selectors
from trama.casework.services import referrals as services
from trama.casework.views.assessments import CASE_ROLES, case_url
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors as apply_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import Consent, Person

PAGE_SIZE = 25
Status = Referral.Status
# Public addresses are Italian: /segnalazioni/<id>/accetta/ …
ACTIONS = {"accetta": Status.ACCEPTED, "rifiuta": Status.REJECTED, "completa": Status.COMPLETED}
ACTION_WORDS = {str(status): word for word, status in ACTIONS.items()}


def _stale_message() -> str:
    return _("Someone else changed this referral in the meantime: look at its state and try again.")


def _referral_url(access: ProgrammeAccess, referral: Referral) -> str:
    return reverse(
        "casework:referral-detail",
        kwargs={"slug": access.programme.slug, "case_id": referral.case.public_id, "referral_id": referral.public_id},
    )


# --- From the case ----------------------------------------------------------------------------


@programme_view(*CASE_ROLES)
def referral_create(request: HttpRequest, access: ProgrammeAccess, case_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    if not selectors.can_work_on_case(request.user, case):
        raise PermissionDenied
    people = Person.objects.filter(household_memberships__household=case.household_id).order_by("first_name")
    programme = access.programme
    form = ReferralForm(
        request.POST or None,
        people=people,
        places=CommunityPlace.objects.filter(programme=programme)
        .select_related("managing_organisation")
        .order_by("name"),
        groups=CitizenGroup.objects.filter(programme=programme).order_by("name"),
        organisations=Organisation.objects.filter(partnerships__programme=programme).order_by("name"),
        can_override=access.has_role(Role.COORDINATOR),
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(actor=request.user, case=case, **form.referral_fields())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The referral has been sent."))
            return redirect(_referral_url(access, referral))
    today = timezone.localdate()
    consents = [
        consent
        for consent in Consent.objects.filter(person__in=people, purpose=Consent.Purpose.SHARING)
        .select_related("person", "partner")
        .order_by("person__first_name", "partner__name")
        if consent.is_active(today)
    ]
    return render(
        request,
        "casework/referral_form.html",
        {
            "access": access,
            "case": case,
            "form": form,
            "consents": consents,
            "back_url": case_url(access, case, "referrals"),
        },
    )


@programme_view(*CASE_ROLES)
def referral_detail(request: HttpRequest, access: ProgrammeAccess, case_id: str, referral_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    referral = selectors.get_referral_for_case(case, referral_id)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ, actor=request.user, request=request, programme=access.programme,
            target=referral,
        )  # fmt: skip
    on_team = is_case_team_member(request.user, case)
    memberships = access.memberships
    actions = selectors.referral_actions(
        referral,
        request.user,
        on_team=on_team,
        coordinator=access.has_role(Role.COORDINATOR),
        receiving={m.organisation_id for m in memberships if m.role in selectors.RECEIVING_ROLES},
    )
    return render(
        request,
        "casework/referral_detail.html",
        {
            "access": access,
            "case": case,
            "referral": referral,
            "transitions": referral.transitions.select_related("by").order_by("created_at"),
            "can_read_reason": on_team,
            "actions": [(status, ACTION_WORDS.get(status)) for status in actions],
            "case_url": case_url(access, case, "referrals"),
        },
    )


@programme_view(*CASE_ROLES)
def referral_revoke(request: HttpRequest, access: ProgrammeAccess, case_id: str, referral_id: str) -> HttpResponse:
    case = get_case_for_user(request.user, access.programme, case_id, request=request)
    referral = selectors.get_referral_for_case(case, referral_id)
    form = ReferralDecisionForm(request.POST or None, reason_required=False, initial={"version": referral.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_revoke(
                actor=request.user,
                referral=referral,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersionError:
            messages.error(request, _stale_message())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The referral has been revoked: the receiving side no longer sees it."))
        return redirect(_referral_url(access, referral))
    return render(
        request,
        "casework/referral_decide.html",
        {
            "access": access,
            "referral": referral,
            "form": form,
            "decision": Status.REVOKED,
            "back_url": _referral_url(access, referral),
        },
    )


# --- Queues ------------------------------------------------------------------------------------


@programme_view(Role.OPERATOR, Role.LAB_MANAGER)
def referral_inbox(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The queue “referred to my organisation”."""
    status = request.GET.get("status", "")
    status = status if status in selectors.RECEIVING_VISIBLE else ""
    referrals = selectors.referrals_received(request.user, access.programme, status=status)
    export = list_export(
        request, access, name="invii-ricevuti", title=_("Referred to my organisation"), rows=referrals,
        columns=listcolumns.REFERRALS_RECEIVED,
    )  # fmt: skip
    if export is not None:
        return export
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    for referral in page.object_list:
        referral.age_band = selectors.age_band(referral.person)
    return render(
        request,
        "casework/referral_inbox.html",
        {
            "access": access,
            "page": page,
            "status": status,
            "statuses": [(value, Status(value).label) for value in selectors.RECEIVING_VISIBLE],
            "query_string": urlencode({"status": status}),
        },
    )


@programme_view(*CASE_ROLES)
def referral_outbox(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The queue “my pending referrals”: open ones by default, any state on request."""
    status = request.GET.get("status", "")
    status = status if status in [*Status.values, "all"] else ""
    referrals = selectors.referrals_sent(request.user, access.programme, status=status)
    export = list_export(
        request, access, name="invii", title=_("My referrals"), rows=referrals, columns=listcolumns.REFERRALS_SENT
    )
    if export is not None:
        return export
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/referral_outbox.html",
        {
            "access": access,
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "query_string": urlencode({"status": status}),
        },
    )


# --- The receiving side ------------------------------------------------------------------------


@programme_view(Role.OPERATOR, Role.LAB_MANAGER)
def referral_received(request: HttpRequest, access: ProgrammeAccess, referral_id: str) -> HttpResponse:
    referral = selectors.get_received_referral(request.user, access.programme, referral_id, request=request)
    allowed = Referral.TRANSITIONS[referral.status]
    return render(
        request,
        "casework/referral_received.html",
        {
            "access": access,
            "referral": referral,
            "age_band": selectors.age_band(referral.person),
            "actions": [(str(status), word) for word, status in ACTIONS.items() if status in allowed],
        },
    )


@programme_view(Role.OPERATOR, Role.LAB_MANAGER, Role.COORDINATOR)
def referral_decide(request: HttpRequest, access: ProgrammeAccess, referral_id: str, action: str) -> HttpResponse:
    """Accept, reject or complete: the receiving organisation, or for a group or an external
    service the case team recording the answer they were given."""
    if action not in ACTIONS:
        raise Http404
    decision = ACTIONS[action]
    referral = selectors.get_referral_for_decision(request.user, access.programme, referral_id)
    receiving_side = referral.receiving_organisation is not None
    back_url = (
        reverse("casework:referral-received", kwargs={"slug": access.programme.slug, "referral_id": referral.public_id})
        if receiving_side
        else _referral_url(access, referral)
    )
    form = ReferralDecisionForm(
        request.POST or None, reason_required=decision == Status.REJECTED, initial={"version": referral.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_transition(
                actor=request.user,
                referral=referral,
                to_status=decision,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersionError:
            messages.error(request, _stale_message())
            return redirect(back_url)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(back_url)
        else:
            messages.success(request, _("The referral is now %(status)s.") % {"status": decision.label})
            if receiving_side and decision == Status.REJECTED:
                # Rejecting removes the receiving side's access at once: back to the queue.
                return redirect("casework:referral-inbox", slug=access.programme.slug)
            return redirect(back_url)
    return render(
        request,
        "casework/referral_decide.html",
        {"access": access, "referral": referral, "form": form, "decision": decision, "back_url": back_url,
         "minimal": receiving_side},
    )  # fmt: skip
