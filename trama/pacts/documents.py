"""The pact as a document to sign: a plain-language Italian A4 PDF of one version, with its
objectives, period, budget lines, commitments and a signature box for every party.

A signed version prints from its frozen terms (`PactVersion.terms`); the version to sign prints
what the pact says now. People are printed by their current name (a pseudonymised person stays
pseudonymised on every reprint). The renderer opens the vendored fonts and nothing else: the text
was typed by people and must not make the server fetch anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.core.pdf import render_pdf
from trama.pacts.models import BudgetLine, Pact, PactVersion, Signatory
from trama.pacts.permissions import reading_membership, visible_pacts
from trama.pacts.services.pacts import terms_of
from trama.people.models import Person


@dataclass(frozen=True)
class Party:
    kind: str
    kind_label: str
    name: str
    signer_name: str
    role_in_pact: str


@dataclass(frozen=True)
class Line:
    purpose: str
    description: str
    source: str
    funder: str
    amount: Decimal


@dataclass(frozen=True)
class Given:
    description: str
    where_kind: str
    where: str
    hours: Decimal


@dataclass(frozen=True)
class PactDocument:
    pact: Pact
    version: PactVersion
    beneficiary: str
    parties: list[Party]
    lines: list[Line]
    commitments: list[Given]
    total: Decimal
    total_hours: Decimal
    generated_at: datetime

    @property
    def signed(self) -> bool:
        return not self.version.is_draft


WHERE_LABELS = {"place": Signatory.Kind.PLACE.label, "group": Signatory.Kind.GROUP.label}


def pact_document(pact: Pact, version: PactVersion) -> PactDocument:
    terms = version.terms if not version.is_draft else terms_of(pact)
    person_ids = [party["person"] for party in terms["signatories"] if party["person"]]
    names = {str(p.public_id): f"{p.first_name} {p.last_name}" for p in Person.objects.filter(public_id__in=person_ids)}
    kinds = dict(Signatory.Kind.choices)
    parties = [
        Party(
            kind=party["kind"],
            kind_label=str(kinds.get(party["kind"], "")),
            name=names.get(party["person"], "—") if party["person"] else party["name"],
            signer_name=party["signer_name"],
            role_in_pact=party["role_in_pact"],
        )
        for party in terms["signatories"]
    ]
    purposes, sources = dict(BudgetLine.Purpose.choices), dict(BudgetLine.Source.choices)
    lines = [
        Line(
            purpose=str(purposes.get(line["purpose"], line["purpose"])),
            description=line["description"],
            source=str(sources.get(line["source"], line["source"])),
            funder=line["funder"],
            amount=Decimal(line["amount"]),
        )
        for line in terms["lines"]
    ]
    commitments = [
        Given(description=c["description"], where_kind=c["where_kind"], where=c["where"], hours=Decimal(c["hours"]))
        for c in terms["commitments"]
    ]
    return PactDocument(
        pact=pact,
        version=version,
        beneficiary=names.get(str(pact.person.public_id), str(pact.person)),
        parties=parties,
        lines=lines,
        commitments=commitments,
        total=sum((line.amount for line in lines), Decimal("0.00")),
        total_hours=sum((c.hours for c in commitments), Decimal("0.00")),
        generated_at=timezone.now(),
    )


def pact_pdf(document: PactDocument) -> bytes:
    """The document in Italian, whatever language the operator reads the pages in: it is signed
    by the beneficiary and the community actors."""
    context = {"doc": document, "pact": document.pact, "version": document.version,
               "programme": document.pact.programme}  # fmt: skip
    with translation.override("it"):
        return render_pdf("pacts/pdf/pact.html", "pacts/pdf/pact.css", context)


def pact_pdf_export(*, actor: User, pact: Pact, version: PactVersion, request: HttpRequest | None = None) -> bytes:
    """The version's PDF for someone who may see the pact. It names the beneficiary: the download
    is audited (S10, S19); the file is made before the audit row so a slow render never holds the
    write transaction, and no file leaves if the audit write fails."""
    if not visible_pacts(actor, pact.programme).filter(pk=pact.pk).exists() or version.pact_id != pact.pk:
        raise PermissionError("not allowed")
    pdf = pact_pdf(pact_document(pact, version))
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT, actor=actor, request=request, programme=pact.programme,
            membership=reading_membership(actor, pact.programme), target=version, reason="pact document (PDF)",
        )  # fmt: skip
    return pdf
