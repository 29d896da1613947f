"""Forms of people, households and consent: validate and normalise, never save (S4)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.network.models import Organisation
from trama.people import taxcode
from trama.people.models import Consent, HouseholdMember, Person
from trama.people.services import CONSENT_FIELDS, ERASE, PERSON_FIELDS, PSEUDONYMISE, RESTRICT
from trama.people.uploads import clean_signed_form
from trama.territory.models import Municipality

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.name} ({obj.province_code})"


class PersonForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"birth_date": DATE_INPUT}
        help_texts = {
            "tax_code": _("Optional. Checked against the date of birth and the gender."),
            "languages": _("For example: italiano, arabo, francese."),
        }

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = MunicipalityChoiceField(
            queryset=municipalities, required=False, label=_("Municipality of residence"), to_field_name="istat_code"
        )
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_birth_date(self) -> Any:
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."), code="future")
        return birth_date

    def clean_tax_code(self) -> str:
        code = self.cleaned_data.get("tax_code") or ""
        return taxcode.validate(code) if code.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code = data.get("tax_code")
        if code and "tax_code" not in self.errors:
            for error in taxcode.inconsistencies(
                code, birth_date=data.get("birth_date"), gender=data.get("gender", "")
            ):
                self.add_error("tax_code", error)
        return data

    def _post_clean(self) -> None:
        # The codice fiscale's uniqueness is a matter for duplicate detection (services), which
        # shows the possible match to those allowed to see it; the model's generic message
        # "already exists" would say less and no better.
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self._update_errors(error)

    def person_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class NewMemberForm(PersonForm):
    """A new person, created straight into a household; may confirm a possible duplicate."""

    relation = forms.ChoiceField(label=_("Relation to the household"), choices=HouseholdMember.Relation.choices)
    different_person = forms.BooleanField(
        label=_("It is a different person: create the record anyway"), required=False, widget=forms.HiddenInput
    )

    def offer_different_person(self) -> None:
        self.fields["different_person"].widget = forms.CheckboxInput()


class NewPersonForm(PersonForm):
    different_person = forms.BooleanField(
        label=_("It is a different person: create the record anyway"), required=False, widget=forms.HiddenInput
    )

    def offer_different_person(self) -> None:
        self.fields["different_person"].widget = forms.CheckboxInput()


class RelationForm(forms.Form):
    relation = forms.ChoiceField(label=_("Relation to the household"), choices=HouseholdMember.Relation.choices)


class PrimaryContactForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    primary_contact = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, label=_("Primary contact"), to_field_name="public_id"
    )

    def __init__(self, *args: Any, members: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_contact"].queryset = members


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class ConsentForm(forms.ModelForm):
    signed_form_upload = forms.FileField(
        label=_("Signed form"), required=False, help_text=_("PDF, JPEG or PNG, at most 5 MB.")
    )

    class Meta:
        model = Consent
        fields = CONSENT_FIELDS
        widgets = {"given_on": DATE_INPUT, "expires_on": DATE_INPUT, "given_by": forms.RadioSelect}

    def __init__(self, *args: Any, person: Person, partners: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, instance=Consent(person=person), **kwargs)
        self.fields["partner"] = PartnerChoiceField(
            queryset=partners,
            required=False,
            label=_("Partner"),
            to_field_name="public_id",
            help_text=_("For sharing: the organisation the data may be shared with."),
        )
        if not self.is_bound:
            self.initial["given_on"] = timezone.localdate()

    def clean_signed_form_upload(self) -> Any:
        upload = self.cleaned_data.get("signed_form_upload")
        return clean_signed_form(upload) if upload else None

    # Consent.clean() holds the rules (future date, under-14 guardian, named partner); the model
    # form runs it and puts each message next to its field.

    def consent_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CONSENT_FIELDS}


class ErasureForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How the request is resolved"),
        widget=forms.RadioSelect,
        choices=[
            (RESTRICT, _("Restrict: keep the record but stop using it (hidden from searches and new referrals)")),
            (PSEUDONYMISE, _("Pseudonymise: replace names, contacts, codice fiscale and day of birth; counts stay")),
            (ERASE, _("Erase: delete the person (only if no case or attendance counts them)")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=400, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the access log. Do not write the person's name."),
    )  # fmt: skip
