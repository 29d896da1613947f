from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trama.territory.models import ActionLine, Programme
from trama.territory.services import PROGRAMME_EDITABLE_FIELDS


class ProgrammeForm(forms.ModelForm):
    """The coordinator's edit of the programme. The version travels with the form (S21)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Programme
        fields = PROGRAMME_EDITABLE_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 6}),
            "territory_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROGRAMME_EDITABLE_FIELDS}


class ActionLineForm(forms.ModelForm):
    class Meta:
        model = ActionLine
        fields = ("code", "name", "description", "position")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"code": _("A short identifier, e.g. famiglie. Lowercase letters, digits, hyphens.")}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        clash = ActionLine.objects.filter(programme=self.programme, code=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another action line of this programme already uses this code."))
        return code
