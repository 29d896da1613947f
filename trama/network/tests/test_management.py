from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from trama.accounts.models import AuditEvent, Role
from trama.core.tests.factories import (
    CitizenGroupFactory,
    CommunityPlaceFactory,
    OrganisationFactory,
    PartnershipFactory,
)
from trama.network.models import CitizenGroup, CommunityPlace, OpeningHours, Organisation, Partnership
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db

VALID_VAT = "00743110157"  # a well-formed partita IVA (check digit correct)


@pytest.fixture
def territory(programme):
    programme.municipalities.add(*Municipality.objects.filter(istat_code__in=["018110", "018151"]))
    return programme


def _url(name, programme, **kwargs):
    return reverse(name, kwargs={"slug": programme.slug, **kwargs})


def _place_data(lead, **changes):
    data = {
        "kind": "community_lab", "name": "Laboratorio Nord", "managing_organisation": lead.public_id,
        "address": "Via Roma 1", "municipality": "018110", "latitude": "45.18500", "longitude": "9.15500",
        "services": [], "is_published": "on",
    }  # fmt: skip
    data.update(changes)
    return data


def _image(size=(20, 20), fmt="JPEG") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, "red").save(out, format=fmt)
    return out.getvalue()


# --- Organisations ---------------------------------------------------------------------------


def test_it_adds_an_organisation_with_its_role_and_cofinancing(client, coordinator, territory, login):
    login(client, coordinator)
    response = client.post(
        _url("network:organisation-create", territory),
        {"name": "Cooperativa Esempio", "kind": "social_cooperative", "vat_number": VALID_VAT, "tax_code": VALID_VAT,
         "role": "partner", "cofinancing": "25000.00"},
    )  # fmt: skip
    assert response.status_code == 302
    partnership = Partnership.objects.get(organisation__name="Cooperativa Esempio")
    assert partnership.role == Partnership.Role.PARTNER
    assert partnership.cofinancing == 25000
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_id=str(partnership.public_id)).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("vat_number", "00743110158"), ("tax_code", "RSSMRA80A01G388X"), ("tax_code", "12345")],
)
def test_it_refuses_an_invalid_tax_code_or_vat_number_with_an_italian_message(
    client, coordinator, territory, login, field, value
):
    login(client, coordinator)
    response = client.post(
        _url("network:organisation-create", territory),
        {"name": "Ente Sbagliato", "kind": "company", field: value, "role": "supporter"},
    )
    assert response.status_code == 200
    assert "non è valid" in str(response.context["form"].errors[field])
    assert not Organisation.objects.filter(name="Ente Sbagliato").exists()


def test_it_shows_the_partnership_by_role_and_kind(client, coordinator, territory, lead, login):
    for n in range(3):
        PartnershipFactory(
            programme=territory, role=Partnership.Role.SUPPORTER,
            organisation=OrganisationFactory(name=f"Comune {n}", kind=Organisation.Kind.LOCAL_AUTHORITY),
        )  # fmt: skip
    login(client, coordinator)
    response = client.get(_url("network:overview", territory))
    counts = dict(response.context["counts"])
    assert ("ente locale", 3) in [(str(k), c) for k, c in counts["sostenitore"]] or ("local authority", 3) in [
        (str(k), c) for k, c in counts.get("supporter", [])
    ]


def test_it_refuses_to_remove_the_lead_partner(client, coordinator, territory, lead, login):
    login(client, coordinator)
    client.post(_url("network:partnership-remove", territory, organisation_id=lead.public_id))
    assert Partnership.objects.filter(programme=territory, organisation=lead, role="lead").exists()


# --- Places ----------------------------------------------------------------------------------


def test_it_creates_a_place_with_services_and_hours(client, coordinator, territory, lead, login):
    login(client, coordinator)
    response = client.post(_url("network:place-create", territory), _place_data(lead, services=[]))
    assert response.status_code == 302
    place = CommunityPlace.objects.get(name="Laboratorio Nord")
    hours = client.post(
        _url("network:place-hours", territory, place_id=place.public_id),
        {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "21",
         "form-0-weekday": "2", "form-0-opens_at": "15:00", "form-0-closes_at": "18:30", "form-0-note": "",
         "form-1-weekday": "", "form-1-opens_at": "", "form-1-closes_at": "", "form-1-note": ""},
    )  # fmt: skip
    assert hours.status_code == 302
    assert [str(h) for h in OpeningHours.objects.filter(place=place)] == [
        "Martedì 15:00–18:30"
    ] or OpeningHours.objects.filter(place=place, weekday=2).exists()


def test_it_refuses_coordinates_outside_italy(client, coordinator, territory, lead, login):
    login(client, coordinator)
    response = client.post(
        _url("network:place-create", territory), _place_data(lead, latitude="51.50000", longitude="-0.12000")
    )
    assert response.status_code == 200
    assert "fuori dall'Italia" in " ".join(response.context["form"].errors["latitude"])
    assert not CommunityPlace.objects.exists()


def test_it_refuses_a_place_outside_the_programme_territory(coordinator, territory, lead):
    from django.core.exceptions import ValidationError

    from trama.network.services import place_save

    milano = Municipality.objects.get(istat_code="015146")
    with pytest.raises(ValidationError) as error:
        place_save(
            actor=coordinator, programme=territory,
            fields={"kind": "community_lab", "name": "Fuori", "managing_organisation": lead, "address": "Via X 1",
                    "municipality": milano},
        )  # fmt: skip
    assert "municipality" in error.value.error_dict
    assert not CommunityPlace.objects.exists()


def test_it_strips_metadata_from_a_photo(client, coordinator, territory, lead, login):
    image = Image.new("RGB", (30, 20), "blue")
    exif = Image.Exif()
    exif[0x010F] = "CanaryCameraMaker"
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    assert b"CanaryCameraMaker" in out.getvalue()
    login(client, coordinator)
    client.post(
        _url("network:place-create", territory),
        {
            **_place_data(lead),
            "photo_upload": SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg"),
        },
    )
    place = CommunityPlace.objects.get()
    stored = place.photo.read()
    assert stored.startswith(b"\xff\xd8")
    assert b"CanaryCameraMaker" not in stored
    photo = client.get(_url("network:place-photo", territory, place_id=place.public_id))
    assert photo.status_code == 200
    public = reverse("portal:place-photo", kwargs={"slug": territory.slug, "place_id": place.public_id})
    anonymous = client.__class__()
    served = anonymous.get(public)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"CanaryCameraMaker" not in b"".join(served.streaming_content)
    CommunityPlace.objects.filter(pk=place.pk).update(is_published=False)
    assert anonymous.get(public).status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"%PDF-1.4 not an image", "non è un'immagine"), (_image(), "troppo grande")],
)
def test_it_refuses_a_non_image_or_oversized_photo(
    client, coordinator, territory, lead, login, settings, content, message, monkeypatch
):
    if message == "troppo grande":
        monkeypatch.setattr("trama.core.uploads.MAX_IMAGE_BYTES", 10)
    login(client, coordinator)
    response = client.post(
        _url("network:place-create", territory),
        {**_place_data(lead), "photo_upload": SimpleUploadedFile("foto.jpg", content, content_type="image/jpeg")},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["photo_upload"])
    assert not CommunityPlace.objects.exists()


def test_it_lets_a_lab_manager_edit_only_the_places_of_their_organisation(client, territory, lead, member, login):
    own_org = OrganisationFactory(name="Associazione del laboratorio")
    PartnershipFactory(programme=territory, organisation=own_org)
    manager = member(Role.LAB_MANAGER, organisation=own_org)
    own = CommunityPlaceFactory(programme=territory, managing_organisation=own_org, name="Il mio laboratorio")
    other = CommunityPlaceFactory(programme=territory, managing_organisation=lead, name="Laboratorio altrui")
    login(client, manager)
    listing = client.get(_url("network:place-list", territory))
    assert [p.name for p in listing.context["page"]] == ["Il mio laboratorio"]
    assert client.get(_url("network:place-edit", territory, place_id=other.public_id)).status_code == 404
    response = client.post(
        _url("network:place-edit", territory, place_id=other.public_id),
        _place_data(own_org, name="Preso!", version=other.version),
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "Laboratorio altrui"
    ok = client.post(
        _url("network:place-edit", territory, place_id=own.public_id),
        _place_data(own_org, name="Il mio laboratorio rinnovato", version=own.version),
    )
    assert ok.status_code == 302
    own.refresh_from_db()
    assert own.name == "Il mio laboratorio rinnovato"
    assert client.get(_url("network:place-create", territory)).status_code == 403


def test_it_does_not_let_a_lab_manager_hand_their_place_to_another_organisation(territory, lead, member):
    from django.core.exceptions import PermissionDenied

    from trama.network.services import place_save

    own_org = OrganisationFactory(name="Associazione del laboratorio")
    manager = member(Role.LAB_MANAGER, organisation=own_org)
    place = CommunityPlaceFactory(programme=territory, managing_organisation=own_org)
    with pytest.raises(PermissionDenied):
        place_save(actor=manager, programme=territory, place=place, fields={"managing_organisation": lead})
    place.refresh_from_db()
    assert place.managing_organisation == own_org


def test_it_keeps_places_away_from_operators(client, territory, member, login):
    login(client, member(Role.OPERATOR))
    assert client.get(_url("network:place-list", territory)).status_code == 403


def test_it_lists_places_with_a_fixed_number_of_queries(
    client, coordinator, territory, lead, login, django_assert_max_num_queries
):
    CommunityPlaceFactory(programme=territory, managing_organisation=lead)
    login(client, coordinator)
    client.get(_url("network:place-list", territory))
    with django_assert_max_num_queries(15) as few:
        client.get(_url("network:place-list", territory))
    for _ in range(10):
        CommunityPlaceFactory(programme=territory, managing_organisation=OrganisationFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url("network:place-list", territory))


def test_it_refuses_a_stale_place_edit(client, coordinator, territory, lead, login):
    place = CommunityPlaceFactory(programme=territory, managing_organisation=lead)
    login(client, coordinator)
    client.post(
        _url("network:place-edit", territory, place_id=place.public_id), _place_data(lead, name="Uno", version=1)
    )
    client.post(
        _url("network:place-edit", territory, place_id=place.public_id), _place_data(lead, name="Due", version=1)
    )
    place.refresh_from_db()
    assert place.name == "Uno"


# --- Groups ----------------------------------------------------------------------------------


def test_it_requires_the_consent_date_to_record_a_contact_person(client, coordinator, territory, login):
    login(client, coordinator)
    data = {"name": "Orti condivisi", "municipality": "018110", "location_precision": "municipality",
            "contact_name": "Anna", "is_published": "on"}  # fmt: skip
    response = client.post(_url("network:group-create", territory), data)
    assert response.status_code == 200
    assert "contact_consent_on" in response.context["form"].errors
    response = client.post(_url("network:group-create", territory), {**data, "contact_consent_on": "2020-07-02"})
    assert response.status_code == 302
    assert CitizenGroup.objects.get().contact_name == "Anna"


def test_it_keeps_groups_to_coordinators(client, territory, member, login):
    group = CitizenGroupFactory(programme=territory)
    login(client, member(Role.LAB_MANAGER))
    assert client.get(_url("network:group-list", territory)).status_code == 403
    assert client.get(_url("network:group-edit", territory, group_id=group.public_id)).status_code == 403


def test_it_answers_404_for_a_group_of_another_programme(client, coordinator, territory, other_programme, login):
    foreign = CitizenGroupFactory(programme=other_programme)
    login(client, coordinator)
    assert client.post(_url("network:group-delete", territory, group_id=foreign.public_id)).status_code == 404
    assert CitizenGroup.objects.filter(pk=foreign.pk).exists()
