"""The programmes of ../shared/seeds: their facts, territory, action lines and partnership."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from trama.network.models import Organisation, Partnership
from trama.network.services import organisation_ensure, partnership_set
from trama.territory.models import Municipality, Programme
from trama.territory.services import action_line_save, programme_ensure, programme_set_municipalities, target_set

Kind = Organisation.Kind


@dataclass(frozen=True)
class ProgrammeSeed:
    slug: str
    fields: dict[str, object]
    municipalities: Callable[[], list[Municipality]]
    action_lines: list[tuple[str, str, str]]
    partners: list[tuple[str, str, str]]  # (name, kind, partnership role)
    targets: list[tuple[str, Decimal, date | None, str]] = field(default_factory=list)


def _by_name(province: str, names: list[str]) -> Callable[[], list[Municipality]]:
    def find() -> list[Municipality]:
        found = list(Municipality.objects.filter(province_code=province, name__in=names))
        missing = set(names) - {m.name for m in found}
        if missing:
            raise LookupError(f"Municipalities not in the reference file: {sorted(missing)}")
        return found

    return find


def _province(province: str) -> Callable[[], list[Municipality]]:
    return lambda: list(Municipality.objects.filter(province_code=province))


FARE_BENECOMUNE = ProgrammeSeed(
    slug="fare-benecomune",
    fields={
        "name": "Fare #BeneComune",
        "tagline": "Welfare di comunità nel Distretto sociale di Pavia: famiglie, giovani e laboratori di prossimità.",
        "description": (
            "Fare #BeneComune affronta povertà e impoverimento nel Distretto di Pavia (12 Comuni, 105.556 "
            "abitanti) creando 10 Laboratori permanenti di comunità: punti di ascolto, confronto e mutualità "
            "tra famiglie e con altri cittadini. Dopo tre anni le famiglie in difficoltà saranno più "
            "consapevoli e attrezzate, più informate e capaci di fruire dei servizi, partecipi di microreti "
            "mutualistiche e contribuiranno maggiormente alla vita comunitaria."
        ),
        "funder": "Fondazione Cariplo",
        "call": "Welfare di Comunità e Innovazione sociale, 4ª edizione (Welfare in Azione)",
        "start_date": date(2018, 11, 28),
        "end_date": date(2021, 11, 27),
        "declared_inhabitants": 105_556,
        "declared_households": 50_000,
        "declared_households_with_minors": 15_000,
        "declared_municipalities": 12,
        "territory_note": "Distretto sociale di Pavia. Abitanti e nuclei familiari come dichiarati dal progetto.",
    },
    municipalities=_by_name(
        "PV",
        [
            "Cava Manara",
            "Carbonara al Ticino",
            "Mezzana Rabattone",
            "Pavia",
            "San Genesio ed Uniti",
            "San Martino Siccomario",
            "Sommo",
            "Torre d'Isola",
            "Travacò Siccomario",
            "Villanova d'Ardenghi",
            "Zerbolò",
            "Zinasco",
        ],
    ),
    action_lines=[
        (
            "famiglie",
            "FAMIGLIE #BENECOMUNE",
            "Intercettare, coinvolgere e accompagnare le famiglie in difficoltà economica, relazionale e sociale: "
            "tutoring familiare individuale o di gruppo, incontri sui temi economico-finanziari, accompagnamento "
            "nei conflitti familiari e sociali, sostegno alla genitorialità.",
        ),
        (
            "crescere",
            "CRESCERE #BENECOMUNE",
            "Opportunità di sport, cultura e socialità per i minori nelle scuole e nei luoghi che frequentano, "
            "anche per chi ha meno possibilità.",
        ),
        (
            "costruire",
            "COSTRUIRE #BENECOMUNE",
            "I laboratori di prossimità: luoghi di incontro e di riferimento per cittadini e organizzazioni.",
        ),
        (
            "per-fare",
            "PER FARE #BENECOMUNE",
            "Governance, comunicazione e valutazione dei risultati; confronto continuo tra i partner.",
        ),
    ],
    partners=[
        ("Consorzio Sociale Pavese", Kind.PUBLIC_BODY, Partnership.Role.LEAD),
        ("Comune di Pavia", Kind.LOCAL_AUTHORITY, Partnership.Role.PARTNER),
        ("Acli", Kind.THIRD_SECTOR, Partnership.Role.PARTNER),
        ("Babele Onlus", Kind.THIRD_SECTOR, Partnership.Role.PARTNER),
        ("Centro Servizi Volontariato", Kind.THIRD_SECTOR, Partnership.Role.PARTNER),
        ("Aldia", Kind.SOCIAL_COOPERATIVE, Partnership.Role.PARTNER),
        ("CSF", Kind.SOCIAL_COOPERATIVE, Partnership.Role.PARTNER),
        ("Progetto ConTatto", Kind.SOCIAL_COOPERATIVE, Partnership.Role.PARTNER),
        ("F.Costantino", Kind.FOUNDATION, Partnership.Role.PARTNER),
    ],
    targets=[
        ("community_labs_active", Decimal(10), date(2021, 11, 27), "10 Laboratori permanenti di comunità"),
    ],
)

WELLFARE_LEGAMI = ProgrammeSeed(
    slug="wellfare-legami",
    fields={
        "name": "Wel(l)FARE legami",
        "tagline": "Un welfare generativo per la provincia di Cremona: patti di reciprocità e laboratori di comunità.",
        "description": (
            "Wel(l)FARE legami vuole trasformare il welfare del territorio cremonese investendo sulla capacità "
            "delle persone, con azioni di responsabilizzazione, attivazione e inclusione e un principio di "
            "reciprocità tra supporto ricevuto e restituzione alla comunità."
        ),
        "funder": "Fondazione Cariplo",
        "call": "Welfare in Azione 2014",
        "budget": Decimal("1500000.00"),
        "declared_inhabitants": 362_000,
        "declared_municipalities": 115,
        "territory_note": (
            "L'intera provincia di Cremona: il progetto dichiara 115 Comuni e circa 362.000 abitanti; "
            "l'elenco riporta i Comuni attuali secondo ISTAT (alcuni si sono fusi nel frattempo). "
            "Il finanziamento (circa 1.500.000 euro) è indicato come approssimativo."
        ),
    },
    municipalities=_province("CR"),
    action_lines=[
        (
            "patti",
            "Patti gener-attivi",
            "Accordi tra beneficiario e attori sociali con un budget di welfare personale e l'impegno a restituire "
            "alla comunità.",
        ),
        (
            "laboratori",
            "Laboratori di Comunità",
            "Luoghi che coinvolgono le persone nel loro contesto di vita per leggere insieme i problemi e "
            "progettare gli interventi.",
        ),
        (
            "incroci",
            "Incroci di Comunità (Civic Center)",
            "Attività extrascolastiche, culturali e aggregative in scuole, oratori e altri luoghi di incontro.",
        ),
        (
            "well-fare-lab",
            "Well-Fare Lab",
            "Percorsi formativi per policy-maker, operatori professionali e volontari in un'ottica di peer education.",
        ),
        (
            "fundraising",
            "Fundraising e comunicazione",
            "Piani di raccolta fondi nella comunità e campagne di comunicazione.",
        ),
    ],
    partners=[
        ("Comune di Cremona", Kind.LOCAL_AUTHORITY, Partnership.Role.LEAD),
        ("Comune di Crema", Kind.LOCAL_AUTHORITY, Partnership.Role.PARTNER),
        ("Provincia di Cremona", Kind.LOCAL_AUTHORITY, Partnership.Role.PARTNER),
        ("Camera di Commercio di Cremona", Kind.PUBLIC_BODY, Partnership.Role.PARTNER),
        ("Azienda sociale del Cremonese", Kind.PUBLIC_BODY, Partnership.Role.PARTNER),
        ("Comunità sociale Cremasca", Kind.PUBLIC_BODY, Partnership.Role.PARTNER),
        ("Consorzio Casalasco dei Servizi Sociali", Kind.PUBLIC_BODY, Partnership.Role.PARTNER),
        ("Fondazione Comunitaria Provincia di Cremona", Kind.FOUNDATION, Partnership.Role.PARTNER),
        ("CSV Cremona", Kind.THIRD_SECTOR, Partnership.Role.PARTNER),
        ("Confcooperative Cremona", Kind.THIRD_SECTOR, Partnership.Role.PARTNER),
        ("Legacoop Cremona", Kind.THIRD_SECTOR, Partnership.Role.PARTNER),
        ("Consorzio Sol.co Cremona", Kind.SOCIAL_COOPERATIVE, Partnership.Role.PARTNER),
        ("Consorzio Arcobaleno", Kind.SOCIAL_COOPERATIVE, Partnership.Role.PARTNER),
    ],
)

GENERA_AZIONI = ProgrammeSeed(
    slug="genera-azioni",
    fields={
        "name": "#genera_azioni",
        "tagline": "Welfare spontaneo nella Bassa Bresciana Orientale: Punti di comunità, lavoro, casa, adolescenti.",
        "description": (
            "#genera_azioni vuole coinvolgere 4.500 famiglie della Bassa Bresciana Orientale con facilitatori "
            "di comunità, 6 Punti di comunità e tre piani integrati: lavoro, casa e adolescenti."
        ),
        "funder": "Fondazione Cariplo",
        "call": "Welfare in Azione",
        "territory_note": (
            "Elenco illustrativo: il documento del programma non nomina i Comuni della Bassa Bresciana "
            "Orientale. Anche gli enti indicati come «dimostrativo» sono esempi per la demo."
        ),
    },
    municipalities=_by_name(
        "BS",
        ["Acquafredda", "Calcinato", "Calvisano", "Carpenedolo", "Isorella", "Montichiari", "Remedello", "Visano"],
    ),
    action_lines=[
        (
            "punti-di-comunita",
            "Facilitatori e Punti di comunità",
            "Laboratori di prossimità nei 6 Punti di comunità e in altri luoghi diffusi: piazze, parchi, "
            "biblioteche, sale studio.",
        ),
        (
            "piano-lavoro",
            "Piano integrato lavoro",
            "Incontro tra domanda e offerta, formazione e scambio di competenze, sostegni per tirocini e assunzioni.",
        ),
        (
            "piano-casa",
            "Piano integrato casa",
            "Custode sociale, coabitazione solidale, strumenti di garanzia per l'affitto e canoni calmierati.",
        ),
        (
            "piano-adolescenti",
            "Piano integrato adolescenti",
            "Esperienze con adolescenti e giovani accompagnati da facilitatori: laboratori e alternanza scuola-lavoro.",
        ),
    ],
    partners=[
        ("Ente capofila #genera_azioni (dimostrativo)", Kind.THIRD_SECTOR, Partnership.Role.LEAD),
        ("Cooperativa Punti di comunità (dimostrativo)", Kind.SOCIAL_COOPERATIVE, Partnership.Role.PARTNER),
    ],
    targets=[("households_reached", Decimal(4500), None, "4.500 famiglie coinvolte")],
)

SEEDS = [FARE_BENECOMUNE, WELLFARE_LEGAMI, GENERA_AZIONI]


def load(log: Callable[[str], None]) -> None:
    for seed in SEEDS:
        programme = programme_ensure(slug=seed.slug, **seed.fields)
        programme_set_municipalities(actor=None, programme=programme, add=seed.municipalities())
        for position, (code, name, description) in enumerate(seed.action_lines, start=1):
            action_line_save(
                actor=None, programme=programme, code=code, name=name, description=description, position=position
            )
        for name, kind, role in seed.partners:
            organisation = organisation_ensure(name=name, kind=kind)
            partnership_set(actor=None, programme=programme, organisation=organisation, role=role)
        for indicator_code, value, when, note in seed.targets:
            target_set(
                actor=None, programme=programme, indicator_code=indicator_code, value=value, date=when, note=note
            )
        log(f"{programme.name}: {programme.municipalities.count()} municipalities, {len(seed.partners)} partners")


def lead_of(programme: Programme) -> Organisation:
    return Partnership.objects.get(programme=programme, role=Partnership.Role.LEAD).organisation
