"""Forms of the delivery side of a case: assessments, pathways and goals, sessions, referrals.

They validate and normalise; the services save (and re-check everything that matters). Each form
lists its fields explicitly (S4): no id, owner, organisation of the sender, author or status is
taken from the request except through the dedicated status forms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.casework.models import Assessment, Case, Goal, Pathway, Referral, Session
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import Person

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
SCORE_CHOICES = [
    (1, _("1 — serious difficulty")),
    (2, _("2")),
    (3, _("3")),
    (4, _("4")),
    (5, _("5 — no difficulty")),
]
NOTE = forms.Textarea(attrs={"rows": 2})


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.first_name} {obj.last_name}"


class PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.first_name} {obj.last_name}"


class CaseChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.household.label} — {obj.household.municipality.name}"


# --- Assessments --------------------------------------------------------------------------------


class AssessmentForm(forms.Form):
    """The eight dimensions, each scored 1–5 with an optional confidential note."""

    assessed_on = forms.DateField(label=_("Date of the assessment"), widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dimension in Assessment.Dimension:
            self.fields[f"score_{dimension.value}"] = forms.TypedChoiceField(
                label=_("Score for %(dimension)s") % {"dimension": dimension.label},
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{dimension.value}"] = forms.CharField(
                label=_("Note on %(dimension)s (confidential)") % {"dimension": dimension.label},
                required=False,
                max_length=4000,
                widget=NOTE,
            )
        self.fields["note"] = forms.CharField(
            label=_("Overall note (confidential: only the case team reads it)"),
            required=False,
            max_length=10000,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def clean_assessed_on(self) -> Any:
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be dated in the future."))
        return day

    def dimension_fields(self) -> list[tuple[str, Any, Any]]:
        """(dimension, score, note) per dimension, for the template's fieldsets."""
        return [(d.label, self[f"score_{d.value}"], self[f"note_{d.value}"]) for d in Assessment.Dimension]

    def scores(self) -> dict[str, int]:
        return {d.value: self.cleaned_data[f"score_{d.value}"] for d in Assessment.Dimension}

    def notes(self) -> dict[str, str]:
        return {d.value: self.cleaned_data[f"note_{d.value}"] for d in Assessment.Dimension}


# --- Pathways and goals ---------------------------------------------------------------------------

PATHWAY_FIELDS = ("kind", "title", "organisation", "place", "start_date", "end_date")
PATHWAY_EDIT_FIELDS = ("title", "place", "start_date", "end_date")


class PathwayForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Pathway.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    organisation = forms.ModelChoiceField(label=_("Organisation delivering it"), queryset=Organisation.objects.none())
    place = forms.ModelChoiceField(label=_("Community place"), queryset=CommunityPlace.objects.none(), required=False)
    start_date = forms.DateField(label=_("Start"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("End"), widget=DATE_INPUT, required=False)
    is_group = forms.BooleanField(
        label=_("Group pathway"), required=False, help_text=_("A group pathway gathers several households.")
    )
    other_cases = CaseChoiceField(label=_("Other households taking part"), queryset=Case.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        places: QuerySet[CommunityPlace],
        other_cases: QuerySet[Case],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["place"].queryset = places
        self.fields["other_cases"].queryset = other_cases

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        if data.get("other_cases") and not data.get("is_group"):
            self.add_error("other_cases", _("Only a group pathway can gather other households."))
        return data

    def pathway_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PATHWAY_FIELDS}


class PathwayEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.ModelChoiceField(label=_("Community place"), queryset=CommunityPlace.objects.none(), required=False)
    start_date = forms.DateField(label=_("Start"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("End"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, places: QuerySet[CommunityPlace], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data

    def pathway_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PATHWAY_EDIT_FIELDS}


class PathwayStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Pathway.Status.choices)


class PathwayAddCaseForm(forms.Form):
    cases = CaseChoiceField(label=_("Households to add"), queryset=Case.objects.none())

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases


class GoalForm(forms.Form):
    description = forms.CharField(label=_("Goal"), max_length=300)
    due_on = forms.DateField(label=_("By"), widget=DATE_INPUT, required=False)
    pathway = forms.ModelChoiceField(
        label=_("Pursued through the pathway"), queryset=Pathway.objects.none(), required=False
    )

    def __init__(self, *args: Any, pathways: QuerySet[Pathway], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = pathways


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


# --- Sessions -------------------------------------------------------------------------------------


class SessionForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    time = forms.TimeField(label=_("Time"), widget=TIME_INPUT)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600, initial=60)
    modality = forms.ChoiceField(label=_("Modality"), choices=Session.Modality.choices)
    place = forms.ModelChoiceField(label=_("Place"), queryset=CommunityPlace.objects.none(), required=False)
    attendees = PeopleField(label=_("Who attended"), queryset=Person.objects.none(), required=False)
    note = forms.CharField(
        label=_("Confidential note (only the case team reads it)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, places: QuerySet[CommunityPlace], people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["attendees"].queryset = people

    def starts_at(self) -> datetime:
        naive = datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"])
        return timezone.make_aware(naive, timezone.get_current_timezone())

    def session_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": self.starts_at(),
            "duration_minutes": data["duration_minutes"],
            "modality": data["modality"],
            "place": data["place"],
            "attendees": list(data["attendees"]),
            "note": data["note"],
        }


# --- Referrals ------------------------------------------------------------------------------------

TARGET_FIELDS = {
    Referral.TargetKind.PLACE: "target_place",
    Referral.TargetKind.GROUP: "target_group",
    Referral.TargetKind.ORGANISATION: "target_organisation",
    Referral.TargetKind.EXTERNAL: "external_service",
}


class ReferralForm(forms.Form):
    person = PersonChoiceField(label=_("Person referred"), queryset=Person.objects.none())
    target_kind = forms.ChoiceField(
        label=_("Referred to"), choices=Referral.TargetKind.choices, widget=forms.RadioSelect
    )
    target_place = forms.ModelChoiceField(
        label=_("Community place"), queryset=CommunityPlace.objects.none(), required=False
    )
    target_group = forms.ModelChoiceField(
        label=_("Citizen group"), queryset=CitizenGroup.objects.none(), required=False
    )
    target_organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.none(), required=False
    )
    external_service = forms.CharField(label=_("External service"), max_length=200, required=False)
    service = forms.CharField(
        label=_("What for"), max_length=200, help_text=_("What the person is referred for, e.g. “homework support”.")
    )
    reason = forms.CharField(
        label=_("Reason (confidential: only the case team reads it)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    override_reason = forms.CharField(
        label=_("Coordinator's override of the missing consent"),
        required=False,
        max_length=300,
        help_text=_("Only if the person has not consented to sharing and the referral cannot wait: say why."),
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person],
        places: QuerySet[CommunityPlace],
        groups: QuerySet[CitizenGroup],
        organisations: QuerySet[Organisation],
        can_override: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["target_place"].queryset = places
        self.fields["target_group"].queryset = groups
        self.fields["target_organisation"].queryset = organisations
        if not can_override:
            del self.fields["override_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("target_kind")
        if kind and not data.get(TARGET_FIELDS[kind]):
            self.add_error(TARGET_FIELDS[kind], _("Choose where the person is referred to."))
        return data

    def referral_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["target_kind"]
        fields: dict[str, Any] = {
            "person": data["person"],
            "target_kind": kind,
            "service": data["service"],
            "reason": data["reason"],
            "override_reason": data.get("override_reason", ""),
        }
        # Only the target of the chosen kind travels: a stray value of another kind is dropped.
        fields[TARGET_FIELDS[kind]] = data[TARGET_FIELDS[kind]]
        return fields


class ReferralDecisionForm(forms.Form):
    """Accept, reject (a reason is required), complete or revoke."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
