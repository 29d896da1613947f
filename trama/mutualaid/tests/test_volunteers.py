"""Volunteers: the public "I want to help" form (rate limited, with consent), the coordinator's
decision with the volunteer's account, training and insurance, one person record across the
journey from beneficiary to volunteer, and who may see whom."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Membership, Role
from trama.casework.tests.factories import CaseFactory, HouseholdMemberFactory, PersonFactory
from trama.core.tests.factories import CommunityPlaceFactory, OrganisationFactory, PartnershipFactory
from trama.mutualaid.models import Volunteer, VolunteerAvailability
from trama.mutualaid.permissions import visible_volunteers
from trama.mutualaid.services.volunteers import (
    Applicant,
    Profile,
    Slot,
    volunteer_apply,
    volunteer_approve,
    volunteer_create,
    volunteer_duplicates,
    volunteer_record_training,
    volunteer_reject,
    volunteer_update_profile,
)
from trama.mutualaid.tests.factories import VolunteerFactory, pavia
from trama.people.models import Consent, Person

pytestmark = pytest.mark.django_db

ANNA = Applicant(first_name="Anna", last_name="Bellini", birth_date=date(1990, 4, 2), email="anna@example.org",
                 phone="333 1112223")  # fmt: skip
TUESDAY = Slot(weekday=2, start_minute=16 * 60, end_minute=18 * 60)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def territory(programme):
    programme.municipalities.add(pavia())
    return programme


def apply_url(programme) -> str:
    return reverse("mutualaid-public:apply", args=[programme.slug])


def form_data(**overrides) -> dict:
    data = {
        "first_name": "Anna", "last_name": "Bellini", "birth_date": "1990-04-02", "email": "anna@example.org",
        "phone": "333 1112223", "municipality": pavia().pk, "municipalities": [pavia().pk],
        "skills": ["homework", "shopping"], "languages": ["it", "ar"], "interests": ["children"],
        "consent": "on", "website": "",
        "slot-TOTAL_FORMS": "4", "slot-INITIAL_FORMS": "0", "slot-MIN_NUM_FORMS": "0", "slot-MAX_NUM_FORMS": "21",
        "slot-0-weekday": "2", "slot-0-start": "16:00", "slot-0-end": "18:00",
    }  # fmt: skip
    data.update(overrides)
    return data


# --- The public form ---------------------------------------------------------------------------------


def test_a_citizen_applies_on_the_public_form(client, territory):
    response = client.post(apply_url(territory), form_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("mutualaid-public:thanks", args=[territory.slug])
    volunteer = Volunteer.objects.get()
    assert volunteer.status == Volunteer.Status.APPLIED
    assert volunteer.source == Volunteer.Source.PUBLIC_FORM
    assert volunteer.skills == ",homework,shopping,"
    assert volunteer.languages == ",ar,it,"
    assert volunteer.consent_at is not None
    assert list(volunteer.municipalities.all()) == [pavia()]
    assert [(s.weekday, s.start_minute, s.end_minute) for s in volunteer.availability.all()] == [(2, 960, 1080)]
    assert volunteer.person.email == "anna@example.org"
    assert volunteer.person.consents.filter(purpose=Consent.Purpose.CONTACT).exists()
    assert AuditEvent.objects.filter(target_type="mutualaid.volunteer", action="create").exists()


def test_the_form_is_a_public_page(client, territory):
    response = client.get(apply_url(territory))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_overlapping_availability_is_refused_and_nothing_is_saved(client, territory):
    response = client.post(
        apply_url(territory),
        form_data(**{"slot-1-weekday": "2", "slot-1-start": "17:00", "slot-1-end": "19:00"}),
    )
    assert response.status_code == 200
    assert response.context["slots"].non_form_errors()
    assert not Volunteer.objects.exists()
    assert not Person.objects.exists()


def test_the_service_refuses_overlapping_availability_with_its_error_key(territory):
    with pytest.raises(ValidationError) as error:
        volunteer_apply(programme=territory, applicant=ANNA, profile=Profile(),
                        slots=[TUESDAY, Slot(2, 17 * 60, 19 * 60)])  # fmt: skip
    assert list(error.value.message_dict) == ["availability"]
    assert not Volunteer.objects.exists()


def test_touching_ranges_are_not_an_overlap(territory):
    volunteer = volunteer_apply(programme=territory, applicant=ANNA, profile=Profile(),
                                slots=[TUESDAY, Slot(2, 18 * 60, 20 * 60)])  # fmt: skip
    assert volunteer.availability.count() == 2


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"consent": ""}, "consent"),
        ({"email": ""}, "email"),
        ({"birth_date": (timezone.localdate() - timedelta(days=365 * 15)).isoformat()}, "birth_date"),
        ({"slot-0-end": "15:00"}, None),
    ],
)
def test_the_form_refuses_incomplete_or_invalid_applications(client, territory, overrides, key):
    response = client.post(apply_url(territory), form_data(**overrides))
    assert response.status_code == 200
    if key:
        assert key in response.context["form"].errors
    else:
        assert any(form.errors for form in response.context["slots"])
    assert not Volunteer.objects.exists()


def test_the_form_is_rate_limited_and_a_bot_is_fooled(client, territory):
    for _ in range(5):
        client.post(apply_url(territory), form_data(website="http://spam.example"))
    assert not Volunteer.objects.exists()
    assert client.post(apply_url(territory), form_data()).status_code == 429
    assert not Volunteer.objects.exists()


def test_a_second_application_does_not_tell_whether_the_person_is_known(client, territory):
    client.post(apply_url(territory), form_data())
    volunteer = Volunteer.objects.get()
    volunteer.status, volunteer.approved_on = Volunteer.Status.APPROVED, timezone.localdate()
    volunteer.save()
    response = client.post(apply_url(territory), form_data(skills=["repairs"]))
    assert response.status_code == 302  # the same answer as a first application
    volunteer.refresh_from_db()
    assert volunteer.skills == ",homework,shopping,"  # an approved volunteer is left as they are
    assert Volunteer.objects.count() == 1


def test_an_application_with_an_unknown_email_makes_a_new_record_for_the_coordinator_to_link(territory):
    known = PersonFactory(programme=territory, first_name="Anna", last_name="Bellini", birth_date=ANNA.birth_date,
                          email="another@example.org")  # fmt: skip
    volunteer = volunteer_apply(programme=territory, applicant=ANNA, profile=Profile(), slots=[])
    assert volunteer.person != known
    assert volunteer_duplicates(volunteer) == [known]


# --- The decision ---------------------------------------------------------------------------------


def test_the_coordinator_approves_and_the_volunteer_gets_an_account_with_an_invitation(
    client, login, territory, coordinator, lead, django_capture_on_commit_callbacks
):
    volunteer = volunteer_apply(programme=territory, applicant=ANNA, profile=Profile(), slots=[TUESDAY])
    place = CommunityPlaceFactory(programme=territory, managing_organisation=lead)
    login(client, coordinator)
    url = reverse("mutualaid:volunteer-approve", args=[territory.slug, volunteer.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"place": place.pk, "organisation": "", "training_on": "2026-01-10",
                                     "training_note": "Corso base", "insurance_policy": "Polizza 123",
                                     "insurance_until": "2026-12-31", "version": volunteer.version})  # fmt: skip

    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPROVED
    assert volunteer.approved_on == timezone.localdate()
    assert (volunteer.place, volunteer.organisation) == (place, lead)
    assert volunteer.insurance_policy == "Polizza 123"
    assert volunteer.user.email == "anna@example.org"
    assert Membership.objects.filter(user=volunteer.user, programme=territory, role=Role.VOLUNTEER).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.org"]


def test_approval_needs_an_organisation_of_the_partnership(territory, coordinator):
    volunteer = volunteer_apply(programme=territory, applicant=ANNA, profile=Profile(), slots=[])
    outsider = OrganisationFactory(name="Fuori dal partenariato")
    for organisation in (None, outsider):
        with pytest.raises(ValidationError) as error:
            volunteer_approve(actor=coordinator, volunteer=volunteer, expected_version=volunteer.version,
                              organisation=organisation)  # fmt: skip
        assert "organisation" in error.value.message_dict
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPLIED
    assert volunteer.user is None


def test_only_a_coordinator_approves(territory, member, lead):
    volunteer = volunteer_apply(programme=territory, applicant=ANNA, profile=Profile(), slots=[])
    for role in (Role.OPERATOR, Role.LAB_MANAGER, Role.VOLUNTEER, Role.EVALUATOR):
        with pytest.raises(PermissionDenied):
            volunteer_approve(actor=member(role), volunteer=volunteer, expected_version=1, organisation=lead)
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPLIED


def test_linking_the_application_to_the_known_beneficiary_keeps_one_person(territory, coordinator, lead):
    member = HouseholdMemberFactory(household__programme=territory, person__first_name="Anna",
                                    person__last_name="Bellini", person__birth_date=ANNA.birth_date)  # fmt: skip
    CaseFactory(programme=territory, household=member.household)
    beneficiary = member.person
    volunteer = volunteer_apply(
        programme=territory, applicant=Applicant(**{**ANNA.__dict__, "email": "nuova@example.org"}), profile=Profile(),
        slots=[],
    )  # fmt: skip
    applicant_record = volunteer.person

    volunteer_approve(actor=coordinator, volunteer=volunteer, expected_version=volunteer.version, organisation=lead,
                      same_person=beneficiary)  # fmt: skip

    volunteer.refresh_from_db()
    beneficiary.refresh_from_db()
    assert volunteer.person == beneficiary
    assert not Person.objects.filter(pk=applicant_record.pk).exists()
    assert beneficiary.email == "nuova@example.org"
    assert beneficiary.consents.filter(purpose=Consent.Purpose.CONTACT).exists()


def test_a_coordinator_adding_a_known_beneficiary_as_volunteer_uses_their_record(territory, coordinator):
    beneficiary = HouseholdMemberFactory(household__programme=territory).person
    volunteer = volunteer_create(
        actor=coordinator, programme=territory,
        applicant=Applicant(first_name=beneficiary.first_name.upper(), last_name=beneficiary.last_name,
                            birth_date=beneficiary.birth_date),
        profile=Profile(skills=("company",)),
    )  # fmt: skip
    assert volunteer.person == beneficiary
    with pytest.raises(ValidationError):
        volunteer_create(actor=coordinator, programme=territory, applicant=ANNA, profile=Profile(), person=beneficiary)


def test_declining_needs_a_reason(territory, coordinator):
    volunteer = volunteer_apply(programme=territory, applicant=ANNA, profile=Profile(), slots=[])
    with pytest.raises(ValidationError) as error:
        volunteer_reject(actor=coordinator, volunteer=volunteer, reason=" ")
    assert "reason" in error.value.message_dict
    volunteer_reject(actor=coordinator, volunteer=volunteer, reason="Non maggiorenne al colloquio")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.REJECTED


def test_the_lab_manager_records_training_and_insurance_of_their_volunteers_only(territory, member, lead):
    partner = OrganisationFactory(name="Associazione Doposcuola")
    PartnershipFactory(programme=territory, organisation=partner)
    manager = member(Role.LAB_MANAGER, organisation=partner)
    own = VolunteerFactory(programme=territory, organisation=partner)
    other = VolunteerFactory(programme=territory, organisation=lead)
    volunteer_record_training(actor=manager, volunteer=own, expected_version=own.version,
                              training={"training_on": date(2026, 2, 1), "insurance_policy": "RC 77"})  # fmt: skip
    own.refresh_from_db()
    assert own.insurance_policy == "RC 77"
    with pytest.raises(PermissionDenied):
        volunteer_record_training(actor=manager, volunteer=other, expected_version=other.version,
                                  training={"insurance_policy": "X"})  # fmt: skip
    assert list(visible_volunteers(manager, territory)) == [own]


def test_training_cannot_be_in_the_future(territory, coordinator):
    volunteer = VolunteerFactory(programme=territory)
    with pytest.raises(ValidationError) as error:
        volunteer_record_training(actor=coordinator, volunteer=volunteer, expected_version=volunteer.version,
                                  training={"training_on": timezone.localdate() + timedelta(days=3)})  # fmt: skip
    assert "training_on" in error.value.message_dict


def test_a_volunteer_updates_their_own_availability_but_not_anothers(territory, member):
    me = VolunteerFactory(programme=territory, user=member(Role.VOLUNTEER))
    other = VolunteerFactory(programme=territory, user=member(Role.VOLUNTEER))
    volunteer_update_profile(actor=me.user, volunteer=me, profile=Profile(languages=("it", "en")), slots=[TUESDAY])
    me.refresh_from_db()
    assert me.languages == ",en,it,"
    assert VolunteerAvailability.objects.filter(volunteer=me).count() == 1
    with pytest.raises(PermissionDenied):
        volunteer_update_profile(actor=me.user, volunteer=other, profile=Profile(), slots=[])


def test_a_coordinator_registers_a_partners_list_of_volunteers_all_or_nothing(territory, coordinator, lead):
    from trama.accounts.models import AuditEvent
    from trama.mutualaid.services.registry import KnownVolunteer, volunteers_register

    since = timezone.localdate() - timedelta(days=300)
    entries = [
        KnownVolunteer(
            applicant=Applicant(first_name=f"Nome{n}", last_name="Elenco", birth_date=date(1970, 1, n + 1),
                                email="elenco1@example.org" if n == 1 else ""),
            profile=Profile(skills=("company",), municipalities=(pavia(),)), slots=(TUESDAY,), since=since,
            organisation=lead, training={"insurance_policy": "RC 2026"},
        )
        for n in range(3)
    ]  # fmt: skip
    bad = KnownVolunteer(applicant=ANNA, profile=Profile(), slots=(TUESDAY, Slot(2, 17 * 60, 19 * 60)), since=since,
                         organisation=lead)  # fmt: skip
    with pytest.raises(ValidationError):
        volunteers_register(actor=coordinator, programme=territory, entries=[*entries, bad])
    assert not Volunteer.objects.exists()

    made = volunteers_register(actor=coordinator, programme=territory, entries=entries)

    assert [v.status for v in made] == [Volunteer.Status.APPROVED] * 3
    assert {v.approved_on for v in made} == {since}
    assert VolunteerAvailability.objects.count() == 3
    assert Volunteer.history.filter(history_type="+").count() == 3
    assert AuditEvent.objects.filter(target_type="mutualaid.volunteer", reason="registered as approved").count() == 3
    with_account = Volunteer.objects.get(person__email="elenco1@example.org")
    assert Membership.objects.filter(user=with_account.user, role=Role.VOLUNTEER, programme=territory).exists()
    with pytest.raises(PermissionDenied):  # a volunteer registers nobody
        volunteers_register(actor=with_account.user, programme=territory, entries=entries)


def test_an_availability_until_midnight_is_kept_as_the_end_of_the_day(client, territory):
    client.post(apply_url(territory), form_data(**{"slot-0-start": "21:00", "slot-0-end": "00:00"}))
    slot = Volunteer.objects.get().availability.get()
    assert (slot.start_minute, slot.end_minute) == (21 * 60, 24 * 60)
