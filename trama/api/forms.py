from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import User

VALIDITY_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("", _("No expiry")),
]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("What the token is for, e.g. the system that will use it.")
    )
    valid_days = forms.ChoiceField(label=_("Valid for"), choices=VALIDITY_CHOICES, initial="90", required=False)
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("A token acts as you: confirm it is you who creates it."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password

    def clean_valid_days(self) -> int | None:
        value = self.cleaned_data.get("valid_days")
        return int(value) if value else None
