"""Versions: a draft is edited in place; a signed version never changes — the next edit opens a
new version to sign again, while the signed one stays in force; the state machine holds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from trama.core.concurrency import StaleVersionError
from trama.pacts.models import Pact, PactVersion
from trama.pacts.services import pacts as services
from trama.pacts.services.pacts import PactText
from trama.pacts.tests.builders import draft, running, text

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _update(w, pact, **changes):
    version = pact.latest_version
    values = {"objectives": version.objectives, "start_date": version.start_date, "end_date": version.end_date}
    values.update(changes)
    return services.pact_update(
        actor=w.owner, pact=pact, expected_version=Pact.objects.get(pk=pact.pk).version, text=PactText(**values),
        scope=pact.scope, review_interval_months=pact.review_interval_months, change_note="Più ore al laboratorio",
    )  # fmt: skip


def test_it_drafts_version_one_with_the_beneficiary_and_the_organisation_as_signatories(pactwork):
    pact = draft(pactwork)
    assert pact.status == Pact.Status.DRAFT
    assert list(pact.versions.values_list("number", "status")) == [(1, "draft")]
    assert set(pact.signatories.values_list("kind", flat=True)) == {"beneficiary", "organisation"}
    assert pact.signatories.get(kind="organisation").organisation == pactwork.case.organisation


def test_it_edits_a_draft_in_place(pactwork):
    pact = draft(pactwork)
    _update(pactwork, pact, objectives="Nuovi obiettivi")
    assert pact.versions.count() == 1
    assert pact.versions.get().objectives == "Nuovi obiettivi"


def test_signing_freezes_the_version_and_puts_amounts_in_force(pactwork):
    pact = draft(pactwork, amount="250.00", hours="12")
    version = services.pact_sign(
        actor=pactwork.owner, pact=pact, signed_on=pactwork.today, scan=ContentFile(PDF, name="firmato.pdf")
    )
    pact.refresh_from_db()
    assert (pact.status, pact.version_in_force, version.status) == ("signed", version, "signed")
    assert version.terms["lines"][0]["amount"] == "250.00"
    assert version.terms["commitments"][0]["hours"] == "12.00"
    assert {s["kind"] for s in version.terms["signatories"]} == {"beneficiary", "organisation"}
    assert pactwork.person.first_name not in str(version.terms)  # people by public id only
    assert pact.budget_lines.get().signed_amount == Decimal("250.00")
    assert pact.commitments.get().signed_hours == Decimal("12.00")
    assert version.signed_scan.name.endswith(".pdf")


def test_an_edit_after_signature_makes_a_new_version_and_leaves_the_signed_one_untouched(pactwork):
    pact = running(pactwork, amount="100.00")
    signed = pact.version_in_force
    signed_terms, signed_objectives = signed.terms, signed.objectives
    _update(pactwork, pact, objectives="Obiettivi rivisti", end_date=signed.end_date + timedelta(days=60))
    pact.refresh_from_db()
    assert pact.latest_version.number == 2
    assert pact.latest_version.status == PactVersion.Status.DRAFT
    assert pact.latest_version.change_note == "Più ore al laboratorio"
    assert pact.version_in_force == signed
    signed.refresh_from_db()
    assert (signed.objectives, signed.terms, signed.status) == (signed_objectives, signed_terms, "signed")
    # A second change goes into the same new version, not a third one.
    line = pact.budget_lines.get()
    services.budget_line_save(
        actor=pactwork.owner, pact=pact, line=line, expected_version=line.version, purpose="housing",
        source="foundation", funder=pactwork.foundation, amount=Decimal("180.00"),
    )  # fmt: skip
    assert pact.versions.count() == 2
    services.pact_sign(actor=pactwork.owner, pact=pact, signed_on=pactwork.today)
    pact.refresh_from_db()
    signed.refresh_from_db()
    assert pact.version_in_force.number == 2
    assert signed.status == PactVersion.Status.SUPERSEDED
    assert signed.terms == signed_terms
    assert pact.budget_lines.get().signed_amount == Decimal("180.00")


def test_a_change_of_line_or_commitment_after_signature_also_opens_a_new_version(pactwork):
    pact = running(pactwork)
    services.commitment_save(
        actor=pactwork.owner, pact=pact, description="Cura dell'orto", hours=Decimal("6"), group=pactwork.group
    )
    pact.refresh_from_db()
    assert pact.latest_version.number == 2
    new = pact.commitments.get(description="Cura dell'orto")
    assert new.signed_hours == 0  # not in force until version 2 is signed


def test_a_signed_version_has_no_draft_to_sign_again(pactwork):
    pact = running(pactwork)
    with pytest.raises(ValidationError) as error:
        services.pact_sign(actor=pactwork.owner, pact=pact, signed_on=pactwork.today)
    assert error.value.code == "nothing_to_sign"


def test_a_one_sided_pact_cannot_be_signed(pactwork):
    pact = services.pact_create(
        actor=pactwork.owner, case=pactwork.case, person=pactwork.person, text=text(pactwork.today)
    )
    with pytest.raises(ValidationError) as error:
        services.pact_sign(actor=pactwork.owner, pact=pact, signed_on=pactwork.today)
    assert error.value.code == "one_sided"
    assert Pact.objects.get(pk=pact.pk).status == Pact.Status.DRAFT


def test_it_does_not_start_while_a_new_version_waits_for_signature(pactwork):
    pact = draft(pactwork)
    services.pact_sign(actor=pactwork.owner, pact=pact, signed_on=pactwork.today)
    _update(pactwork, Pact.objects.get(pk=pact.pk), objectives="Cambiati")
    with pytest.raises(ValidationError) as error:
        services.pact_start(actor=pactwork.owner, pact=Pact.objects.get(pk=pact.pk))
    assert error.value.code == "pending_version"


def test_the_start_date_cannot_move_once_started_nor_the_end_before_what_was_given(pactwork):
    pact = running(pactwork)
    with pytest.raises(ValidationError) as error:
        _update(pactwork, pact, start_date=pact.version_in_force.start_date + timedelta(days=1))
    assert error.value.message_dict.keys() == {"start_date"}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"objectives": "  "}, "objectives"),
        ({"end_offset": -1}, "end_date"),
        ({"end_offset": 365 * 4}, "end_date"),
        ({"start_offset": -500}, "start_date"),
    ],
)
def test_it_refuses_a_bad_text_and_saves_nothing(pactwork, changes, key):
    base = text(pactwork.today)
    start = base.start_date + timedelta(days=changes.get("start_offset", 0))
    end = start + timedelta(days=changes["end_offset"]) if "end_offset" in changes else base.end_date
    with pytest.raises(ValidationError) as error:
        services.pact_create(
            actor=pactwork.owner, case=pactwork.case, person=pactwork.person,
            text=PactText(objectives=changes.get("objectives", base.objectives), start_date=start, end_date=end),
        )  # fmt: skip
    assert key in error.value.message_dict
    assert not Pact.objects.exists()


def test_two_edits_from_the_same_version_leave_one_winner(pactwork):
    pact = draft(pactwork)
    version = Pact.objects.get(pk=pact.pk).version
    values = {"scope": "person", "review_interval_months": 3}
    services.pact_update(actor=pactwork.owner, pact=pact, expected_version=version, text=text(pactwork.today), **values)
    with pytest.raises(StaleVersionError):
        services.pact_update(
            actor=pactwork.coordinator, pact=pact, expected_version=version, text=text(pactwork.today), **values
        )


def test_the_beneficiary_must_belong_to_the_household(pactwork):
    from trama.casework.tests.factories import PersonFactory

    outsider = PersonFactory(programme=pactwork.programme)
    with pytest.raises(ValidationError) as error:
        services.pact_create(actor=pactwork.owner, case=pactwork.case, person=outsider, text=text(pactwork.today))
    assert error.value.message_dict.keys() == {"person"}


def test_only_the_case_team_and_coordinators_draft_and_change_a_pact(pactwork):
    for user in (pactwork.colleague, pactwork.supervisor, pactwork.stranger, pactwork.lab_manager, pactwork.evaluator):
        with pytest.raises(PermissionDenied):
            services.pact_create(actor=user, case=pactwork.case, person=pactwork.person, text=text(pactwork.today))
    pact = draft(pactwork)
    with pytest.raises(PermissionDenied):
        services.pact_interrupt(actor=pactwork.colleague, pact=pact, reason="Prova")


def test_an_interrupted_pact_keeps_its_reason_and_changes_no_more(pactwork):
    pact = running(pactwork)
    with pytest.raises(ValidationError) as error:
        services.pact_interrupt(actor=pactwork.owner, pact=pact, reason=" ")
    assert error.value.message_dict.keys() == {"reason"}
    services.pact_interrupt(actor=pactwork.owner, pact=pact, reason="La famiglia si è trasferita")
    pact.refresh_from_db()
    assert (pact.status, pact.outcome, pact.closing_reason) == ("closed", "interrupted", "La famiglia si è trasferita")
    with pytest.raises(ValidationError) as error:
        _update(pactwork, pact, objectives="Dopo la chiusura")
    assert error.value.code == "closed"


def test_a_signed_copy_is_attached_once(pactwork):
    pact = running(pactwork)
    version = pact.version_in_force
    services.version_attach_scan(actor=pactwork.owner, pact=pact, version=version, scan=ContentFile(PDF, name="a.pdf"))
    with pytest.raises(ValidationError) as error:
        services.version_attach_scan(
            actor=pactwork.owner, pact=pact, version=version, scan=ContentFile(PDF, name="b.pdf")
        )
    assert error.value.code == "has_scan"


def test_a_signed_line_or_commitment_cannot_be_removed(pactwork):
    pact = running(pactwork)
    with pytest.raises(ValidationError):
        services.budget_line_delete(actor=pactwork.owner, pact=pact, line=pact.budget_lines.get())
    with pytest.raises(ValidationError):
        services.commitment_delete(actor=pactwork.owner, pact=pact, commitment=pact.commitments.get())
    assert pact.budget_lines.count() == pact.commitments.count() == 1


def test_a_commitment_must_be_at_a_place_group_or_activity_of_the_programme(pactwork, other_programme):
    from trama.activities.tests.factories import ActivityFactory
    from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory

    pact = draft(pactwork)
    outside = {
        "place": CommunityPlaceFactory(programme=other_programme),
        "group": CitizenGroupFactory(programme=other_programme),
        "activity": ActivityFactory(programme=other_programme, expand=False),
    }
    for key, where in outside.items():
        with pytest.raises(ValidationError) as error:
            services.commitment_save(actor=pactwork.owner, pact=pact, description="Fuori", hours=2, **{key: where})
        assert error.value.message_dict.keys() == {key}
    with pytest.raises(ValidationError) as error:
        services.commitment_save(actor=pactwork.owner, pact=pact, description="Da nessuna parte", hours=2)
    assert error.value.message_dict.keys() == {"where"}
    assert pact.commitments.count() == 1


def test_a_funder_must_match_its_source(pactwork):
    pact = draft(pactwork)
    cases = [
        ("foundation", pactwork.municipality, "funder"),
        ("municipality", pactwork.foundation, "funder"),
        ("partner", None, "funder"),
        ("nonsense", None, "source"),
    ]
    for source, funder, key in cases:
        with pytest.raises(ValidationError) as error:
            services.budget_line_save(
                actor=pactwork.owner, pact=pact, purpose="transport", source=source, funder=funder, amount=10
            )
        assert error.value.message_dict.keys() == {key}
    line = services.budget_line_save(
        actor=pactwork.owner, pact=pact, purpose="transport", source="fundraising", amount=Decimal("35.50")
    )
    assert (line.funder, line.amount) == (None, Decimal("35.50"))
