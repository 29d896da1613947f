"""Pseudonymised person-level extracts for evaluators (issue 8, S8, S9, S19).

One row per person of the programme who consents to statistical use on the day of the download
(a `Consent` with purpose STATISTICS in force, the same rule as `people.selectors.active_consent`),
who is not erased and whose processing is not restricted (S13: kept but not used). A row carries:

- pseudonyms, not identities: a keyed HMAC of the person's and the household's public id
  (`trama.core.pseudonyms`, the key lives outside the database), stable across downloads so an
  evaluator can link two extracts, not reversible without the key;
- an age band instead of the date of birth, the municipality instead of the address;
- codes and counts, never free text: gender, the latest case's phase, status, channel and months,
  pathway kinds, attendances and activities in the period, referrals, pact and volunteer flags.

Names, codici fiscali, telephones, e-mails, addresses, notes and every other typed text stay out.
Case dates are given to the month: a full date is a quasi-identifier and the evaluation needs
durations, not days. The workbook adds aggregate tables; those are published figures, so a cell of
fewer than five people shows "< 5" instead of its number (S8) — in the XLSX too.

Both files go through `trama.core.exports` (formula neutralisation, S19) and every download writes
an EXPORT audit row in the same transaction (S10).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.activities.models import AgeBand, Attendance, age_band_for
from trama.casework.models import Case, PathwayParticipation, Referral
from trama.core.exports import Sheet, csv_bytes, xlsx_workbook_bytes
from trama.core.pseudonyms import pseudonym
from trama.evaluation.registry import SMALL_CELL, Period
from trama.mutualaid.models import Volunteer
from trama.pacts.models import Pact
from trama.people.models import Consent, HouseholdMember, Person, age_on
from trama.territory.models import Programme

EXTRACT_ROLES = (Role.EVALUATOR, Role.COORDINATOR)
SUPPRESSED = f"< {SMALL_CELL}"

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)

# The columns, in order: the machine name is the CSV/XLSX header (stable for analysis scripts).
COLUMNS = (
    "person",
    "household",
    "age_band",
    "gender",
    "municipality",
    "case_phase",
    "case_status",
    "case_channel",
    "case_opened",
    "case_closed",
    "pathway_kinds",
    "attendances",
    "activities_attended",
    "referrals",
    "referrals_completed",
    "pact",
    "volunteer",
)


@dataclass(frozen=True)
class Extract:
    period: Period
    header: tuple[str, ...]
    rows: list[list[Any]]

    @property
    def row_count(self) -> int:
        return len(self.rows)


def may_extract(user: User | None, programme: Programme) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.active().filter(user=user, programme=programme, role__in=EXTRACT_ROLES).exists()


def consenting_people(programme: Programme, on: date | None = None) -> QuerySet[Person]:
    """People of `programme` whose statistical consent is in force on `on` (today), usable (S13)."""
    day = on or timezone.localdate()
    in_force = Consent.objects.filter(
        person=OuterRef("pk"), purpose=Consent.Purpose.STATISTICS, given_on__lte=day
    ).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
    )
    return Person.objects.filter(programme=programme, erased_at__isnull=True, is_restricted=False).filter(
        Exists(in_force)
    )


def _month(day: date | None) -> str:
    return day.strftime("%Y-%m") if day else ""


def _households(people: QuerySet[Person]) -> dict[int, tuple[int, str, str]]:
    """person pk → (household pk, household public id, household municipality), the first household."""
    found: dict[int, tuple[int, str, str]] = {}
    members = (
        HouseholdMember.objects.filter(person__in=people.values("pk"))
        .order_by("created_at", "pk")
        .values_list("person_id", "household_id", "household__public_id", "household__municipality__name")
    )
    for person_id, household_id, public_id, municipality in members:
        found.setdefault(person_id, (household_id, str(public_id), municipality))
    return found


def _cases(programme: Programme, people: QuerySet[Person], period: Period) -> QuerySet[Case]:
    """The cases, opened by the end of the period, of the households of `people`."""
    households = HouseholdMember.objects.filter(person__in=people.values("pk")).values("household_id")
    return Case.objects.filter(programme=programme, household_id__in=households, opened_on__lte=period.end)


def _latest_cases(cases: QuerySet[Case]) -> dict[int, dict[str, Any]]:
    """household pk → its latest case (codes and dates only)."""
    rows = cases.order_by("household_id", "opened_on", "pk").values(
        "pk", "household_id", "phase", "status", "referral_source", "opened_on", "closed_on"
    )
    return {case["household_id"]: case for case in rows}


def _pathway_kinds(cases: QuerySet[Case]) -> dict[int, list[str]]:
    kinds: dict[int, set[str]] = defaultdict(set)
    for case_id, kind in PathwayParticipation.objects.filter(case__in=cases.values("pk")).values_list(
        "case_id", "pathway__kind"
    ):
        kinds[case_id].add(kind)
    return {case_id: sorted(values) for case_id, values in kinds.items()}


def _attendance(programme: Programme, people: QuerySet[Person], period: Period) -> dict[int, tuple[int, int]]:
    rows = (
        Attendance.objects.filter(
            programme=programme, date__gte=period.start, date__lte=period.end, person__in=people.values("pk")
        )
        .values("person_id")
        .annotate(attendances=Count("pk"), activities=Count("occurrence__activity", distinct=True))
        .values_list("person_id", "attendances", "activities")
    )
    return {person_id: (attendances, activities) for person_id, attendances, activities in rows}


def _referrals(programme: Programme, people: QuerySet[Person], period: Period) -> dict[int, tuple[int, int]]:
    rows = (
        Referral.objects.filter(programme=programme, person__in=people.values("pk"), created_at__date__lte=period.end)
        .values("person_id")
        .annotate(total=Count("pk"), completed=Count("pk", filter=Q(status=Referral.Status.COMPLETED)))
        .values_list("person_id", "total", "completed")
    )
    return {person_id: (total, completed) for person_id, total, completed in rows}


def _pact_people(programme: Programme, people: QuerySet[Person]) -> set[int]:
    return set(
        Pact.objects.filter(programme=programme, person__in=people.values("pk"))
        .exclude(status=Pact.Status.DRAFT)
        .values_list("person_id", flat=True)
    )


def _volunteer_people(programme: Programme, people: QuerySet[Person]) -> set[int]:
    return set(
        Volunteer.objects.filter(
            programme=programme, person__in=people.values("pk"), status=Volunteer.Status.APPROVED
        ).values_list("person_id", flat=True)
    )


def build_extract(programme: Programme, period: Period, *, on: date | None = None) -> Extract:
    """The rows of the extract (a fixed number of queries, whatever the number of people)."""
    day = on or timezone.localdate()
    people = consenting_people(programme, day)
    persons = list(people.order_by("pk").values_list("pk", "public_id", "birth_date", "gender", "municipality__name"))
    households = _households(people)
    case_rows = _cases(programme, people, period)
    cases, kinds = _latest_cases(case_rows), _pathway_kinds(case_rows)
    attendance = _attendance(programme, people, period)
    referrals = _referrals(programme, people, period)
    pacts, volunteers = _pact_people(programme, people), _volunteer_people(programme, people)
    rows = []
    for pk, public_id, birth_date, gender, municipality in persons:
        household_id, household_public_id, household_municipality = households.get(pk, (None, "", ""))
        case = cases.get(household_id, {}) if household_id else {}
        attended = attendance.get(pk, (0, 0))
        referred = referrals.get(pk, (0, 0))
        rows.append(
            [
                pseudonym(public_id),
                pseudonym(household_public_id) if household_public_id else "",
                age_band_for(age_on(birth_date, day) if birth_date else None) or "unknown",
                gender or "unknown",
                municipality or household_municipality or "",
                case.get("phase", ""),
                case.get("status", ""),
                case.get("referral_source", ""),
                _month(case.get("opened_on")),
                _month(case.get("closed_on")),
                ";".join(kinds.get(case["pk"], [])) if case else "",
                attended[0],
                attended[1],
                referred[0],
                referred[1],
                int(pk in pacts),
                int(pk in volunteers),
            ]
        )
    return Extract(period=period, header=COLUMNS, rows=rows)


# --- Aggregate tables (published: small cells suppressed) ------------------------------------


def published(count: int) -> int | str:
    """A count of people as published (S8): fewer than five (but some) shows only the bound."""
    return SUPPRESSED if 0 < count < SMALL_CELL else count


def aggregate_sheets(extract: Extract) -> list[Sheet]:
    """People by age band, gender, municipality and case phase: one sheet each, small cells hidden."""
    index = {name: position for position, name in enumerate(extract.header)}
    sheets = []
    for column, title in (
        ("age_band", _("By age band")),
        ("gender", _("By gender")),
        ("municipality", _("By municipality")),
        ("case_phase", _("By case phase")),
    ):
        counts = Counter(row[index[column]] or "-" for row in extract.rows)
        rows = [[key, published(count)] for key, count in sorted(counts.items())]
        rows.append([_("All"), published(extract.row_count)])
        sheets.append(Sheet(title, [column, "people"], rows))
    return sheets


def codebook_rows() -> list[list[str]]:
    """What each column holds, for the reader of the file."""
    bands = ", ".join(f"{band.value or 'unknown'}" for band in AgeBand)
    return [
        ["person", _("Pseudonym of the person: keyed HMAC, stable across extracts, not reversible.")],
        ["household", _("Pseudonym of the person's household, computed the same way.")],
        ["age_band", _("Age band on the day of the extract: %(bands)s.") % {"bands": bands}],
        ["gender", _("F, M, X (other) or unknown.")],
        ["municipality", _("Municipality of residence (of the household when the person has none).")],
        ["case_phase", _("Phase of the household's latest case: A access … E closure.")],
        ["case_status", _("open or closed.")],
        ["case_channel", _("How the household reached the programme (channel code).")],
        ["case_opened", _("Month the case was opened (YYYY-MM).")],
        ["case_closed", _("Month the case was closed (YYYY-MM), empty while open.")],
        ["pathway_kinds", _("Kinds of the case's pathways, separated by semicolons.")],
        ["attendances", _("Attendances of the person at activities in the period.")],
        ["activities_attended", _("Distinct activities the person attended in the period.")],
        ["referrals", _("Referrals of the person made by the end of the period, whatever their outcome.")],
        ["referrals_completed", _("Of those, referrals completed.")],
        ["pact", _("1 when the person signed a pact (not a draft).")],
        ["volunteer", _("1 when the person is an approved volunteer.")],
        ["", _("Cells of fewer than 5 people in the aggregate sheets show “< 5”.")],
    ]  # fmt: skip


def extract_file(extract: Extract, file_format: str) -> bytes:
    if file_format == CSV:
        return csv_bytes(extract.header, extract.rows)
    sheets = [Sheet(_("People"), extract.header, extract.rows), *aggregate_sheets(extract)]
    sheets.append(Sheet(_("Codebook"), ["column", _("Meaning")], codebook_rows()))
    return xlsx_workbook_bytes(sheets)


def extract_filename(programme: Programme, period: Period, file_format: str) -> str:
    return f"estratto-{programme.slug}-{period.start.isoformat()}-{period.end.isoformat()}.{file_format}"


def extract_download(
    *, actor: User, programme: Programme, period: Period, file_format: str, request: Any = None
) -> bytes:
    """Build the extract for `actor` and record the download (S10, S19). The file is built before
    the audit row, so a slow build never holds the write transaction and no file leaves if the
    audit write fails."""
    if file_format not in FORMATS:
        raise ValueError(file_format)
    membership = (
        Membership.objects.active()
        .filter(user=actor, programme=programme, role__in=EXTRACT_ROLES)
        .select_related("organisation", "programme")
        .first()
    )
    if membership is None or not actor.is_active:
        raise PermissionDenied
    extract = build_extract(programme, period)
    content = extract_file(extract, file_format)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT, actor=actor, request=request, programme=programme, membership=membership,
            target_type="evaluation.extract",
            reason=f"pseudonymised extract {period.start}–{period.end}, {extract.row_count} people ({file_format})",
        )  # fmt: skip
    return content
