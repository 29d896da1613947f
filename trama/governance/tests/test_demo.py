"""The demo step of training, governance and funding (trama/core/demo/plans.py): what seeds 000–003
promise is there for the three programmes, and loading it twice changes nothing."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from trama.accounts.models import AuditEvent
from trama.activities.calendar import upcoming_occurrences
from trama.activities.models import Activity, Attendance
from trama.funding.models import Donation, Expense, FundingSource, Reallocation
from trama.funding.selectors.budget import budget_overview
from trama.governance.models import Body, Decision, Meeting
from trama.governance.selectors import meeting_page
from trama.territory.models import Programme
from trama.training.models import Certificate, Course, Trainer

pytestmark = pytest.mark.django_db

COUNTED = (Activity, Attendance, AuditEvent, Body, Meeting, Decision, Course, Trainer, Certificate, FundingSource,
           Expense, Reallocation, Donation)  # fmt: skip


@pytest.fixture
def demo() -> None:
    call_command("load_demo", "--only", "programmes,network,users,plans", "--quiet-logins", stdout=StringIO())


def test_it_gives_every_programme_a_course_with_peer_trainers_a_steering_committee_a_budget_and_a_campaign(demo):
    for programme in Programme.objects.all():
        course = Course.objects.filter(programme=programme).first()
        assert course is not None, programme.slug
        assert course.trainers.filter(is_peer=True).exists()
        assert course.activity.kind == Activity.Kind.COURSE
        steering = Body.objects.get(programme=programme, kind="steering_committee")
        assert steering.meetings.filter(status="held").exists()
        overview = budget_overview(None, programme)
        kinds = {row.source.kind for row in overview.sources}
        assert {"grant", "cofinancing", "fundraising"} <= kinds
        assert overview.meets_requirement is True, programme.slug
        assert overview.totals.spent > 0
        assert overview.totals.remaining >= 0
        assert Donation.objects.filter(programme=programme, campaign__is_public=True).exists()


def test_it_records_the_open_assembly_of_2_july_2020_with_about_fifty_participants(demo):
    fbc = Programme.objects.get(slug="fare-benecomune")
    assembly = Meeting.objects.get(programme=fbc, starts_at__date=date(2020, 7, 2))
    page = meeting_page(assembly)
    assert 45 <= page.participants <= 55
    assert {a.kind for a in page.attendances} == {"member", "organisation", "group", "guest"}
    assert any("Garante" in a.name for a in page.attendances)
    assert assembly.activity.kind == Activity.Kind.ASSEMBLY
    assert assembly.activity.is_public
    assert assembly.decisions.filter(indicator_code="community_labs_active", status="done").exists()
    # The next open assembly is on the public calendar.
    assert any(o.activity.kind == Activity.Kind.ASSEMBLY for o in upcoming_occurrences(fbc))


def test_it_issues_certificates_from_the_attendance_recorded_by_the_trainers(demo):
    certificate = Certificate.objects.filter(programme__slug="fare-benecomune").first()
    assert certificate is not None
    assert certificate.issued_on == date(2019, 11, 20)
    attended = Attendance.objects.filter(
        occurrence__activity=certificate.course.activity, person=certificate.participant.person
    )
    assert attended.count() == certificate.sessions
    assert attended.exclude(recorded_by=None).exists()  # a peer trainer recorded it


def test_it_is_idempotent(demo):
    before = {model.__name__: model.objects.count() for model in COUNTED}
    call_command("load_demo", "--only", "plans", "--quiet-logins", stdout=StringIO())
    assert {model.__name__: model.objects.count() for model in COUNTED} == before
