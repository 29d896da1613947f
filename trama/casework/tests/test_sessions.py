"""Sessions: recording one, the pathway's dates, attendees, nested routes (S2), the agenda and the
operator home (fixed query counts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from trama.accounts.models import AuditEvent
from trama.casework.models import Case, PathwayParticipation, Referral, Session
from trama.casework.selectors.delivery import agenda_context, operator_home_context
from trama.casework.services.pathways import session_create
from trama.casework.tests.factories import (
    ROME,
    AssessmentFactory,
    CaseFactory,
    CaseTeamMemberFactory,
    HouseholdMemberFactory,
    PathwayFactory,
    ReferralFactory,
    SessionFactory,
)
from trama.core.tests.factories import CommunityPlaceFactory

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: object) -> str:
    return reverse(f"casework:{name}", kwargs={"slug": "programma-a", **kwargs})


def pathway_of(casework, case=None, **fields: object):
    fields.setdefault("start_date", date(2024, 2, 1))
    pathway = PathwayFactory(programme=casework.case.programme, organisation=casework.partner, **fields)
    PathwayParticipation.objects.create(pathway=pathway, case=case or casework.case, joined_on=pathway.start_date)
    return pathway


def session_data(**extra: object) -> dict[str, object]:
    return {"day": "2024-03-05", "time": "16:30", "duration_minutes": 90, "modality": "in_person", "note": "", **extra}


def test_it_records_a_session_with_who_attended(client, login, casework):
    pathway = pathway_of(casework, end_date=date(2024, 6, 30))
    place = CommunityPlaceFactory(programme=casework.case.programme)
    login(client, casework.owner)
    response = client.post(
        url("session-create", pathway_id=pathway.public_id),
        session_data(place=place.pk, attendees=[casework.person.pk], note="Incontro sereno."),
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert timezone.localtime(session.starts_at) == datetime(2024, 3, 5, 16, 30, tzinfo=ROME)
    assert list(session.attendees.all()) == [casework.person]
    assert (session.place, session.recorded_by, session.note) == (place, casework.owner, "Incontro sereno.")
    assert AuditEvent.objects.filter(action="create", target_type="casework.session").count() == 1


@pytest.mark.parametrize("day", ["2024-01-31", "2024-07-01"])
def test_it_refuses_a_session_outside_the_pathway_dates(client, login, casework, day):
    pathway = pathway_of(casework, end_date=date(2024, 6, 30))
    login(client, casework.owner)
    client.cookies["django_language"] = "en"
    response = client.post(url("session-create", pathway_id=pathway.public_id), session_data(day=day, note="x"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "outside the pathway's dates" in errors["day"][0]
    assert not Session.objects.exists()


def test_it_refuses_a_session_before_an_open_ended_pathway_starts(casework):
    pathway = pathway_of(casework)
    from django.core.exceptions import ValidationError

    with translation.override("en"), pytest.raises(ValidationError) as error:
        session_create(
            actor=casework.owner,
            pathway=pathway,
            starts_at=datetime(2024, 1, 31, 23, 30, tzinfo=ROME),
            duration_minutes=60,
            modality="phone",
        )
    assert "before the pathway starts" in str(error.value)
    # The pathway's first day counts, in local time (23:30 in Rome is still that day).
    session_create(
        actor=casework.owner,
        pathway=pathway,
        starts_at=datetime(2024, 2, 1, 23, 30, tzinfo=ROME),
        duration_minutes=60,
        modality="phone",
    )
    assert Session.objects.count() == 1


def test_it_refuses_an_attendee_from_outside_the_pathway(casework):
    from django.core.exceptions import ValidationError

    pathway = pathway_of(casework)
    outsider = HouseholdMemberFactory(household=CaseFactory(programme=casework.case.programme).household).person
    with pytest.raises(ValidationError):
        session_create(
            actor=casework.owner,
            pathway=pathway,
            starts_at=datetime(2024, 3, 1, 10, tzinfo=ROME),
            duration_minutes=60,
            modality="phone",
            attendees=[outsider],
        )
    assert not Session.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 403), ("colleague", 404), ("stranger", 404)])
def test_it_lets_only_the_team_and_coordinators_record_sessions(client, login, casework, persona, status):
    pathway = pathway_of(casework)
    login(client, getattr(casework, persona))
    assert client.post(url("session-create", pathway_id=pathway.public_id), session_data()).status_code == status
    assert not Session.objects.exists()


def test_it_answers_404_for_a_session_of_another_pathway(client, login, casework):
    """S2: a session of another case's pathway, through the address of one of mine."""
    mine = pathway_of(casework)
    other_case = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
    CaseTeamMemberFactory(case=other_case, user=casework.owner, organisation=casework.partner)
    foreign = SessionFactory(pathway=pathway_of(casework, other_case), recorded_by=casework.owner)
    login(client, casework.owner)
    response = client.get(url("session-detail", pathway_id=mine.public_id, session_id=foreign.public_id))
    assert response.status_code == 404
    assert Session.objects.count() == 1


def _week_of(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return (local - timedelta(days=local.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)


def test_it_shows_my_agenda(client, login, casework):
    now = timezone.now()
    pathway = pathway_of(casework, start_date=date(2020, 1, 1))
    soon = SessionFactory(pathway=pathway, starts_at=now + timedelta(days=3), recorded_by=casework.owner)
    later = SessionFactory(pathway=pathway, starts_at=now + timedelta(days=20), recorded_by=casework.owner)
    this_monday = SessionFactory(pathway=pathway, starts_at=_week_of(now), recorded_by=casework.owner)
    not_mine = SessionFactory(
        pathway=pathway_of(casework, CaseFactory(programme=casework.case.programme), start_date=date(2020, 1, 1)),
        starts_at=now + timedelta(days=1),
    )
    context = agenda_context(casework.owner, casework.case.programme, now=now)
    assert soon in context["upcoming_sessions"]
    assert later not in context["upcoming_sessions"]
    assert this_monday in context["week_sessions"]
    assert not_mine not in context["upcoming_sessions"] + context["week_sessions"]
    login(client, casework.owner)
    assert client.get(url("agenda")).status_code == 200


def _fill_agenda(casework, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        case = CaseFactory(programme=casework.case.programme, organisation=casework.partner, phase=Case.Phase.DELIVERY)
        CaseTeamMemberFactory(case=case, user=casework.owner, organisation=casework.partner)
        pathway = pathway_of(
            casework, case, start_date=date(2020, 1, 1), place=CommunityPlaceFactory(programme=case.programme)
        )
        SessionFactory(pathway=pathway, starts_at=now + timedelta(hours=1 + i), recorded_by=casework.owner)
        SessionFactory(pathway=pathway, starts_at=_week_of(now), recorded_by=casework.owner)
        person = HouseholdMemberFactory(household=case.household).person
        ReferralFactory(case=case, person=person, created_by=casework.owner, target_organisation=casework.partner)
        AssessmentFactory(case=case, assessed_on=date(2020, 1, 1))


def test_it_shows_the_agenda_in_a_fixed_number_of_queries(client, login, casework, django_assert_max_num_queries):
    login(client, casework.owner)
    _fill_agenda(casework, 1)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url("agenda")).status_code == 200
    _fill_agenda(casework, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("agenda"))
    assert len(response.context["upcoming_sessions"]) == 9


def test_it_builds_the_operator_home_in_a_fixed_number_of_queries(casework, django_assert_max_num_queries):
    programme = casework.case.programme
    _fill_agenda(casework, 1)
    with django_assert_max_num_queries(8) as few:
        context = operator_home_context(casework.owner, programme)
    assert len(context["delivery_week_sessions"]) >= 1
    assert len(context["delivery_referrals_sent"]) == 1
    assert len(context["delivery_assessments_due"]) == 1
    _fill_agenda(casework, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        context = operator_home_context(casework.owner, programme)
    assert len(context["delivery_referrals_sent"]) == 7
    assert len(context["delivery_assessments_due"]) == 7


def test_it_lists_the_assessments_due(casework):
    programme = casework.case.programme
    today = timezone.localdate()
    case = casework.case  # phase A: not due
    context = operator_home_context(casework.owner, programme)
    assert case not in context["delivery_assessments_due"]
    Case.objects.filter(pk=case.pk).update(phase=Case.Phase.ASSESSMENT)
    assert [c.pk for c in operator_home_context(casework.owner, programme)["delivery_assessments_due"]] == [case.pk]
    AssessmentFactory(case=case, assessed_on=today - timedelta(days=30))
    assert operator_home_context(casework.owner, programme)["delivery_assessments_due"] == []
    AssessmentFactory(case=case, assessed_on=today - timedelta(days=200))  # the latest one counts
    assert operator_home_context(casework.owner, programme)["delivery_assessments_due"] == []


def test_it_shows_the_receiving_side_on_the_home(casework):
    from trama.core.tests.factories import MembershipFactory

    receiver = MembershipFactory(
        programme=casework.case.programme, organisation=casework.other_organisation, role="lab_manager"
    ).user
    referral = ReferralFactory(
        case=casework.case, person=casework.person, target_organisation=casework.other_organisation
    )
    context = operator_home_context(receiver, casework.case.programme)
    assert context["delivery_referrals_received"] == [referral]
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.REJECTED)
    assert operator_home_context(receiver, casework.case.programme)["delivery_referrals_received"] == []


def test_it_renders_the_operator_home(client, login, casework):
    _fill_agenda(casework, 2)
    login(client, casework.owner)
    response = client.get(reverse("territory:programme-home", kwargs={"slug": "programma-a"}))
    assert response.status_code == 200
    assert reverse("casework:agenda", kwargs={"slug": "programma-a"}) in response.content.decode()
