"""One demo account per role per programme, and an operator who works in two programmes."""

from __future__ import annotations

from collections.abc import Callable

from trama.accounts.models import Membership, Role, User
from trama.accounts.services import membership_grant, user_create
from trama.core.demo.programmes import lead_of
from trama.network.models import Organisation, Partnership
from trama.territory.models import Programme

# Printed by `make run`; it exists only in demo databases. It passes the password validators.
DEMO_PASSWORD = "Trama-demo-2026"  # noqa: S105 (demo databases only, printed on purpose)

SHORT = {"fare-benecomune": "fbc", "wellfare-legami": "legami", "genera-azioni": "genera"}
ROLE_WORD = {
    Role.COORDINATOR: "coordinatore",
    Role.OPERATOR: "operatore",
    Role.LAB_MANAGER: "laboratorio",
    Role.VOLUNTEER: "volontario",
    Role.EVALUATOR: "valutatore",
    Role.FUNDER: "finanziatore",
}
ROLE_NAME = {
    Role.COORDINATOR: "Coordinatrice",
    Role.OPERATOR: "Operatore",
    Role.LAB_MANAGER: "Responsabile di laboratorio",
    Role.VOLUNTEER: "Volontaria",
    Role.EVALUATOR: "Valutatrice",
    Role.FUNDER: "Referente del finanziatore",
}
MULTI_OPERATOR_EMAIL = "operatore.due-programmi@example.org"


def demo_email(programme: Programme, role: str) -> str:
    return f"{ROLE_WORD[role]}.{SHORT[programme.slug]}@example.org"


def _ensure_user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    return user or user_create(email=email, full_name=full_name, password=DEMO_PASSWORD)


def _organisation_for(programme: Programme, role: str) -> Organisation:
    """The lead partner employs coordinators and evaluators; others work for a partner."""
    if role == Role.FUNDER:
        return Organisation.objects.get(name="Fondazione Cariplo")
    if role in (Role.COORDINATOR, Role.EVALUATOR):
        return lead_of(programme)
    partners = Partnership.objects.filter(programme=programme).exclude(role=Partnership.Role.LEAD)
    partner = partners.select_related("organisation").order_by("organisation__name").first()
    return partner.organisation if partner else lead_of(programme)


def load(log: Callable[[str], None]) -> None:
    from trama.network.services import organisation_ensure

    organisation_ensure(name="Fondazione Cariplo", kind=Organisation.Kind.FOUNDATION)
    for programme in Programme.objects.filter(slug__in=SHORT).order_by("name"):
        for role in ROLE_WORD:  # a company's login belongs to a company: the work plan's step makes it
            user = _ensure_user(demo_email(programme, role), f"{ROLE_NAME[role]} {programme.name}")
            # Once given, an account keeps its organisation: later steps add partners (a housing
            # agency, companies) that must not move the demo people on a second run.
            existing = Membership.objects.filter(user=user, programme=programme, role=role).first()
            membership_grant(
                actor=None,
                user=user,
                programme=programme,
                organisation=existing.organisation if existing else _organisation_for(programme, role),
                role=role,
                is_supervisor=False,
            )
    multi = _ensure_user(MULTI_OPERATOR_EMAIL, "Operatrice di due programmi")
    for slug in ("fare-benecomune", "wellfare-legami"):
        programme = Programme.objects.get(slug=slug)
        membership_grant(
            actor=None,
            user=multi,
            programme=programme,
            organisation=_organisation_for(programme, Role.OPERATOR),
            role=Role.OPERATOR,
        )
    log("Demo accounts ready.")


def logins() -> list[tuple[str, str, str]]:
    """(programme, role, e-mail) of every demo account, for the start-up banner."""
    rows = []
    for programme in Programme.objects.filter(slug__in=SHORT).order_by("name"):
        rows.extend((programme.name, str(role.label), demo_email(programme, role)) for role in ROLE_WORD)
    rows.append(("Fare #BeneComune + Wel(l)FARE legami", str(Role.OPERATOR.label), MULTI_OPERATOR_EMAIL))
    # The work and housing plans' own people (their demo steps make them).
    for email, role, note in (
        ("azienda.genera@example.org", Role.COMPANY, ""),
        ("custode.genera@example.org", Role.OPERATOR, " (custode sociale)"),
    ):
        if User.objects.filter(email=email).exists():
            rows.append(("#genera_azioni", f"{role.label}{note}", email))
    return rows
