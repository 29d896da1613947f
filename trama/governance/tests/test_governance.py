"""The partnership's governance: bodies, members, meetings (a public one on the public calendar),
attendance of people and organisations, decisions followed up; who may do what; the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role
from trama.activities.calendar import public_activities, upcoming_occurrences
from trama.activities.models import Activity, Occurrence
from trama.activities.tests.factories import rome
from trama.core.concurrency import StaleVersionError
from trama.core.tests.factories import (
    ActionLineFactory,
    CitizenGroupFactory,
    CommunityPlaceFactory,
    OrganisationFactory,
    PartnershipFactory,
)
from trama.governance import services
from trama.governance.models import Body, Decision, Meeting, MeetingAttendance
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def pavia(programme):
    municipality = Municipality.objects.get(istat_code="018110")
    programme.municipalities.add(municipality)
    return municipality


@pytest.fixture
def steering(programme, lead):
    return services.body_save(
        actor=None, programme=programme, fields={"kind": "steering_committee", "name": "Cabina di regia"}
    )


@pytest.fixture
def assembly_body(programme, lead):
    return services.body_save(
        actor=None, programme=programme,
        fields={"kind": "open_assembly", "name": "Assemblea aperta della Rete", "meets_in_public": True},
    )  # fmt: skip


def _times(days: int = 10, hours: int = 2):
    start = (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def test_a_meeting_ending_before_it_starts_is_refused_and_nothing_is_saved(steering, assembly_body, pavia, coordinator):
    start, _end = _times()
    for body in (steering, assembly_body):
        with pytest.raises(ValidationError) as refused:
            services.meeting_create(
                actor=coordinator, body=body,
                fields={"title": "Riunione", "starts_at": start, "ends_at": start - timedelta(minutes=30),
                        "municipality": pavia, "venue": "Sala del Broletto"},
            )  # fmt: skip
        assert list(refused.value.message_dict) == ["ends_at"]
    assert not Meeting.objects.exists()
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.filter(target_type="governance.meeting").exists()


def test_a_public_assembly_appears_on_the_public_calendar(programme, assembly_body, pavia, coordinator):
    start, end = _times()
    meeting = services.meeting_create(
        actor=coordinator, body=assembly_body,
        fields={"title": "Assemblea aperta della Rete dei Laboratori Sociali", "starts_at": start, "ends_at": end,
                "venue": "Salone Teresiano", "municipality": pavia, "agenda": "La mappa dei laboratori"},
    )  # fmt: skip
    assert meeting.is_public
    activity = meeting.activity
    assert (activity.kind, activity.is_public, activity.audience) == ("assembly", True, "everyone")
    assert activity in public_activities(programme)
    listed = list(upcoming_occurrences(programme))
    assert [(o.activity_id, o.starts_at, o.ends_at) for o in listed] == [(activity.pk, start, end)]
    # Moved: the calendar follows.
    later_start, later_end = start + timedelta(days=1), end + timedelta(days=1)
    meeting = services.meeting_update(
        actor=coordinator, meeting=meeting, expected_version=meeting.version,
        fields={"starts_at": later_start, "ends_at": later_end},
    )  # fmt: skip
    assert [o.starts_at for o in upcoming_occurrences(programme)] == [later_start]
    # Cancelled: it stays on the calendar, marked as cancelled, so nobody comes in vain.
    meeting = services.meeting_update(
        actor=coordinator, meeting=meeting, expected_version=meeting.version, fields={"status": "cancelled"}
    )
    assert [o.status for o in upcoming_occurrences(programme)] == [Occurrence.Status.CANCELLED]
    # No longer public: it leaves the calendar.
    services.meeting_update(
        actor=coordinator, meeting=meeting, expected_version=meeting.version,
        fields={"is_public": False, "status": "planned"},
    )  # fmt: skip
    assert not public_activities(programme).exists()


def test_a_public_meeting_needs_a_place_or_a_municipality(assembly_body, coordinator):
    start, end = _times()
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            actor=coordinator, body=assembly_body, fields={"title": "Assemblea", "starts_at": start, "ends_at": end}
        )
    assert "municipality" in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_a_steering_committee_meeting_stays_off_the_public_calendar(programme, steering, coordinator):
    start, end = _times()
    meeting = services.meeting_create(
        actor=coordinator, body=steering, fields={"title": "Cabina di regia", "starts_at": start, "ends_at": end}
    )
    assert meeting.activity is None
    assert not public_activities(programme).exists()


def test_attendance_counts_people_organisations_groups_guests_and_others(
    programme, assembly_body, pavia, coordinator, lead
):
    start = timezone.now() - timedelta(hours=3)
    meeting = services.meeting_create(
        actor=None, body=assembly_body,
        fields={"title": "Assemblea", "starts_at": start, "ends_at": start + timedelta(hours=2), "venue": "Sala",
                "municipality": pavia},
    )  # fmt: skip
    partner = OrganisationFactory(name="Babele Onlus")
    PartnershipFactory(programme=programme, organisation=partner)
    chair = services.member_add(actor=None, body=assembly_body, user=coordinator, role="chair")
    group = CitizenGroupFactory(programme=programme, name="Orti condivisi")
    total = services.meeting_attendance_set(
        actor=coordinator, meeting=meeting, members=[chair], organisations=[lead, partner], groups=[group],
        guests=["Garante dei diritti dell'infanzia e dell'adolescenza di Pavia", " "], others=45,
    )  # fmt: skip
    assert total == 50
    meeting.refresh_from_db()
    assert (meeting.status, meeting.other_participants) == ("held", 45)
    kinds = sorted(MeetingAttendance.objects.filter(meeting=meeting).values_list("kind", flat=True))
    assert kinds == ["group", "guest", "member", "organisation", "organisation"]
    # Recording again replaces, never adds.
    assert services.meeting_attendance_set(
        actor=coordinator, meeting=meeting, members=[], organisations=[partner], groups=[], guests=[], others=0
    ) == 1  # fmt: skip


def test_attendance_is_refused_before_the_meeting_and_for_strangers(programme, steering, coordinator, other_programme):
    start, end = _times()
    future = services.meeting_create(
        actor=None, body=steering, fields={"title": "Futura", "starts_at": start, "ends_at": end}
    )
    with pytest.raises(ValidationError):
        services.meeting_attendance_set(
            actor=coordinator, meeting=future, members=[], organisations=[], groups=[], guests=["Ospite"]
        )
    stranger = OrganisationFactory(name="Fuori rete")
    with pytest.raises(ValidationError) as refused:
        services.meeting_attendance_set(
            actor=coordinator, meeting=future, members=[], organisations=[stranger], groups=[], guests=[]
        )
    assert "organisations" in refused.value.message_dict
    assert not MeetingAttendance.objects.exists()


def test_a_decision_is_linked_to_an_action_line_and_an_indicator_and_followed_up(programme, steering, coordinator):
    line = ActionLineFactory(programme=programme, name="PER FARE #BENECOMUNE")
    start = timezone.now() - timedelta(days=2)
    meeting = services.meeting_create(
        actor=None, body=steering, fields={"title": "Cabina", "starts_at": start, "ends_at": start + timedelta(hours=1)}
    )
    decision = services.decision_create(
        actor=coordinator, meeting=meeting,
        fields={"title": "Pubblicare la mappa dei laboratori", "action_line": line,
                "indicator_code": "community_labs_active", "due_on": timezone.localdate() - timedelta(days=1)},
    )  # fmt: skip
    assert decision.is_overdue
    decision = services.decision_follow_up(
        actor=coordinator, decision=decision, expected_version=decision.version, status="in_progress",
        note="Bozza pronta", due_on=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    assert not decision.is_overdue
    with pytest.raises(StaleVersionError):
        services.decision_follow_up(actor=coordinator, decision=decision, expected_version=1, status="done")
    with pytest.raises(ValidationError) as refused:
        services.decision_follow_up(
            actor=coordinator, decision=decision, expected_version=decision.version, status="dropped"
        )
    assert "note" in refused.value.message_dict
    decision = services.decision_follow_up(
        actor=coordinator, decision=decision, expected_version=decision.version, status="done", note="Pubblicata"
    )
    assert (decision.status, decision.closed_on) == ("done", timezone.localdate())
    assert decision.updates.count() == 2


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LAB_MANAGER, Role.EVALUATOR, Role.FUNDER, Role.VOLUNTEER])
def test_only_coordinators_change_the_governance(programme, steering, member, role):
    user = member(role)
    start, end = _times()
    with pytest.raises(PermissionDenied):
        services.meeting_create(actor=user, body=steering, fields={"title": "R", "starts_at": start, "ends_at": end})
    with pytest.raises(PermissionDenied):
        services.body_save(actor=user, programme=programme, fields={"kind": "other", "name": "Tavolo"})
    assert Body.objects.count() == 1


def test_a_member_must_belong_to_the_network_and_ends_without_being_deleted(programme, steering, coordinator):
    stranger = OrganisationFactory(name="Esterna")
    with pytest.raises(ValidationError):
        services.member_add(actor=coordinator, body=steering, organisation=stranger)
    member = services.member_add(actor=coordinator, body=steering, name="Garante dell'infanzia", role="observer")
    services.member_end(actor=coordinator, member=member, until=date(2021, 1, 1))
    member.refresh_from_db()
    assert member.until == date(2021, 1, 1)


# --- Pages -----------------------------------------------------------------------------------------


def _url(name, programme, **kwargs):
    return reverse(f"governance:{name}", kwargs={"slug": programme.slug, **kwargs})


def test_a_coordinator_records_a_meeting_with_a_decision_through_the_pages(
    client, login, programme, steering, coordinator
):
    login(client, coordinator)
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    bad = {"title": "Cabina di regia", "day": day, "start_time": "18:00", "end_time": "17:00"}
    response = client.post(_url("meeting-create", programme, body_id=steering.public_id), bad)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["end_time"]
    assert not Meeting.objects.exists()
    response = client.post(
        _url("meeting-create", programme, body_id=steering.public_id),
        bad | {"end_time": "19:30", "agenda": "1. Stato di avanzamento"},
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert (meeting.starts_at, meeting.ends_at) == (
        rome(*map(int, day.split("-")), 18, 0), rome(*map(int, day.split("-")), 19, 30),
    )  # fmt: skip
    response = client.post(
        _url("decision-add", programme, meeting_id=meeting.public_id),
        {"title": "Approvare il piano di comunicazione", "due_on": "2030-01-31"},
    )
    assert response.status_code == 302
    assert Decision.objects.get().meeting == meeting
    page = client.get(meeting.get_absolute_url())
    assert "Approvare il piano di comunicazione" in page.content.decode()


def test_a_stale_edit_of_the_minutes_is_refused(client, login, programme, steering, coordinator):
    start = timezone.now() - timedelta(days=1)
    meeting = services.meeting_create(
        actor=None, body=steering, fields={"title": "Cabina", "starts_at": start, "ends_at": start + timedelta(hours=1)}
    )
    login(client, coordinator)
    local = timezone.localtime(start)
    data = {
        "title": "Cabina", "day": local.date().isoformat(), "start_time": local.strftime("%H:%M"),
        "end_time": (local + timedelta(hours=1)).strftime("%H:%M"), "status": "held", "minutes": "Verbale A",
        "version": str(meeting.version),
    }  # fmt: skip
    url = _url("meeting-edit", programme, meeting_id=meeting.public_id)
    assert client.post(url, data)["Location"] == meeting.get_absolute_url()
    assert client.post(url, data | {"minutes": "Verbale B"})["Location"] == url
    meeting.refresh_from_db()
    assert meeting.minutes == "Verbale A"


def test_evaluators_read_meetings_without_names(client, login, programme, steering, member, coordinator):
    start = timezone.now() - timedelta(days=1)
    meeting = services.meeting_create(
        actor=None, body=steering, fields={"title": "Cabina", "starts_at": start, "ends_at": start + timedelta(hours=1)}
    )
    chair = services.member_add(actor=None, body=steering, name="Rosa Segretissima", role="chair")
    services.meeting_attendance_set(
        actor=None, meeting=meeting, members=[chair], organisations=[], groups=[], guests=["Ospite Riservato"]
    )
    login(client, member(Role.EVALUATOR))
    for url in (meeting.get_absolute_url(), steering.get_absolute_url()):
        page = client.get(url)
        assert page.status_code == 200
        assert "Segretissima" not in page.content.decode()
        assert "Ospite Riservato" not in page.content.decode()
    assert 'data-participants="2"' in client.get(meeting.get_absolute_url()).content.decode()
    assert client.get(_url("meeting-attendance", programme, meeting_id=meeting.public_id)).status_code == 403
    login(client, member(Role.OPERATOR))
    assert "Segretissima" in client.get(meeting.get_absolute_url()).content.decode()


def test_volunteers_and_other_programmes_are_refused(client, login, programme, steering, member, other_programme):
    login(client, member(Role.VOLUNTEER))
    assert client.get(_url("body-list", programme)).status_code == 403
    login(client, member(Role.COORDINATOR, of=other_programme))
    assert client.get(_url("body-detail", programme, body_id=steering.public_id)).status_code == 404


def test_the_lists_cost_a_fixed_number_of_queries(client, login, programme, coordinator, django_assert_max_num_queries):
    login(client, coordinator)
    place = CommunityPlaceFactory(programme=programme)

    def populate(count):
        for index in range(count):
            body = Body.objects.create(
                programme=programme, kind="thematic_table", name=f"Tavolo {Body.objects.count()}"
            )
            start = timezone.now() - timedelta(days=index + 1)
            meeting = Meeting.objects.create(
                programme=programme, body=body, title="Riunione", starts_at=start, ends_at=start + timedelta(hours=1),
                place=place,
            )  # fmt: skip
            Decision.objects.create(programme=programme, meeting=meeting, title="Fare")
            MeetingAttendance.objects.create(meeting=meeting, kind="guest", name="Ospite")

    names = ["body-list", "meeting-list", "decision-list"]
    populate(2)
    few = {}
    for name in names:
        with django_assert_max_num_queries(30) as captured:
            assert client.get(_url(name, programme)).status_code == 200
        few[name] = len(captured.captured_queries)
    populate(18)
    for name in names:
        with django_assert_max_num_queries(few[name]):
            assert client.get(_url(name, programme)).status_code == 200, name


def test_a_public_meeting_during_the_programmes_closures_still_takes_place(programme, assembly_body, pavia):
    from trama.activities.tests.factories import ClosureFactory

    start, end = _times(days=40)
    ClosureFactory(
        programme=programme, start_date=start.date() - timedelta(days=2), end_date=end.date() + timedelta(days=2)
    )
    meeting = services.meeting_create(
        actor=None, body=assembly_body,
        fields={"title": "Assemblea", "starts_at": start, "ends_at": end, "venue": "Sala", "municipality": pavia},
    )  # fmt: skip
    assert [o.starts_at for o in meeting.activity.occurrences.all()] == [start]
