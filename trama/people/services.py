"""Writes about people, households and consent, and the data-subject rights (S13).

Every function is keyword-only, atomic, checks permission itself (coordinators, or the case team
of a case of the household) and writes its audit row in the same transaction (S10).
`actor=None` is the system itself (the demo loader, a management command).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.permissions import acting_coordinator
from trama.casework.models import Case, IntakeRequest
from trama.core.backup import journal_erasure
from trama.core.concurrency import StaleVersionError, save_versioned
from trama.core.pseudonyms import person_pseudonym
from trama.core.uploads import delete_after_commit
from trama.network.models import Partnership
from trama.people import taxcode
from trama.people.models import CONSENT_AGE, Consent, Household, HouseholdMember, Person, age_on
from trama.people.permissions import visible_people
from trama.people.rights import export_data
from trama.people.selectors import may_edit_household, may_edit_person, possible_duplicates
from trama.territory.models import Programme

PERSON_FIELDS = (
    "first_name", "last_name", "birth_date", "gender", "tax_code", "email", "phone", "municipality", "languages",
)  # fmt: skip
CONSENT_FIELDS = ("purpose", "partner", "given_by", "guardian_name", "given_on", "expires_on")

# Erasure requests (S13) are resolved in one of three ways.
ERASE, PSEUDONYMISE, RESTRICT = "erase", "pseudonymise", "restrict"
ERASURE_MODES = (ERASE, PSEUDONYMISE, RESTRICT)
PSEUDONYMISED_GUARDIAN = "—"


class DuplicatePersonError(Exception):
    """The programme already knows someone with this codice fiscale, or this name and birth date.

    `matches` are people the user may not be allowed to see: the view shows only those that
    `selectors.duplicates_visible_to` returns, and a neutral message otherwise.
    """

    def __init__(self, matches: list[Person], *, same_tax_code: bool) -> None:
        super().__init__("possible duplicate")
        self.matches = matches
        self.same_tax_code = same_tax_code


def _membership(actor: User | None, programme: Programme) -> Membership | None:
    """The membership `actor` acts through (coordinator first), for the audit row."""
    if actor is None:
        return None
    return (
        Membership.objects.active()
        .filter(user=actor, programme=programme, role__in=(Role.COORDINATOR, Role.OPERATOR))
        .select_related("organisation", "programme")
        .order_by("role")  # "coordinator" < "operator"
        .first()
    )


def _audit(actor: User | None, programme: Programme, target: Any, action: str, reason: str = "") -> None:
    audit_record(
        action=action,
        actor=actor,
        membership=_membership(actor, programme),
        programme=programme,
        target=target,
        reason=reason,
    )


def _check_tax_code(fields: dict[str, Any]) -> None:
    """The codice fiscale, normalised, valid and consistent with the date of birth and gender."""
    code = fields.get("tax_code") or ""
    if not code:
        fields["tax_code"] = ""
        return
    try:
        code = taxcode.validate(code)
    except ValidationError as error:
        raise ValidationError({"tax_code": error.error_list}) from None
    errors = taxcode.inconsistencies(code, birth_date=fields.get("birth_date"), gender=fields.get("gender") or "")
    if errors:
        raise ValidationError({"tax_code": errors})
    fields["tax_code"] = code


def _clean_names(fields: dict[str, Any]) -> None:
    for name in ("first_name", "last_name", "email", "phone", "languages"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()


# --- People ------------------------------------------------------------------------------


def person_search_record(*, actor: User, programme: Programme, query: str, request: HttpRequest | None = None) -> None:
    """One READ row per search of people: the length of what was typed, never the text (a
    name or a codice fiscale typed in a search box is personal data too)."""
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ,
            actor=actor,
            request=request,
            membership=_membership(actor, programme),
            programme=programme,
            target_type="people.person_search",
            reason=f"person search, query length {len(query)}",
        )


def person_create(
    *,
    actor: User | None,
    programme: Programme,
    fields: dict[str, Any],
    household: Household | None = None,
    relation: str = "",
    different_person: bool = False,
) -> Person:
    """Create a person, in `household` when given, unless the programme may already know them.

    Coordinators may create anyone; an operator only in a household whose case team they are on.
    A possible duplicate raises `DuplicatePersonError`; `different_person=True` (the user says
    it is someone else) creates anyway, but never over the same codice fiscale.
    """
    fields = {name: value for name, value in fields.items() if name in PERSON_FIELDS}
    _clean_names(fields)
    _check_tax_code(fields)
    with transaction.atomic():
        if household is not None:
            if household.programme_id != programme.pk:
                raise PermissionDenied
            if not may_edit_household(actor, household):
                raise PermissionDenied
            if relation not in HouseholdMember.Relation.values:
                raise ValidationError({"relation": _("Choose the relation to the household.")})
        elif actor is not None:
            acting_coordinator(actor, programme)
        matches = possible_duplicates(
            programme,
            first_name=fields.get("first_name", ""),
            last_name=fields.get("last_name", ""),
            birth_date=fields.get("birth_date"),
            tax_code=fields["tax_code"],
        )
        same_tax_code = bool(fields["tax_code"]) and any(m.tax_code == fields["tax_code"] for m in matches)
        if matches and (same_tax_code or not different_person):
            raise DuplicatePersonError(matches, same_tax_code=same_tax_code)
        person = Person(programme=programme, created_by=actor, **fields)
        person.full_clean()
        person.save()
        reason = "created as a different person from a possible duplicate" if matches else ""
        _audit(actor, programme, person, AuditEvent.Action.CREATE, reason)
        if household is not None:
            _add_member(actor, household, person, relation)
    return person


def person_update(*, actor: User | None, person: Person, expected_version: int, fields: dict[str, Any]) -> Person:
    """Edit a person's details (coordinators; the case team of a case of their household)."""
    fields = {name: value for name, value in fields.items() if name in PERSON_FIELDS}
    _clean_names(fields)
    _check_tax_code(fields)
    with transaction.atomic():
        # A fresh copy: the caller's instance may carry the unsaved values of a bound form.
        person = Person.objects.select_related("programme").get(pk=person.pk)
        if not may_edit_person(actor, person):
            raise PermissionDenied
        if (
            fields.get("tax_code")
            and Person.objects.filter(programme=person.programme, tax_code=fields["tax_code"])
            .exclude(pk=person.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "tax_code": _(
                        "A person with this codice fiscale is already known to the programme: contact the coordinator."
                    )
                }
            )
        changed = [name for name in PERSON_FIELDS if name in fields and getattr(person, name) != fields[name]]
        for name in changed:
            setattr(person, name, fields[name])
        person.full_clean(validate_unique=False, validate_constraints=False)
        if changed:
            save_versioned(person, expected_version=expected_version, update_fields=changed)
            _audit(actor, person.programme, person, AuditEvent.Action.UPDATE)
    return person


# --- Households --------------------------------------------------------------------------


def _add_member(actor: User | None, household: Household, person: Person, relation: str) -> HouseholdMember:
    if HouseholdMember.objects.filter(household=household, person=person).exists():
        raise ValidationError(_("This person is already a member of the household."))
    member = HouseholdMember(household=household, person=person, relation=relation)
    member.full_clean()
    member.save()
    _audit(actor, household.programme, household, AuditEvent.Action.UPDATE, "member added")
    return member


def household_add_member(*, actor: User | None, household: Household, person: Person, relation: str) -> HouseholdMember:
    """Add someone the programme already knows to a household (e.g. instead of a duplicate)."""
    with transaction.atomic():
        if not may_edit_household(actor, household) or person.programme_id != household.programme_id:
            raise PermissionDenied
        if actor is not None and not visible_people(actor, household.programme).filter(pk=person.pk).exists():
            raise PermissionDenied
        return _add_member(actor, household, person, relation)


def household_remove_member(*, actor: User | None, household: Household, member: HouseholdMember) -> None:
    """Take a person out of a household; they stay known to the programme."""
    with transaction.atomic():
        if member.household_id != household.pk or not may_edit_household(actor, household):
            raise PermissionDenied
        locked = Household.objects.select_for_update().get(pk=household.pk)
        if locked.primary_contact_id == member.person_id:
            locked.primary_contact = None
            locked.version += 1
            locked.save(update_fields=["primary_contact", "version", "updated_at"])
        member.delete()
        _audit(actor, household.programme, household, AuditEvent.Action.UPDATE, "member removed")


def household_set_primary_contact(
    *, actor: User | None, household: Household, person: Person | None, expected_version: int
) -> Household:
    with transaction.atomic():
        if not may_edit_household(actor, household):
            raise PermissionDenied
        if person is not None and not HouseholdMember.objects.filter(household=household, person=person).exists():
            raise ValidationError({"primary_contact": _("The primary contact must be a member of the household.")})
        household.primary_contact = person
        save_versioned(household, expected_version=expected_version, update_fields=["primary_contact"])
        _audit(actor, household.programme, household, AuditEvent.Action.UPDATE, "primary contact set")
    return household


# --- Consent -----------------------------------------------------------------------------


def consent_record(
    *, actor: User | None, person: Person, fields: dict[str, Any], signed_form: ContentFile | None = None
) -> Consent:
    """Record a consent; `signed_form` must come from `uploads.clean_signed_form` (S20)."""
    fields = {name: value for name, value in fields.items() if name in CONSENT_FIELDS}
    if fields.get("given_by") != Consent.GivenBy.GUARDIAN:
        fields["guardian_name"] = ""
    if fields.get("purpose") != Consent.Purpose.SHARING:
        fields["partner"] = None
    with transaction.atomic():
        if not may_edit_person(actor, person):
            raise PermissionDenied
        partner = fields.get("partner")
        if (
            partner is not None
            and not Partnership.objects.filter(programme=person.programme, organisation=partner).exists()
        ):
            raise ValidationError({"partner": _("Choose a partner organisation of the programme.")})
        consent = Consent(person=person, recorded_by=actor, **fields)
        consent.full_clean(exclude=["signed_form"])
        stored = None
        if signed_form is not None:
            consent.signed_form.save(signed_form.name, signed_form, save=False)
            stored = consent.signed_form.name
        try:
            consent.save()
            _audit(actor, person.programme, consent, AuditEvent.Action.CREATE)
        except Exception:
            if stored:
                consent.signed_form.storage.delete(stored)
            raise
    return consent


def consent_withdraw(*, actor: User | None, consent: Consent, on: date | None = None) -> Consent:
    day = on or timezone.localdate()
    with transaction.atomic():
        consent = Consent.objects.select_for_update().select_related("person__programme").get(pk=consent.pk)
        if not may_edit_person(actor, consent.person):
            raise PermissionDenied
        if consent.withdrawn_on is not None:
            raise ValidationError(_("This consent has already been withdrawn."))
        if day > timezone.localdate():
            raise ValidationError(_("A withdrawal cannot be recorded with a future date."))
        consent.withdrawn_on = day
        consent.save(update_fields=["withdrawn_on", "updated_at"])
        _audit(actor, consent.person.programme, consent, AuditEvent.Action.UPDATE, "consent withdrawn")
    return consent


# --- Data-subject rights (S12, S13) ----------------------------------------------------------


def person_export(*, actor: User | None, person: Person, file_format: str) -> dict[str, Any]:
    """Everything about `person`, third parties redacted (coordinators only; audited as EXPORT)."""
    with transaction.atomic():
        membership = acting_coordinator(actor, person.programme)
        data = export_data(person)
        audit_record(
            action=AuditEvent.Action.EXPORT,
            actor=actor,
            membership=membership,
            programme=person.programme,
            target=person,
            reason=f"data-subject export ({file_format})",
        )
    return data


def person_access_report_read(*, actor: User | None, person: Person, file_format: str) -> None:
    """Coordinators only; the report itself names staff, so reading it is recorded too."""
    with transaction.atomic():
        membership = acting_coordinator(actor, person.programme)
        audit_record(
            action=AuditEvent.Action.READ,
            actor=actor,
            membership=membership,
            programme=person.programme,
            target=person,
            reason=f"access report ({file_format})",
        )


def erasure_blockers(person: Person) -> list[str]:
    """Why `person` cannot be deleted outright: the records that count them."""
    blockers = []
    if Case.objects.filter(household__memberships__person=person).exists():
        blockers.append(_("a household they belong to has a case"))
    if person.sessions.exists():
        blockers.append(_("they attended sessions"))
    if person.referrals.exists():
        blockers.append(_("they were referred"))
    if person.attendances.exists() or person.registrations.exists():
        blockers.append(_("they took part in activities"))
    if (
        person.volunteer_records.exists()
        or person.mutual_aid_requests.exists()
        or person.mutual_aid_offers.exists()
        or person.group_memberships.exists()
        or hasattr(person, "time_account")
    ):
        blockers.append(_("they volunteered or took part in mutual aid"))
    return blockers


def person_erase(*, actor: User | None, person: Person, mode: str, reason: str) -> Person | None:
    """Resolve an erasure request: delete, pseudonymise or restrict, with a mandatory reason.

    Returns the person (pseudonymised or restricted) or None when deleted.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    if mode not in ERASURE_MODES:
        raise ValidationError({"mode": _("Choose how the request is resolved.")})
    with transaction.atomic():
        membership = acting_coordinator(actor, person.programme)
        person = Person.objects.select_for_update().select_related("programme").get(pk=person.pk)
        if person.erased_at is not None:
            raise ValidationError(_("This person's data has already been erased."))
        audit_record(
            action=AuditEvent.Action.DELETE if mode == ERASE else AuditEvent.Action.UPDATE,
            actor=actor,
            membership=membership,
            programme=person.programme,
            target=person,
            reason=f"erasure request resolved as {mode}: {reason}",
        )
        # Outside the database, after commit: a restored backup erases them again (S13, S26).
        journal_erasure(person.public_id, mode, timezone.now())
        if mode == ERASE:
            _delete(person)
            return None
        if mode == PSEUDONYMISE:
            _pseudonymise(person)
        else:
            person.is_restricted = True
            person.save(update_fields=["is_restricted", "updated_at"])
    return person


def _delete_signed_forms(consents: list[Consent]) -> None:
    for consent in consents:
        if consent.signed_form:
            # The file goes after the commit: a rolled-back erasure must not lose the proof.
            delete_after_commit(consent.signed_form)


def _delete(person: Person) -> None:
    blockers = erasure_blockers(person)
    if blockers:
        raise ValidationError(
            {
                "mode": _(
                    "This person cannot be deleted because %(reasons)s: the programme's counts depend on them. "
                    "Pseudonymise them instead."
                )
                % {"reasons": ", ".join(blockers)}
            }
        )
    pk = person.pk
    _delete_signed_forms(list(person.consents.all()))
    for member in HouseholdMember.objects.filter(person=person):
        member.delete()
    person.consents.all().delete()
    person.delete()
    # django-simple-history kept a copy of every version, deletion included: those go too.
    Person.history.filter(id=pk).delete()
    HouseholdMember.history.filter(person_id=pk).delete()
    Consent.history.filter(person_id=pk).delete()


def _pseudonymise_intake(person: Person, pseudonym_name: str) -> None:
    """The request for help that opened a case of their household, when the person wrote it
    (their name as contact): the contact details go, the request itself stays counted."""
    names = {f"{person.first_name} {person.last_name}".casefold(), f"{person.last_name} {person.first_name}".casefold()}
    requests = IntakeRequest.objects.filter(case__household__memberships__person=person)
    mine = [request.pk for request in requests if " ".join(request.contact_name.split()).casefold() in names]
    if not mine:
        return
    scrubbed = {"contact_name": pseudonym_name, "contact_phone": "", "contact_email": ""}
    IntakeRequest.objects.filter(pk__in=mine).update(**scrubbed)
    IntakeRequest.history.filter(id__in=mine).update(**scrubbed)


def _pseudonymise(person: Person) -> None:
    first_name, last_name = person_pseudonym(person.public_id)
    _pseudonymise_intake(person, f"{first_name} {last_name}")
    identifying = {
        "first_name": first_name,
        "last_name": last_name,
        "birth_date": date(person.birth_date.year, 1, 1) if person.birth_date else None,
        "tax_code": "",
        "email": "",
        "phone": "",
        "languages": "",
    }
    for name, value in identifying.items():
        setattr(person, name, value)
    person.erased_at = timezone.now()
    person.version += 1
    person.save(update_fields=[*identifying, "erased_at", "version", "updated_at"])
    # The earlier versions kept by django-simple-history still hold the real values
    # (the codice fiscale is never historised).
    history_fields = {name: value for name, value in identifying.items() if name != "tax_code"}
    Person.history.filter(id=person.pk).update(**history_fields)
    # Signed forms and guardians' names identify the person: the consent records stay as proof.
    consents = list(person.consents.all())
    _delete_signed_forms(consents)
    Consent.objects.filter(person=person).update(signed_form="")
    Consent.objects.filter(person=person).exclude(guardian_name="").update(guardian_name=PSEUDONYMISED_GUARDIAN)
    Consent.history.filter(person_id=person.pk).exclude(guardian_name="").update(guardian_name=PSEUDONYMISED_GUARDIAN)
    # The signed copies of their pacts and the receipts of its payments name them: the files go,
    # the pact's figures stay.
    from trama.pacts.models import Disbursement, PactVersion

    for model, field in ((PactVersion, "signed_scan"), (Disbursement, "receipt")):
        rows = list(model.objects.filter(pact__person=person).exclude(**{field: ""}))
        for row in rows:
            delete_after_commit(getattr(row, field))
        model.objects.filter(pk__in=[row.pk for row in rows]).update(**{field: ""})
    # Their registrations stay (attendance counts depend on them); the guardian's details go.
    from trama.activities.models import Registration

    guardian = {"guardian_name": PSEUDONYMISED_GUARDIAN, "guardian_phone": "", "guardian_email": ""}
    Registration.objects.filter(person=person).exclude(guardian_name="").update(**guardian)
    Registration.history.filter(person_id=person.pk).exclude(guardian_name="").update(**guardian)
    # Apps that keep more about them (the work plan's profile and CV) scrub it too.
    from trama.people.signals import person_pseudonymised

    person_pseudonymised.send(sender=Person, person=person)


# --- Imports (trama/exchange) ------------------------------------------------------------


@dataclass
class PeopleImport:
    """What a spreadsheet import of people and households writes, prepared row by row by the
    importer (trama/exchange/importers/people.py), which has already told the user about every
    bad row. New records are plain dicts of column values (100,000 model instances would cost
    more than the import itself); a member or consent points at a person or household by pk, or at
    the dict of a new one. `updates` are existing people with their changed fields already set,
    each with the version the importer read."""

    households: list[dict[str, Any]] = dataclass_field(default_factory=list)
    people: list[dict[str, Any]] = dataclass_field(default_factory=list)
    updates: list[tuple[Person, int, list[str]]] = dataclass_field(default_factory=list)
    members: list[dict[str, Any]] = dataclass_field(default_factory=list)
    consents: list[dict[str, Any]] = dataclass_field(default_factory=list)


def _import_duplicates(programme: Programme, people: list[dict[str, Any]]) -> bool:
    """Whether a new person is someone the programme (or the import itself) already knows by
    codice fiscale, or by name and date of birth: the rule of `possible_duplicates`, in one query."""
    known_codes, known_names = set(), set()
    for code, first, last, born in Person.objects.filter(programme=programme).values_list(
        "tax_code", "first_name", "last_name", "birth_date"
    ):
        if code:
            known_codes.add(code)
        if born is not None:
            known_names.add((first.casefold(), last.casefold(), born))
    for person in people:
        code, born = person.get("tax_code", ""), person.get("birth_date")
        name = (person["first_name"].casefold(), person["last_name"].casefold(), born)
        if (code and code in known_codes) or (born and name in known_names):
            return True
        if code:
            known_codes.add(code)
        if born:
            known_names.add(name)
    return False


def _valid_tax_code(code: str) -> bool:
    """The check character of a personal code, without python-stdnum's slower normalisation
    (the importer has normalised and fully validated every code already)."""
    from stdnum.it import codicefiscale

    if len(code) == 16 and code.isalnum() and code.isupper():
        return codicefiscale.calc_check_digit(code[:15]) == code[15]
    return taxcode.validate(code) == code


def _consent_problems(consent: dict[str, Any], birth_date: date | None, today: date) -> bool:
    """`Consent.clean`'s rules (S7) on a consent of an import: not in the future, and a person
    under 14 consents through a named parent or guardian."""
    given_on = consent["given_on"]
    if given_on > today or consent.get("purpose") == Consent.Purpose.SHARING:
        return True
    guardian = consent.get("given_by") == Consent.GivenBy.GUARDIAN
    if guardian and not consent.get("guardian_name"):
        return True
    return bool(birth_date and age_on(birth_date, given_on) < CONSENT_AGE and not guardian)


def _import_check(programme: Programme, data: PeopleImport) -> None:
    if any(person["tax_code"] and not _valid_tax_code(person["tax_code"]) for person in data.people):
        raise ValidationError({"tax_code": _("This codice fiscale is not valid.")})
    territory = set(programme.municipalities.values_list("pk", flat=True))
    if any(household["municipality_id"] not in territory for household in data.households):
        raise ValidationError({"municipality": _("Choose a municipality of the programme.")})
    if _import_duplicates(programme, data.people):
        raise ValidationError({"first_name": _("The import would create people the programme already knows.")})
    existing = [c["person"] for c in data.consents if not isinstance(c["person"], dict)]
    births = dict(Person.objects.filter(programme=programme, pk__in=existing).values_list("pk", "birth_date"))
    today = timezone.localdate()
    for consent in data.consents:
        person = consent["person"]
        born = person.get("birth_date") if isinstance(person, dict) else births[person]
        if _consent_problems(consent, born, today):
            raise ValidationError(
                {"given_by": _("A person under 14 cannot consent alone: record the parent or guardian.")}
            )
    stored = dict(
        Person.objects.select_for_update()
        .filter(programme=programme, pk__in=[person.pk for person, _version, _fields in data.updates])
        .values_list("pk", "version")
    )
    if any(stored.get(person.pk) != version for person, version, _fields in data.updates):
        raise StaleVersionError


def _pk(reference: int | dict[str, Any]) -> int:
    return reference["id"] if isinstance(reference, dict) else reference


def people_import(*, actor: User | None, programme: Programme, data: PeopleImport) -> None:
    """Write an import of people, households, memberships and consents, all or nothing.

    Coordinators only (operators add people to the households they follow one by one). The same
    rules as one-by-one writes, checked for all rows at once: valid codici fiscali, no possible
    duplicate (S23), households in the programme's territory, no lost update (S21), the consent
    rules (S7); every record written gets its audit row and its history row.
    """
    from simple_history.utils import bulk_update_with_history

    from trama.core.bulk import insert_history, insert_rows

    user_id = actor.pk if actor is not None else None
    with transaction.atomic():
        membership = acting_coordinator(actor, programme) if actor is not None else None
        _import_check(programme, data)
        for household in data.households:
            household.update(programme_id=programme.pk, created_by_id=user_id)
        for person in data.people:
            person.update(programme_id=programme.pk, created_by_id=user_id)
        insert_rows(Household, data.households, with_ids=True)
        insert_history(Household, data.households, user_id=user_id)
        insert_rows(Person, data.people, with_ids=True)
        insert_history(Person, data.people, user_id=user_id)
        if data.updates:
            changed = sorted({name for _person, _version, names in data.updates for name in names})
            for person, version, _names in data.updates:
                person.version = version + 1
                person.updated_at = timezone.now()
            people = [person for person, _version, _names in data.updates]
            bulk_update_with_history(
                people, Person, [*changed, "version", "updated_at"], batch_size=IMPORT_BATCH, default_user=actor
            )
        members = [
            {"household_id": _pk(m["household"]), "person_id": _pk(m["person"]), "relation": m["relation"]}
            for m in data.members
        ]
        insert_rows(HouseholdMember, members, with_ids=True)
        insert_history(HouseholdMember, members, user_id=user_id)
        consents = [
            {**{k: v for k, v in c.items() if k != "person"}, "person_id": _pk(c["person"]), "recorded_by_id": user_id}
            for c in data.consents
        ]
        insert_rows(Consent, consents, with_ids=True)
        insert_history(Consent, consents, user_id=user_id)
        _import_audit(actor, programme, membership, data, consents)


IMPORT_BATCH = 2000


def _import_audit(
    actor: User | None,
    programme: Programme,
    membership: Membership | None,
    data: PeopleImport,
    consents: list[dict[str, Any]],
) -> None:
    """One audit row for each record the import wrote, as `audit_record` would write it."""
    from trama.core.bulk import insert_rows

    existing_households = {m["household"] for m in data.members if not isinstance(m["household"], dict)}
    household_ids = dict(Household.objects.filter(pk__in=existing_households).values_list("pk", "public_id"))
    create, update = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE
    targets = (
        [("people.household", h["public_id"], create) for h in data.households]
        + [("people.person", p["public_id"], create) for p in data.people]
        + [("people.person", person.public_id, update) for person, _version, _names in data.updates]
        + [("people.household", household_ids[m["household"]], update) for m in data.members
           if not isinstance(m["household"], dict)]
        + [("people.consent", c["public_id"], create) for c in consents]
    )  # fmt: skip
    now = timezone.now()
    insert_rows(
        AuditEvent,
        [
            {
                "created_at": now,
                "action": action,
                "actor_id": actor.pk if actor is not None else None,
                "programme_id": programme.pk,
                "organisation_id": membership.organisation_id if membership else None,
                "role": membership.role if membership else "",
                "target_type": target_type,
                "target_id": str(public_id),
                "reason": "spreadsheet import",
                "outcome": AuditEvent.Outcome.SUCCESS,
            }
            for target_type, public_id, action in targets
        ],
    )
