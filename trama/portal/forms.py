from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trama.network import taxonomy
from trama.network.models import CommunityPlace
from trama.network.selectors import MapFilters, terms
from trama.territory.models import Programme

SHOW_CHOICES = {"places": frozenset({"places"}), "groups": frozenset({"groups"})}


class MapFilterForm(forms.Form):
    """The filters of the public map (a GET form: the address of a filtered map can be shared).

    A value that is not one of the choices is dropped with an error, the rest still applies.
    """

    kind = forms.ChoiceField(label=_("Kind of place"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    theme = forms.ChoiceField(label=_("Theme of the group"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("places and groups")), ("places", _("places only")), ("groups", _("groups only"))],
    )
    q = forms.CharField(
        label=_("Search by name or description"), required=False, max_length=100, widget=forms.SearchInput
    )

    def __init__(self, data: Any, *, programme: Programme) -> None:
        super().__init__(data)
        everything = [("", _("all"))]
        self.fields["kind"].choices = everything + list(CommunityPlace.Kind.choices)
        self.fields["service"].choices = everything + [(t.code, t.label) for t in terms(taxonomy.SERVICE)]
        self.fields["theme"].choices = everything + [(t.code, t.label) for t in terms(taxonomy.THEME)]
        self.fields["municipality"].choices = everything + [
            (m.istat_code, m.name) for m in programme.municipalities.order_by("name")
        ]

    def filters(self) -> MapFilters:
        """What to show; call after `is_valid()` (invalid fields are then simply absent)."""
        cleaned = getattr(self, "cleaned_data", {})

        def one(name: str) -> tuple[str, ...]:
            return (cleaned[name],) if cleaned.get(name) else ()

        return MapFilters(
            kinds=one("kind"),
            services=one("service"),
            themes=one("theme"),
            municipality=cleaned.get("municipality") or "",
            query=cleaned.get("q") or "",
            show=SHOW_CHOICES.get(cleaned.get("show") or "", frozenset({"places", "groups"})),
        )

    def is_filtered(self) -> bool:
        return self.filters() != MapFilters()
