"""An evaluator's pages, documents and extracts carry no name, codice fiscale, address, telephone or
e-mail of the people in the database (issue 8, "Done when"; S8, S9).

A realistic fixture — households with cases, people with every identifying field filled in, consent
to statistics, attendances, a referral, a pact, a volunteer, a citizen group with a private contact
person — then every page of the evaluation app an evaluator may open (walked from the URLconf, so
pages added later are scanned too), the funder's report as PDF text and XLSX cells, and the
extract as CSV and XLSX. None may contain any of those values.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import get_resolver, reverse
from openpyxl import load_workbook

from trama.activities.tests.factories import ActivityFactory, AttendanceFactory, OccurrenceFactory, rome
from trama.casework.models import Case, Referral
from trama.casework.tests.factories import (
    CaseFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PersonFactory,
    ReferralFactory,
)
from trama.core.tests.factories import CitizenGroupFactory, OrganisationFactory, PartnershipFactory
from trama.evaluation import registry
from trama.evaluation.jobs import REPORT_KIND
from trama.jobs.models import BackgroundJob
from trama.mutualaid.tests.factories import VolunteerFactory
from trama.network.models import Partnership
from trama.people.models import Consent, Person
from trama.territory.models import Municipality, Target

pytestmark = pytest.mark.django_db

FAMILIES = [
    ("Zenobia", "Scarabelli", "SCRZNB80A41G388K", "zenobia.scarabelli@example.org", "0382 901234", "Via Folperti 7"),
    ("Eustachio", "Pellegatta", "PLLSTC75B12G388T", "eustachio@example.net", "347 1122334", "Corso Cavour 99"),
    ("Ippolita", "Vergottini", "VRGPPL90C55G388Q", "ippolita.v@example.com", "328 5566778", "Viale Gorizia 31"),
    ("Gualtiero", "Brambillasca", "BRMGLT68D01G388W", "g.brambillasca@example.it", "0382 443322", "Via Mentana 4"),
    ("Clotilde", "Fumagalli", "FMGCLT85E62G388Z", "clotilde.f@example.org", "331 9988776", "Piazza Petrarca 2"),
    ("Anselmo", "Rovescalli", "RVSNSL72H20G388B", "anselmo.r@example.net", "340 6655443", "Via Riviera 18"),
]
CHILDREN = ["Ottone", "Rosmunda", "Teodolinda", "Ariberto", "Liutprando", "Gundeberga"]
GROUP_CONTACT = ("Ermenegilda Contatti", "ermenegilda@example.org", "339 7654321")


@pytest.fixture
def realistic(programme, lead):
    programme.start_date = date(2025, 9, 1)
    programme.save()
    pavia = Municipality.objects.get(istat_code="018110")
    programme.municipalities.add(pavia)
    partner = OrganisationFactory(name="Cooperativa Sociale Il Ponte")
    PartnershipFactory(programme=programme, organisation=partner, role=Partnership.Role.PARTNER)
    group = CitizenGroupFactory(
        programme=programme, name="Gruppo Orti Condivisi", contact_name=GROUP_CONTACT[0],
        contact_email=GROUP_CONTACT[1], contact_phone=GROUP_CONTACT[2], contact_consent_on=date(2025, 1, 1),
    )  # fmt: skip
    activity = ActivityFactory(programme=programme, first_start=rome(2026, 2, 2, 16, 0), expand=False)
    activity.organisers.set([lead, partner])
    activity.co_organising_groups.set([group])
    occurrences = [OccurrenceFactory(activity=activity, starts_at=rome(2026, 2, day, 16, 0)) for day in (2, 9, 16)]
    for index, (first, last, tax_code, email, phone, address) in enumerate(FAMILIES):
        household = HouseholdFactory(programme=programme, label=f"Famiglia {last}", address=address, municipality=pavia)
        parent = PersonFactory(
            programme=programme, first_name=first, last_name=last, tax_code=tax_code, email=email, phone=phone,
            birth_date=date(1980, 1, 1 + index),
        )  # fmt: skip
        child = PersonFactory(
            programme=programme, first_name=CHILDREN[index], last_name=last, birth_date=date(2016, 3, 1)
        )
        for person, relation in ((parent, "parent"), (child, "child")):
            HouseholdMemberFactory(household=household, person=person, relation=relation)
            ConsentFactory(person=person, purpose=Consent.Purpose.STATISTICS, given_on=date(2025, 1, 10))
            for occurrence in occurrences:
                AttendanceFactory(occurrence=occurrence, person=person)
        household.primary_contact = parent
        household.save()
        case = CaseFactory(
            programme=programme, household=household, organisation=lead, phase=Case.Phase.DELIVERY,
            opened_on=date(2026, 1, 10 + index),
        )  # fmt: skip
        if index == 0:
            ReferralFactory(
                case=case, person=parent, target_kind=Referral.TargetKind.GROUP, target_group=group,
                target_organisation=None, status=Referral.Status.COMPLETED,
            )  # fmt: skip
            VolunteerFactory(programme=programme, person=parent)
    Target.objects.create(programme=programme, indicator_code="households-supported", value=4500)
    return programme


def _personal_values() -> list[str]:
    values: set[str] = set()
    for person in Person.objects.all():
        values.update(
            v for v in (person.first_name, person.last_name, person.tax_code, person.email, person.phone) if v
        )
        values.add(str(person.public_id))
        if person.birth_date:
            values.add(person.birth_date.isoformat())
    values.update(address for (*_, address) in FAMILIES)
    values.update(GROUP_CONTACT)
    return sorted(values)


def _assert_clean(text: str, where: str) -> None:
    flat = re.sub(r"\s+", " ", text)
    leaks = [value for value in _personal_values() if value in flat]
    assert not leaks, f"{where} shows {leaks}"


def _evaluation_urls(programme) -> list[str]:
    """Every GET route of the evaluation app that needs only the programme (and an indicator code)."""
    urls = []
    resolver = get_resolver()
    for namespace in ("evaluation", "evaluation-reports", "evaluation-public"):
        patterns = resolver.namespace_dict[namespace][1].url_patterns
        for pattern in patterns:
            converters = set(pattern.pattern.converters)
            name = f"{namespace}:{pattern.name}"
            if converters == {"slug"}:
                urls.append(reverse(name, kwargs={"slug": programme.slug}))
            elif converters == {"slug", "code"}:
                urls.extend(
                    reverse(name, kwargs={"slug": programme.slug, "code": indicator.code})
                    for indicator in registry.all_indicators()
                )
    return urls


def _pdf_text(content: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is required"
    return subprocess.run([pdftotext, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S603


def _xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return " ".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value
    )


def test_the_fixture_holds_the_values_that_are_scanned(realistic):
    values = _personal_values()
    assert "Scarabelli" in values
    assert "SCRZNB80A41G388K" in values
    assert len(values) > 50


def test_no_evaluation_page_shows_personal_data_to_an_evaluator(client, login, evaluator, realistic):
    login(client, evaluator)
    period = "?start=2025-09-01&end=2026-12-31"
    urls = _evaluation_urls(realistic)
    assert any("/valutazione/" in url for url in urls)
    for url in urls:
        for address in (url, url + period):
            response = client.get(address)
            assert response.status_code in (200, 302, 403, 404), address
            if response.status_code == 200 and not response.streaming:
                _assert_clean(response.content.decode(), address)


def test_the_funders_report_and_the_extract_carry_no_personal_data(client, login, evaluator, realistic):
    login(client, evaluator)
    slug = realistic.slug
    dates = {"start": "2025-09-01", "end": "2026-12-31"}
    for file_format in ("pdf", "xlsx"):
        client.post(reverse("evaluation-reports:report", kwargs={"slug": slug}), {**dates, "file_format": file_format})
    jobs = BackgroundJob.objects.filter(kind=REPORT_KIND, owner=evaluator)
    assert {job.status for job in jobs} == {BackgroundJob.Status.DONE}
    for job in jobs:
        response = client.get(reverse("jobs:download", kwargs={"slug": slug, "job_id": job.public_id}))
        content = b"".join(response.streaming_content)
        text = _pdf_text(content) if job.result_name.endswith(".pdf") else _xlsx_text(content)
        assert "Gruppo Orti Condivisi" in text  # the network is there, by the group's public name
        _assert_clean(text, job.result_name)

    url = reverse("evaluation-reports:extracts", kwargs={"slug": slug})
    csv_content = client.post(url, {**dates, "file_format": "csv"}).content.decode("utf-8-sig")
    assert csv_content.count("\r\n") == 13  # the header and twelve consenting people
    _assert_clean(csv_content, "the CSV extract")
    _assert_clean(_xlsx_text(client.post(url, {**dates, "file_format": "xlsx"}).content), "the XLSX extract")
