"""Needs assessments: who may record them, validation, the evolution chart and its table, S2."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from trama.accounts.models import AuditEvent
from trama.casework.models import Assessment, AssessmentScore
from trama.casework.selectors.delivery import assessment_evolution, case_assessments, case_delivery_context
from trama.casework.tests.factories import (
    AssessmentFactory,
    AssessmentScoreFactory,
    CaseFactory,
    CaseTeamMemberFactory,
    PathwayFactory,
    ReferralFactory,
    SessionFactory,
)
from trama.core.charts import Series, small_multiples

pytestmark = pytest.mark.django_db

DIMENSIONS = Assessment.Dimension.values


def form_data(*, day: str = "2024-03-01", score: int = 3, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {"assessed_on": day, "note": "Quadro complessivo stabile."}
    for dimension in DIMENSIONS:
        data[f"score_{dimension}"] = score
        data[f"note_{dimension}"] = ""
    data.update(extra)
    return data


def create_url(casework, case=None) -> str:
    case = case or casework.case
    return reverse("casework:assessment-create", kwargs={"slug": case.programme.slug, "case_id": case.public_id})


def assess(case, day: date, scores: dict[str, int]) -> Assessment:
    assessment = AssessmentFactory(case=case, assessed_on=day)
    for dimension, value in scores.items():
        AssessmentScoreFactory(assessment=assessment, dimension=dimension, score=value)
    return assessment


def test_it_records_an_assessment_of_the_eight_dimensions(client, login, casework):
    login(client, casework.owner)
    response = client.post(create_url(casework), form_data(score=2, note_housing="Sfratto in corso."))
    assert response.status_code == 302
    assessment = Assessment.objects.get(case=casework.case)
    assert assessment.assessed_by == casework.owner
    assert sorted(assessment.scores.values_list("dimension", flat=True)) == sorted(DIMENSIONS)
    assert assessment.scores.get(dimension="housing").note == "Sfratto in corso."
    assert AuditEvent.objects.filter(action="create", target_type="casework.assessment").count() == 1


def test_it_lets_a_coordinator_record_one(client, login, casework):
    login(client, casework.coordinator)
    assert client.post(create_url(casework), form_data()).status_code == 302
    assert Assessment.objects.filter(case=casework.case).count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("supervisor", 403), ("colleague", 404), ("stranger", 404), ("lab_manager", 403), ("outsider", 404)],
)
def test_it_refuses_who_is_not_on_the_team_nor_coordinator(client, login, casework, persona, status):
    login(client, getattr(casework, persona))
    assert client.post(create_url(casework), form_data()).status_code == status
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"score_health": ""},  # a dimension left out
        {"score_work": 6},  # out of range
        {"score_work": 0},
        {"assessed_on": "2999-01-01"},  # in the future
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(client, login, casework, change):
    login(client, casework.owner)
    response = client.post(create_url(casework), form_data(**change))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {next(iter(change))}
    assert not Assessment.objects.exists()
    assert not AssessmentScore.objects.exists()


def test_it_refuses_an_incomplete_assessment_in_the_service_too(casework):
    from django.core.exceptions import ValidationError

    from trama.casework.services.assessments import assessment_create

    with pytest.raises(ValidationError):
        assessment_create(actor=casework.owner, case=casework.case, assessed_on=date(2024, 3, 1), scores={"work": 3})
    with pytest.raises(ValidationError):
        assessment_create(
            actor=casework.owner,
            case=casework.case,
            assessed_on=date(2024, 3, 1),
            scores=dict.fromkeys(DIMENSIONS, 7),
        )
    assert not Assessment.objects.exists()


def test_it_answers_404_for_an_assessment_of_another_case(client, login, casework):
    """S2: the assessment of case B through the address of case A."""
    other_case = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
    CaseTeamMemberFactory(case=other_case, user=casework.owner, organisation=casework.partner)
    foreign = assess(other_case, date(2024, 2, 1), {"work": 2})
    login(client, casework.owner)
    url = reverse(
        "casework:assessment-detail",
        kwargs={"slug": "programma-a", "case_id": casework.case.public_id, "assessment_id": foreign.public_id},
    )
    before = Assessment.objects.count()
    assert client.get(url).status_code == 404
    assert Assessment.objects.count() == before
    own_url = reverse(
        "casework:assessment-detail",
        kwargs={"slug": "programma-a", "case_id": other_case.public_id, "assessment_id": foreign.public_id},
    )
    assert client.get(own_url).status_code == 200


def test_it_traces_each_dimension_over_time(casework):
    assess(casework.case, date(2024, 1, 10), dict.fromkeys(DIMENSIONS, 2))
    assess(casework.case, date(2024, 4, 10), {**dict.fromkeys(DIMENSIONS, 3), "health": 1})
    assess(casework.case, date(2024, 9, 10), {**dict.fromkeys(DIMENSIONS, 4), "health": 1, "housing": 2})
    evolution = assessment_evolution(case_assessments(casework.case))
    rows = evolution["rows"]
    assert [row.assessment.assessed_on for row in rows] == [date(2024, 1, 10), date(2024, 4, 10), date(2024, 9, 10)]
    assert rows[0].scores == [2] * 8
    chart = evolution["chart"]
    assert len(chart.panels) == 8
    health = next(panel for panel in chart.panels if panel.title == str(Assessment.Dimension.HEALTH.label))
    assert [point.value for point in health.points] == [2, 1, 1]
    assert "worsened" in health.summary or health.summary  # translated words vary; the numbers do not
    assert "2 → 1" in health.summary
    economic = next(panel for panel in chart.panels if panel.title == str(Assessment.Dimension.ECONOMIC.label))
    assert "2 → 4" in economic.summary
    # Time is proportional: April is closer to January than September is to April.
    xs = [point.x for point in economic.points]
    assert xs[1] - xs[0] < xs[2] - xs[1]
    # Higher scores are drawn higher (smaller y).
    ys = [point.y for point in economic.points]
    assert ys[0] > ys[1] > ys[2]


def test_it_draws_an_accessible_chart_with_its_data_table(rf, casework, django_assert_max_num_queries):
    assess(casework.case, date(2024, 1, 10), dict.fromkeys(DIMENSIONS, 2))
    assess(casework.case, date(2024, 6, 10), dict.fromkeys(DIMENSIONS, 4))
    html = _render_partial(rf, casework, casework.owner)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="assessment-chart-title assessment-chart-desc"' in svg
    assert re.search(r'<title id="assessment-chart-title">[^<]+</title>', svg)
    assert re.search(r'<desc id="assessment-chart-desc">[^<]+2 → 4[^<]*</desc>', svg)
    assert svg.count("<path ") == 8
    assert "style=" not in html
    assert "<script" not in html
    table = html[html.index("<table") : html.index("</table>")]
    assert table.count("<tr>") == 3  # header + two assessments
    assert "<caption>" in table


def test_it_escapes_what_it_draws(casework):
    chart = small_multiples(
        [Series(name='<script>alert("x")</script>', points=[(date(2024, 1, 1), 3)])],
        title="<b>t</b>",
        description="d & d",
        y_min=1,
        y_max=5,
    )
    html = render_to_string("casework/assessment_chart.html", {"evolution": {"chart": chart}})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>t</b>" not in html


def _render_partial(rf, casework, user) -> str:
    request = rf.get("/")
    request.user = user
    case = casework.case
    from trama.accounts.permissions import get_programme_access

    access = get_programme_access(user, case.programme.slug)
    context = {"access": access, "case": case, "request": request, **case_delivery_context(case, user)}
    return render_to_string("casework/_case_delivery.html", context, request=request)


def _fill(casework, n: int) -> None:
    case = casework.case
    for i in range(n):
        assess(case, date(2024, 1 + i % 12, 1), dict.fromkeys(DIMENSIONS, 1 + i % 5))
        pathway = PathwayFactory(programme=case.programme, organisation=casework.partner, is_group=bool(i % 2))
        pathway.participations.create(case=case, joined_on=date(2024, 2, 1))
        SessionFactory(pathway=pathway, recorded_by=casework.owner).attendees.add(casework.person)
        ReferralFactory(case=case, person=casework.person, created_by=casework.owner)


@pytest.mark.parametrize("persona", ["owner", "coordinator", "supervisor"])
def test_it_builds_the_case_page_context_in_a_fixed_number_of_queries(casework, django_assert_max_num_queries, persona):
    user = getattr(casework, persona)
    _fill(casework, 1)
    with django_assert_max_num_queries(13) as few:
        case_delivery_context(casework.case, user)
    _fill(casework, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        context = case_delivery_context(casework.case, user)
    assert len(context["delivery_assessments"]) == 7
    assert len(context["delivery_pathways"]) == 7
    assert len(context["delivery_referrals"]) == 7
