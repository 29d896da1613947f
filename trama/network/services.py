"""Writes about the network: organisations, their roles in programmes, places and groups.

Atomic and audited, with the permission checked here: coordinators manage the whole network of
their programme; a lab manager manages only the places their organisation runs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.permissions import acting_coordinator
from trama.core.concurrency import save_versioned
from trama.core.uploads import clean_image
from trama.network.models import CitizenGroup, CommunityPlace, OpeningHours, Organisation, Partnership, TaxonomyTerm
from trama.territory.models import Municipality, Programme

ORGANISATION_FIELDS = (
    "name", "kind", "tax_code", "vat_number", "runts_number", "description", "email", "phone", "website", "address",
    "municipality",
)  # fmt: skip
PLACE_FIELDS = (
    "kind", "name", "description", "managing_organisation", "address", "postal_code", "municipality", "latitude",
    "longitude", "email", "phone", "website", "accessibility", "is_published",
)  # fmt: skip
GROUP_FIELDS = (
    "name", "description", "neighbourhood", "municipality", "latitude", "longitude", "location_precision",
    "public_contact", "contact_name", "contact_email", "contact_phone", "contact_consent_on", "is_published",
)  # fmt: skip


def _audit(actor: User | None, membership: Membership | None, programme: Programme, target: Any, action: str) -> None:
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target)


def _changed_fields(instance: Any, allowed: tuple[str, ...], fields: dict[str, Any], *, created: bool) -> list[str]:
    """The allowed fields whose value differs (all given ones for a new row, whose relations
    cannot be read before they are set)."""
    if created:
        return [name for name in allowed if name in fields]
    return [name for name in allowed if name in fields and getattr(instance, name) != fields[name]]


def _same_terms(current: Any, wanted: list[TaxonomyTerm] | None) -> bool:
    return wanted is None or set(current.values_list("pk", flat=True)) == {term.pk for term in wanted}


# --- Organisations and partnership -------------------------------------------------------


def organisation_ensure(*, name: str, kind: str, **fields: Any) -> Organisation:
    """The organisation called `name`, created if missing (idempotent: the demo loader re-runs it)."""
    with transaction.atomic():
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = Organisation(name=name, kind=kind, **fields)
            organisation.full_clean()
            organisation.save()
            audit_record(action=AuditEvent.Action.CREATE, actor=None, target=organisation)
    return organisation


def organisation_save(
    *, actor: User, programme: Programme, fields: dict[str, Any], organisation: Organisation | None = None
) -> Organisation:
    """Create or edit an organisation of `programme`'s network (coordinators)."""
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        if organisation is not None:
            organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
            if not Partnership.objects.filter(programme=programme, organisation=organisation).exists():
                raise PermissionDenied
        created = organisation is None
        organisation = organisation or Organisation()
        for name in ORGANISATION_FIELDS:
            if name in fields:
                setattr(organisation, name, fields[name])
        organisation.full_clean()
        organisation.save()
        _audit(
            actor, acting, programme, organisation, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
        )
    return organisation


def partnership_set(
    *,
    actor: User | None,
    programme: Programme,
    organisation: Organisation,
    role: str,
    start_date: date | None = None,
    end_date: date | None = None,
    cofinancing: Decimal | None = None,
) -> Partnership:
    """Give `organisation` `role` in `programme`; a new lead makes the previous lead a partner."""
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        if role == Partnership.Role.LEAD:
            previous_leads = Partnership.objects.select_for_update().filter(
                programme=programme, role=Partnership.Role.LEAD
            )
            for previous in previous_leads.exclude(organisation=organisation):
                previous.role = Partnership.Role.PARTNER
                previous.save(update_fields=["role", "updated_at"])
        values = {"role": role, "start_date": start_date, "end_date": end_date, "cofinancing": cofinancing}
        partnership = (
            Partnership.objects.select_for_update().filter(programme=programme, organisation=organisation).first()
        )
        created = partnership is None
        if partnership is not None and all(getattr(partnership, k) == v for k, v in values.items()):
            return partnership
        partnership = partnership or Partnership(programme=programme, organisation=organisation)
        for key, value in values.items():
            setattr(partnership, key, value)
        partnership.full_clean()
        partnership.save()
        _audit(actor, acting, programme, partnership, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE)
    return partnership


def partnership_remove(*, actor: User, partnership: Partnership) -> None:
    with transaction.atomic():
        acting = acting_coordinator(actor, partnership.programme)
        if partnership.role == Partnership.Role.LEAD:
            raise ValidationError(_("The lead partner cannot be removed: make another organisation the lead first."))
        if (
            Membership.objects.active()
            .filter(programme=partnership.programme, organisation=partnership.organisation)
            .exists()
        ):
            raise ValidationError(
                _("People still work in the programme for this organisation: remove their roles first.")
            )
        _audit(actor, acting, partnership.programme, partnership, AuditEvent.Action.DELETE)
        partnership.delete()


# --- Places ------------------------------------------------------------------------------


def _place_editor(actor: User | None, programme: Programme, organisation: Organisation) -> Membership | None:
    """Coordinators edit every place; a lab manager only their organisation's places."""
    if actor is None:
        return None
    memberships = Membership.objects.active().filter(user=actor, programme=programme).select_related("organisation")
    for membership in memberships:
        if membership.role == Role.COORDINATOR:
            return membership
    for membership in memberships:
        if membership.role == Role.LAB_MANAGER and membership.organisation_id == organisation.pk:
            return membership
    raise PermissionDenied


def _check_place_territory(programme: Programme, municipality: Municipality) -> None:
    if not programme.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError(
            {"municipality": _("%(name)s is not in the programme's territory.") % {"name": municipality.name}}
        )


def place_save(
    *,
    actor: User | None,
    programme: Programme,
    fields: dict[str, Any],
    services: list[TaxonomyTerm] | None = None,
    place: CommunityPlace | None = None,
    expected_version: int | None = None,
    photo: UploadedFile | None = None,
) -> CommunityPlace:
    """Create or edit a place. A lab manager may neither take over nor hand over a place: the
    managing organisation must be theirs before and after the edit."""
    with transaction.atomic():
        if place is not None:
            place = CommunityPlace.objects.select_for_update().get(pk=place.pk)
            if place.programme_id != programme.pk:
                raise PermissionDenied
            acting = _place_editor(actor, programme, place.managing_organisation)
        created = place is None
        place = place or CommunityPlace(programme=programme)
        changed = _changed_fields(place, PLACE_FIELDS, fields, created=created)
        for name in changed:
            setattr(place, name, fields[name])
        acting = _place_editor(actor, programme, place.managing_organisation)
        if not created and not changed and photo is None and _same_terms(place.services, services):
            return place
        _check_place_territory(programme, place.municipality)
        if photo is not None:
            try:
                cleaned = clean_image(photo)
            except ValidationError as error:
                raise ValidationError({"photo": error.messages}) from None
            place.photo.save(cleaned.name, cleaned, save=False)
            changed.append("photo")
        place.full_clean()
        if created:
            place.save()
        else:
            save_versioned(place, expected_version=expected_version or place.version, update_fields=changed)
        if services is not None:
            place.services.set(services)
        _audit(actor, acting, programme, place, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE)
    return place


def place_set_opening_hours(
    *, actor: User | None, place: CommunityPlace, slots: list[dict[str, Any]]
) -> list[OpeningHours]:
    """Replace the weekly opening hours of a place with `slots` ({weekday, opens_at, closes_at, note})."""
    with transaction.atomic():
        place = CommunityPlace.objects.select_for_update().get(pk=place.pk)
        acting = _place_editor(actor, place.programme, place.managing_organisation)
        new = [OpeningHours(place=place, **slot) for slot in slots]
        for hours in new:
            hours.full_clean()
        current = [
            (h.weekday, h.opens_at, h.closes_at, h.note) for h in place.opening_hours.order_by("weekday", "opens_at")
        ]
        wanted = sorted((h.weekday, h.opens_at, h.closes_at, h.note) for h in new)
        if current == wanted:
            return list(place.opening_hours.all())
        place.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(new)
        _audit(actor, acting, place.programme, place, AuditEvent.Action.UPDATE)
    return new


def place_delete(*, actor: User, place: CommunityPlace) -> None:
    with transaction.atomic():
        acting = acting_coordinator(actor, place.programme)
        _audit(actor, acting, place.programme, place, AuditEvent.Action.DELETE)
        place.delete()


# --- Citizen groups ----------------------------------------------------------------------


def group_save(
    *,
    actor: User | None,
    programme: Programme,
    fields: dict[str, Any],
    themes: list[TaxonomyTerm] | None = None,
    group: CitizenGroup | None = None,
    expected_version: int | None = None,
) -> CitizenGroup:
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        if group is not None:
            group = CitizenGroup.objects.select_for_update().get(pk=group.pk)
            if group.programme_id != programme.pk:
                raise PermissionDenied
        created = group is None
        group = group or CitizenGroup(programme=programme)
        changed = _changed_fields(group, GROUP_FIELDS, fields, created=created)
        for name in changed:
            setattr(group, name, fields[name])
        if not created and not changed and _same_terms(group.themes, themes):
            return group
        _check_place_territory(programme, group.municipality)
        group.full_clean()
        if created:
            group.save()
        else:
            save_versioned(group, expected_version=expected_version or group.version, update_fields=changed)
        if themes is not None:
            group.themes.set(themes)
        _audit(actor, acting, programme, group, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE)
    return group


def group_delete(*, actor: User, group: CitizenGroup) -> None:
    with transaction.atomic():
        acting = acting_coordinator(actor, group.programme)
        _audit(actor, acting, group.programme, group, AuditEvent.Action.DELETE)
        group.delete()
