from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trama.core.uploads import clean_image
from trama.network import taxonomy
from trama.network.models import CitizenGroup, CommunityPlace, OpeningHours, Organisation, Partnership
from trama.network.selectors import terms
from trama.network.services import GROUP_FIELDS, ORGANISATION_FIELDS, PLACE_FIELDS
from trama.network.validators import normalise_code
from trama.territory.models import Municipality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.name} ({obj.province_code})"


class TermsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return obj.label


class OrganisationForm(forms.ModelForm):
    """An organisation and its role in this programme, edited together."""

    role = forms.ChoiceField(label=_("Role in the programme"), choices=Partnership.Role.choices)
    start_date = forms.DateField(label=_("In the partnership from"), required=False, widget=DATE_INPUT)
    end_date = forms.DateField(label=_("In the partnership until"), required=False, widget=DATE_INPUT)
    cofinancing = forms.DecimalField(
        label=_("Co-financing (€)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = MunicipalityChoiceField(
            queryset=municipalities, required=False, label=_("Municipality"), to_field_name="istat_code"
        )

    def clean_tax_code(self) -> str:
        return normalise_code(self.cleaned_data["tax_code"])

    def clean_vat_number(self) -> str:
        return normalise_code(self.cleaned_data["vat_number"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data

    def organisation_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ORGANISATION_FIELDS}

    def partnership_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("role", "start_date", "end_date", "cofinancing")}


class PlaceForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    photo_upload = forms.FileField(
        label=_("Photo"), required=False, help_text=_("JPEG, PNG or WebP, at most 5 MB. Location data is removed.")
    )

    class Meta:
        model = CommunityPlace
        fields = PLACE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
            "latitude": forms.NumberInput(attrs={"step": "0.00001", "data-place-latitude": ""}),
            "longitude": forms.NumberInput(attrs={"step": "0.00001", "data-place-longitude": ""}),
        }
        help_texts = {
            "latitude": _("Click on the map to set it, or type it. Empty: the centre of the municipality is used."),
        }

    def __init__(
        self,
        *args: Any,
        municipalities: QuerySet[Municipality],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = MunicipalityChoiceField(
            queryset=municipalities, label=_("Municipality"), to_field_name="istat_code"
        )
        self.fields["managing_organisation"].queryset = organisations
        self.fields["managing_organisation"].to_field_name = "public_id"
        self.fields["services"] = TermsField(queryset=terms(taxonomy.SERVICE), required=False, label=_("Services"))
        if self.instance.pk:
            self.initial["services"] = list(self.instance.services.all())
            if not self.is_bound:
                self.initial["version"] = self.instance.version

    def clean_photo_upload(self) -> Any:
        upload = self.cleaned_data.get("photo_upload")
        if upload:
            clean_image(upload)  # raises the Italian message next to the field
            upload.seek(0)
        return upload

    def place_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PLACE_FIELDS}


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ("weekday", "opens_at", "closes_at", "note")
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        return data


OpeningHoursFormSet = forms.modelformset_factory(
    OpeningHours, form=OpeningHoursForm, extra=2, can_delete=True, max_num=21, validate_max=True
)


class GroupForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CitizenGroup
        fields = GROUP_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "contact_consent_on": DATE_INPUT,
            "latitude": forms.NumberInput(attrs={"step": "0.00001", "data-place-latitude": ""}),
            "longitude": forms.NumberInput(attrs={"step": "0.00001", "data-place-longitude": ""}),
        }

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = MunicipalityChoiceField(
            queryset=municipalities, label=_("Municipality"), to_field_name="istat_code"
        )
        self.fields["themes"] = TermsField(queryset=terms(taxonomy.THEME), required=False, label=_("Themes"))
        if self.instance.pk:
            self.initial["themes"] = list(self.instance.themes.all())
            if not self.is_bound:
                self.initial["version"] = self.instance.version

    def group_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in GROUP_FIELDS}
