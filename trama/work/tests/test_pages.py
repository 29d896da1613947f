"""The pages: lists at a fixed number of queries, forms through the services, the CV upload, and the
public company form (rate-limited, landing "to be reviewed")."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trama.accounts.models import AuditEvent
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory
from trama.network.models import Organisation
from trama.work import services
from trama.work.models import JobSeeker, Opening, Placement
from trama.work.tests.conftest import make_opening, make_seeker

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name, work, **kwargs):
    return reverse(f"work:{name}", kwargs={"slug": work.programme.slug, **kwargs})


def _more_rows(work, n):
    for i in range(n):
        case = CaseFactory(
            programme=work.programme, organisation=work.partner, household__municipality=work.bassa.visano
        )
        CaseTeamMemberFactory(case=case, user=work.owner, organisation=work.partner)
        seeker = make_seeker(case, first=f"Persona{i}", last=f"Prova{i}", municipality=work.bassa.visano)
        opening = make_opening(work.programme, work.company, work.bassa.remedello, title=f"Ruolo {i}")
        services.placement_propose(actor=None, opening=opening, seeker=seeker)


@pytest.mark.parametrize("name", ["seeker-list", "opening-list", "placement-list"])
def test_it_lists_at_a_fixed_number_of_queries(client, login, work, django_assert_num_queries, name):
    login(client, work.owner)
    _more_rows(work, 2)
    client.get(url(name, work))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(name, work)).status_code == 200
    _more_rows(work, 18)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url(name, work))
    assert len(response.context["page"].object_list) >= 20


def test_it_filters_and_searches_the_lists(client, login, work):
    login(client, work.owner)
    make_opening(work.programme, work.company, work.bassa.montichiari, title="Cuoco", sector="hospitality")
    make_opening(work.programme, work.company, work.bassa.montichiari, title="Magazziniere", contract="permanent")
    page = client.get(url("opening-list", work), {"q": "cuoco"})
    assert [o.title for o in page.context["page"].object_list] == ["Cuoco"]
    page = client.get(url("opening-list", work), {"contract": "permanent"})
    assert [o.title for o in page.context["page"].object_list] == ["Magazziniere"]
    page = client.get(url("seeker-list", work), {"skill": "cooking"})
    assert [s.pk for s in page.context["page"].object_list] == [work.omar.pk]
    page = client.get(url("seeker-list", work), {"q": "ferri"})
    assert [s.pk for s in page.context["page"].object_list] == [work.anna.pk]


def test_it_shows_the_ranked_candidates_and_proposes_one(client, login, work):
    login(client, work.owner)
    opening = make_opening(work.programme, work.company, work.bassa.montichiari, skills=["warehouse"])
    page = client.get(url("opening-detail", work, opening_id=opening.public_id))
    assert [r.item.pk for r in page.context["ranked"]] == [work.anna.pk, work.omar.pk]
    assert f'data-seeker="{work.anna.public_id}"' in page.content.decode()
    response = client.post(url("placement-propose", work, opening_id=opening.public_id, seeker_id=work.anna.public_id),
                           {"score": "0.9123"})  # fmt: skip
    placement = Placement.objects.get()
    assert response.status_code == 302
    assert response.url == placement.get_absolute_url()
    assert str(placement.match_score) == "0.9123"
    page = client.get(url("seeker-detail", work, seeker_id=work.anna.public_id))
    assert opening not in [r.item for r in page.context["ranked"]]


def test_it_creates_a_job_seeker_with_a_cv_and_serves_it_only_to_the_team(client, login, work):
    member = HouseholdMemberFactory(household=work.case.household, person__first_name="Giulia")
    login(client, work.owner)
    form = client.get(url("seeker-create", work)).context["form"]
    key = f"{work.case.public_id}:{member.person.public_id}"
    assert key in dict(form.fields["member"].choices)
    data = {"member": key, "municipality": work.bassa.carpenedolo.pk, "started_on": "2025-02-01", "hours": "any",
            "max_distance_km": 15, "skills": ["cleaning", "retail"], "languages": ["it"]}  # fmt: skip
    bad = client.post(url("seeker-create", work), {**data, "cv_file": SimpleUploadedFile("cv.pdf", b"MZ not a pdf")})
    assert bad.status_code == 200
    assert "cv_file" in bad.context["form"].errors
    assert not JobSeeker.objects.filter(person=member.person).exists()
    response = client.post(url("seeker-create", work), {**data, "cv_file": SimpleUploadedFile("cv.pdf", PDF)})
    seeker = JobSeeker.objects.get(person=member.person)
    assert response.status_code == 302
    assert seeker.skills == ",cleaning,retail,"
    assert seeker.cv.name.endswith(".pdf")
    download = client.get(url("seeker-cv", work, seeker_id=seeker.public_id))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(target_id=str(seeker.public_id), action="export").exists()
    login(client, work.colleague)
    assert client.get(url("seeker-cv", work, seeker_id=seeker.public_id)).status_code == 404


def test_it_records_a_step_with_an_error_on_the_field(client, login, work):
    login(client, work.owner)
    opening = make_opening(work.programme, work.company, work.bassa.montichiari)
    placement = services.placement_propose(actor=work.owner, opening=opening, seeker=work.anna)
    services.placement_move(actor=work.owner, placement=placement, expected_version=placement.version,
                            step=services.Step(to_status="interview", on=date(2025, 3, 1)))  # fmt: skip
    placement.refresh_from_db()
    response = client.post(url("placement-detail", work, placement_id=placement.public_id), {
        "version": placement.version, "to_status": "internship", "on": "2025-03-10",
        "internship_start": "2025-04-01", "internship_end": "2025-03-01",
    })  # fmt: skip
    assert response.status_code == 400
    assert "internship_end" in response.context["form"].errors
    placement.refresh_from_db()
    assert placement.status == "interview"


def test_it_takes_an_opening_from_the_public_form_for_review(client, login, work):
    cache.clear()
    public = reverse("work-public:opening-submit", kwargs={"slug": work.programme.slug})
    assert client.get(public).status_code == 200
    data = {"company_name": "Caseificio Visano", "contact_name": "Luca Bassi", "contact_email": "luca@example.org",
            "title": "Casaro", "sector": "food", "contract": "internship", "hours_per_week": 30,
            "municipality": work.bassa.visano.pk, "positions": 1, "skills": ["food_processing"],
            "consent": "on"}  # fmt: skip
    response = client.post(public, data)
    assert response.status_code == 302
    opening = Opening.objects.get(title="Casaro")
    assert opening.status == "to_review"
    assert opening.company is None
    assert opening.skill_count == 1
    # The honeypot stores nothing.
    client.post(public, {**data, "title": "Bot", "website": "http://spam.example"})
    assert not Opening.objects.filter(title="Bot").exists()
    # A coordinator approves it, registering the company.
    login(client, work.coordinator)
    client.post(url("opening-approve", work, opening_id=opening.public_id), {"register_new": "on"})
    opening.refresh_from_db()
    assert opening.status == "open"
    assert opening.company.name == "Caseificio Visano"
    assert opening.company.kind == Organisation.Kind.COMPANY


def test_it_rate_limits_the_public_form(client, work):
    cache.clear()
    public = reverse("work-public:opening-submit", kwargs={"slug": work.programme.slug})
    data = {"company_name": "Azienda", "contact_name": "A", "contact_email": "a@example.org", "title": "Ruolo",
            "sector": "food", "contract": "internship", "hours_per_week": 30, "municipality": work.bassa.visano.pk,
            "positions": 1, "consent": "on"}  # fmt: skip
    for _ in range(services.OPENING_RATE.limit):
        assert client.post(public, data).status_code == 302
    assert client.post(public, data).status_code == 429
    assert Opening.objects.count() == services.OPENING_RATE.limit
    cache.clear()


def test_it_refuses_an_operator_approving_an_opening(client, login, work):
    opening = services.opening_submit_public(
        programme=work.programme,
        fields={"company_name": "X", "title": "Y", "sector": "food", "contract": "internship", "hours_per_week": 20,
                "municipality": work.bassa.visano},
    )  # fmt: skip
    login(client, work.owner)
    response = client.post(url("opening-approve", work, opening_id=opening.public_id), {"register_new": "on"})
    assert response.status_code == 403
    opening.refresh_from_db()
    assert opening.status == "to_review"


def test_it_shows_the_empty_states(client, login, work):
    JobSeeker.objects.all().delete()
    login(client, work.owner)
    for name in ("seeker-list", "opening-list", "placement-list"):
        response = client.get(url(name, work))
        assert response.status_code == 200
        assert not response.context["page"].object_list
