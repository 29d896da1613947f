"""Editing through the pages: profiles and openings with their versions (S21), companies, pathways,
and the field allow-lists of the services (S4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trama.casework.models import Pathway
from trama.network.models import Organisation, Partnership
from trama.work import services
from trama.work.models import JobSeeker, Opening, WorkPathway
from trama.work.tests.conftest import make_opening

pytestmark = pytest.mark.django_db


def url(name, work, **kwargs):
    return reverse(f"work:{name}", kwargs={"slug": work.programme.slug, **kwargs})


def _seeker_data(work, seeker, **extra):
    return {
        "version": seeker.version, "municipality": work.bassa.montichiari.pk, "started_on": "2025-01-10",
        "hours": "part_time", "max_distance_km": 12, "skills": ["cleaning"], "languages": ["it", "ro"], **extra,
    }  # fmt: skip


def test_it_edits_a_profile_and_refuses_a_stale_version(client, login, work):
    login(client, work.owner)
    response = client.post(url("seeker-edit", work, seeker_id=work.anna.public_id), _seeker_data(work, work.anna))
    assert response.status_code == 302
    anna = JobSeeker.objects.get(pk=work.anna.pk)
    assert anna.skills == ",cleaning,"
    assert anna.languages == ",it,ro,"
    assert anna.hours == "part_time"
    assert anna.version == work.anna.version + 1
    stale = client.post(
        url("seeker-edit", work, seeker_id=work.anna.public_id), _seeker_data(work, work.anna, skills=["cooking"])
    )
    assert stale.status_code == 302
    assert JobSeeker.objects.get(pk=work.anna.pk).skills == ",cleaning,"


def test_it_changes_the_status_of_a_job_seeker(client, login, work):
    login(client, work.owner)
    client.post(url("seeker-status", work, seeker_id=work.omar.public_id), {"version": work.omar.version,
                                                                            "status": "paused"})  # fmt: skip
    assert JobSeeker.objects.get(pk=work.omar.pk).status == "paused"


def test_it_keeps_owner_and_status_out_of_generic_updates(work):
    services.seeker_update(
        actor=work.owner, seeker=work.anna, expected_version=work.anna.version,
        fields={"programme": None, "person": work.omar.person, "case": None, "status": "placed", "skills": ["cooking"]},
    )  # fmt: skip
    anna = JobSeeker.objects.get(pk=work.anna.pk)
    assert anna.person_id == work.anna.person_id
    assert anna.status == "active"
    assert anna.skills == ",cooking,"
    opening = make_opening(work.programme, work.company, work.bassa.montichiari)
    services.opening_update(
        actor=work.owner, opening=opening, expected_version=opening.version,
        fields={"status": "filled", "programme": None, "source": "public_form", "title": "Nuovo titolo"},
    )  # fmt: skip
    opening.refresh_from_db()
    assert opening.status == "open"
    assert opening.source == "staff"
    assert opening.title == "Nuovo titolo"


def test_it_creates_and_edits_an_opening_in_the_territory_only(client, login, work, other_programme):
    login(client, work.owner)
    data = {"company": work.company.pk, "title": "Carrellista", "sector": "logistics", "contract": "fixed_term",
            "hours_per_week": 40, "municipality": work.bassa.remedello.pk, "positions": 2,
            "skills": ["forklift"], "shifts": ["morning"]}  # fmt: skip
    response = client.post(url("opening-create", work), data)
    opening = Opening.objects.get(title="Carrellista")
    assert response.status_code == 302
    assert opening.skill_count == 1
    assert opening.created_by == work.owner
    from trama.territory.models import Municipality

    milano = Municipality.objects.get(name="Milano")
    bad = client.post(url("opening-edit", work, opening_id=opening.public_id),
                      {**data, "version": opening.version, "municipality": milano.pk})  # fmt: skip
    assert bad.status_code == 200
    assert "municipality" in bad.context["form"].errors
    client.post(url("opening-edit", work, opening_id=opening.public_id),
                {**data, "version": opening.version, "hours_per_week": 30})  # fmt: skip
    opening.refresh_from_db()
    assert opening.hours_per_week == 30
    outsider_company = Organisation.objects.create(name="Fuori Rete Srl", kind=Organisation.Kind.COMPANY)
    refused = client.post(url("opening-create", work), {**data, "title": "Altro", "company": outsider_company.pk})
    assert refused.status_code == 200
    assert not Opening.objects.filter(title="Altro").exists()


def test_it_lets_a_coordinator_add_a_company_to_the_network(client, login, work):
    login(client, work.coordinator)
    response = client.post(url("company-create", work), {"name": "Serre di Carpenedolo Srl",
                                                          "municipality": work.bassa.carpenedolo.pk})  # fmt: skip
    assert response.status_code == 302
    company = Organisation.objects.get(name="Serre di Carpenedolo Srl")
    assert company.kind == Organisation.Kind.COMPANY
    assert Partnership.objects.get(programme=work.programme, organisation=company).role == "network"
    login(client, work.owner)
    assert client.post(url("company-create", work), {"name": "Altra Srl"}).status_code == 403


def test_it_records_a_skill_exchange_from_the_profile(client, login, work):
    login(client, work.owner)
    response = client.post(url("pathway-create", work, seeker_id=work.omar.public_id), {
        "kind": "skill_exchange", "title": "Cucina in cambio di italiano", "organisation": work.partner.pk,
        "start_date": "2025-03-01", "skill": "cooking",
    })  # fmt: skip
    assert response.status_code == 302
    link = WorkPathway.objects.get(job_seeker=work.omar)
    assert link.kind == "skill_exchange"
    assert Pathway.objects.get(pk=link.pathway_id).cases.get() == work.case
    bad = client.post(url("pathway-create", work, seeker_id=work.omar.public_id), {
        "kind": "training", "title": "X", "organisation": work.partner.pk, "start_date": "2025-03-10",
        "end_date": "2025-03-01",
    })  # fmt: skip
    assert "end_date" in bad.context["form"].errors
    assert WorkPathway.objects.count() == 1


def test_it_escapes_what_people_type(client, login, work):
    payload = "<script>alert('x')</script>"
    services.seeker_update(actor=work.owner, seeker=work.anna, expected_version=work.anna.version,
                           fields={"experience": payload, "constraints": payload})  # fmt: skip
    login(client, work.owner)
    html = client.get(url("seeker-detail", work, seeker_id=work.anna.public_id)).content.decode()
    assert payload not in html
    assert "&lt;script&gt;" in html
