"""Consent: the rules of Consent.clean() shown on the form, the signed form upload (S7, S20),
withdrawal, and `active_consent` (used by referrals)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from trama.casework.tests.factories import ConsentFactory, PersonFactory
from trama.core.tests.factories import OrganisationFactory
from trama.people.models import Consent
from trama.people.selectors import active_consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(name: str, casework, person=None, **kwargs) -> str:
    person = person or casework.person
    return reverse(
        f"people:{name}", kwargs={"slug": casework.case.programme.slug, "person_id": person.public_id, **kwargs}
    )


def _consent_data(**overrides: object) -> dict[str, object]:
    return {"purpose": "processing", "given_by": "self", "guardian_name": "", "given_on": "2024-05-02", **overrides}


def _pdf(size: int = 0, name: str = "modulo.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _jpeg_with_gps() -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (45.0, 11.0, 0.0), 1: "N"}  # GPS IFD: latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_it_records_a_consent_with_a_signed_pdf(english, login, casework):
    login(english, casework.owner)
    response = english.post(_url("consent-create", casework), {**_consent_data(), "signed_form_upload": _pdf()})
    assert response.status_code == 302
    consent = Consent.objects.get(person=casework.person)
    assert consent.recorded_by == casework.owner
    assert consent.signed_form.name.startswith("consents/")
    assert consent.signed_form.name.endswith(".pdf")
    assert "modulo" not in consent.signed_form.name  # random name: says nothing about the person


def test_it_refuses_a_minor_consenting_alone(english, login, casework):
    child = casework.person
    child.birth_date = timezone.localdate() - timedelta(days=365 * 10)
    child.save()
    login(english, casework.owner)
    response = english.post(_url("consent-create", casework), _consent_data(given_on=timezone.localdate().isoformat()))
    assert response.status_code == 200
    assert "under 14 cannot consent alone" in str(response.context["form"].errors["given_by"])
    assert not Consent.objects.exists()


def test_it_accepts_a_guardian_for_a_minor(english, login, casework):
    child = casework.person
    child.birth_date = timezone.localdate() - timedelta(days=365 * 10)
    child.save()
    login(english, casework.owner)
    data = _consent_data(given_by="guardian", guardian_name="Lucia Bianchi", given_on=timezone.localdate().isoformat())
    assert english.post(_url("consent-create", casework), data).status_code == 302
    assert Consent.objects.get(person=child).guardian_name == "Lucia Bianchi"


def test_it_refuses_a_consent_dated_in_the_future(english, login, casework):
    login(english, casework.owner)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = english.post(_url("consent-create", casework), _consent_data(given_on=tomorrow))
    assert "given_on" in response.context["form"].errors
    assert not Consent.objects.exists()


def test_it_requires_a_partner_of_the_programme_for_sharing(english, login, casework):
    login(english, casework.owner)
    response = english.post(_url("consent-create", casework), _consent_data(purpose="sharing"))
    assert "partner" in response.context["form"].errors
    foreign = OrganisationFactory(name="Non partner")
    response = english.post(
        _url("consent-create", casework), _consent_data(purpose="sharing", partner=foreign.public_id)
    )
    assert "partner" in response.context["form"].errors
    data = _consent_data(purpose="sharing", partner=casework.other_organisation.public_id)
    assert english.post(_url("consent-create", casework), data).status_code == 302
    assert Consent.objects.get().partner == casework.other_organisation


def test_it_refuses_a_program_renamed_as_a_pdf(english, login, casework):
    login(english, casework.owner)
    exe = SimpleUploadedFile(
        "modulo.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    response = english.post(_url("consent-create", casework), {**_consent_data(), "signed_form_upload": exe})
    assert response.status_code == 200
    assert "PDF, JPEG or PNG" in str(response.context["form"].errors["signed_form_upload"])
    assert not Consent.objects.exists()


def test_it_refuses_a_file_over_5_mb(english, login, casework):
    login(english, casework.owner)
    big = _pdf(size=5 * 1024 * 1024)
    response = english.post(_url("consent-create", casework), {**_consent_data(), "signed_form_upload": big})
    assert "5 MB" in str(response.context["form"].errors["signed_form_upload"])
    assert not Consent.objects.exists()


def test_it_strips_exif_and_gps_from_a_photographed_form(english, login, casework):
    upload = _jpeg_with_gps()
    assert Image.open(io.BytesIO(upload.read())).getexif()  # the test image does carry EXIF
    upload.seek(0)
    login(english, casework.owner)
    english.post(_url("consent-create", casework), {**_consent_data(), "signed_form_upload": upload})
    consent = Consent.objects.get()
    assert consent.signed_form.name.endswith(".jpg")
    with consent.signed_form.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info


# --- The signed form is served only through an authorised view (S20) -----------------------


@pytest.fixture
def signed(casework):
    consent = ConsentFactory(person=casework.person)
    consent.signed_form.save("f.pdf", _pdf(), save=True)
    return consent


def test_it_serves_the_signed_form_as_an_attachment(client, login, casework, signed):
    login(client, casework.owner)
    response = client.get(_url("consent-signed-form", casework, consent_id=signed.public_id))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("colleague", 404), ("stranger", 404), ("outsider", 404), ("lab_manager", 403), ("evaluator", 403)],
)
def test_it_refuses_the_signed_form_to_other_personas(client, login, casework, signed, persona, status):
    login(client, getattr(casework, persona))
    assert client.get(_url("consent-signed-form", casework, consent_id=signed.public_id)).status_code == status


def test_it_answers_404_for_a_consent_of_another_person(client, login, casework, signed):
    other = PersonFactory(programme=casework.case.programme)
    login(client, casework.coordinator)
    assert (
        client.get(_url("consent-signed-form", casework, person=other, consent_id=signed.public_id)).status_code == 404
    )


def test_it_refuses_anonymous_downloads(client, casework, signed):
    response = client.get(_url("consent-signed-form", casework, consent_id=signed.public_id))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Withdrawal ----------------------------------------------------------------------------


def test_it_withdraws_a_consent_after_confirmation(english, login, casework):
    consent = ConsentFactory(person=casework.person)
    url = _url("consent-withdraw", casework, consent_id=consent.public_id)
    login(english, casework.owner)
    assert english.get(url).status_code == 200
    assert active_consent(casework.person, "processing") == consent
    assert english.post(url).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    assert active_consent(casework.person, "processing") is None


def test_it_does_not_let_a_supervisor_withdraw(english, login, casework):
    consent = ConsentFactory(person=casework.person)
    login(english, casework.supervisor)
    assert english.post(_url("consent-withdraw", casework, consent_id=consent.public_id)).status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


# --- active_consent ------------------------------------------------------------------------


def test_it_finds_the_consent_in_force_on_a_day(casework):
    person = casework.person
    consent = ConsentFactory(person=person, given_on=date(2024, 1, 10), expires_on=date(2024, 12, 31))
    assert active_consent(person, "processing", on=date(2024, 6, 1)) == consent
    assert active_consent(person, "processing", on=date(2024, 1, 9)) is None  # not yet given
    assert active_consent(person, "processing", on=date(2025, 1, 1)) is None  # expired
    assert active_consent(person, "photos", on=date(2024, 6, 1)) is None  # another purpose
    consent.withdrawn_on = date(2024, 3, 1)
    consent.save()
    assert active_consent(person, "processing", on=date(2024, 2, 28)) == consent
    assert active_consent(person, "processing", on=date(2024, 3, 1)) is None


def test_it_matches_sharing_consent_to_the_named_partner(casework):
    person = casework.person
    consent = ConsentFactory(person=person, purpose="sharing", partner=casework.partner)
    assert active_consent(person, "sharing", partner=casework.partner) == consent
    assert active_consent(person, "sharing", partner=casework.other_organisation) is None
    assert active_consent(person, "sharing") is None
