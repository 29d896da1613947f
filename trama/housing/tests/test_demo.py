"""The demo step of the housing plan for #genera_azioni: dwellings (some at a capped rent),
households looking for a home, two housed with a guarantee and a draw, a co-housing, a social
caretaker's estate and logbook — through the services, and idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from trama.accounts.models import User
from trama.core.demo import housing as demo
from trama.housing import services
from trama.housing.models import CoHousing, Dwelling, Guarantee, GuaranteeDraw, HousingSearch, LogEntry, Tenancy
from trama.housing.permissions import visible_buildings
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db
COUNTED = (Dwelling, HousingSearch, Tenancy, Guarantee, GuaranteeDraw, CoHousing, LogEntry)


def test_it_loads_the_housing_plan_of_genera_azioni_once(settings):
    call_command("load_demo", "--only", "programmes,network,users", "--quiet-logins", stdout=StringIO())
    demo.load(lambda line: None)
    genera = Programme.objects.get(slug="genera-azioni")
    assert Dwelling.objects.filter(programme=genera, capped_rent=True).count() >= 3
    assert Tenancy.objects.filter(programme=genera, dwelling__capped_rent=True).count() == 2
    assert GuaranteeDraw.objects.filter(fund__programme=genera).count() == 1
    figures = services.fund_figures(services.fund_for(genera))
    assert figures.balance == figures.deposits - figures.draws > 0
    assert CoHousing.objects.get(programme=genera).members.count() == 2
    caretaker = User.objects.get(email=demo.CARETAKER_EMAIL)
    assert [b.name for b in visible_buildings(caretaker, genera)] == ["Villaggio Sereno (dimostrativo)"]
    assert set(LogEntry.objects.values_list("kind", flat=True)) == {"visit", "issue", "follow_up", "referral"}
    counts = [model.objects.count() for model in COUNTED]
    demo.load(lambda line: None)
    assert [model.objects.count() for model in COUNTED] == counts
