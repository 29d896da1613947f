"""The demo step of volunteering and mutual aid: seed 001's 235 volunteers with shifts and hours,
requests and offers open and done, two micro-networks — fast, deterministic and idempotent (one
test: the steps it builds on take most of its time)."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command

from trama.accounts.models import User
from trama.core.demo import mutualaid as demo
from trama.core.demo.users import demo_email
from trama.mutualaid.models import (
    Exchange,
    HourLog,
    Match,
    MicroNetwork,
    MutualAidOffer,
    MutualAidRequest,
    ShiftSignup,
    Volunteer,
    VolunteerShift,
)
from trama.mutualaid.selectors.timebank import journey, ledger_totals, network_summaries
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db

COUNTED = (Volunteer, VolunteerShift, ShiftSignup, HourLog, MutualAidOffer, MutualAidRequest, Match, Exchange,
           MicroNetwork)  # fmt: skip


@pytest.fixture
def loaded():
    call_command("load_demo", "--only", "programmes,network,users,casework,activities", "--quiet-logins",
                 stdout=StringIO())  # fmt: skip
    started = time.perf_counter()
    demo.load(lambda line: None)
    return time.perf_counter() - started


def test_it_gives_fare_benecomune_its_235_volunteers_with_shifts_hours_and_mutual_aid_once(loaded):
    fbc = Programme.objects.get(slug="fare-benecomune")
    volunteers = Volunteer.objects.filter(programme=fbc)
    assert volunteers.count() == 235
    assert volunteers.filter(status=Volunteer.Status.APPROVED).count() == 220
    assert volunteers.filter(status=Volunteer.Status.APPLIED).exists()
    assert ShiftSignup.objects.filter(attended=True).count() > 100
    assert ShiftSignup.objects.filter(attended__isnull=True, status=ShiftSignup.Status.SIGNED_UP).exists()
    assert HourLog.objects.filter(status=HourLog.Status.PENDING).exists()
    statuses = set(MutualAidRequest.objects.filter(programme=fbc).values_list("status", flat=True))
    assert {"open", "matched", "done"} <= statuses
    assert MutualAidOffer.objects.filter(programme=fbc, offerer_group__isnull=False).exists()
    assert MutualAidOffer.objects.filter(programme=fbc, offerer_person__household_memberships__isnull=False).exists()
    networks = network_summaries(fbc)
    assert len(networks) == 2
    assert all(summary.inside > 0 for summary in networks)
    assert ledger_totals(fbc).balanced
    assert journey(fbc).became_volunteers >= 5
    demo_volunteer = User.objects.get(email=demo_email(fbc, "volunteer"))
    statuses = set(Match.objects.filter(offer__offerer_volunteer__user=demo_volunteer).values_list("status", flat=True))
    assert {"proposed", "accepted", "done"} <= statuses
    assert loaded < 15, f"the step took {loaded:.1f} s"
    # Idempotent: a second run changes nothing.
    before = [model.objects.count() for model in COUNTED]
    demo.load(lambda line: None)
    assert [model.objects.count() for model in COUNTED] == before
