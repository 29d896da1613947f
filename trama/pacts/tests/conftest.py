"""The personas of the pacts' tests, on top of the case record's (`casework` in trama/conftest.py):

- `owner` (operator on the case team) drafts and runs the pact; `coordinator` decides on money;
- `colleague`, `supervisor`, `stranger`, `evaluator`, `volunteer`, `funder`, `outsider` must not see it;
- `lab_manager` runs `place` (their organisation manages it) and confirms the hours given there;
- `other_lab_manager` runs `other_place`, where this pact has no commitment.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from trama.accounts.models import Role
from trama.core.tests.factories import (
    CitizenGroupFactory,
    CommunityPlaceFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
)
from trama.network.models import Organisation
from trama.territory.models import Municipality


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Signed copies and receipts are written where each test can throw them away."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pactwork(casework):
    programme = casework.case.programme
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    today = timezone.localdate()
    # The case opened a year ago, so pacts can start in the past.
    casework.case.opened_on = today - timedelta(days=400)
    casework.case.save(update_fields=["opened_on"])
    lab_org = OrganisationFactory(name="Associazione del laboratorio")
    PartnershipFactory(programme=programme, organisation=lab_org)
    other_lab_org = OrganisationFactory(name="Associazione dell'altro laboratorio")
    PartnershipFactory(programme=programme, organisation=other_lab_org)
    foundation = OrganisationFactory(name="Fondazione di prova", kind=Organisation.Kind.FOUNDATION)
    municipality = OrganisationFactory(name="Comune di prova", kind=Organisation.Kind.LOCAL_AUTHORITY)
    PartnershipFactory(programme=programme, organisation=municipality)
    company = OrganisationFactory(name="Impresa di prova", kind=Organisation.Kind.COMPANY)
    PartnershipFactory(programme=programme, organisation=company)
    place = CommunityPlaceFactory(
        programme=programme, name="Laboratorio della restituzione", managing_organisation=lab_org
    )
    other_place = CommunityPlaceFactory(
        programme=programme, name="Altro laboratorio", managing_organisation=other_lab_org
    )
    group = CitizenGroupFactory(programme=programme, name="Orti condivisi", contact_name="Maria Riservata")
    personas = {
        **vars(casework),
        "programme": programme,
        "today": today,
        "foundation": foundation,
        "municipality": municipality,
        "company": company,
        "place": place,
        "other_place": other_place,
        "group": group,
        # The case record's lab manager works for the case's partner; this one runs `place`.
        "lab_manager": MembershipFactory(programme=programme, organisation=lab_org, role=Role.LAB_MANAGER).user,
        "other_lab_manager": MembershipFactory(
            programme=programme, organisation=other_lab_org, role=Role.LAB_MANAGER
        ).user,
    }
    return SimpleNamespace(**personas)
