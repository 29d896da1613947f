"""The demo step of the work plan (#genera_azioni): companies and openings in the Bassa Bresciana,
job seekers with cases, placements in every state, the company login — idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from trama.accounts.models import Membership, Role
from trama.core.demo import work as demo
from trama.territory.models import Programme
from trama.work.models import JobSeeker, Opening, Placement, WorkPathway
from trama.work.permissions import visible_openings, visible_placements

pytestmark = pytest.mark.django_db


def test_it_loads_the_work_plan_of_genera_azioni_once(django_user_model):
    call_command("load_demo", "--only", "programmes,network,users", "--quiet-logins", stdout=StringIO())
    demo.load(lambda _message: None)
    counts = (Opening.objects.count(), JobSeeker.objects.count(), Placement.objects.count())
    demo.load(lambda _message: None)
    assert (Opening.objects.count(), JobSeeker.objects.count(), Placement.objects.count()) == counts
    programme = Programme.objects.get(slug="genera-azioni")
    assert set(Placement.objects.filter(programme=programme).values_list("status", flat=True)) == set(
        Placement.Status.values
    )
    assert Placement.objects.filter(internship_interrupted=True).exists()
    assert Opening.objects.filter(programme=programme, status="to_review").count() == 1
    assert Opening.objects.filter(programme=programme, status="filled").exists()
    assert WorkPathway.objects.filter(job_seeker__programme=programme).count() == 2
    assert all(seeker.case.household.members.filter(pk=seeker.person_id).exists() for seeker in JobSeeker.objects.all())
    company_user = django_user_model.objects.get(email=demo.COMPANY_EMAIL)
    membership = Membership.objects.get(user=company_user, programme=programme)
    assert membership.role == Role.COMPANY
    own = visible_openings(company_user, programme)
    assert own.exists()
    assert set(own.values_list("company", flat=True)) == {membership.organisation_id}
    seen = visible_placements(company_user, programme)
    assert 0 < seen.count() < Placement.objects.filter(opening__company=membership.organisation).count() + 1
