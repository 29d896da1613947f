from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.network import taxonomy
from trama.network.validators import validate_tax_code, validate_vat_number
from trama.territory.models import Municipality, Programme

# The bounding box of Italy (with a small margin): coordinates outside it are a typing mistake.
ITALY_LATITUDE = (Decimal("35.2"), Decimal("47.2"))
ITALY_LONGITUDE = (Decimal("6.5"), Decimal("18.6"))


class Organisation(BaseModel):
    """A body of the network: a municipality's administration, a co-operative, an association…

    Organisations are not owned by one programme: the same co-operative can be a partner of
    several programmes of one installation.
    """

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", _("local authority")
        PUBLIC_BODY = "public_body", _("public body")
        COMPANY = "company", _("company")
        SOCIAL_COOPERATIVE = "social_cooperative", _("social co-operative")
        THIRD_SECTOR = "third_sector", _("association (ODV/APS/ETS)")
        FOUNDATION = "foundation", _("foundation")
        INFORMAL_GROUP = "informal_group", _("informal group")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    tax_code = models.CharField(_("codice fiscale"), max_length=16, blank=True, validators=[validate_tax_code])
    vat_number = models.CharField(_("partita IVA"), max_length=11, blank=True, validators=[validate_vat_number])
    runts_number = models.CharField(
        _("RUNTS number"), max_length=30, blank=True, help_text=_("Registro unico nazionale del Terzo settore.")
    )
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="organisation_unique_name"),
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="organisation_unique_tax_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Partnership(BaseModel):
    """The role an organisation has in a programme. The lead partner is the row with role LEAD."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead partner")
        PARTNER = "partner", _("partner")
        SUPPORTER = "supporter", _("supporter")
        NETWORK = "network", _("network member")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnerships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    cofinancing = models.DecimalField(
        _("co-financing (€)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["programme", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation"], name="partnership_unique_member"),
            models.UniqueConstraint(fields=["programme"], condition=Q(role="lead"), name="partnership_one_lead"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="partnership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_role_display()} ({self.programme})"


class TaxonomyTerm(BaseModel):
    """A term of a controlled vocabulary (services of places, themes of groups); see taxonomy.py."""

    vocabulary = models.CharField(
        _("vocabulary"), max_length=20, choices=[(taxonomy.SERVICE, _("service")), (taxonomy.THEME, _("theme"))]
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["vocabulary", "position"]
        constraints = [models.UniqueConstraint(fields=["vocabulary", "code"], name="taxonomy_unique_code")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the language of the request."""
        return taxonomy.label_for(self.vocabulary, self.code)


def _validate_in_italy(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    if latitude is None or longitude is None:
        return
    if not (ITALY_LATITUDE[0] <= latitude <= ITALY_LATITUDE[1]) or not (
        ITALY_LONGITUDE[0] <= longitude <= ITALY_LONGITUDE[1]
    ):
        raise ValidationError({"latitude": _("The coordinates are outside Italy: check latitude and longitude.")})


class PublishedQuerySet(ProgrammeScopedQuerySet):
    def published(self) -> PublishedQuerySet:
        return self.filter(is_published=True)


class CommunityPlace(VersionedModel):
    """A physical place of the network: a community lab, a Punto di comunità, a civic centre…"""

    class Kind(models.TextChoices):
        COMMUNITY_LAB = "community_lab", _("community lab")
        COMMUNITY_POINT = "community_point", _("community point")
        CIVIC_CENTRE = "civic_centre", _("civic centre")
        SCHOOL = "school", _("school")
        OTHER = "other", _("other place")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="places")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    managing_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="managed_places", verbose_name=_("managed by")
    )
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postcode"), max_length=5, blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    services = models.ManyToManyField(
        TaxonomyTerm, related_name="places", blank=True, verbose_name=_("services"),
        limit_choices_to={"vocabulary": taxonomy.SERVICE},
    )  # fmt: skip
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    accessibility = models.TextField(_("accessibility notes"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="places/", blank=True)
    is_published = models.BooleanField(_("published on the public map"), default=True)
    history = HistoricalRecords(m2m_fields=[services], excluded_fields=["photo"])

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("community place")
        verbose_name_plural = _("community places")
        ordering = ["programme", "municipality__name", "name"]
        indexes = [
            # The public map and the HSDS directory list a programme's published places.
            models.Index(fields=["programme", "is_published", "kind"], name="place_public_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:place", kwargs={"slug": self.programme.slug, "place_id": self.public_id})

    def clean(self) -> None:
        _validate_in_italy(self.latitude, self.longitude)

    @property
    def point(self) -> tuple[Decimal, Decimal] | None:
        """Where to draw it: its own coordinates, else the centre of its municipality."""
        if self.latitude is not None and self.longitude is not None:
            return (self.latitude, self.longitude)
        if self.municipality.latitude is not None and self.municipality.longitude is not None:
            return (self.municipality.latitude, self.municipality.longitude)
        return None

    @property
    def has_exact_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class OpeningHours(BaseModel):
    """One weekly opening slot of a place (HSDS `schedule` with freq WEEKLY)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 7, _("Sunday")

    place = models.ForeignKey(CommunityPlace, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["place", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="hours_close_after_open"),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="hours_valid_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class CitizenGroup(VersionedModel):
    """An informal group of citizens (green care, exchange and mutual aid, families…).

    The contact person's details are private (coordinators only). The group publishes only what it
    chose: `public_contact`, and its location exactly or at municipality level.
    """

    class Precision(models.TextChoices):
        EXACT = "exact", _("exact place")
        MUNICIPALITY = "municipality", _("municipality only")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="citizen_groups")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        TaxonomyTerm, related_name="groups", blank=True, verbose_name=_("themes"),
        limit_choices_to={"vocabulary": taxonomy.THEME},
    )  # fmt: skip
    neighbourhood = models.CharField(_("neighbourhood"), max_length=120, blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    location_precision = models.CharField(
        _("shown on the map at"), max_length=20, choices=Precision.choices, default=Precision.MUNICIPALITY
    )
    public_contact = models.CharField(
        _("public contact"),
        max_length=200,
        blank=True,
        help_text=_("An e-mail or telephone the group wants published. Leave empty to publish none."),
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact person's e-mail"), blank=True)
    contact_phone = models.CharField(_("contact person's telephone"), max_length=40, blank=True)
    contact_consent_on = models.DateField(
        _("consent of the contact person given on"),
        null=True,
        blank=True,
        help_text=_("Required to record a contact person: the date they agreed to be contacted by the programme."),
    )
    is_published = models.BooleanField(_("published on the public map"), default=True)
    history = HistoricalRecords(m2m_fields=[themes])

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen group")
        verbose_name_plural = _("citizen groups")
        ordering = ["programme", "municipality__name", "name"]
        indexes = [
            # The public map and its downloads list a programme's published groups.
            models.Index(fields=["programme", "is_published"], name="group_public_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:group", kwargs={"slug": self.programme.slug, "group_id": self.public_id})

    def clean(self) -> None:
        _validate_in_italy(self.latitude, self.longitude)
        has_contact = bool(self.contact_name or self.contact_email or self.contact_phone)
        if has_contact and self.contact_consent_on is None:
            raise ValidationError(
                {
                    "contact_consent_on": _(
                        "Record the date the contact person gave consent, or leave the contact empty."
                    )
                }
            )

    @property
    def public_point(self) -> tuple[Decimal, Decimal] | None:
        """The only location that may leave the programme: exact if the group chose so."""
        if self.location_precision == self.Precision.EXACT and self.latitude is not None and self.longitude is not None:
            return (self.latitude, self.longitude)
        if self.municipality.latitude is not None and self.municipality.longitude is not None:
            return (self.municipality.latitude, self.municipality.longitude)
        return None


class DownloadCounter(models.Model):
    """How many times each file of a programme's public map was downloaded (seed 001: 1,014)."""

    class File(models.TextChoices):
        PDF = "pdf", _("printable map (PDF)")
        GEOJSON = "geojson", _("GeoJSON")
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("spreadsheet (XLSX)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="download_counters")
    file = models.CharField(_("file"), max_length=10, choices=File.choices)
    count = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("download counter")
        verbose_name_plural = _("download counters")
        constraints = [models.UniqueConstraint(fields=["programme", "file"], name="download_counter_unique")]

    def __str__(self) -> str:
        return f"{self.programme} {self.file}: {self.count}"
