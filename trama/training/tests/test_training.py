"""The Well-Fare Lab: a course reuses an activity for its dates, enrolment and attendance; peer
trainers record attendance and issue certificates; hours come from the sessions attended; each
person reads their own training record."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role
from trama.activities.models import Activity, Attendance, Registration
from trama.core.tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory
from trama.territory.models import Municipality
from trama.training import services
from trama.training.models import Certificate, Participant, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(programme, lead, coordinator):
    """A course of three weekly two-hour sessions already held, a peer trainer of one partner,
    three trainees (two operators of other partners, one volunteer)."""
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    first = (timezone.now() - timedelta(days=21)).replace(minute=0, second=0, microsecond=0)
    course = services.course_create(
        actor=coordinator, programme=programme,
        fields={"title": "Leggere la vulnerabilità", "audience": "operators", "min_attendance_percent": 75},
        first_start=first, duration_minutes=120, sessions=3,
        where={"venue": "Sala del Consorzio", "municipality": Municipality.objects.get(istat_code="018110")},
    )  # fmt: skip

    def staff(role, organisation_name, full_name):
        organisation = OrganisationFactory(name=organisation_name)
        if not organisation.partnerships.filter(programme=programme).exists():
            PartnershipFactory(programme=programme, organisation=organisation)
        return MembershipFactory(
            programme=programme, organisation=organisation, role=role, user__full_name=full_name
        ).user

    peer = staff(Role.OPERATOR, "Acli", "Paola Tutor")
    trainer = services.trainer_add(actor=coordinator, course=course, user=peer, topic="Il tutoring familiare")
    trainees = {
        "anna": staff(Role.OPERATOR, "Babele Onlus", "Anna Rossi"),
        "bruno": staff(Role.OPERATOR, "Aldia", "Bruno Verdi"),
        "carla": staff(Role.VOLUNTEER, "Centro Servizi Volontariato", "Carla Neri"),
    }
    participants = {}
    for key, user in trainees.items():
        profile = "volunteer" if key == "carla" else "operator"
        participants[key] = services.participant_ensure(
            actor=coordinator, programme=programme, user=user, profile=profile
        )
        services.enrol(actor=coordinator, course=course, participant=participants[key])
    return course, trainer, peer, trainees, participants


def _sessions(course):
    return list(course.activity.occurrences.order_by("starts_at"))


def test_a_course_is_an_internal_activity_of_kind_course_with_its_sessions(lab):
    course, *_ = lab
    activity = course.activity
    assert (activity.kind, activity.audience, activity.is_public, activity.registration_required) == (
        Activity.Kind.COURSE, Activity.Audience.OPERATORS, False, True,
    )  # fmt: skip
    assert activity.occurrences.count() == 3
    assert Session.objects.filter(course=course).count() == 3
    assert Registration.objects.filter(activity=activity, status="registered").count() == 3


def test_a_peer_trainer_is_an_operator_of_a_partner_and_an_expert_is_named(lab, coordinator):
    course, trainer, *_ = lab
    assert (trainer.is_peer, trainer.organisation.name) == (True, "Acli")
    expert = services.trainer_add(actor=coordinator, course=course, name="Prof.ssa Maria Bianchi", topic="Povertà")
    assert (expert.is_peer, expert.organisation) == (False, None)
    with pytest.raises(ValidationError):
        services.trainer_add(actor=coordinator, course=course, user=trainer.user)


def test_the_trainer_records_attendance_and_the_hours_come_from_the_sessions(lab):
    course, _trainer, peer, _trainees, people = lab
    first, second, third = _sessions(course)
    for occurrence, present in ((first, ["anna", "bruno", "carla"]), (second, ["anna", "carla"]), (third, ["anna"])):
        services.attendance_record(actor=peer, occurrence=occurrence, present=[people[key] for key in present])
    rows = Attendance.objects.filter(occurrence__activity=course.activity)
    assert rows.count() == 6
    assert set(rows.values_list("recorded_by", flat=True)) == {peer.pk}
    assert AuditEvent.objects.filter(actor=peer, reason="course attendance").count() == 3
    from trama.training.selectors import course_page

    page = course_page(course)
    hours = {row.participant.pk: (row.attended.hours, row.attended.sessions, row.eligible) for row in page.participants}
    assert page.held == Decimal("6.00")
    assert hours == {
        people["anna"].pk: (Decimal("6.00"), 3, True),
        people["bruno"].pk: (Decimal("2.00"), 1, False),
        people["carla"].pk: (Decimal("4.00"), 2, False),  # 4 of 6 hours: under 75 %
    }


def test_someone_who_does_not_teach_the_course_cannot_record_its_attendance(lab, member):
    course, _trainer, _peer, trainees, people = lab
    first = _sessions(course)[0]
    for user in (trainees["bruno"], member(Role.LAB_MANAGER), member(Role.EVALUATOR)):
        with pytest.raises(PermissionDenied):
            services.attendance_record(actor=user, occurrence=first, present=[people["bruno"]])
    assert not Attendance.objects.exists()


def test_certificates_go_to_who_attended_enough_once_with_their_hours_frozen(lab):
    course, _trainer, peer, _trainees, people = lab
    for occurrence in _sessions(course):
        services.attendance_record(actor=peer, occurrence=occurrence, present=[people["anna"], people["carla"]])
    services.attendance_record(actor=peer, occurrence=_sessions(course)[2], present=[people["anna"]])
    issued = services.certificates_issue(actor=peer, course=course)
    assert [(c.participant, c.hours, c.sessions, c.number) for c in issued] == [(people["anna"], Decimal("6.00"), 3, 1)]
    assert services.certificates_issue(actor=peer, course=course) == []
    # Carla attends a further session: she now passes 75 % and gets the next number.
    extra_start = timezone.now() - timedelta(days=1)
    session = services.session_add(
        actor=None, course=course, starts_at=extra_start, ends_at=extra_start + timedelta(hours=2)
    )
    services.attendance_record(actor=peer, occurrence=session.occurrence, present=[people["anna"], people["carla"]])
    again = services.certificates_issue(actor=peer, course=course)
    assert [(c.participant, c.hours, c.number) for c in again] == [(people["carla"], Decimal("6.00"), 2)]
    assert Certificate.objects.get(participant=people["anna"]).hours == Decimal("6.00")  # frozen


def test_the_certificate_pdf_is_for_its_holder_trainers_and_coordinators(client, login, lab, coordinator, member):
    course, _trainer, peer, trainees, people = lab
    for occurrence in _sessions(course):
        services.attendance_record(actor=peer, occurrence=occurrence, present=[people["anna"]])
    certificate = services.certificates_issue(actor=coordinator, course=course)[0]
    url = reverse("training:certificate-pdf", args=[course.programme.slug, certificate.public_id])
    for user in (trainees["anna"], peer, coordinator):
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", target_id=str(certificate.public_id)).count() == 3
    for user in (trainees["bruno"], member(Role.EVALUATOR)):
        login(client, user)
        assert client.get(url).status_code == 404


def test_each_person_reads_their_own_training_record_and_a_coordinators_read_is_audited(
    client, login, lab, coordinator
):
    course, _trainer, peer, trainees, people = lab
    services.attendance_record(actor=peer, occurrence=_sessions(course)[0], present=[people["anna"]])
    login(client, trainees["anna"])
    mine = client.get(reverse("training:passport-mine", args=[course.programme.slug]))
    assert mine.status_code == 200
    assert 'data-hours="2.00"' in mine.content.decode()
    other = reverse("training:passport", args=[course.programme.slug, people["bruno"].public_id])
    assert client.get(other).status_code == 404
    own = reverse("training:passport", args=[course.programme.slug, people["anna"].public_id])
    assert client.get(own).status_code == 200
    login(client, coordinator)
    assert client.get(other).status_code == 200
    assert AuditEvent.objects.filter(
        action="read", actor=coordinator, target_id=str(people["bruno"].public_id)
    ).exists()
    login(client, peer)  # a trainer with no course of their own: an empty record
    assert client.get(reverse("training:passport-mine", args=[course.programme.slug])).status_code == 200


def test_a_trainer_uses_the_attendance_page_and_issues_certificates_after_confirming(client, login, lab):
    course, _trainer, peer, _trainees, people = lab
    login(client, peer)
    assert client.get(course.get_absolute_url()).status_code == 200
    for occurrence in _sessions(course):
        url = reverse("training:session-attendance", args=[course.programme.slug, occurrence.public_id])
        assert client.get(url).status_code == 200
        response = client.post(url, {"present": [str(people["anna"].public_id)]})
        assert response.status_code == 302
    issue = reverse("training:certificates-issue", args=[course.programme.slug, course.public_id])
    confirmation = client.get(issue)
    assert confirmation.status_code == 200
    assert not Certificate.objects.exists()
    assert client.post(issue).status_code == 302
    assert Certificate.objects.get().participant == people["anna"]


def test_a_session_ending_before_it_starts_is_refused_on_the_form(client, login, lab, coordinator):
    course, *_ = lab
    login(client, coordinator)
    url = reverse("training:session-add", args=[course.programme.slug, course.public_id])
    response = client.post(url, {"day": "2030-01-10", "start_time": "18:00", "end_time": "17:00"})
    assert list(response.context["form"].errors) == ["end_time"]
    assert course.activity.occurrences.count() == 3


def test_enrolling_through_the_page_creates_a_participant_once(client, login, programme, lab, coordinator):
    course, *_ = lab
    login(client, coordinator)
    url = reverse("training:enrol", args=[programme.slug, course.public_id])
    data = {"first_name": "Lucia", "last_name": "Assessora", "profile": "policy_maker", "job_title": "Assessora"}
    assert client.post(url, data).status_code == 302
    participant = Participant.objects.get(person__last_name="Assessora")
    assert participant.profile == "policy_maker"
    response = client.post(url, {"user": "", "profile": "policy_maker"})
    assert "last_name" in response.context["form"].errors


def test_the_catalogue_is_open_to_members_but_a_course_page_only_to_its_trainers(client, login, lab, member):
    course, *_ = lab
    volunteer = member(Role.VOLUNTEER)
    login(client, volunteer)
    listing = client.get(reverse("training:course-list", args=[course.programme.slug]))
    assert listing.status_code == 200
    assert "Leggere la vulnerabilità" in listing.content.decode()
    assert "Anna Rossi" not in listing.content.decode()
    assert client.get(course.get_absolute_url()).status_code == 404
    assert client.get(reverse("training:participant-list", args=[course.programme.slug])).status_code == 403


def test_only_coordinators_create_courses(programme, member):
    for role in (Role.OPERATOR, Role.LAB_MANAGER, Role.EVALUATOR):
        with pytest.raises(PermissionDenied):
            services.course_create(
                actor=member(role), programme=programme, fields={"title": "Corso", "audience": "operators"},
                first_start=timezone.now(), duration_minutes=60,
            )  # fmt: skip
    assert not Activity.objects.exists()


def test_the_lists_cost_a_fixed_number_of_queries(client, login, lab, coordinator, django_assert_max_num_queries):
    course, _trainer, peer, _trainees, _people = lab
    programme = course.programme
    login(client, coordinator)
    urls = [reverse("training:course-list", args=[programme.slug]),
            reverse("training:participant-list", args=[programme.slug]), course.get_absolute_url()]  # fmt: skip
    few = []
    for url in urls:
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        few.append(len(captured.captured_queries))
    first = timezone.now() - timedelta(days=3)
    for index in range(12):
        services.course_create(
            actor=None, programme=programme, fields={"title": f"Corso {index}", "audience": "volunteers"},
            first_start=first, duration_minutes=60, sessions=2,
            where={"venue": "Sala", "municipality": course.activity.municipality},
        )  # fmt: skip
        participant = services.participant_ensure(
            actor=None, programme=programme, profile="other", first_name="Persona", last_name=f"Numero{index}"
        )
        services.enrol(actor=None, course=course, participant=participant)
    services.attendance_record(actor=peer, occurrence=_sessions(course)[0], present=list(Participant.objects.all()))
    for url, count in zip(urls, few, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200, url
