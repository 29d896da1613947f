"""Reads of people, households and consent, with their joins (fixed query counts).

Everything that depends on who asks starts from `trama.people.permissions` (S1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from trama.accounts.models import Membership, Role, User
from trama.casework.models import Case, CaseTeamMember
from trama.casework.permissions import visible_cases
from trama.network.models import Organisation, Partnership
from trama.people.models import Consent, Household, HouseholdMember, Person, age_on
from trama.people.permissions import visible_households, visible_people
from trama.territory.models import Programme

# --- Consent ------------------------------------------------------------------------------


def active_consent(
    person: Person, purpose: str, partner: Organisation | None = None, on: date | None = None
) -> Consent | None:
    """The consent of `person` for `purpose` in force on `on` (today by default), or None.

    For sharing, the consent must name `partner` (other purposes ignore `partner`). The referral
    service (casework) depends on this: a consent given but withdrawn, expired, or not yet valid
    on the day does not count. The most recently given consent wins when several are in force.
    """
    day = on or timezone.localdate()
    consents = Consent.objects.filter(person=person, purpose=purpose, given_on__lte=day).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
    )
    if purpose == Consent.Purpose.SHARING:
        # A sharing consent is for one named partner; without a partner nothing matches.
        consents = consents.filter(partner=partner)
    return consents.order_by("-given_on", "-created_at").first()


def may_be_referred(person: Person) -> bool:
    """Restricted and erased people are kept but not used (S13): no new referral for them."""
    return not person.is_restricted and person.erased_at is None


def person_consents(person: Person) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person).select_related("partner").order_by("purpose", "-given_on")


def programme_partners(programme: Programme) -> QuerySet[Organisation]:
    """The organisations a sharing consent may name: the partners of the programme."""
    return Organisation.objects.filter(
        pk__in=Partnership.objects.filter(programme=programme).values("organisation_id")
    ).order_by("name")


# --- Who may change what -----------------------------------------------------------------


def is_coordinator(user: User | None, programme_id: int) -> bool:
    if user is None:
        return False
    return Membership.objects.active().filter(user=user, programme_id=programme_id, role=Role.COORDINATOR).exists()


def may_edit_household(user: User | None, household: Household) -> bool:
    """Coordinators, and the case team of a case of the household (not supervisors who only read)."""
    if user is None:
        return True  # the system itself (demo loader, commands)
    if is_coordinator(user, household.programme_id):
        return True
    return CaseTeamMember.objects.filter(
        user=user, case__household=household, case__programme_id=household.programme_id
    ).exists()


def may_edit_person(user: User | None, person: Person) -> bool:
    if user is None:
        return True
    if is_coordinator(user, person.programme_id):
        return True
    return CaseTeamMember.objects.filter(
        user=user, case__household__memberships__person=person, case__programme_id=person.programme_id
    ).exists()


# --- Person search -----------------------------------------------------------------------

_DATE_PATTERNS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_TAX_CODE = re.compile(r"^[A-Za-z0-9]{11}$|^[A-Za-z0-9]{16}$")


def _as_date(text: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    return None


def _search_filter(query: str) -> Q:
    """A date searches the date of birth; a 16-character code (or 11 digits) the codice fiscale;
    anything else, every word in the first or last name."""
    words = query.split()
    day = _as_date(query)
    if day is not None:
        return Q(birth_date=day)
    if len(words) == 1 and _TAX_CODE.match(query) and any(c.isdigit() for c in query):
        return Q(tax_code=query.upper())
    condition = Q()
    for word in words:
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return condition


def people_search(
    user: User, programme: Programme, *, query: str = "", include_restricted: bool = False
) -> QuerySet[Person]:
    """The people `user` may see, matching `query`; restricted and erased records are left out
    (S13) unless a coordinator asks for the restricted ones. Each row carries the households
    `user` may see (never the others the person belongs to)."""
    people = visible_people(user, programme).filter(erased_at__isnull=True)
    if not include_restricted:
        people = people.filter(is_restricted=False)
    if query:
        people = people.filter(_search_filter(query))
    memberships = HouseholdMember.objects.filter(household__in=visible_households(user, programme)).select_related(
        "household"
    )
    return (
        people.select_related("municipality")
        .prefetch_related(Prefetch("household_memberships", queryset=memberships, to_attr="visible_memberships"))
        .order_by("last_name", "first_name", "pk")
    )


# --- Duplicates --------------------------------------------------------------------------


def possible_duplicates(
    programme: Programme,
    *,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    tax_code: str,
    exclude: Person | None = None,
) -> list[Person]:
    """People of the whole programme (not only those the user may see: unique reach across
    partners depends on it) with the same codice fiscale, or the same name and date of birth.
    Callers decide what the user may be shown of them (`duplicates_visible_to`)."""
    condition = Q()
    if tax_code:
        condition |= Q(tax_code=tax_code)
    if birth_date is not None and first_name and last_name:
        condition |= Q(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), birth_date=birth_date
        )
    if not condition:
        return []
    people = Person.objects.filter(programme=programme).filter(condition)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return list(people.order_by("pk")[:10])


def duplicates_visible_to(user: User, programme: Programme, matches: list[Person]) -> list[Person]:
    return list(visible_people(user, programme).filter(pk__in=[person.pk for person in matches]).order_by("pk"))


# --- Households --------------------------------------------------------------------------

# Age bands of the household composition (DESIGN.md; seed 000 counts minors by school age).
MINOR_BANDS = ((0, 5), (6, 10), (11, 13), (14, 17))
NEWLY_ADULT = (18, 21)
ADULT_AGE = 18


@dataclass
class Composition:
    adults: int = 0
    newly_adults: int = 0  # 18–21, also counted among the adults
    minors: int = 0
    minors_by_band: dict[str, int] = field(default_factory=lambda: {f"{lo}–{hi}": 0 for lo, hi in MINOR_BANDS})
    unknown_age: int = 0

    @property
    def total(self) -> int:
        return self.adults + self.minors + self.unknown_age


def band_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high is not None else f"{low}+"


def composition(people: list[Person], on: date | None = None) -> Composition:
    day = on or timezone.localdate()
    result = Composition()
    for person in people:
        if person.birth_date is None:
            result.unknown_age += 1
            continue
        age = age_on(person.birth_date, day)
        if age >= ADULT_AGE:
            result.adults += 1
            if NEWLY_ADULT[0] <= age <= NEWLY_ADULT[1]:
                result.newly_adults += 1
            continue
        result.minors += 1
        for low, high in MINOR_BANDS:
            if low <= age <= high:
                result.minors_by_band[band_label(low, high)] += 1
    return result


def household_members(household: Household) -> list[HouseholdMember]:
    return list(
        HouseholdMember.objects.filter(household=household)
        .select_related("person")
        .order_by("person__birth_date", "person__last_name", "pk")
    )


def household_cases(user: User, programme: Programme, household: Household) -> QuerySet[Case]:
    """The household's cases that `user` may see (an operator may see one case of a household
    and not another organisation's)."""
    return (
        visible_cases(user, programme)
        .filter(household=household)
        .select_related("organisation", "action_line")
        .order_by("-opened_on", "pk")
    )


def person_memberships(user: User, programme: Programme, person: Person) -> list[HouseholdMember]:
    """The person's households that `user` may see."""
    return list(
        HouseholdMember.objects.filter(person=person, household__in=visible_households(user, programme))
        .select_related("household", "household__municipality")
        .order_by("household__label", "pk")
    )


def person_cases(user: User, programme: Programme, person: Person) -> QuerySet[Case]:
    return (
        visible_cases(user, programme)
        .filter(household__memberships__person=person)
        .select_related("household", "organisation")
        .order_by("-opened_on", "pk")
    )
