"""Activities, and the named attendance at their dates, from a spreadsheet — through the
activities services (`activity_create`, `attendance_set`), so audit and permissions apply.

Who may: coordinators, for every activity; lab managers, for the activities held at a place of
their organisation or organised by it (`trama.activities.permissions`), checked row by row.

Natural keys (S23): an activity is the same activity when its title, its place (or venue) and its
first start match one of the programme; a row that matches comes out unchanged, so importing the
file again creates nothing. An attendance row names an activity by its title and one of its dates
(date and time; the date alone when the activity meets once that day) and a person the programme
already knows, by codice fiscale or by first name, last name and date of birth: a person not found
is an error, never a new person. "Presente: no" removes a recorded presence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.accounts.models import Membership, Role, User
from trama.activities import services
from trama.activities.models import Activity, Attendance, Closure, Occurrence, Registration, Tally
from trama.activities.permissions import managed_activities
from trama.exchange.importers.base import (
    CREATED,
    ERROR,
    UNCHANGED,
    UPDATED,
    CellError,
    Column,
    MunicipalityIndex,
    Plan,
    Progress,
    Row,
    parse_choice,
    parse_date,
    parse_text,
    parse_yes_no,
)
from trama.exchange.importers.network import _Cells, _find_organisation, _partners, _reader_errors
from trama.network.models import CommunityPlace, Organisation
from trama.people.models import Person
from trama.territory.models import ActionLine, Municipality, Programme

K = Activity.Kind
KINDS = {
    "laboratorio": K.LAB, "evento pubblico": K.PUBLIC_EVENT, "evento": K.PUBLIC_EVENT,
    "incontro tematico": K.THEMATIC_MEETING, "incontro informativo": K.THEMATIC_MEETING, "corso": K.COURSE,
    "sport": K.SPORT, "attività culturale": K.CULTURE, "cultura": K.CULTURE, "sostegno scolastico": K.HOMEWORK_HELP,
    "doposcuola": K.HOMEWORK_HELP, "aiuto compiti": K.HOMEWORK_HELP, "scambio europeo": K.EUROPEAN_EXCHANGE,
    "orientamento": K.ORIENTATION, "alternanza scuola-lavoro": K.ORIENTATION, "assemblea": K.ASSEMBLY,
    **{value: value for value in K.values},
}  # fmt: skip
A = Activity.Audience
AUDIENCES = {
    "tutti": A.EVERYONE, "famiglie": A.FAMILIES, "bambini 0-5": A.CHILDREN_0_5, "bambini 6-10": A.CHILDREN_6_10,
    "ragazzi 11-13": A.CHILDREN_11_13, "adolescenti": A.ADOLESCENTS, "adulti": A.ADULTS, "operatori": A.OPERATORS,
    "volontari": A.VOLUNTEERS, **{value: value for value in A.values},
}  # fmt: skip
WEEKDAYS = {
    "lunedì": "MO", "lunedi": "MO", "martedì": "TU", "martedi": "TU", "mercoledì": "WE", "mercoledi": "WE",
    "giovedì": "TH", "giovedi": "TH", "venerdì": "FR", "venerdi": "FR", "sabato": "SA", "domenica": "SU",
}  # fmt: skip
PERIODS = {
    "giorno": "FREQ=DAILY", "settimana": "FREQ=WEEKLY", "due settimane": "FREQ=WEEKLY;INTERVAL=2",
    "2 settimane": "FREQ=WEEKLY;INTERVAL=2", "mese": "FREQ=MONTHLY",
}  # fmt: skip

COLUMNS = (
    Column("title", "Titolo", gettext_lazy("Required."), "Aiuto compiti", required=True),
    Column(
        "kind",
        "Tipo",
        gettext_lazy(
            "Required: laboratorio, evento pubblico, incontro tematico, corso, sport, attività culturale, "
            "sostegno scolastico, scambio europeo, orientamento, assemblea."
        ),
        "sostegno scolastico",
        required=True,
    ),
    Column("action_line", "Linea d'azione", gettext_lazy("Optional: the code or name of an action line."), ""),
    Column(
        "audience",
        "Destinatari",
        gettext_lazy(
            "tutti, famiglie, bambini 0-5, bambini 6-10, ragazzi 11-13, adolescenti, adulti, operatori, volontari; "
            "tutti if empty."
        ),
        "bambini 6-10",
    ),
    Column("description", "Descrizione", gettext_lazy("Optional."), ""),
    Column("place", "Luogo", gettext_lazy("The name of a place of the programme's network; or fill in Sede and Comune."), ""),  # noqa: E501
    Column("venue", "Sede", gettext_lazy("Where, when it is not a place of the network (a school, a park)."), "Scuola primaria Carducci"),  # noqa: E501
    Column("municipality", "Comune", gettext_lazy("With Sede: name or ISTAT code, in the programme's territory."), "Pavia"),  # noqa: E501
    Column("organisers", "Organizzatori", gettext_lazy("Partners of the programme (codice fiscale, partita IVA or name), separated by commas."), ""),  # noqa: E501
    Column("is_public", "Pubblica", gettext_lazy("sì or no: shown on the public calendar; sì if empty."), "sì"),
    Column("registration_required", "Iscrizione", gettext_lazy("sì or no: registration required; no if empty."), "no"),
    Column("capacity", "Posti", gettext_lazy("Optional: the number of places; empty when there is no limit."), ""),
    Column("first_start", "Data e ora di inizio", gettext_lazy("Required: the first date, dd/mm/yyyy hh:mm."), "05/10/2026 16:30", required=True),  # noqa: E501
    Column("duration_minutes", "Durata in minuti", gettext_lazy("Required: a whole number of minutes."), "90", required=True),  # noqa: E501
    Column(
        "recurrence",
        "Ricorrenza",
        gettext_lazy(
            "Empty for a single date; e.g. “ogni lunedì e mercoledì fino al 30/06/2027”, “ogni settimana per 10 "
            "volte”, “ogni giorno fino al 12/07/2027”, or an RRULE such as FREQ=WEEKLY;BYDAY=MO."
        ),
        "ogni lunedì fino al 30/06/2027",
    ),
    Column("skip_closures", "Salta le chiusure", gettext_lazy("sì or no: no dates during the programme's closures; sì if empty."), ""),  # noqa: E501
)  # fmt: skip

ATTENDANCE_COLUMNS = (
    Column("activity", "Attività", gettext_lazy("Required: the title of an activity of the programme."), "Aiuto compiti", required=True),  # noqa: E501
    Column("starts_at", "Data e ora", gettext_lazy("Required: the date of the activity, dd/mm/yyyy hh:mm (the date alone when it meets once that day)."), "05/10/2026 16:30", required=True),  # noqa: E501
    Column("tax_code", "Codice fiscale", gettext_lazy("The person's codice fiscale; or first name, last name and date of birth."), ""),  # noqa: E501
    Column("first_name", "Nome", gettext_lazy("Without the codice fiscale: the first name."), "Maria"),
    Column("last_name", "Cognome", gettext_lazy("Without the codice fiscale: the last name."), "Rossi"),
    Column("birth_date", "Data di nascita", gettext_lazy("Without the codice fiscale: dd/mm/yyyy."), "15/03/2016"),
    Column("present", "Presente", gettext_lazy("sì or no (no removes a presence recorded before); sì if empty."), "sì"),
)  # fmt: skip

TALLY_COLUMNS = (
    Column("activity", "Attività", gettext_lazy("Required: the title of an activity of the programme."), "Festa di quartiere", required=True),  # noqa: E501
    Column("starts_at", "Data e ora", gettext_lazy("Required: the date of the activity, dd/mm/yyyy hh:mm (the date alone when it meets once that day)."), "12/09/2026 15:00", required=True),  # noqa: E501
    Column("age_band", "Fascia d'età", gettext_lazy("0-5, 6-10, 11-13, 14-17, 18-64, 65+, or empty when not known."), "18-64"),  # noqa: E501
    Column("gender", "Genere", gettext_lazy("F, M, or empty when not recorded."), "F"),
    Column("count", "Persone", gettext_lazy("Required: how many people. The rows of a date are its whole head count."), "40", required=True),  # noqa: E501
)  # fmt: skip
AGE_BANDS = {
    "0-5": "0-5", "6-10": "6-10", "11-13": "11-13", "14-17": "14-17", "18-64": "18-64", "65+": "65+",
    "65 e oltre": "65+", "non nota": "",
}  # fmt: skip
TALLY_GENDERS = {"f": "F", "femmine": "F", "donne": "F", "m": "M", "maschi": "M", "uomini": "M", "non rilevato": ""}

_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?")
_RECURRENCE = re.compile(r"ogni\s+(?P<what>.+?)(?:\s+fino\s+al?\s+(?P<until>\S+))?(?:\s+per\s+(?P<count>\d+)\s+volte)?")


def _managers_only(user: User, programme: Programme) -> bool:
    roles = (Role.COORDINATOR, Role.LAB_MANAGER)
    return Membership.objects.active().filter(user=user, programme=programme, role__in=roles).exists()


def _own_organisations(user: User | None, programme: Programme) -> set[int] | None:
    """None for coordinators (every activity); else the organisations the user runs labs for."""
    if user is None:
        return None
    memberships = list(Membership.objects.active().filter(user=user, programme=programme))
    if any(m.role == Role.COORDINATOR for m in memberships):
        return None
    return {m.organisation_id for m in memberships if m.role == Role.LAB_MANAGER}


def _progress(progress: Progress, index: int, rows: list[Row]) -> None:
    """Report the checking's progress twenty times over the file, not at every row."""
    if index % max(1, len(rows) // 20) == 0:
        progress(int(90 * index / max(1, len(rows))), _("Checking row %(row)d") % {"row": rows[index].number})


# --- Cells -------------------------------------------------------------------------------


def parse_moment(value: str, *, date_alone: bool = False, required: bool = True) -> datetime | date | None:
    """A date and time, "dd/mm/yyyy hh:mm" (or ISO, as a spreadsheet's date cell reads): an aware
    datetime in the programme's time zone. With `date_alone`, a date without a time is a date."""
    if not value:
        if required:
            raise CellError(_("This column is required."))
        return None
    text = value.replace("T", " ").strip()
    day_text, _space, time_text = text.partition(" ")
    day = parse_date(day_text)
    time_text = time_text.strip()
    if not time_text:
        if date_alone:
            return day
        raise CellError(_("Give the time too: dd/mm/yyyy hh:mm."))
    found = _TIME.fullmatch(time_text)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise CellError(_("Not a time: write it as hh:mm, e.g. 16:30."))
    return timezone.make_aware(datetime.combine(day, time(int(found[1]), int(found[2]))))


def parse_positive(value: str, *, required: bool = False) -> int | None:
    if not value:
        if required:
            raise CellError(_("This column is required."))
        return None
    if not value.isdigit() or int(value) == 0:
        raise CellError(_("Write a whole number greater than zero."))
    return int(value)


def parse_recurrence(value: str) -> str:
    """An RRULE from "ogni lunedì e mercoledì fino al 30/06/2027" (or an RRULE as it is)."""
    text = " ".join(value.split())
    if not text or text.upper().startswith(("FREQ=", "RRULE:")):
        return text
    found = _RECURRENCE.fullmatch(text.casefold())
    if found is None:
        raise CellError(
            _("Write the recurrence as “ogni lunedì fino al 30/06/2027”, “ogni settimana per 10 volte” or an RRULE.")
        )
    what = found["what"].strip()
    if what in PERIODS:
        rule = PERIODS[what]
    else:
        days = [day.strip() for day in re.split(r",|\se\s", what) if day.strip()]
        if not days or any(day not in WEEKDAYS for day in days):
            raise CellError(_("Name the days of the week, e.g. “ogni lunedì e giovedì”."))
        rule = "FREQ=WEEKLY;BYDAY=" + ",".join(dict.fromkeys(WEEKDAYS[day] for day in days))
    if found["until"]:
        until = parse_date(found["until"])
        rule += f";UNTIL={until:%Y%m%d}T235959"
    if found["count"]:
        rule += f";COUNT={int(found['count'])}"
    return rule


# --- Activities --------------------------------------------------------------------------


def allowed(user: User, programme: Programme) -> bool:
    return _managers_only(user, programme)


def _activity_key(title: str, place_id: int | None, venue: str, first_start: datetime) -> tuple[Any, ...]:
    return (
        " ".join(title.split()).casefold(),
        place_id,
        "" if place_id else " ".join(venue.split()).casefold(),
        first_start,
    )


@dataclass
class _ActivityContext:
    programme: Programme
    own: set[int] | None
    places: dict[str, list[CommunityPlace]]
    lines: dict[str, ActionLine]
    partners: list[Organisation]
    territory: set[int]
    closures: list[Closure]
    existing: dict[tuple[Any, ...], int]
    managed: set[int]
    municipalities: MunicipalityIndex = field(default_factory=MunicipalityIndex)


def _activity_context(actor: User | None, programme: Programme) -> _ActivityContext:
    places: dict[str, list[CommunityPlace]] = {}
    for place in CommunityPlace.objects.filter(programme=programme):
        places.setdefault(" ".join(place.name.split()).casefold(), []).append(place)
    lines: dict[str, ActionLine] = {}
    for line in ActionLine.objects.filter(programme=programme):
        lines[line.code.casefold()] = line
        lines.setdefault(line.name.casefold(), line)
    existing = {
        _activity_key(title, place_id, venue, start): pk
        for pk, title, place_id, venue, start in Activity.objects.filter(programme=programme).values_list(
            "pk", "title", "place_id", "venue", "first_start"
        )
    }
    return _ActivityContext(
        programme=programme,
        own=_own_organisations(actor, programme),
        places=places,
        lines=lines,
        partners=_partners(programme),
        territory=set(programme.municipalities.values_list("pk", flat=True)),
        closures=list(Closure.objects.filter(programme=programme)),
        existing=existing,
        managed=set(managed_activities(actor, programme).values_list("pk", flat=True)) if actor else set(),
    )


def _activity_fields(cells: _Cells, context: _ActivityContext) -> dict[str, Any]:
    row = cells.row
    fields = {
        "title": cells.get("title", parse_text, max_length=200, required=True),
        "kind": cells.get("kind", parse_choice, KINDS, required=True),
        "audience": cells.get("audience", parse_choice, AUDIENCES) or Activity.Audience.EVERYONE,
        "description": cells.get("description", parse_text, max_length=5000) or "",
        "venue": cells.get("venue", parse_text, max_length=200) or "",
        "is_public": cells.get("is_public", parse_yes_no),
        "registration_required": cells.get("registration_required", parse_yes_no),
        "capacity": cells.get("capacity", parse_positive),
        "first_start": cells.get("first_start", parse_moment),
        "duration_minutes": cells.get("duration_minutes", parse_positive, required=True),
        "recurrence": cells.get("recurrence", parse_recurrence),
        "skip_closures": cells.get("skip_closures", parse_yes_no),
        "place": None,
        "action_line": None,
        "municipality": None,
    }
    fields["is_public"] = fields["is_public"] is not False
    fields["registration_required"] = bool(fields["registration_required"])
    fields["skip_closures"] = fields["skip_closures"] is not False
    line = row.text("action_line")
    if line:
        fields["action_line"] = context.lines.get(line.casefold())
        if fields["action_line"] is None:
            cells.fail("action_line", _("The programme has no action line with this code or name."))
    place = " ".join(row.text("place").split())
    if place:
        found = context.places.get(place.casefold(), [])
        if len(found) != 1:
            reason = (
                _("Several places of the programme have this name.")
                if found
                else _("No place of the programme's network has this name.")
            )
            cells.fail("place", reason)
        else:
            fields["place"] = found[0]
            fields["municipality"] = found[0].municipality_id
    elif not fields["venue"]:
        cells.fail("place", _("Say where the activity takes place: a place of the network, or Sede and Comune."))
    else:
        fields["municipality"] = cells.get("municipality", context.municipalities.resolve, allowed=context.territory)
        if fields["municipality"] is None and not row.text("municipality"):
            cells.fail("municipality", _("Give the municipality of the venue."))
    return fields


def _organisers(cells: _Cells, context: _ActivityContext) -> list[Organisation]:
    organisers = []
    for name in (item.strip() for item in cells.row.text("organisers").replace(";", ",").split(",")):
        if not name:
            continue
        organisation = _find_organisation(context.partners, name)
        if organisation is None:
            cells.fail(
                "organisers",
                _("No partner of the programme has this codice fiscale, partita IVA or name: %(name)s.")
                % {"name": name},
            )
        elif organisation not in organisers:
            organisers.append(organisation)
    return organisers


def _check_activity(cells: _Cells, fields: dict[str, Any], context: _ActivityContext) -> None:
    """The model's rules and the schedule, as the service will check them, without writing."""
    place = fields["place"]
    candidate = Activity(
        programme=context.programme,
        **{k: v for k, v in fields.items() if k not in ("place", "action_line", "municipality")},
        place=place,
        action_line=fields["action_line"],
        municipality_id=fields["municipality"],
    )
    try:
        candidate.full_clean(exclude=["programme", "place", "action_line", "municipality", "created_by"])
        if not services.schedule_starts(candidate, context.closures):
            raise ValidationError({"recurrence": _("The schedule gives no date: check the rule and the closures.")})
    except ValidationError as error:
        cells.errors.extend(_reader_errors(cells.row, COLUMNS, error, {}))


def plan(*, actor: User | None, programme: Programme, rows: list[Row], progress: Progress) -> Plan:
    result, context = Plan(prepared=[]), _activity_context(actor, programme)
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        _progress(progress, index, rows)
        cells = _Cells(row, COLUMNS)
        fields = _activity_fields(cells, context)
        organisers = _organisers(cells, context)
        outcome = ERROR
        if not cells.errors:
            place = fields["place"]
            key = _activity_key(fields["title"], place.pk if place else None, fields["venue"], fields["first_start"])
            if key in seen:
                cells.fail("title", _("The same activity is in row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, row.number)
            existing = context.existing.get(key)
            own = context.own
            if existing is not None and own is not None and existing not in context.managed:
                cells.fail("organisers", _("You may import only the activities of your organisation."))
            elif existing is None and own is not None:
                at_their_place = place is not None and place.managing_organisation_id in own
                if not at_their_place and not any(o.pk in own for o in organisers):
                    cells.fail("organisers", _("You may import only the activities of your organisation."))
            if not cells.errors and existing is None:
                _check_activity(cells, fields, context)
            if not cells.errors:
                outcome = UNCHANGED if existing is not None else CREATED
                if outcome == CREATED:
                    result.prepared.append((fields, [o.pk for o in organisers]))
        if cells.errors:
            result.errors.extend(cells.errors)
            outcome = ERROR
        result.outcomes.append((row.number, outcome, row.text("title")))
    return result


def apply(*, actor: User | None, programme: Programme, plan: Plan) -> None:
    municipalities = Municipality.objects.in_bulk({fields["municipality"] for fields, _o in plan.prepared})
    organisations = Organisation.objects.in_bulk({pk for _f, pks in plan.prepared for pk in pks})
    with transaction.atomic():
        for fields, organiser_pks in plan.prepared:
            values = {**fields, "municipality": municipalities[fields["municipality"]]}
            services.activity_create(
                actor=actor, programme=programme, fields=values, organisers=[organisations[pk] for pk in organiser_pks]
            )


# --- Attendance --------------------------------------------------------------------------


def attendance_allowed(user: User, programme: Programme) -> bool:
    return _managers_only(user, programme)


@dataclass
class _AttendanceContext:
    activities: dict[str, list[int]]  # title -> activity pks
    managed: set[int]
    registration_required: set[int]
    # activity pk -> local day -> (occurrence pk, start, status)
    occurrences: dict[int, dict[date, list[tuple[int, datetime, str]]]]
    registered: set[tuple[int, int]] = field(default_factory=set)  # (activity pk, person pk)
    present: set[tuple[int, int]] = field(default_factory=set)  # (occurrence pk, person pk)
    by_code: dict[str, int] = field(default_factory=dict)
    by_name: dict[tuple[str, str, date], list[int]] = field(default_factory=dict)
    restricted: set[int] = field(default_factory=set)
    tallies: dict[int, dict[tuple[str, str], int]] = field(default_factory=dict)  # occurrence pk -> cells


def _dates_context(actor: User | None, programme: Programme, rows: list[Row]) -> _AttendanceContext:
    """The activities the file names by title, which of them `actor` runs, and their dates."""
    titles = {" ".join(row.text("activity").split()).casefold() for row in rows}
    activities: dict[str, list[int]] = {}
    required = set()
    for pk, title, registration in Activity.objects.filter(programme=programme).values_list(
        "pk", "title", "registration_required"
    ):
        key = " ".join(title.split()).casefold()
        if key in titles:
            activities.setdefault(key, []).append(pk)
            if registration:
                required.add(pk)
    named = [pk for pks in activities.values() for pk in pks]
    occurrences: dict[int, dict[date, list[tuple[int, datetime, str]]]] = {}
    for pk, activity, start, status in Occurrence.objects.filter(activity_id__in=named).values_list(
        "pk", "activity_id", "starts_at", "status"
    ):
        local = timezone.localtime(start)
        occurrences.setdefault(activity, {}).setdefault(local.date(), []).append((pk, local, status))
    managed = managed_activities(actor, programme).filter(pk__in=named) if actor else Activity.objects.none()
    return _AttendanceContext(
        activities=activities,
        managed=set(managed.values_list("pk", flat=True)) if actor else set(named),
        registration_required=required,
        occurrences=occurrences,
    )


def _attendance_context(actor: User | None, programme: Programme, rows: list[Row]) -> _AttendanceContext:
    context = _dates_context(actor, programme, rows)
    named = [pk for pks in context.activities.values() for pk in pks]
    for pk, code, first, last, born, is_restricted in Person.objects.filter(
        programme=programme, erased_at__isnull=True
    ).values_list("pk", "tax_code", "first_name", "last_name", "birth_date", "is_restricted"):
        if code:
            context.by_code[code] = pk
        if born is not None:
            context.by_name.setdefault((first.casefold(), last.casefold(), born), []).append(pk)
        if is_restricted:
            context.restricted.add(pk)
    context.registered = set(
        Registration.objects.filter(
            activity_id__in=context.registration_required, status=Registration.Status.REGISTERED
        ).values_list("activity_id", "person_id")
    )
    context.present = set(
        Attendance.objects.filter(occurrence__activity_id__in=named).values_list("occurrence_id", "person_id")
    )
    return context


def _occurrence(cells: _Cells, context: _AttendanceContext) -> tuple[int, int] | None:
    """(activity pk, occurrence pk) named by the row, or None with the reason on the row."""
    title = " ".join(cells.row.text("activity").split()).casefold()
    moment = cells.get("starts_at", parse_moment, date_alone=True)
    if not title:
        cells.fail("activity", _("This column is required."))
        return None
    if title not in context.activities:
        cells.fail("activity", _("No activity of the programme has this title."))
        return None
    pks = [pk for pk in context.activities[title] if pk in context.managed]
    if not pks:
        cells.fail("activity", _("You may import only the attendance of the activities of your organisation."))
        return None
    return None if moment is None else _at(cells, context, pks, moment)


def _at(cells: _Cells, context: _AttendanceContext, activities: list[int], moment: datetime | date) -> Any:
    """The one date of `activities` at `moment` (a date alone: the one that day) that can take attendance."""
    found = []
    for activity in activities:
        day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
        for pk, start, status in context.occurrences.get(activity, {}).get(day, []):
            if not isinstance(moment, datetime) or start == moment:
                found.append((activity, pk, start, status))
    if len(found) != 1:
        reason = (
            _("The activity meets more than once at this date: give the time too.")
            if found
            else _("The activity has no date at this day and time.")
        )
        cells.fail("starts_at", reason)
        return None
    activity, pk, start, status = found[0]
    if status == Occurrence.Status.CANCELLED:
        cells.fail("starts_at", _("This date was cancelled: restore it before recording attendance."))
    elif start.date() > timezone.localdate():
        cells.fail("starts_at", _("Attendance can be recorded from the day of the activity, not before."))
    return activity, pk


def _person(cells: _Cells, context: _AttendanceContext) -> int | None:
    code = cells.row.text("tax_code").upper().replace(" ", "")
    if code:
        pk = context.by_code.get(code)
        if pk is None:
            cells.fail("tax_code", _("The programme knows no one with this codice fiscale."))
    else:
        first = cells.get("first_name", parse_text, max_length=100)
        last = cells.get("last_name", parse_text, max_length=100)
        born = cells.get("birth_date", parse_date, past_only=True)
        if not (first and last and born):
            if not cells.errors:
                cells.fail("tax_code", _("Give the codice fiscale, or first name, last name and date of birth."))
            return None
        found = context.by_name.get((" ".join(first.split()).casefold(), " ".join(last.split()).casefold(), born), [])
        if len(found) != 1:
            reason = _("Several people of the programme have this name and date of birth: give the codice fiscale.")
            cells.fail(
                "first_name", reason if found else _("The programme knows no one with this name and date of birth.")
            )
            return None
        pk = found[0]
    if pk is not None and pk in context.restricted:
        cells.fail(
            "tax_code" if code else "first_name",
            _("The processing of this person's data is restricted: an import cannot change it."),
        )
        return None
    return pk


def plan_attendance(*, actor: User | None, programme: Programme, rows: list[Row], progress: Progress) -> Plan:
    context = _attendance_context(actor, programme, rows)
    result = Plan(prepared={})  # occurrence pk -> {"add": set(person pks), "remove": set(person pks)}
    seen: dict[tuple[int, int], int] = {}
    for index, row in enumerate(rows):
        _progress(progress, index, rows)
        cells = _Cells(row, ATTENDANCE_COLUMNS)
        present = cells.get("present", parse_yes_no) is not False
        named = _occurrence(cells, context)
        person = _person(cells, context)
        outcome = ERROR
        if not cells.errors and named is not None and person is not None:
            activity, occurrence = named
            if (occurrence, person) in seen:
                cells.fail(
                    "activity",
                    _("The same person at the same date is in row %(row)d.") % {"row": seen[(occurrence, person)]},
                )
            seen.setdefault((occurrence, person), row.number)
            if present and activity in context.registration_required and (activity, person) not in context.registered:
                cells.fail("activity", _("The person is not registered for this activity: register them first."))
            if not cells.errors:
                recorded = (occurrence, person) in context.present
                changes = result.prepared.setdefault(occurrence, {"add": set(), "remove": set()})
                if present and not recorded:
                    outcome = CREATED
                    changes["add"].add(person)
                elif not present and recorded:
                    outcome = UPDATED
                    changes["remove"].add(person)
                else:
                    outcome = UNCHANGED
        if cells.errors:
            result.errors.extend(cells.errors)
            outcome = ERROR
        label = f"{row.text('activity')} · {row.text('starts_at')} · {row.text('last_name')} {row.text('first_name')}"
        result.outcomes.append((row.number, outcome, label.strip()))
    return result


def apply_attendance(*, actor: User | None, programme: Programme, plan: Plan) -> None:
    changed = {pk: changes for pk, changes in plan.prepared.items() if changes["add"] or changes["remove"]}
    occurrences = Occurrence.objects.select_related("activity__programme", "activity__place").in_bulk(list(changed))
    with transaction.atomic():
        for pk, changes in changed.items():
            occurrence = occurrences[pk]
            current = set(Attendance.objects.filter(occurrence=occurrence).values_list("person_id", flat=True))
            wanted = (current | changes["add"]) - changes["remove"]
            people = Person.objects.in_bulk(list(wanted))
            services.attendance_set(actor=actor, occurrence=occurrence, present=list(people.values()))


# --- Anonymous head counts -----------------------------------------------------------------


def parse_count(value: str) -> int | None:
    if not value:
        raise CellError(_("This column is required."))
    if not value.isdigit():
        raise CellError(_("Write a whole number, zero or more."))
    if int(value) > services.MAX_TALLY_CELL:
        raise CellError(_("%(count)d people in one cell is not plausible: check the figure.") % {"count": int(value)})
    return int(value)


def plan_tallies(*, actor: User | None, programme: Programme, rows: list[Row], progress: Progress) -> Plan:
    """For each date the file names, its rows are the whole head count (by age band and gender):
    they replace the tally recorded before, as the tally form does."""
    context = _dates_context(actor, programme, rows)
    dates = [pk for days in context.occurrences.values() for day in days.values() for pk, _start, _status in day]
    for occurrence, band, gender, count in Tally.objects.filter(occurrence_id__in=dates).values_list(
        "occurrence_id", "age_band", "gender", "count"
    ):
        context.tallies.setdefault(occurrence, {})[(band, gender)] = count
    result = Plan(prepared={})  # occurrence pk -> {(age band, gender): people}
    seen: dict[tuple[int, str, str], int] = {}
    for index, row in enumerate(rows):
        _progress(progress, index, rows)
        cells = _Cells(row, TALLY_COLUMNS)
        named = _occurrence(cells, context)
        band = cells.get("age_band", parse_choice, AGE_BANDS)
        gender = cells.get("gender", parse_choice, TALLY_GENDERS)
        count = cells.get("count", parse_count)
        outcome = ERROR
        if not cells.errors and named is not None:
            occurrence = named[1]
            key = (occurrence, band or "", gender or "")
            if key in seen:
                cells.fail("age_band", _("The same date, age band and gender are in row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, row.number)
            if not cells.errors:
                result.prepared.setdefault(occurrence, {})[key[1:]] = count
                stored = context.tallies.get(occurrence, {}).get(key[1:], 0)
                outcome = UNCHANGED if stored == count else (UPDATED if stored else CREATED)
        if cells.errors:
            result.errors.extend(cells.errors)
            outcome = ERROR
        result.outcomes.append((row.number, outcome, f"{row.text('activity')} · {row.text('starts_at')}"))
    # A date whose head count is the one recorded is left alone: importing again writes nothing.
    same = [pk for pk, counts in result.prepared.items() if _nonzero(counts) == context.tallies.get(pk, {})]
    for pk in same:
        del result.prepared[pk]
    return result


def _nonzero(counts: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    return {cell: count for cell, count in counts.items() if count}


def apply_tallies(*, actor: User | None, programme: Programme, plan: Plan) -> None:
    occurrences = Occurrence.objects.select_related("activity__programme", "activity__place").in_bulk(
        list(plan.prepared)
    )
    with transaction.atomic():
        for pk, cells in plan.prepared.items():
            services.tally_set(actor=actor, occurrence=occurrences[pk], cells=cells)
