"""Writes of fundraising and communication: campaigns, donors, donations with their receipts, the
mailing export and news posts. Keyword-only, atomic, audited, permission-checked (coordinators;
the system when `actor` is None)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.core.concurrency import save_versioned
from trama.core.exports import csv_bytes
from trama.funding.models import Campaign, Donation, Donor, FundingSource, NewsPost
from trama.funding.permissions import manager_membership
from trama.funding.services.budget import check_amount
from trama.territory.models import Programme

CAMPAIGN_FIELDS = ("title", "summary", "description", "goal", "starts_on", "ends_on", "channel", "source",
                   "is_public", "how_to_give")  # fmt: skip
DONOR_FIELDS = ("kind", "first_name", "last_name", "company_name", "tax_code", "email", "phone", "address",
                "municipality", "contact_consent_on", "contact_consent_withdrawn_on")  # fmt: skip
NEWS_FIELDS = ("title", "summary", "body", "status", "campaign", "published_at")


def _strip(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}


def _save_new_or_versioned(instance: Any, *, created: bool, fields: dict[str, Any], expected_version: int) -> list[str]:
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, fields[name])
    instance.full_clean()
    if created:
        instance.save()
    else:
        save_versioned(instance, expected_version=expected_version, update_fields=changed)
    return changed


# --- Campaigns -----------------------------------------------------------------------------------


def campaign_save(
    *, actor: User | None, programme: Programme, fields: dict[str, Any], campaign: Campaign | None = None,
    expected_version: int = 0,
) -> Campaign:  # fmt: skip
    fields = _strip({name: value for name, value in fields.items() if name in CAMPAIGN_FIELDS})
    if "goal" in fields or campaign is None:
        check_amount(fields.get("goal"), "goal")
    source = fields.get("source")
    if source is not None and (source.programme_id != programme.pk or source.kind != FundingSource.Kind.FUNDRAISING):
        raise ValidationError({"source": _("Choose one of the programme's fundraising sources.")})
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        created = campaign is None
        if created:
            campaign = Campaign(programme=programme)
        elif campaign.programme_id != programme.pk:
            raise ValidationError(_("The campaign belongs to another programme."))
        else:
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _save_new_or_versioned(campaign, created=created, fields=fields, expected_version=expected_version)
        audit_record(
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, actor=actor,
            membership=membership, programme=programme, target=campaign,
        )  # fmt: skip
    return campaign


# --- Donors and donations ------------------------------------------------------------------------


def donor_save(
    *, actor: User | None, programme: Programme, fields: dict[str, Any], donor: Donor | None = None,
    expected_version: int = 0,
) -> Donor:  # fmt: skip
    """Create or edit a donor. Withdrawing the consent to be contacted takes them out of every
    mailing export from that day."""
    fields = _strip({name: value for name, value in fields.items() if name in DONOR_FIELDS})
    if isinstance(fields.get("tax_code"), str):
        fields["tax_code"] = fields["tax_code"].upper().replace(" ", "")
    if fields.get("kind") == Donor.Kind.COMPANY:
        fields.update(first_name="", last_name="")
    elif fields.get("kind") == Donor.Kind.PERSON:
        fields["company_name"] = ""
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        created = donor is None
        if created:
            donor = Donor(programme=programme, created_by=actor)
        elif donor.programme_id != programme.pk:
            raise ValidationError(_("The donor belongs to another programme."))
        else:
            donor = Donor.objects.select_for_update().get(pk=donor.pk)
        _save_new_or_versioned(donor, created=created, fields=fields, expected_version=expected_version)
        audit_record(
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, actor=actor,
            membership=membership, programme=programme, target=donor,
        )  # fmt: skip
    return donor


def donation_record(
    *, actor: User | None, programme: Programme, amount: Decimal, received_on: date, method: str,
    campaign: Campaign | None = None, donor: Donor | None = None, reference: str = "",
) -> Donation:  # fmt: skip
    """Record a gift. A named donor's gift gets the programme's next receipt number of its year;
    the programme's row is locked while the number is taken, so two gifts never share one."""
    check_amount(amount, "amount")
    errors: dict[str, str] = {}
    if received_on is None:
        errors["received_on"] = _("Give the date the gift was received.")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("A gift cannot be recorded with a future date.")
    elif campaign is not None and received_on < campaign.starts_on:
        errors["received_on"] = _("The campaign had not started yet on that date.")
    if method not in Donation.Method.values:
        errors["method"] = _("Choose how the gift was made.")
    if campaign is not None and campaign.programme_id != programme.pk:
        errors["campaign"] = _("The campaign belongs to another programme.")
    if donor is not None and donor.programme_id != programme.pk:
        errors["donor"] = _("The donor belongs to another programme.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        donation = Donation(
            programme=programme, campaign=campaign, donor=donor, amount=amount, received_on=received_on,
            method=method, reference=reference.strip(), recorded_by=actor,
        )  # fmt: skip
        if donor is not None:
            Programme.objects.select_for_update().only("pk").get(pk=programme.pk)
            year = received_on.year
            last = Donation.objects.filter(programme=programme, receipt_year=year).aggregate(n=Max("receipt_number"))
            donation.receipt_year, donation.receipt_number = year, (last["n"] or 0) + 1
        donation.full_clean()
        donation.save()
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=programme, target=donation
        )
    return donation


def receipt_export(*, actor: User, donation: Donation, request: HttpRequest | None = None) -> bytes:
    """The donation's receipt as a PDF, for coordinators. A document with the donor's name and
    codice fiscale: the export is audited; the file is made before the audit row, so a slow render
    never holds the write transaction, and no file leaves if the audit write fails."""
    from trama.funding.documents import receipt_pdf

    membership = manager_membership(actor, donation.programme)
    if donation.donor_id is None:
        raise ValidationError(_("An anonymous gift has no receipt."))
    pdf = receipt_pdf(donation)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT, actor=actor, request=request, programme=donation.programme,
            membership=membership, target=donation, reason=f"receipt {donation.receipt_label} (PDF)",
        )  # fmt: skip
    return pdf


def mailing_export(*, actor: User, programme: Programme, request: HttpRequest | None = None) -> bytes:
    """The donors who consented to be contacted (and did not withdraw), as CSV for a mailing.
    Nobody without consent is ever in it. Formulas are neutralised (S19); the export is audited."""
    from trama.funding.selectors.fundraising import mailing_donors

    membership = manager_membership(actor, programme)
    donors = mailing_donors(actor, programme)
    header = [_("Name"), _("Kind"), _("E-mail"), _("Telephone"), _("Address"), _("Municipality"), _("Consent given on")]
    rows = [
        [donor.name, str(donor.get_kind_display()), donor.email, donor.phone, donor.address,
         donor.municipality.name if donor.municipality else "", donor.contact_consent_on]
        for donor in donors
    ]  # fmt: skip
    content = csv_bytes(header, rows)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT, actor=actor, request=request, programme=programme,
            membership=membership, target_type="funding.mailing", reason=f"mailing list, {len(rows)} donors (CSV)",
        )  # fmt: skip
    return content


# --- News ------------------------------------------------------------------------------------------


def news_save(
    *, actor: User | None, programme: Programme, fields: dict[str, Any], post: NewsPost | None = None,
    expected_version: int = 0,
) -> NewsPost:  # fmt: skip
    """Write or edit a news post. Publishing it stamps the time it goes out, unless a time is given
    (a later one schedules it: the public site shows it from then); back to draft, it leaves the
    public site at once."""
    fields = _strip({name: value for name, value in fields.items() if name in NEWS_FIELDS})
    campaign = fields.get("campaign")
    if campaign is not None and campaign.programme_id != programme.pk:
        raise ValidationError({"campaign": _("The campaign belongs to another programme.")})
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        created = post is None
        if created:
            post = NewsPost(programme=programme, author=actor)
        elif post.programme_id != programme.pk:
            raise ValidationError(_("The post belongs to another programme."))
        else:
            post = NewsPost.objects.select_for_update().get(pk=post.pk)
        extra = []
        if fields.get("published_at") is None:
            fields.pop("published_at", None)  # empty: keep the time it went out, or stamp it below
        if (
            fields.get("status", post.status) == NewsPost.Status.PUBLISHED
            and post.published_at is None
            and ("published_at" not in fields)
        ):
            post.published_at = timezone.now()
            extra.append("published_at")
        changed = [name for name, value in fields.items() if getattr(post, name) != value]
        for name in changed:
            setattr(post, name, fields[name])
        post.full_clean()
        if created:
            post.save()
        else:
            save_versioned(post, expected_version=expected_version, update_fields=[*changed, *extra])
        audit_record(
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, actor=actor,
            membership=membership, programme=programme, target=post,
        )  # fmt: skip
    return post


def news_delete(*, actor: User | None, post: NewsPost) -> None:
    """Delete a draft (a published post is unpublished, never deleted: people may have shared it)."""
    with transaction.atomic():
        membership = manager_membership(actor, post.programme)
        post = NewsPost.objects.select_for_update().get(pk=post.pk)
        if post.status == NewsPost.Status.PUBLISHED:
            raise ValidationError(_("A published post cannot be deleted: put it back to draft first."))
        audit_record(
            action=AuditEvent.Action.DELETE, actor=actor, membership=membership, programme=post.programme,
            target=post,
        )  # fmt: skip
        post.delete()
