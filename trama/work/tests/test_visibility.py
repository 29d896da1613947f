"""Who sees what: companies see only their openings and the candidates proposed to them with the
person's consent — never the case; operators see the job seekers of the cases they may see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from trama.casework.tests.factories import ConsentFactory
from trama.people.models import Consent
from trama.work import services
from trama.work.permissions import visible_openings, visible_placements, visible_seekers
from trama.work.tests.conftest import make_opening

pytestmark = pytest.mark.django_db
TODAY = date.today()  # noqa: DTZ011


@pytest.fixture
def proposed(work):
    ours = make_opening(work.programme, work.company, work.bassa.montichiari)
    theirs = make_opening(work.programme, work.other_company, work.bassa.calcinato)
    return (
        services.placement_propose(actor=work.owner, opening=ours, seeker=work.anna),
        services.placement_propose(actor=work.owner, opening=theirs, seeker=work.omar),
    )


def _share(person, partner, **fields):
    return ConsentFactory(person=person, purpose=Consent.Purpose.SHARING, partner=partner, **fields)


def test_it_shows_job_seekers_only_to_who_may_see_the_case(work):
    both = {work.anna, work.omar}
    assert set(visible_seekers(work.owner, work.programme)) == both
    assert set(visible_seekers(work.coordinator, work.programme)) == both
    for user in (work.colleague, work.stranger, work.company_user, work.evaluator):
        assert not visible_seekers(user, work.programme).exists()


def test_it_shows_a_company_only_its_own_openings(work, proposed):
    ours, theirs = proposed
    assert list(visible_openings(work.company_user, work.programme)) == [ours.opening]
    assert list(visible_openings(work.other_company_user, work.programme)) == [theirs.opening]
    assert visible_openings(work.evaluator, work.programme).count() == 0
    assert visible_openings(work.owner, work.programme).count() == 2


def test_it_shows_a_company_a_candidate_only_with_the_consent_to_share(work, proposed):
    ours, _theirs = proposed
    assert not visible_placements(work.company_user, work.programme).exists()
    _share(work.anna.person, work.other_company)  # consent for another company: not enough
    assert not visible_placements(work.company_user, work.programme).exists()
    consent = _share(work.anna.person, work.company)
    assert list(visible_placements(work.company_user, work.programme)) == [ours]
    assert not visible_placements(work.other_company_user, work.programme).exists()
    consent.withdrawn_on = TODAY
    consent.save(update_fields=["withdrawn_on"])
    assert not visible_placements(work.company_user, work.programme).exists()


def test_it_ignores_an_expired_consent(work, proposed):
    _share(work.anna.person, work.company, given_on=TODAY - timedelta(days=400), expires_on=TODAY - timedelta(days=1))
    assert not visible_placements(work.company_user, work.programme).exists()


def test_it_never_shows_the_case_to_a_company(client, login, work, proposed):
    ours, theirs = proposed
    _share(work.anna.person, work.company)
    login(client, work.company_user)
    slug = work.programme.slug
    page = client.get(reverse("work:placement-detail", kwargs={"slug": slug, "placement_id": ours.public_id}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Anna" in html
    assert str(work.case.public_id) not in html
    assert work.case.household.label not in html
    assert str(work.anna.public_id) not in html
    assert (
        client.get(
            reverse("work:placement-detail", kwargs={"slug": slug, "placement_id": theirs.public_id})
        ).status_code
        == 404
    )
    assert client.get(reverse("work:seeker-list", kwargs={"slug": slug})).status_code == 403
    assert (
        client.get(reverse("work:seeker-detail", kwargs={"slug": slug, "seeker_id": work.anna.public_id})).status_code
        == 403
    )
    assert client.get(
        reverse("casework:case-detail", kwargs={"slug": slug, "case_id": work.case.public_id})
    ).status_code in (403, 404)
    step = client.post(reverse("work:placement-detail", kwargs={"slug": slug, "placement_id": ours.public_id}),
                       {"to_status": "interview", "on": TODAY.isoformat(), "version": ours.version})  # fmt: skip
    assert step.status_code == 403
    ours.refresh_from_db()
    assert ours.status == "proposed"
    listing = client.get(reverse("work:placement-list", kwargs={"slug": slug}))
    assert [p.pk for p in listing.context["page"].object_list] == [ours.pk]
    openings = client.get(reverse("work:opening-list", kwargs={"slug": slug}))
    assert [o.pk for o in openings.context["page"].object_list] == [ours.opening.pk]
    other_opening = client.get(
        reverse("work:opening-detail", kwargs={"slug": slug, "opening_id": theirs.opening.public_id})
    )
    assert other_opening.status_code == 404


@pytest.mark.parametrize("persona", ["colleague", "stranger", "evaluator"])
def test_it_answers_404_or_403_to_who_may_not_see_a_job_seeker(client, login, work, proposed, persona):
    login(client, getattr(work, persona))
    slug = work.programme.slug
    detail = client.get(reverse("work:seeker-detail", kwargs={"slug": slug, "seeker_id": work.anna.public_id}))
    placement = client.get(
        reverse("work:placement-detail", kwargs={"slug": slug, "placement_id": proposed[0].public_id})
    )
    assert detail.status_code in (403, 404)
    assert placement.status_code in (403, 404)
