"""Reads behind the data-subject rights of a person (S12, S13): "who accessed my file" and the
complete export of their data, with third parties redacted.

Redaction rules of the export: the other members of a household appear only as their relation
and an age band; staff appear only as their organisation and role; nobody else's name appears.
Notes of group sessions are left out because they speak of other households.
Callers (views through `services.person_export`) check that the user is a coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.models import AuditEvent, Membership, Role
from trama.casework.models import (
    Assessment,
    Case,
    CasePhaseChange,
    CaseTeamMember,
    Goal,
    IntakeRequest,
    Pathway,
    Referral,
    ReferralTransition,
    Session,
)
from trama.core.processing import RETENTION
from trama.people.models import Consent, Household, HouseholdMember, Person, age_on
from trama.people.selectors import MINOR_BANDS, NEWLY_ADULT, band_label

# Age bands of third parties in an export: broad enough not to single anyone out.
EXPORT_BANDS = (*MINOR_BANDS, NEWLY_ADULT, (22, 64), (65, None))


def age_band(birth_date: date | None, on: date | None = None) -> str:
    if birth_date is None:
        return _("age unknown")
    age = age_on(birth_date, on or timezone.localdate())
    for low, high in EXPORT_BANDS:
        if age >= low and (high is None or age <= high):
            return band_label(low, high)
    return _("age unknown")


# --- What belongs to a person's file ---------------------------------------------------------


@dataclass(frozen=True)
class PersonFile:
    """The records of a person's file, as audit targets (`target_type` → public ids)."""

    person: Person
    household_ids: list[int]
    case_ids: list[int]
    targets: dict[str, list[str]]


def person_file(person: Person) -> PersonFile:
    households = list(Household.objects.filter(memberships__person=person).values_list("pk", "public_id"))
    household_pks = [pk for pk, _public in households]
    cases = list(Case.objects.filter(household__in=household_pks).values_list("pk", "public_id"))
    case_pks = [pk for pk, _public in cases]
    pathways = Pathway.objects.filter(participations__case__in=case_pks, is_group=False)
    sessions = Session.objects.filter(Q(pathway__in=pathways) | Q(attendees=person)).distinct()

    def ids(queryset: QuerySet[Any]) -> list[str]:
        return [str(public_id) for public_id in queryset.values_list("public_id", flat=True)]

    targets = {
        "people.person": [str(person.public_id)],
        "people.household": [str(public) for _pk, public in households],
        "people.consent": ids(Consent.objects.filter(person=person)),
        "casework.case": [str(public) for _pk, public in cases],
        "casework.intakerequest": ids(IntakeRequest.objects.filter(case__in=case_pks)),
        "casework.assessment": ids(Assessment.objects.filter(case__in=case_pks)),
        "casework.pathway": ids(pathways),
        "casework.session": ids(sessions),
        "casework.referral": ids(Referral.objects.filter(person=person)),
    }
    return PersonFile(person=person, household_ids=household_pks, case_ids=case_pks, targets=targets)


# --- "Who accessed my file" (S12) ----------------------------------------------------------


@dataclass(frozen=True)
class AccessRow:
    when: datetime
    who: str
    organisation: str
    role: str
    action: str
    record: str
    outcome: str


def _membership_labels(programme_id: int, user_ids: set[Any]) -> dict[Any, tuple[str, str]]:
    """Each user's organisation and role in the programme, for audit rows written without them."""
    labels: dict[Any, tuple[str, str]] = {}
    memberships = (
        Membership.objects.filter(programme_id=programme_id, user_id__in=user_ids)
        .select_related("organisation")
        .order_by("-is_active", "role")
    )
    for membership in memberships:
        labels.setdefault(membership.user_id, (membership.organisation.name, Role(membership.role).label))
    return labels


def _record_label(target_type: str) -> str:
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


def access_events(file: PersonFile) -> QuerySet[AuditEvent]:
    condition = Q()
    for target_type, target_ids in file.targets.items():
        if target_ids:
            condition |= Q(target_type=target_type, target_id__in=target_ids)
    return AuditEvent.objects.filter(condition).select_related("actor", "organisation").order_by("-created_at", "-id")


def access_rows(file: PersonFile, events: list[AuditEvent]) -> list[AccessRow]:
    labels = _membership_labels(file.person.programme_id, {event.actor_id for event in events if event.actor_id})
    rows = []
    for event in events:
        organisation, role = labels.get(event.actor_id, ("", ""))
        rows.append(
            AccessRow(
                when=event.created_at,
                who=(event.actor.full_name or event.actor.email) if event.actor else _("the system"),
                organisation=event.organisation.name if event.organisation else organisation,
                role=str(Role(event.role).label) if event.role in Role.values else str(role),
                action=str(event.get_action_display()),
                record=_record_label(event.target_type),
                outcome=str(event.get_outcome_display()),
            )
        )
    return rows


# --- The complete export (S13) ---------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Staff:
    """Staff shown only as "organisation (role)"."""

    def __init__(self, programme_id: int, user_ids: set[Any]) -> None:
        self.labels = _membership_labels(programme_id, user_ids)

    def __call__(self, user_id: Any) -> str | None:
        if user_id is None:
            return None
        organisation, role = self.labels.get(user_id, ("", ""))
        return f"{organisation} ({role})" if organisation else _("a member of staff")


def _person_data(person: Person, staff: _Staff) -> dict[str, Any]:
    return {
        "public_id": str(person.public_id),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": _iso(person.birth_date),
        "gender": str(person.get_gender_display()),
        "tax_code": person.tax_code,
        "email": person.email,
        "phone": person.phone,
        "municipality": person.municipality.name if person.municipality else None,
        "languages": person.languages,
        "processing_restricted": person.is_restricted,
        "erased_at": _iso(person.erased_at),
        "created_at": _iso(person.created_at),
        "updated_at": _iso(person.updated_at),
        "created_by": staff(person.created_by_id),
    }


def _households_data(person: Person, households: list[Household]) -> list[dict[str, Any]]:
    result = []
    for household in households:
        own = next(m for m in household.memberships.all() if m.person_id == person.pk)
        others = [m for m in household.memberships.all() if m.person_id != person.pk]
        if household.primary_contact_id is None:
            primary = None
        elif household.primary_contact_id == person.pk:
            primary = _("this person")
        else:
            primary = _("another member of the household")
        result.append(
            {
                "public_id": str(household.public_id),
                "name": household.label,
                "municipality": household.municipality.name,
                "address": household.address,
                "relation": str(own.get_relation_display()),
                "primary_contact": primary,
                "other_members": [
                    {"relation": str(m.get_relation_display()), "age_band": age_band(m.person.birth_date)}
                    for m in others
                ],
            }
        )
    return result


def _consents_data(consents: list[Consent], staff: _Staff) -> list[dict[str, Any]]:
    return [
        {
            "public_id": str(consent.public_id),
            "purpose": str(consent.get_purpose_display()),
            "partner": consent.partner.name if consent.partner else None,
            # The guardian's name is a third party's: only the fact that a guardian consented.
            "given_by": str(consent.get_given_by_display()),
            "given_on": _iso(consent.given_on),
            "expires_on": _iso(consent.expires_on),
            "withdrawn_on": _iso(consent.withdrawn_on),
            "in_force_today": consent.is_active(),
            "signed_form_on_file": bool(consent.signed_form),
            "recorded_by": staff(consent.recorded_by_id),
        }
        for consent in consents
    ]


def _session_data(session: Session, person: Person, *, group: bool) -> dict[str, Any]:
    attendees = [attendee.pk for attendee in session.attendees.all()]
    data = {
        "public_id": str(session.public_id),
        "starts_at": _iso(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "modality": str(session.get_modality_display()),
        "place": session.place.name if session.place else None,
        "attended": person.pk in attendees,
    }
    if group:
        data["note"] = _("not included: the notes of group sessions speak of other households")
    else:
        data["note"] = session.note
        data["other_attendees"] = len([pk for pk in attendees if pk != person.pk])
    return data


def _pathways_data(case: Case, person: Person, goals: list[Goal]) -> list[dict[str, Any]]:
    result = []
    for pathway in case.pathways.all():
        sessions = [
            _session_data(session, person, group=pathway.is_group)
            for session in pathway.sessions.all()
            if not pathway.is_group or any(attendee.pk == person.pk for attendee in session.attendees.all())
        ]
        result.append(
            {
                "public_id": str(pathway.public_id),
                "kind": str(pathway.get_kind_display()),
                "title": pathway.title,
                "group_pathway": pathway.is_group,
                "organisation": pathway.organisation.name,
                "place": pathway.place.name if pathway.place else None,
                "start_date": _iso(pathway.start_date),
                "end_date": _iso(pathway.end_date),
                "status": str(pathway.get_status_display()),
                "goals": [
                    {"goal": goal.description, "by": _iso(goal.due_on), "status": str(goal.get_status_display())}
                    for goal in goals
                    if goal.pathway_id == pathway.pk
                ],
                "sessions": sessions,
            }
        )
    return result


def _case_data(case: Case, person: Person, staff: _Staff) -> dict[str, Any]:
    goals = list(case.goals.all())
    return {
        "public_id": str(case.public_id),
        "household": case.household.label,
        "organisation": case.organisation.name,
        "action_line": case.action_line.name if case.action_line else None,
        "how_the_household_arrived": str(case.get_referral_source_display()),
        "phase": str(case.get_phase_display()),
        "status": str(case.get_status_display()),
        "opened_on": _iso(case.opened_on),
        "closed_on": _iso(case.closed_on),
        "outcome": str(case.get_outcome_display()) if case.outcome else None,
        "closing_evaluation": case.closing_note,
        "team": [
            {"organisation": member.organisation.name, "role": str(Role.OPERATOR.label), "case_lead": member.is_lead}
            for member in case.team.all()
        ],
        "phase_changes": [
            {
                "when": _iso(change.created_at),
                "from_phase": change.from_phase,
                "to_phase": change.to_phase,
                "from_status": change.from_status,
                "to_status": change.to_status,
                "by": staff(change.changed_by_id),
                "reason": change.note,
            }
            for change in case.phase_changes.all()
        ],
        "assessments": [
            {
                "public_id": str(assessment.public_id),
                "assessed_on": _iso(assessment.assessed_on),
                "assessed_by": staff(assessment.assessed_by_id),
                "note": assessment.note,
                "scores": [
                    {"dimension": str(score.get_dimension_display()), "score": score.score, "note": score.note}
                    for score in assessment.scores.all()
                ],
            }
            for assessment in case.assessments.all()
        ],
        "goals_without_pathway": [
            {"goal": goal.description, "by": _iso(goal.due_on), "status": str(goal.get_status_display())}
            for goal in goals
            if goal.pathway_id is None
        ],
        "pathways": _pathways_data(case, person, goals),
    }


def _referrals_data(referrals: list[Referral], staff: _Staff) -> list[dict[str, Any]]:
    result = []
    for referral in referrals:
        target = {
            Referral.TargetKind.PLACE: referral.target_place.name if referral.target_place else None,
            Referral.TargetKind.GROUP: referral.target_group.name if referral.target_group else None,
            Referral.TargetKind.ORGANISATION: (
                referral.target_organisation.name if referral.target_organisation else None
            ),
            Referral.TargetKind.EXTERNAL: referral.external_service,
        }.get(referral.target_kind)
        result.append(
            {
                "public_id": str(referral.public_id),
                "case": str(referral.case.public_id),
                "from_organisation": referral.from_organisation.name,
                "referred_to": str(referral.get_target_kind_display()),
                "to": target,
                "what_for": referral.service,
                "reason": referral.reason,
                "status": str(referral.get_status_display()),
                "reason_for_the_decision": referral.status_reason,
                "consent_override": referral.consent_override,
                "created_at": _iso(referral.created_at),
                "created_by": staff(referral.created_by_id),
                "history": [
                    {
                        "when": _iso(transition.created_at),
                        "from": transition.from_status,
                        "to": transition.to_status,
                        "by": staff(transition.by_id),
                        "reason": transition.reason,
                    }
                    for transition in referral.transitions.all()
                ],
            }
        )
    return result


def export_data(person: Person) -> dict[str, Any]:
    """Everything Trama holds about `person`, third parties redacted (see the module docstring)."""
    person = Person.objects.select_related("programme", "municipality").get(pk=person.pk)
    households = list(
        Household.objects.filter(memberships__person=person)
        .select_related("municipality")
        .prefetch_related(_prefetch("memberships", HouseholdMember.objects.select_related("person").order_by("pk")))
        .order_by("label", "pk")
    )
    consents = list(Consent.objects.filter(person=person).select_related("partner").order_by("given_on", "pk"))
    session_queryset = Session.objects.select_related("place").prefetch_related("attendees").order_by("starts_at")
    cases = list(
        Case.objects.filter(household__in=[household.pk for household in households])
        .select_related("household", "organisation", "action_line")
        .prefetch_related(
            _prefetch("team", CaseTeamMember.objects.select_related("organisation").order_by("-is_lead", "pk")),
            _prefetch("phase_changes", CasePhaseChange.objects.order_by("created_at", "pk")),
            _prefetch("assessments", Assessment.objects.prefetch_related("scores").order_by("assessed_on", "pk")),
            _prefetch("goals", Goal.objects.order_by("due_on", "pk")),
            _prefetch(
                "pathways",
                Pathway.objects.select_related("organisation", "place")
                .prefetch_related(_prefetch("sessions", session_queryset))
                .order_by("start_date", "pk"),
            ),
        )
        .order_by("opened_on", "pk")
    )
    referrals = list(
        Referral.objects.filter(person=person)
        .select_related("case", "from_organisation", "target_place", "target_group", "target_organisation")
        .prefetch_related(_prefetch("transitions", _transitions()))
        .order_by("created_at", "pk")
    )
    staff = _Staff(person.programme_id, _staff_ids(person, consents, cases, referrals))
    return {
        "generated_at": _iso(timezone.now()),
        "programme": person.programme.name,
        "person": _person_data(person, staff),
        "households": _households_data(person, households),
        "consents": _consents_data(consents, staff),
        "cases": [_case_data(case, person, staff) for case in cases],
        "referrals": _referrals_data(referrals, staff),
        "activities": _activities_data(person),
        "retention": {key: str(rule) for key, rule in RETENTION.items()},
    }


def _activities_data(person: Person) -> list[dict[str, Any]]:
    """Registrations and the dates attended, per activity (three queries)."""
    from trama.activities.models import Activity, Attendance, Registration

    attended: dict[int, list[str | None]] = {}
    for activity_id, day in (
        Attendance.objects.filter(person=person).order_by("date").values_list("occurrence__activity_id", "date")
    ):
        attended.setdefault(activity_id, []).append(_iso(day))
    registrations = {
        registration.activity_id: registration
        for registration in Registration.objects.filter(person=person).order_by("registered_at")
    }
    activity_ids = set(attended) | set(registrations)
    titles = dict(Activity.objects.filter(pk__in=activity_ids).values_list("pk", "title"))

    def registration_data(registration: Registration | None) -> dict[str, Any] | None:
        if registration is None:
            return None
        return {
            "status": str(registration.get_status_display()),
            "how": str(registration.get_source_display()),
            "registered_at": _iso(registration.registered_at),
            # The guardian is a third party: only that one signed, not who.
            "by_guardian": bool(registration.guardian_name),
        }

    return [
        {
            "activity": titles.get(activity_id, ""),
            "registration": registration_data(registrations.get(activity_id)),
            "dates_attended": attended.get(activity_id, []),
        }
        for activity_id in sorted(activity_ids, key=lambda pk: titles.get(pk, ""))
    ]


def _prefetch(lookup: str, queryset: QuerySet[Any]) -> Prefetch:
    return Prefetch(lookup, queryset=queryset)


def _transitions() -> QuerySet[ReferralTransition]:
    return ReferralTransition.objects.order_by("created_at", "pk")


def _staff_ids(person: Person, consents: list[Consent], cases: list[Case], referrals: list[Referral]) -> set[Any]:
    ids: set[Any] = {person.created_by_id}
    ids.update(consent.recorded_by_id for consent in consents)
    for case in cases:
        ids.update(change.changed_by_id for change in case.phase_changes.all())
        ids.update(assessment.assessed_by_id for assessment in case.assessments.all())
    for referral in referrals:
        ids.add(referral.created_by_id)
        ids.update(transition.by_id for transition in referral.transitions.all())
    ids.discard(None)
    return ids


def retention_rules() -> list[tuple[str, str]]:
    return [(key, str(rule)) for key, rule in RETENTION.items()]
