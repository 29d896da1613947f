"""The pages of the housing plan: who may open them, bad input refused with nothing saved, nested
records checked against their parent (S2), and a fixed number of queries on every list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trama.housing import services
from trama.housing.models import CoHousing, Dwelling, Guarantee, HousingSearch, Tenancy
from trama.housing.tests.conftest import PAVIA, make_dwelling, make_search

pytestmark = pytest.mark.django_db
D = Decimal


def _url(plan, name: str, **kwargs) -> str:
    return reverse(f"housing:{name}", kwargs={"slug": plan.programme.slug, **kwargs})


def _dwelling_post(plan, rent: str) -> dict:
    return {
        "offered_by": "private",
        "owner_name": "Lucia Ferri",
        "address": "Via Dante 7",
        "municipality": plan.places[PAVIA].pk,
        "rooms": "3",
        "area_m2": "75",
        "monthly_rent": rent,
        "capped_rent": "on",
        "available_from": "2026-02-01",
    }


@pytest.mark.parametrize(("rent", "code"), [("-1", "negative"), ("10000,01", "implausible"), ("250000", "implausible")])
def test_it_refuses_an_implausible_rent_with_a_clear_message_and_saves_nothing(client, login, plan, rent, code):
    login(client, plan.owner)
    response = client.post(_url(plan, "dwelling-create"), _dwelling_post(plan, rent))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["monthly_rent"]
    assert not Dwelling.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.check_rent(D(rent.replace(",", ".")))
    assert refused.value.error_dict["monthly_rent"][0].code == code


def test_it_records_a_dwelling_from_the_form(client, login, plan):
    login(client, plan.owner)
    response = client.post(_url(plan, "dwelling-create"), _dwelling_post(plan, "480,50"))
    dwelling = Dwelling.objects.get()
    assert response.status_code == 302
    assert response["Location"] == dwelling.get_absolute_url()
    assert dwelling.monthly_rent == D("480.50")
    assert dwelling.capped_rent


def test_it_shows_private_owners_only_to_the_plan_staff(client, login, plan):
    dwelling = make_dwelling(plan, owner_name="Gianni Riservato", owner_email="gianni@example.org")
    url = _url(plan, "dwelling-detail", dwelling_id=dwelling.public_id)
    for user in (plan.owner, plan.colleague, plan.coordinator):
        login(client, user)
        assert "gianni@example.org" in client.get(url).content.decode()
    for user in (plan.lab_manager, plan.evaluator):
        login(client, user)
        assert client.get(url).status_code == 403
        assert client.get(_url(plan, "dwelling-list")).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_it_hides_a_household_search_from_operators_off_the_case(client, login, plan):
    search = make_search(plan, plan.case("Famiglia Nascosta"))
    url = _url(plan, "search-detail", search_id=search.public_id)
    login(client, plan.colleague)
    assert client.get(url).status_code == 404
    assert "Famiglia Nascosta" not in client.get(_url(plan, "search-list")).content.decode()
    login(client, plan.owner)
    assert client.get(url).status_code == 200


def test_it_houses_a_household_and_grants_a_guarantee_through_the_pages(client, login, plan):
    services.fund_deposit(
        actor=plan.coordinator,
        programme=plan.programme,
        amount=D("3000.00"),
        received_on=date(2026, 1, 2),
        source_note="Fondazione",
    )
    search = make_search(plan, plan.case("Famiglia Casa"))
    dwelling = make_dwelling(plan, capped_rent=True)
    login(client, plan.owner)
    page = client.get(_url(plan, "search-detail", search_id=search.public_id))
    assert str(dwelling.public_id) in page.content.decode()
    response = client.post(
        _url(plan, "tenancy-create", search_id=search.public_id, dwelling_id=dwelling.public_id),
        {"starts_on": "2026-02-01", "monthly_rent": "450,00"},
    )
    tenancy = Tenancy.objects.get()
    assert response["Location"] == tenancy.get_absolute_url()
    too_much = client.post(
        _url(plan, "guarantee-create", tenancy_id=tenancy.public_id),
        {"amount": "3000,01", "months": "12", "starts_on": "2026-02-01"},
    )
    assert too_much.status_code == 200
    assert list(too_much.context["guarantee_form"].errors) == ["amount"]
    assert not Guarantee.objects.exists()
    client.post(
        _url(plan, "guarantee-create", tenancy_id=tenancy.public_id),
        {"amount": "1350,00", "months": "12", "starts_on": "2026-02-01"},
    )
    guarantee = Guarantee.objects.get()
    client.post(
        _url(plan, "draw-create", tenancy_id=tenancy.public_id),
        {"guarantee": guarantee.pk, "amount": "450,00", "drawn_on": "2026-03-10", "reason": "Affitto di marzo"},
    )
    assert services.fund_figures(services.fund_for(plan.programme)).balance == D("2550.00")
    dwelling.refresh_from_db()
    search.refresh_from_db()
    assert (dwelling.status, search.status) == (Dwelling.Status.LET, HousingSearch.Status.HOUSED)


def test_it_refuses_a_draw_on_the_guarantee_of_another_tenancy(client, login, plan):
    services.fund_deposit(
        actor=plan.coordinator,
        programme=plan.programme,
        amount=D("1000.00"),
        received_on=date(2026, 1, 2),
        source_note="Fondazione",
    )
    tenancies = []
    for label in ("Famiglia A", "Famiglia B"):
        search = make_search(plan, plan.case(label))
        dwelling = make_dwelling(plan, address=f"Via {label}")
        tenancies.append(
            services.tenancy_create(
                actor=None, search=search, dwelling=dwelling, starts_on=date(2026, 2, 1), monthly_rent=D("400.00")
            )
        )
    other = services.guarantee_grant(
        actor=None, tenancy=tenancies[1], amount=D("400.00"), months=6, starts_on=date(2026, 2, 1)
    )
    login(client, plan.owner)
    response = client.post(
        _url(plan, "draw-create", tenancy_id=tenancies[0].public_id),
        {"guarantee": other.pk, "amount": "100,00", "drawn_on": "2026-03-01", "reason": "x"},
    )
    assert response.status_code == 200
    assert "guarantee" in response.context["draw_form"].errors
    assert not other.draws.exists()


def test_it_records_a_cohousing_only_of_households_the_operator_follows(client, login, plan):
    first, second = plan.case("Famiglia Uno"), plan.case("Famiglia Due")
    foreign = plan.case("Famiglia Tre", team=plan.colleague)
    dwelling = make_dwelling(plan, rooms=4)
    login(client, plan.owner)
    data = {"title": "Casa condivisa", "dwelling": dwelling.pk, "starts_on": "2026-02-01", "terms": "Spese a metà"}
    refused = client.post(
        _url(plan, "cohousing-create"), {**data, "households": [first.household.pk, foreign.household.pk]}
    )
    assert "households" in refused.context["form"].errors
    assert not CoHousing.objects.exists()
    response = client.post(
        _url(plan, "cohousing-create"), {**data, "households": [first.household.pk, second.household.pk]}
    )
    cohousing = CoHousing.objects.get()
    assert response["Location"] == cohousing.get_absolute_url()
    assert cohousing.members.count() == 2
    login(client, plan.colleague)
    assert client.get(cohousing.get_absolute_url()).status_code == 404


def _fill(plan, rows: int) -> None:
    services.fund_deposit(
        actor=None,
        programme=plan.programme,
        amount=D("100000.00"),
        received_on=date(2026, 1, 2),
        source_note="Fondazione",
    )
    start = Dwelling.objects.count()
    for n in range(start, start + rows):
        case = plan.case(f"Famiglia {n:03d}")
        search = make_search(plan, case)
        dwelling = make_dwelling(plan, address=f"Via Lunga {n}")
        let = make_dwelling(plan, address=f"Via Corta {n}")
        tenancy = services.tenancy_create(
            actor=None, search=search, dwelling=let, starts_on=date(2026, 2, 1), monthly_rent=D("400.00")
        )
        services.guarantee_grant(actor=None, tenancy=tenancy, amount=D("500.00"), months=6, starts_on=date(2026, 2, 1))
        services.cohousing_create(
            actor=None,
            programme=plan.programme,
            dwelling=dwelling,
            title=f"Coabitazione {n}",
            starts_on=date(2026, 2, 1),
            terms="Regole",
            households=[case.household, plan.case(f"Famiglia {n:03d}b").household],
        )
        building = services.building_create(
            actor=None,
            programme=plan.programme,
            name=f"Palazzo {n}",
            address="Via Nuova",
            municipality=plan.places[PAVIA],
        )
        services.log_entry_create(
            actor=None, building=building, kind="issue", occurred_on=date(2026, 3, 1), text="Ascensore fermo"
        )
        make_search(plan, plan.case(f"Famiglia {n:03d}c"))  # stays open: the list shows both states


LISTS = ["dwelling-list", "search-list", "fund", "cohousing-list", "building-list", "home"]


@pytest.mark.parametrize("name", LISTS)
def test_it_renders_each_list_with_the_same_queries_for_2_and_20_rows(
    client, login, plan, name, django_assert_num_queries
):
    login(client, plan.coordinator)
    url = _url(plan, name)
    _fill(plan, 2)
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _fill(plan, 18)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_it_shows_the_empty_states(client, login, plan):
    login(client, plan.owner)
    for name in ("dwelling-list", "search-list", "cohousing-list", "building-list"):
        response = client.get(_url(plan, name))
        assert response.status_code == 200
        assert 'id="empty"' in response.content.decode()


def test_it_withdraws_a_dwelling_and_offers_it_again(client, login, plan):
    dwelling = make_dwelling(plan)
    search = make_search(plan, plan.case("Famiglia Attesa"))
    login(client, plan.owner)
    url = _url(plan, "dwelling-status", dwelling_id=dwelling.public_id)
    client.post(url, {"status": "withdrawn"})
    dwelling.refresh_from_db()
    assert dwelling.status == Dwelling.Status.WITHDRAWN
    assert str(dwelling.public_id) not in client.get(search.get_absolute_url()).content.decode()
    client.post(url, {"status": "let"})
    dwelling.refresh_from_db()
    assert dwelling.status == Dwelling.Status.WITHDRAWN
    client.post(url, {"status": "available"})
    dwelling.refresh_from_db()
    assert dwelling.status == Dwelling.Status.AVAILABLE


def test_it_lets_only_coordinators_record_deposits_and_buildings(client, login, plan):
    deposit = {"amount": "2500,00", "received_on": "2026-01-10", "source_note": "Donazione"}
    building = {
        "name": "Corte Nuova",
        "kind": "building",
        "address": "Via Corte 2",
        "municipality": plan.places[PAVIA].pk,
    }
    login(client, plan.owner)
    assert client.post(_url(plan, "deposit-create"), deposit).status_code == 403
    assert client.post(_url(plan, "building-create"), building).status_code == 403
    assert services.programme_fund_figures(plan.programme.pk).deposits == D("0.00")
    login(client, plan.coordinator)
    assert client.post(_url(plan, "deposit-create"), deposit).status_code == 302
    assert client.post(_url(plan, "building-create"), building).status_code == 302
    assert services.programme_fund_figures(plan.programme.pk).balance == D("2500.00")
    page = client.get(_url(plan, "fund")).content.decode()
    assert 'data-figure="balance"' in page


def test_it_serves_the_cohousing_agreement_as_an_attachment_to_who_sees_the_cohousing(
    client, login, plan, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    first, second = plan.case("Famiglia Uno"), plan.case("Famiglia Due")
    dwelling = make_dwelling(plan, rooms=4)
    login(client, plan.owner)
    upload = SimpleUploadedFile("accordo.pdf", b"%PDF-1.4 accordo firmato", content_type="application/pdf")
    data = {
        "title": "Casa comune",
        "dwelling": dwelling.pk,
        "starts_on": "2026-02-01",
        "terms": "Spese a metà",
        "households": [first.household.pk, second.household.pk],
        "agreement": upload,
    }
    client.post(_url(plan, "cohousing-create"), data)
    cohousing = CoHousing.objects.get()
    url = _url(plan, "cohousing-agreement", cohousing_id=cohousing.public_id)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    login(client, plan.colleague)
    assert client.get(url).status_code == 404
