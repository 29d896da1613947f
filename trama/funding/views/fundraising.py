"""Fundraising and communication, staff pages: campaigns and their progress, donors, donations and
receipts, the mailing export, news posts.

Coordinators manage everything; evaluators and funders see the campaigns' progress (totals only).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.core.concurrency import StaleVersionError
from trama.core.forms import add_service_errors
from trama.exchange import listcolumns
from trama.exchange.listexport import list_export
from trama.funding import permissions
from trama.funding.forms import CampaignForm, DonationForm, DonorForm, NewsForm
from trama.funding.models import Campaign, Donation, Donor, NewsPost
from trama.funding.selectors import fundraising as selectors
from trama.funding.services import fundraising as services
from trama.funding.views.budget import form_page

PAGE_SIZE = 25
MANAGERS = (Role.COORDINATOR,)
READERS = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)
CAMPAIGN_STATES = ("running", "planned", "closed")


def _stale(request: HttpRequest) -> None:
    messages.error(request, _("Someone else changed this record in the meantime: the form shows it as it is now."))


# --- Campaigns -------------------------------------------------------------------------------------


@programme_view(*READERS)
def campaign_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "state": request.GET.get("state", "") if request.GET.get("state", "") in CAMPAIGN_STATES else "",
    }
    campaigns = selectors.campaign_list(request.user, access.programme, **filters)
    export = list_export(
        request, access, name="campagne", title=_("Campaigns"), rows=campaigns, columns=listcolumns.CAMPAIGNS
    )
    if export is not None:
        return export
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(campaign, selectors.progress_of(campaign)) for campaign in page.object_list]
    return render(
        request,
        "funding/campaign_list.html",
        {
            "access": access, "page": page, "rows": rows, "filters": filters,
            "query_string": urlencode({"q": filters["query"], "state": filters["state"]}),
            "can_manage": access.has_role(Role.COORDINATOR),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def campaign_edit(request: HttpRequest, access: ProgrammeAccess, campaign_id: str | None = None) -> HttpResponse:
    campaign = (
        None if campaign_id is None else permissions.get_campaign_for_user(request.user, access.programme, campaign_id)
    )
    form = CampaignForm(request.POST or None, instance=campaign, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.campaign_save(
                actor=request.user, programme=access.programme, fields=form.changed_fields(), campaign=campaign,
                expected_version=form.cleaned_data["version"] or 0,
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The campaign has been saved."))
            return redirect(saved.get_absolute_url())
    return form_page(
        request,
        access,
        form,
        title=campaign.title if campaign else _("New campaign"),
        submit=_("Save"),
        back_url=campaign.get_absolute_url()
        if campaign
        else reverse("funding:campaign-list", kwargs={"slug": access.programme.slug}),
    )


@programme_view(*READERS)
def campaign_detail(request: HttpRequest, access: ProgrammeAccess, campaign_id: str) -> HttpResponse:
    campaign = permissions.get_campaign_for_user(request.user, access.programme, campaign_id)
    can_manage = access.has_role(Role.COORDINATOR)
    context = {
        "access": access, "campaign": campaign, "progress": selectors.campaign_progress(campaign),
        "can_manage": can_manage, "query_string": "",
    }  # fmt: skip
    if can_manage:
        donations = selectors.campaign_donations(request.user, campaign)
        context["page"] = Paginator(donations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funding/campaign_detail.html", context)


# --- Donors and donations ------------------------------------------------------------------------


@programme_view(*MANAGERS)
def donor_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "consent": request.GET.get("consent", "") if request.GET.get("consent", "") in ("yes", "no") else "",
        "kind": request.GET.get("kind", "") if request.GET.get("kind", "") in Donor.Kind.values else "",
    }
    donors = selectors.donor_list(request.user, access.programme, **filters)
    export = list_export(request, access, name="donatori", title=_("Donors"), rows=donors, columns=listcolumns.DONORS)
    if export is not None:
        return export
    page = Paginator(donors, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/donor_list.html",
        {
            "access": access, "page": page, "filters": filters, "kinds": Donor.Kind.choices,
            "query_string": urlencode({"q": filters["query"], "consent": filters["consent"], "kind": filters["kind"]}),
            "today": timezone.localdate(),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def donor_edit(request: HttpRequest, access: ProgrammeAccess, donor_id: str | None = None) -> HttpResponse:
    donor = (
        None
        if donor_id is None
        else permissions.get_donor_for_manager(request.user, access.programme, donor_id, request=request)
    )
    form = DonorForm(request.POST or None, instance=donor, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.donor_save(
                actor=request.user, programme=access.programme, fields=form.changed_fields(), donor=donor,
                expected_version=form.cleaned_data["version"] or 0,
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The donor has been saved."))
            return redirect(saved.get_absolute_url())
    return form_page(
        request,
        access,
        form,
        title=donor.name if donor else _("New donor"),
        submit=_("Save"),
        back_url=donor.get_absolute_url()
        if donor
        else reverse("funding:donor-list", kwargs={"slug": access.programme.slug}),
        intro=_(
            "A donor is contacted (newsletters, thanks, new campaigns) only with the date of their consent; "
            "withdrawing it takes them out of every mailing from that day."
        ),
    )


@programme_view(*MANAGERS)
def donor_detail(request: HttpRequest, access: ProgrammeAccess, donor_id: str) -> HttpResponse:
    donor = permissions.get_donor_for_manager(request.user, access.programme, donor_id, request=request)
    page = Paginator(selectors.donor_donations(donor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/donor_detail.html",
        {"access": access, "donor": donor, "page": page, "query_string": "", "may_contact": donor.may_be_contacted()},
    )


@programme_view(*MANAGERS)
def donation_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    campaigns = list(Campaign.objects.for_programme(access.programme).order_by("-starts_on", "title"))
    filters = {
        "query": request.GET.get("q", "").strip(),
        "campaign": request.GET.get("campaign", ""),
        "method": request.GET.get("method", "") if request.GET.get("method", "") in Donation.Method.values else "",
    }
    if filters["campaign"] not in {str(c.public_id) for c in campaigns}:
        filters["campaign"] = ""
    donations = selectors.donation_list(request.user, access.programme, **filters)
    page = Paginator(donations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/donation_list.html",
        {
            "access": access, "page": page, "filters": filters, "campaigns": campaigns,
            "methods": Donation.Method.choices,
            "query_string": urlencode({"q": filters["query"], "campaign": filters["campaign"],
                                       "method": filters["method"]}),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def donation_create(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    initial = {key: request.GET[key] for key in ("donor", "campaign") if request.GET.get(key)}
    initial["received_on"] = timezone.localdate()
    form = DonationForm(request.POST or None, initial=initial, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            donation = services.donation_record(
                actor=request.user, programme=access.programme, amount=data["amount"],
                received_on=data["received_on"], method=data["method"], campaign=data["campaign"],
                donor=data["donor"], reference=data["reference"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if donation.receipt_number:
                messages.success(
                    request, _("The donation has been recorded with receipt no. %(number)s.")
                    % {"number": donation.receipt_label},
                )  # fmt: skip
            else:
                messages.success(request, _("The anonymous donation has been recorded."))
            if donation.campaign:
                return redirect(donation.campaign.get_absolute_url())
            return redirect("funding:donation-list", slug=access.programme.slug)
    return form_page(
        request,
        access,
        form,
        title=_("Record a donation"),
        submit=_("Record the donation"),
        back_url=reverse("funding:donation-list", kwargs={"slug": access.programme.slug}),
        form_id="donation-form",
        intro=_("A named donor's gift gets the next receipt number of its year; an anonymous one gets no receipt."),
    )


@programme_view(*MANAGERS)
def receipt_pdf(request: HttpRequest, access: ProgrammeAccess, donation_id: str) -> HttpResponse:
    donation = permissions.get_donation_for_manager(request.user, access.programme, donation_id)
    try:
        pdf = services.receipt_export(actor=request.user, donation=donation, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("funding:donation-list", slug=access.programme.slug)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"ricevuta-{donation.receipt_year}-{donation.receipt_number:04d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


@programme_view(*MANAGERS)
def mailing_export(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    content = services.mailing_export(actor=request.user, programme=access.programme, request=request)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="donatori-contattabili-{day}.csv"'
    add_never_cache_headers(response)
    return response


# --- News ------------------------------------------------------------------------------------------


@programme_view(*MANAGERS)
def news_list(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", "") if request.GET.get("status", "") in NewsPost.Status.values else "",
    }
    posts = selectors.news_list(request.user, access.programme, **filters)
    export = list_export(request, access, name="notizie", title=_("News posts"), rows=posts, columns=listcolumns.NEWS)
    if export is not None:
        return export
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/news_list.html",
        {
            "access": access, "page": page, "filters": filters, "statuses": NewsPost.Status.choices,
            "query_string": urlencode({"q": filters["query"], "status": filters["status"]}), "now": timezone.now(),
        },
    )  # fmt: skip


@programme_view(*MANAGERS)
def news_edit(request: HttpRequest, access: ProgrammeAccess, post_id: str | None = None) -> HttpResponse:
    post = None if post_id is None else permissions.get_news_for_manager(request.user, access.programme, post_id)
    form = NewsForm(request.POST or None, instance=post, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.news_save(
                actor=request.user, programme=access.programme, fields=form.changed_fields(), post=post,
                expected_version=form.cleaned_data["version"] or 0,
            )  # fmt: skip
        except StaleVersionError:
            _stale(request)
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The news post has been saved."))
            return redirect("funding:news-list", slug=access.programme.slug)
    return form_page(
        request,
        access,
        form,
        title=post.title if post else _("New news post"),
        submit=_("Save"),
        back_url=reverse("funding:news-list", kwargs={"slug": access.programme.slug}),
        intro=_("A published post appears at once on the programme's public site; a draft is seen only here."),
    )


@programme_view(*MANAGERS)
def news_delete(request: HttpRequest, access: ProgrammeAccess, post_id: str) -> HttpResponse:
    """A confirmation page first; only drafts can be deleted."""
    post = permissions.get_news_for_manager(request.user, access.programme, post_id)
    error = ""
    if request.method == "POST":
        try:
            services.news_delete(actor=request.user, post=post)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("The draft has been deleted."))
            return redirect("funding:news-list", slug=access.programme.slug)
    return render(request, "funding/news_delete.html", {"access": access, "post": post, "error": error})
