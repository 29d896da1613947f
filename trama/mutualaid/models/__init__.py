"""Volunteers and mutual aid: who helps, their availability, shifts and hours; requests and offers of
help, the matches between them, and the time bank that records every exchange as a balanced double
entry.

A volunteer is a `people.Person` with a volunteer record: the same person can be a beneficiary
(a member of a household followed by a case), then a volunteer or a member of a citizen group, and
evaluation counts that journey from `Volunteer.approved_on` and `GroupMember.joined_on`.

Every model holding personal data declares `PERSONAL_DATA` (S14).
"""

from __future__ import annotations

from trama.mutualaid.models.aid import Match, MutualAidOffer, MutualAidRequest, OfferAvailability, Urgency
from trama.mutualaid.models.common import (
    MINUTES_IN_A_DAY,
    AvailabilitySlot,
    Category,
    Interest,
    Language,
    Weekday,
    decode_codes,
    encode_codes,
    labels_of,
    minutes_label,
)
from trama.mutualaid.models.timebank import (
    Account,
    Exchange,
    GroupMember,
    LedgerEntry,
    MicroNetwork,
    MicroNetworkMember,
)
from trama.mutualaid.models.volunteers import HourLog, ShiftSignup, Volunteer, VolunteerAvailability, VolunteerShift

__all__ = [
    "MINUTES_IN_A_DAY", "Account", "AvailabilitySlot", "Category", "Exchange", "GroupMember", "HourLog", "Interest",
    "Language", "LedgerEntry", "Match", "MicroNetwork", "MicroNetworkMember", "MutualAidOffer", "MutualAidRequest",
    "OfferAvailability", "ShiftSignup", "Urgency", "Volunteer", "VolunteerAvailability", "VolunteerShift", "Weekday",
    "decode_codes", "encode_codes", "labels_of", "minutes_label",
]  # fmt: skip
