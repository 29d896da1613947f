"""The printable sign-in sheet: an A4 PDF with the registered people and empty rows for walk-ins,
a personal-data download that is audited, never cached, and refused to everyone else."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from trama.accounts.models import AuditEvent
from trama.activities.models import Registration
from trama.activities.tests.factories import RegistrationFactory
from trama.activities.tests.test_attendance_pages import ROLES, make_lab, persona, url
from trama.casework.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def poppler(tool: str, content: bytes, *options: str) -> str:
    """What a poppler tool (pdftotext, pdfinfo) reads in the PDF."""
    program = shutil.which(tool)
    if program is None:
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.pdf"
        path.write_bytes(content)
        to_stdout = ["-"] if tool == "pdftotext" else []
        result = subprocess.run([program, *options, str(path), *to_stdout], capture_output=True, check=True)  # noqa: S603
    return result.stdout.decode()


def pdf_text(content: bytes) -> str:
    """The PDF's text (the layout keeps each table row on one line)."""
    return poppler("pdftotext", content, "-layout")


def empty_rows(text: str) -> list[int]:
    """The numbers of the rows with no name: a number alone on its line."""
    return [int(match) for match in re.findall(r"^\s*(\d+)\s*$", text, re.MULTILINE)]


@pytest.fixture
def lab(programme):
    lab = make_lab(programme, people=0, title="Laboratorio di ceramica")
    for first, last in (("Giulia", "Ferri"), ("Nicolò", "Bassi"), ("Amina", "Diallo")):
        RegistrationFactory(
            activity=lab.activity, person=PersonFactory(programme=programme, first_name=first, last_name=last)
        )
    return lab


def test_it_gives_an_a4_pdf_with_the_registered_people_and_empty_rows(client, login, lab):
    waiting = PersonFactory(programme=lab.programme, last_name="Inattesa")
    RegistrationFactory(activity=lab.activity, person=waiting, status=Registration.Status.WAITING)

    response = login(client, lab.manager).get(url("signin-sheet", lab))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith('attachment; filename="foglio-firme-')
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Laboratorio di ceramica" in text
    assert lab.programme.name in text
    assert lab.place.name in text
    for number, name in enumerate(("Bassi Nicolò", "Diallo Amina", "Ferri Giulia"), start=1):  # by surname
        assert re.search(rf"^\s*{number}\s+{name}\s*$", text, re.MULTILINE), name
    assert "Inattesa" not in text
    assert empty_rows(text) == list(range(4, 14))  # then 10 numbered rows for walk-ins
    assert "(A4)" in poppler("pdfinfo", response.content).split("Page size:")[1].splitlines()[0]


def test_it_records_the_download_in_the_audit_log(client, login, lab):
    login(client, lab.manager).get(url("signin-sheet", lab))

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.target_id, event.programme) == (
        lab.manager,
        str(lab.occurrence.public_id),
        lab.programme,
    )
    assert (event.organisation, event.role) == (lab.organisation, "lab_manager")


@pytest.mark.parametrize(("role", "status"), [(role, status) for role, status in ROLES.items() if status != 200])
def test_it_refuses_the_sheet_to_everyone_else_and_records_no_export(client, login, lab, member, role, status):
    response = login(client, persona(role, lab, member)).get(url("signin-sheet", lab))

    assert response.status_code == status
    assert not response.content.startswith(b"%PDF-")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_coordinator_prints_it_too(client, login, coordinator, lab):
    response = login(client, coordinator).get(url("signin-sheet", lab))

    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).actor == coordinator


def test_it_prints_an_empty_sheet_for_an_activity_without_registrations(client, login, programme):
    lab = make_lab(programme, name="Associazione Aperta", registration_required=False, people=0)

    response = login(client, lab.manager).get(url("signin-sheet", lab))

    text = pdf_text(response.content)
    assert lab.activity.title in text
    assert empty_rows(text) == list(range(1, 11))
