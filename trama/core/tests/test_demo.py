from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.activities.models import Activity, Attendance, Occurrence, Registration, Tally
from trama.casework.models import Case, Session
from trama.core.demo.users import DEMO_PASSWORD, MULTI_OPERATOR_EMAIL, logins
from trama.network.models import Organisation, Partnership
from trama.people.models import Person
from trama.territory.models import ActionLine, Programme, Target

pytestmark = pytest.mark.django_db

PAVIA_DISTRICT = {
    "018041": "Cava Manara",
    "018030": "Carbonara al Ticino",
    "018091": "Mezzana Rabattone",
    "018110": "Pavia",
    "018135": "San Genesio ed Uniti",
    "018137": "San Martino Siccomario",
    "018151": "Sommo",
    "018159": "Torre d'Isola",
    "018162": "Travacò Siccomario",
    "018179": "Villanova d'Ardenghi",
    "018189": "Zerbolò",
    "018190": "Zinasco",
}

COUNTED = (
    Programme, ActionLine, Organisation, Partnership, User, Membership, Target, AuditEvent, Person, Case, Session,
    Activity, Occurrence, Registration, Attendance, Tally,
)  # fmt: skip


@pytest.fixture
def demo() -> str:
    """The programmes, their network and the demo accounts (the later steps have their own tests)."""
    out = StringIO()
    call_command("load_demo", "--only", "programmes,network,users", stdout=out)
    return out.getvalue()


def test_it_loads_the_three_seed_programmes(demo):
    assert set(Programme.objects.values_list("slug", flat=True)) == {
        "fare-benecomune",
        "wellfare-legami",
        "genera-azioni",
    }
    fbc = Programme.objects.get(slug="fare-benecomune")
    assert fbc.action_lines.count() == 4
    assert (
        Partnership.objects.get(programme=fbc, role=Partnership.Role.LEAD).organisation.name
        == "Consorzio Sociale Pavese"
    )
    legami = Programme.objects.get(slug="wellfare-legami")
    assert legami.partnerships.count() == 13
    assert legami.action_lines.count() == 5
    assert (
        Partnership.objects.get(programme=legami, role=Partnership.Role.LEAD).organisation.name == "Comune di Cremona"
    )
    assert legami.municipalities.filter(province_code="CR").count() == legami.municipalities.count() > 100
    genera = Programme.objects.get(slug="genera-azioni")
    assert genera.targets.get(indicator_code="households_reached").value == 4500
    assert "illustrativo" in genera.territory_note


def test_it_gives_the_pavia_district_its_12_municipalities_with_istat_codes(demo):
    fbc = Programme.objects.get(slug="fare-benecomune")
    assert dict(fbc.municipalities.values_list("istat_code", "name")) == PAVIA_DISTRICT


def test_it_is_idempotent():
    call_command("load_demo", stdout=StringIO())
    before = {model.__name__: model.objects.count() for model in COUNTED}
    call_command("load_demo", stdout=StringIO())
    after = {model.__name__: model.objects.count() for model in COUNTED}
    assert before == after


def test_it_prints_every_demo_login(demo):
    for _, _, email in logins():
        assert email in demo
    assert DEMO_PASSWORD in demo


def test_it_gives_one_account_per_role_per_programme_and_one_in_two_programmes(demo):
    for programme in Programme.objects.all():
        roles = set(Membership.objects.filter(programme=programme).values_list("role", flat=True))
        # A company's login belongs to a company of a work plan (the work step makes it).
        assert roles == set(Role.values) - {Role.COMPANY}
    assert Membership.objects.filter(user__email=MULTI_OPERATOR_EMAIL).count() == 2


def test_it_lets_every_demo_login_reach_its_home(demo, client, settings):
    settings.TRAMA_REQUIRE_2FA = False  # as `make run` does
    for _, _, email in logins():
        client.logout()
        response = client.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD}, follow=True)
        assert response.status_code == 200, email
        assert response.request["PATH_INFO"].startswith("/area/"), email


def test_it_refuses_an_unknown_step():
    with pytest.raises(CommandError):
        call_command("load_demo", "--only", "programmes,fireworks", stdout=StringIO())


def test_it_gives_fare_benecomune_a_school_year_of_activities_of_seed_001s_order():
    call_command("load_demo", "--only", "programmes,network,users,casework,activities", stdout=StringIO())
    fbc = Programme.objects.get(slug="fare-benecomune")
    attendances = Attendance.objects.filter(programme=fbc)
    named_minors = attendances.filter(is_minor=True).values("person").distinct().count()
    counted = Tally.objects.filter(occurrence__activity__programme=fbc).aggregate(total=Sum("count"))["total"]
    # Seed 001: "oltre 600 minori", "7100 cittadini" — the demo's records give the same order.
    assert named_minors > 250
    assert 5000 < counted + attendances.values("person").distinct().count() < 10000
    assert Registration.objects.filter(activity__programme=fbc, status=Registration.Status.WAITING).exists()
    assert Registration.objects.filter(activity__programme=fbc, source=Registration.Source.CASE).exists()
    assert Activity.objects.filter(programme=fbc, is_public=False).exists()
    assert Occurrence.objects.filter(activity__programme=fbc, status=Occurrence.Status.CANCELLED).exists()
