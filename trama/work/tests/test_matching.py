"""Matching both ways on hand-built cases: who comes first, who is left out, and why."""

from __future__ import annotations

import pytest

from trama.work import matching, services
from trama.work.models import JobSeeker
from trama.work.permissions import visible_seekers
from trama.work.tests.conftest import make_opening

pytestmark = pytest.mark.django_db


def _reasons(ranked):
    return {reason.criterion: reason.score for reason in ranked.reasons}


def test_it_ranks_the_candidate_with_the_skills_first_and_says_why(work):
    opening = make_opening(
        work.programme, work.company, work.bassa.montichiari,
        skills=["warehouse", "forklift"], shifts=["morning"], sector="logistics", hours_per_week=36,
    )  # fmt: skip
    ranked = matching.rank_candidates(opening, JobSeeker.objects.all())
    assert [r.item for r in ranked] == [work.anna, work.omar]
    anna, omar = (_reasons(r) for r in ranked)
    assert anna["skills"] == 1.0
    assert omar["skills"] == 0.0
    assert anna["sector"] == 1.0
    assert omar["sector"] == 0.0
    assert anna["hours"] == 1.0
    assert omar["hours"] == 0.0
    assert anna["shifts"] == 1.0
    assert omar["shifts"] == 0.0
    assert anna["distance"] == 1.0  # same municipality
    assert 0.0 < omar["distance"] < 1.0  # Calcinato, a few km away
    assert ranked[0].score > ranked[1].score
    assert all(reason.text for r in ranked for reason in r.reasons)
    assert abs(sum(reason.points for reason in ranked[0].reasons) - ranked[0].score) < 1e-6


def test_it_counts_partial_skills(work):
    opening = make_opening(work.programme, work.company, work.bassa.montichiari, skills=["warehouse", "cooking"])
    ranked = {r.item: _reasons(r) for r in matching.rank_candidates(opening, JobSeeker.objects.all())}
    assert ranked[work.anna]["skills"] == 0.5
    assert ranked[work.omar]["skills"] == 0.5


def test_it_leaves_out_who_lacks_a_required_licence(work):
    opening = make_opening(work.programme, work.company, work.bassa.montichiari, driving_licence_required=True)
    assert [r.item for r in matching.rank_candidates(opening, JobSeeker.objects.all())] == [work.anna]


def test_it_leaves_out_who_cannot_travel_that_far(work):
    work.omar.max_distance_km = 3
    work.omar.save(update_fields=["max_distance_km"])
    opening = make_opening(work.programme, work.company, work.bassa.montichiari)
    assert [r.item for r in matching.rank_candidates(opening, JobSeeker.objects.all())] == [work.anna]


def test_it_leaves_out_who_was_already_proposed_or_is_not_looking(work):
    opening = make_opening(work.programme, work.company, work.bassa.montichiari)
    services.placement_propose(actor=None, opening=opening, seeker=work.anna)
    JobSeeker.objects.filter(pk=work.omar.pk).update(status=JobSeeker.Status.PAUSED)
    assert matching.rank_candidates(opening, JobSeeker.objects.all()) == []


def test_it_ranks_only_the_job_seekers_the_user_may_see(work):
    opening = make_opening(work.programme, work.company, work.bassa.montichiari)
    assert matching.rank_candidates(opening, visible_seekers(work.colleague, work.programme)) == []
    assert len(matching.rank_candidates(opening, visible_seekers(work.owner, work.programme))) == 2


def test_it_ranks_openings_for_a_candidate(work):
    kitchen = make_opening(
        work.programme, work.company, work.bassa.carpenedolo, title="Aiuto cuoco", sector="hospitality",
        skills=["cooking"], shifts=["evening"], hours_per_week=20,
    )  # fmt: skip
    warehouse = make_opening(
        work.programme, work.other_company, work.bassa.calcinato, skills=["warehouse"], shifts=["morning"]
    )
    licence = make_opening(work.programme, work.company, work.bassa.montichiari, driving_licence_required=True)
    ranked = matching.rank_openings(work.omar)
    assert [r.item for r in ranked] == [kitchen, warehouse]  # no licence: the third is left out
    kitchen_reasons, warehouse_reasons = (_reasons(r) for r in ranked)
    assert kitchen_reasons["skills"] == 1.0
    assert warehouse_reasons["skills"] == 0.0
    assert kitchen_reasons["hours"] == 1.0
    assert warehouse_reasons["hours"] == 0.0
    assert kitchen_reasons["shifts"] == 1.0
    assert warehouse_reasons["shifts"] == 0.5
    assert warehouse_reasons["distance"] == 1.0
    assert licence in [r.item for r in matching.rank_openings(work.anna)]


def test_it_proposes_only_open_openings(work):
    opening = services.opening_submit_public(
        programme=work.programme,
        fields={"company_name": "Nuova Srl", "title": "Operaio", "sector": "manufacturing",
                "contract": "permanent", "hours_per_week": 40, "municipality": work.bassa.visano},
    )  # fmt: skip
    assert opening not in [r.item for r in matching.rank_openings(work.anna)]
