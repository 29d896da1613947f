"""What the models of volunteering and mutual aid share: the kinds of help, interests and languages
(stored as sets of codes), the weekly availability slot, and the personal-data annotation helper."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trama.core.models import BaseModel
from trama.core.processing import PersonalData, Purpose
from trama.network.models import OpeningHours

# Volunteers and helpers are contacts of the programme: their data follows the "contact" rule.
CONTACT = "contact"
_ACT = Purpose.ACCOUNTABILITY
_HELP = Purpose.ACCOMPANIMENT
_STATS = Purpose.STATISTICS

Weekday = OpeningHours.Weekday
MINUTES_IN_A_DAY = 24 * 60


def _pd(category: str, purpose: str = _HELP) -> PersonalData:
    return PersonalData(category, purpose, CONTACT)


class Category(models.TextChoices):
    """What a request asks and an offer gives (issue 7's list)."""

    ACCOMPANIMENT = "accompaniment", _("accompaniment to appointments")
    SHOPPING = "shopping", _("shopping")
    HOMEWORK = "homework", _("homework help")
    REPAIRS = "repairs", _("small repairs")
    CHILD_MINDING = "child_minding", _("child minding")
    LENDING = "lending", _("lending objects")
    TRANSPORT = "transport", _("transport")
    COMPANY = "company", _("company for the elderly")
    TRANSLATION = "translation", _("translation")


class Interest(models.TextChoices):
    """Areas a volunteer would like to work in."""

    CHILDREN = "children", _("children and young people")
    FAMILIES = "families", _("families")
    ELDERLY = "elderly", _("elderly people")
    GREEN = "green", _("care of green spaces and commons")
    CULTURE = "culture", _("culture and events")
    SPORT = "sport", _("sport")
    SCHOOL = "school", _("school support")
    DIGITAL = "digital", _("digital skills")
    ADMIN = "admin", _("paperwork and practical help")


class Language(models.TextChoices):
    """Languages spoken by helpers and asked by requests (ISO 639-1 codes)."""

    ITALIAN = "it", _("Italian")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    GERMAN = "de", _("German")
    PORTUGUESE = "pt", _("Portuguese")
    ROMANIAN = "ro", _("Romanian")
    ALBANIAN = "sq", _("Albanian")
    ARABIC = "ar", _("Arabic")
    CHINESE = "zh", _("Chinese")
    UKRAINIAN = "uk", _("Ukrainian")
    RUSSIAN = "ru", _("Russian")
    URDU = "ur", _("Urdu")
    PUNJABI = "pa", _("Punjabi")
    BENGALI = "bn", _("Bengali")
    TAGALOG = "tl", _("Tagalog")


def encode_codes(codes: list[str] | tuple[str, ...] | set[str]) -> str:
    """A set of choice codes stored in one column as ",a,b,": `column__contains=",a,"` finds one
    code exactly, on SQLite and PostgreSQL alike (the matching engine filters on it)."""
    unique = sorted({code for code in codes if code})
    return f",{','.join(unique)}," if unique else ""


def decode_codes(value: str) -> list[str]:
    return [code for code in value.split(",") if code]


def labels_of(value: str, choices: type[models.TextChoices]) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels[code]) for code in decode_codes(value) if code in labels]


def minutes_label(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class AvailabilitySlot(BaseModel):
    """A weekly range of time, as minutes after midnight: the matching engine computes overlaps
    with plain integer arithmetic, the same on SQLite and PostgreSQL."""

    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField(_("from"))
    end_minute = models.PositiveSmallIntegerField(_("until"))

    class Meta:
        abstract = True
        ordering = ["weekday", "start_minute"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_minute__gt=models.F("start_minute"), end_minute__lte=MINUTES_IN_A_DAY),
                name="%(class)s_ordered",
            ),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="%(class)s_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_label}–{self.end_label}"

    @property
    def start_label(self) -> str:
        return minutes_label(self.start_minute)

    @property
    def end_label(self) -> str:
        return minutes_label(self.end_minute)
