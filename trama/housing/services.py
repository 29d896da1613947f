"""Writes of the housing plan. Keyword-only, atomic, permission-checked, audited (S10).

The rent-guarantee fund (S22): every deposit, grant and draw locks the fund's row first
(SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction takes the write lock),
then reads the ledger and checks, in exact cents:

- balance = deposits − draws, never below zero: a draw larger than the balance is refused with
  the balance in the message;
- a guarantee is granted only if the fund can still cover it: balance minus what the guarantees
  still running may yet draw (their amount minus what was drawn on them);
- a draw never exceeds what remains of its guarantee, nor falls outside its period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.models import Case
from trama.casework.permissions import visible_cases
from trama.casework.services.cases import writer_membership
from trama.core.money import ZERO, cents, euro, is_exact_cents
from trama.funding.models import FundingSource
from trama.housing.models import (
    MAX_GUARANTEE_MONTHS,
    MAX_MONTHLY_RENT,
    Building,
    Caretaker,
    CoHousing,
    CoHousingMember,
    Dwelling,
    FundDeposit,
    Guarantee,
    GuaranteeDraw,
    GuaranteeFund,
    HousingSearch,
    LogEntry,
    Tenancy,
)
from trama.housing.permissions import coordinator_membership, logbook_membership, plan_membership
from trama.network.models import Organisation
from trama.people.models import Household
from trama.territory.models import Municipality, Programme

# The largest single deposit, guarantee or draw: the fund of one programme is tens of thousands.
MAX_FUND_AMOUNT = Decimal("1000000.00")


def invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _audit(
    actor: User | None,
    membership: Membership | None,
    programme: Programme,
    action: str,
    *,
    target: Any,
    reason: str = "",
) -> None:
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target, reason=reason)


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        raise invalid(field, _("Write the amount in euro, e.g. 450,00."), "invalid") from None


def check_rent(value: Any, field: str = "monthly_rent") -> Decimal:
    """A monthly rent between €0 and MAX_MONTHLY_RENT, in euro and cents."""
    value = _decimal(value, field)
    if not is_exact_cents(value):
        raise invalid(field, _("Write the amount in euro and cents, with at most two decimals."), "precision")
    if value < 0:
        raise invalid(field, _("A rent cannot be below zero."), "negative")
    if value > MAX_MONTHLY_RENT:
        raise invalid(
            field,
            _("A monthly rent above %(max)s is not plausible: check the figure (is it a yearly rent?).")
            % {"max": euro(MAX_MONTHLY_RENT)},
            "implausible",
        )
    return cents(value)


def check_amount(value: Any, field: str = "amount") -> Decimal:
    """A positive amount of money for the fund, in euro and cents."""
    value = _decimal(value, field)
    if not is_exact_cents(value):
        raise invalid(field, _("Write the amount in euro and cents, with at most two decimals."), "precision")
    if value <= 0:
        raise invalid(field, _("The amount must be more than zero."), "not_positive")
    if value > MAX_FUND_AMOUNT:
        raise invalid(
            field, _("The amount is too large: at most %(max)s.") % {"max": euro(MAX_FUND_AMOUNT)}, "too_large"
        )
    return cents(value)


def _check_municipality(programme: Programme, municipality: Municipality, field: str = "municipality") -> None:
    if not programme.municipalities.filter(pk=municipality.pk).exists():
        raise invalid(field, _("Choose a municipality of the programme."), "outside")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when that day does not exist)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Dwellings ------------------------------------------------------------------------------------

DWELLING_FIELDS = (
    "offered_by",
    "organisation",
    "owner_name",
    "owner_phone",
    "owner_email",
    "address",
    "municipality",
    "rooms",
    "area_m2",
    "monthly_rent",
    "capped_rent",
    "step_free",
    "available_from",
)


def dwelling_create(*, actor: User | None, programme: Programme, fields: dict[str, Any]) -> Dwelling:
    """Record a dwelling offered to the plan. The plan's staff (coordinators, operators) only."""
    unknown = set(fields) - set(DWELLING_FIELDS)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    with transaction.atomic():
        membership = plan_membership(actor, programme)
        values = {**fields, "monthly_rent": check_rent(fields.get("monthly_rent"))}
        _check_municipality(programme, values["municipality"])
        if values.get("offered_by") == Dwelling.OfferedBy.PRIVATE:
            values["organisation"] = None
            if not (values.get("owner_name") or "").strip():
                raise invalid("owner_name", _("Write the name of the private owner."), "required")
        elif values.get("offered_by") == Dwelling.OfferedBy.ORGANISATION:
            if values.get("organisation") is None:
                raise invalid("organisation", _("Choose the owner or the estate agency."), "required")
            values.update(owner_name="", owner_phone="", owner_email="")
        else:
            raise invalid("offered_by", _("Say who offers the dwelling."), "required")
        if not values.get("rooms") or values["rooms"] < 1:
            raise invalid("rooms", _("A dwelling has at least one room."), "no_room")
        if not values.get("area_m2") or values["area_m2"] < 1:
            raise invalid("area_m2", _("Write the floor area in square metres."), "no_area")
        dwelling = Dwelling.objects.create(programme=programme, created_by=actor, **values)
        _audit(actor, membership, programme, AuditEvent.Action.CREATE, target=dwelling)
    return dwelling


def dwelling_set_status(*, actor: User | None, dwelling: Dwelling, status: str) -> Dwelling:
    """Withdraw a dwelling the owner no longer offers, or offer it again. A let dwelling changes
    only through its tenancy."""
    with transaction.atomic():
        membership = plan_membership(actor, dwelling.programme)
        dwelling = Dwelling.objects.select_for_update().select_related("programme").get(pk=dwelling.pk)
        allowed = {
            Dwelling.Status.AVAILABLE: Dwelling.Status.WITHDRAWN,
            Dwelling.Status.WITHDRAWN: Dwelling.Status.AVAILABLE,
        }
        if allowed.get(dwelling.status) != status:
            raise ValidationError(_("This change of status is not possible."), code="status")
        dwelling.status = status
        dwelling.version += 1
        dwelling.save(update_fields=["status", "version", "updated_at"])
        _audit(actor, membership, dwelling.programme, AuditEvent.Action.UPDATE, target=dwelling, reason=status)
    return dwelling


# --- Searches and tenancies -----------------------------------------------------------------------


def search_create(
    *,
    actor: User | None,
    case: Case,
    rooms_needed: int,
    max_rent: Any,
    needed_from: date,
    needs_step_free: bool = False,
    municipalities: list[Municipality] | tuple[Municipality, ...] = (),
) -> HousingSearch:
    """A household followed by `case` starts looking for a home. The case's writers only
    (coordinators, operators on its team)."""
    with transaction.atomic():
        membership = writer_membership(actor, case)
        case = Case.objects.select_for_update().select_related("programme", "household").get(pk=case.pk)
        if case.status != Case.Status.OPEN:
            raise ValidationError(_("The case is closed: open searches only for followed households."), code="closed")
        max_rent = check_rent(max_rent, "max_rent")
        if not rooms_needed or rooms_needed < 1:
            raise invalid("rooms_needed", _("A household needs at least one room."), "no_room")
        for municipality in municipalities:
            _check_municipality(case.programme, municipality, "municipalities")
        if HousingSearch.objects.filter(household=case.household, status=HousingSearch.Status.OPEN).exists():
            raise ValidationError(_("This household is already looking for a home."), code="duplicate")
        search = HousingSearch.objects.create(
            programme=case.programme,
            case=case,
            household=case.household,
            rooms_needed=rooms_needed,
            max_rent=max_rent,
            needs_step_free=needs_step_free,
            needed_from=needed_from,
            created_by=actor,
        )
        search.municipalities.set(municipalities)
        _audit(actor, membership, case.programme, AuditEvent.Action.CREATE, target=search)
    return search


def tenancy_create(
    *, actor: User | None, search: HousingSearch, dwelling: Dwelling, starts_on: date, monthly_rent: Any
) -> Tenancy:
    """House the household of `search` in `dwelling`: the dwelling becomes let, the search housed.
    Both rows are locked, so two operators cannot let the same dwelling twice."""
    with transaction.atomic():
        membership = writer_membership(actor, search.case)
        search = HousingSearch.objects.select_for_update().select_related("programme").get(pk=search.pk)
        dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
        if dwelling.programme_id != search.programme_id:
            raise PermissionDenied
        if search.status != HousingSearch.Status.OPEN:
            raise ValidationError(_("This household is no longer looking for a home."), code="not_open")
        if dwelling.status != Dwelling.Status.AVAILABLE:
            raise invalid("dwelling", _("This dwelling is not available any more."), "not_available")
        monthly_rent = check_rent(monthly_rent)
        if starts_on < dwelling.available_from:
            raise invalid(
                "starts_on",
                _("The dwelling is available only from %(date)s.")
                % {"date": dwelling.available_from.strftime("%d/%m/%Y")},
                "before_available",
            )
        tenancy = Tenancy.objects.create(
            programme=search.programme,
            search=search,
            dwelling=dwelling,
            starts_on=starts_on,
            monthly_rent=monthly_rent,
            created_by=actor,
        )
        dwelling.status, dwelling.version = Dwelling.Status.LET, dwelling.version + 1
        dwelling.save(update_fields=["status", "version", "updated_at"])
        search.status, search.version = HousingSearch.Status.HOUSED, search.version + 1
        search.save(update_fields=["status", "version", "updated_at"])
        _audit(actor, membership, search.programme, AuditEvent.Action.CREATE, target=tenancy)
    return tenancy


# --- The rent-guarantee fund ----------------------------------------------------------------------


@dataclass(frozen=True)
class FundFigures:
    deposits: Decimal
    draws: Decimal
    committed: Decimal  # what running guarantees may still draw

    @property
    def balance(self) -> Decimal:
        return self.deposits - self.draws

    @property
    def available(self) -> Decimal:
        """What new guarantees can still be granted for."""
        return max(self.balance - self.committed, ZERO)


def fund_for(programme: Programme) -> GuaranteeFund:
    fund, _created = GuaranteeFund.objects.get_or_create(programme=programme)
    return fund


def fund_figures(fund: GuaranteeFund, *, on: date | None = None) -> FundFigures:
    """The fund's ledger in four aggregates (exact decimals, computed by the database)."""
    return programme_fund_figures(fund.programme_id, on=on)


def programme_fund_figures(programme_id: int, *, on: date | None = None) -> FundFigures:
    """The same figures from the programme, without creating its fund (pages only read)."""
    on = on or timezone.localdate()
    deposits = FundDeposit.objects.filter(fund__programme_id=programme_id).aggregate(total=Sum("amount"))["total"]
    draws = GuaranteeDraw.objects.filter(fund__programme_id=programme_id).aggregate(total=Sum("amount"))["total"]
    running = Guarantee.objects.filter(fund__programme_id=programme_id, ends_on__gte=on)
    granted = running.aggregate(total=Sum("amount"))["total"]
    drawn = GuaranteeDraw.objects.filter(guarantee__in=running).aggregate(total=Sum("amount"))["total"]
    return FundFigures(deposits=cents(deposits), draws=cents(draws), committed=cents(granted) - cents(drawn))


def _locked_fund(programme: Programme) -> GuaranteeFund:
    fund = fund_for(programme)
    return GuaranteeFund.objects.select_for_update().get(pk=fund.pk)


def fund_deposit(
    *,
    actor: User | None,
    programme: Programme,
    amount: Any,
    received_on: date,
    source: FundingSource | None = None,
    source_note: str = "",
) -> FundDeposit:
    """Money paid into the fund, with where it comes from. Coordinators only."""
    with transaction.atomic():
        membership = coordinator_membership(actor, programme)
        amount = check_amount(amount)
        source_note = (source_note or "").strip()[:200]
        if source is not None and source.programme_id != programme.pk:
            raise invalid("source", _("Choose a funding source of this programme."), "other_programme")
        if source is None and not source_note:
            raise invalid("source_note", _("Say where the money comes from."), "required")
        if received_on > timezone.localdate():
            raise invalid("received_on", _("The date cannot be in the future."), "future")
        fund = _locked_fund(programme)
        deposit = FundDeposit.objects.create(
            fund=fund,
            amount=amount,
            received_on=received_on,
            source=source,
            source_note=source_note,
            recorded_by=actor,
        )
        _audit(actor, membership, programme, AuditEvent.Action.CREATE, target=deposit)
    return deposit


def guarantee_grant(*, actor: User | None, tenancy: Tenancy, amount: Any, months: int, starts_on: date) -> Guarantee:
    """The fund stands surety for `tenancy`: refused when the fund cannot still cover `amount`.
    The case's writers (coordinators, operators on its team)."""
    with transaction.atomic():
        membership = writer_membership(actor, tenancy.search.case)
        amount = check_amount(amount)
        if not months or not 1 <= months <= MAX_GUARANTEE_MONTHS:
            raise invalid(
                "months", _("A guarantee lasts from 1 to %(max)d months.") % {"max": MAX_GUARANTEE_MONTHS}, "months"
            )
        if starts_on < tenancy.starts_on:
            raise invalid("starts_on", _("The guarantee cannot start before the lease."), "before_lease")
        fund = _locked_fund(tenancy.programme)
        available = fund_figures(fund, on=starts_on).available
        if amount > available:
            raise invalid(
                "amount",
                _("The fund cannot cover this guarantee: it can still guarantee %(available)s.")
                % {"available": euro(available)},
                "over_fund",
            )
        guarantee = Guarantee.objects.create(
            fund=fund,
            tenancy=tenancy,
            amount=amount,
            months=months,
            starts_on=starts_on,
            ends_on=add_months(starts_on, months) - timedelta(days=1),
            granted_by=actor,
        )
        _audit(actor, membership, tenancy.programme, AuditEvent.Action.CREATE, target=guarantee)
    return guarantee


def guarantee_remaining(guarantee: Guarantee) -> Decimal:
    drawn = guarantee.draws.aggregate(total=Sum("amount"))["total"]
    return cents(guarantee.amount) - cents(drawn)


def guarantee_draw(
    *, actor: User | None, guarantee: Guarantee, amount: Any, drawn_on: date, reason: str
) -> GuaranteeDraw:
    """The fund pays for a tenant who cannot: within the guarantee's period and what remains of it,
    and never more than the fund's balance. The case's writers."""
    with transaction.atomic():
        tenancy = Tenancy.objects.select_related("search__case", "programme").get(pk=guarantee.tenancy_id)
        membership = writer_membership(actor, tenancy.search.case)
        amount = check_amount(amount)
        reason = (reason or "").strip()[:200]
        if not reason:
            raise invalid("reason", _("Say what the draw covers (e.g. the rent of March)."), "required")
        fund = _locked_fund(tenancy.programme)
        guarantee = Guarantee.objects.select_for_update().get(pk=guarantee.pk)
        if not guarantee.starts_on <= drawn_on <= guarantee.ends_on:
            raise invalid(
                "drawn_on",
                _("The guarantee runs from %(start)s to %(end)s.")
                % {"start": guarantee.starts_on.strftime("%d/%m/%Y"), "end": guarantee.ends_on.strftime("%d/%m/%Y")},
                "outside",
            )
        if drawn_on > timezone.localdate():
            raise invalid("drawn_on", _("The date cannot be in the future."), "future")
        balance = fund_figures(fund).balance
        if amount > balance:
            raise invalid(
                "amount",
                _("The fund does not hold this much: its balance is %(balance)s.") % {"balance": euro(balance)},
                "over_balance",
            )
        remaining = guarantee_remaining(guarantee)
        if amount > remaining:
            raise invalid(
                "amount",
                _("This is more than what remains of the guarantee: %(remaining)s.") % {"remaining": euro(remaining)},
                "over_guarantee",
            )
        draw = GuaranteeDraw.objects.create(
            guarantee=guarantee, fund=fund, amount=amount, drawn_on=drawn_on, reason=reason, recorded_by=actor
        )
        _audit(actor, membership, tenancy.programme, AuditEvent.Action.CREATE, target=draw)
    return draw


# --- Solidarity co-housing ------------------------------------------------------------------------


def cohousing_create(
    *,
    actor: User | None,
    programme: Programme,
    dwelling: Dwelling,
    title: str,
    starts_on: date,
    terms: str,
    households: list[Household],
    ends_on: date | None = None,
    agreement: ContentFile | None = None,
) -> CoHousing:
    """Households share a dwelling under an agreement (`agreement` from `clean_signed_form`: PDF,
    JPEG or PNG, S20). The plan's staff, for households whose case they see."""
    with transaction.atomic():
        membership = plan_membership(actor, programme)
        if dwelling.programme_id != programme.pk:
            raise PermissionDenied
        title, terms = (title or "").strip()[:150], (terms or "").strip()
        if not title:
            raise invalid("title", _("Give the co-housing a name."), "required")
        if not terms:
            raise invalid("terms", _("Write the terms the households agreed."), "required")
        if ends_on is not None and ends_on < starts_on:
            raise invalid("ends_on", _("The agreement cannot end before it starts."), "before_start")
        unique = list({household.pk: household for household in households}.values())
        if len(unique) < 2:
            raise invalid("households", _("A co-housing brings together at least two households."), "too_few")
        if any(household.programme_id != programme.pk for household in unique):
            raise PermissionDenied
        dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
        if dwelling.status == Dwelling.Status.WITHDRAWN:
            raise invalid("dwelling", _("This dwelling was withdrawn by its owner."), "withdrawn")
        if actor is not None:
            seen = set(visible_cases(actor, programme).values_list("household_id", flat=True))
            if any(household.pk not in seen for household in unique):
                raise PermissionDenied
        cohousing = CoHousing.objects.create(
            programme=programme,
            dwelling=dwelling,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            terms=terms,
            created_by=actor,
        )
        if dwelling.status == Dwelling.Status.AVAILABLE:  # the co-housing occupies it: no longer proposed
            dwelling.status, dwelling.version = Dwelling.Status.LET, dwelling.version + 1
            dwelling.save(update_fields=["status", "version", "updated_at"])
        CoHousingMember.objects.bulk_create(
            CoHousingMember(cohousing=cohousing, household=household, joined_on=starts_on) for household in unique
        )
        if agreement is not None:
            cohousing.agreement.save(agreement.name, agreement, save=True)
        _audit(actor, membership, programme, AuditEvent.Action.CREATE, target=cohousing)
    return cohousing


# --- The social caretaker -------------------------------------------------------------------------


def building_create(
    *,
    actor: User | None,
    programme: Programme,
    name: str,
    address: str,
    municipality: Municipality,
    kind: str = Building.Kind.BUILDING,
    units: int | None = None,
) -> Building:
    """A building or estate where a social caretaker works. Coordinators only."""
    with transaction.atomic():
        membership = coordinator_membership(actor, programme)
        name, address = (name or "").strip()[:150], (address or "").strip()[:200]
        if not name:
            raise invalid("name", _("Give the building a name."), "required")
        if not address:
            raise invalid("address", _("Write the address."), "required")
        _check_municipality(programme, municipality)
        if Building.objects.filter(programme=programme, name__iexact=name).exists():
            raise invalid("name", _("A building with this name already exists."), "duplicate")
        building = Building.objects.create(
            programme=programme,
            name=name,
            kind=kind,
            address=address,
            municipality=municipality,
            units=units,
            created_by=actor,
        )
        _audit(actor, membership, programme, AuditEvent.Action.CREATE, target=building)
    return building


def caretaker_add(*, actor: User | None, building: Building, member: Membership) -> Caretaker:
    """Put an operator of the programme on the building's caretaker team. Coordinators only."""
    with transaction.atomic():
        membership = coordinator_membership(actor, building.programme)
        if member.programme_id != building.programme_id or member.role != Role.OPERATOR or not member.is_active:
            raise invalid("member", _("Choose an active operator of the programme."), "not_operator")
        caretaker, created = Caretaker.objects.get_or_create(
            building=building, user=member.user, defaults={"organisation": member.organisation}
        )
        if created:
            _audit(
                actor,
                membership,
                building.programme,
                AuditEvent.Action.UPDATE,
                target=building,
                reason="caretaker added",
            )
    return caretaker


def caretaker_remove(*, actor: User | None, caretaker: Caretaker) -> None:
    with transaction.atomic():
        building = caretaker.building
        membership = coordinator_membership(actor, building.programme)
        caretaker.delete()
        _audit(
            actor, membership, building.programme, AuditEvent.Action.UPDATE, target=building, reason="caretaker removed"
        )


def log_entry_create(
    *,
    actor: User | None,
    building: Building,
    kind: str,
    occurred_on: date,
    text: str,
    follow_up_of: LogEntry | None = None,
    referred_to: Organisation | None = None,
) -> LogEntry:
    """Write a line of the logbook: the building's caretakers and the coordinators."""
    with transaction.atomic():
        membership = logbook_membership(actor, building)
        text = (text or "").strip()
        if kind not in LogEntry.Kind.values:
            raise invalid("kind", _("Choose the kind of entry."), "kind")
        if not text:
            raise invalid("text", _("Write what happened."), "required")
        if occurred_on > timezone.localdate():
            raise invalid("occurred_on", _("The date cannot be in the future."), "future")
        if follow_up_of is not None and follow_up_of.building_id != building.pk:
            raise invalid("follow_up_of", _("Choose an entry of this building's logbook."), "other_building")
        if kind == LogEntry.Kind.FOLLOW_UP and follow_up_of is None:
            raise invalid("follow_up_of", _("Choose the entry this follows up."), "required")
        if kind == LogEntry.Kind.REFERRAL and referred_to is None:
            raise invalid("referred_to", _("Choose the service the residents were referred to."), "required")
        entry = LogEntry.objects.create(
            building=building,
            kind=kind,
            occurred_on=occurred_on,
            text=text,
            follow_up_of=follow_up_of,
            referred_to=referred_to if kind == LogEntry.Kind.REFERRAL else None,
            author=actor,
        )
        _audit(actor, membership, building.programme, AuditEvent.Action.CREATE, target=entry)
    return entry


def open_issues(building: Building) -> Any:
    """Issues of the logbook with no follow-up yet."""
    return building.log.filter(kind=LogEntry.Kind.ISSUE, follow_ups__isnull=True)
