from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel

# First path segments that belong to the application, so no programme may take them as its slug
# (`/<slug>/` is a programme's public home).
RESERVED_SLUGS = frozenset(
    {
        "accesso", "account", "admin", "api", "area", "hsds", "i18n", "lingua", "media", "static",
        "uscita", "favicon.ico", "robots.txt", "salute", "health",
    }
)  # fmt: skip


def validate_programme_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved for the application; choose another."))


class Municipality(models.Model):
    """An Italian comune, from the committed ISTAT reference file (trama/territory/data/)."""

    istat_code = models.CharField(_("ISTAT code"), max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$")])
    cadastral_code = models.CharField(_("cadastral code"), max_length=4)
    name = models.CharField(_("name"), max_length=120)
    province_code = models.CharField(_("province"), max_length=2)
    province_name = models.CharField(_("province name"), max_length=80)
    region_name = models.CharField(_("region"), max_length=80)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=120, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    coordinates_source = models.CharField(_("coordinates source"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        indexes = [
            # The territory editor searches municipalities by the start of their name.
            models.Index(fields=["name"], name="municipality_name_idx"),
            # The demo loader and the territory editor list a whole province.
            models.Index(fields=["province_code", "name"], name="municipality_province_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.province_code})"


class ProgrammeQuerySet(models.QuerySet):
    def public(self) -> ProgrammeQuerySet:
        return self.filter(is_public=True)


class Programme(VersionedModel):
    """One funded community-welfare programme; almost every other record belongs to one."""

    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        validators=[validate_programme_slug],
        help_text=_("Used in the public addresses, e.g. /fare-benecomune/. Lowercase letters, digits, hyphens."),
    )
    name = models.CharField(_("name"), max_length=200)
    tagline = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    call = models.CharField(_("call for proposals"), max_length=300, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("total budget (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    declared_inhabitants = models.PositiveIntegerField(_("declared inhabitants"), null=True, blank=True)
    declared_households = models.PositiveIntegerField(_("declared households"), null=True, blank=True)
    declared_households_with_minors = models.PositiveIntegerField(
        _("declared households with minors"), null=True, blank=True
    )
    declared_municipalities = models.PositiveIntegerField(_("declared municipalities"), null=True, blank=True)
    territory_note = models.TextField(
        _("note on the territory"),
        blank=True,
        help_text=_("Where the figures come from, or why the list of municipalities is illustrative."),
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="programmes", blank=True, verbose_name=_("municipalities")
    )
    is_public = models.BooleanField(_("shown on the public site"), default=True)
    history = HistoricalRecords(m2m_fields=[municipalities])

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="programme_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:programme", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class ActionLine(BaseModel):
    """A line of action of a programme (e.g. FAMIGLIE #BENECOMUNE)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="action_lines")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("action line")
        verbose_name_plural = _("action lines")
        ordering = ["programme", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="actionline_unique_code")]

    def __str__(self) -> str:
        return self.name


class Target(BaseModel):
    """A value an indicator should reach (or started from) by a date; evaluation reads these."""

    class Kind(models.TextChoices):
        TARGET = "target", _("target")
        BASELINE = "baseline", _("baseline")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    indicator_code = models.SlugField(_("indicator"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TARGET)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    # Empty: by the end of the programme (seed 004 states "4,500 families" without a date).
    date = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["programme", "indicator_code", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "indicator_code", "kind", "date"], name="target_unique_per_date"
            ),
            models.UniqueConstraint(
                fields=["programme", "indicator_code", "kind"],
                condition=Q(date__isnull=True),
                name="target_unique_at_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.get_kind_display()} {self.value} ({self.date or '—'})"
