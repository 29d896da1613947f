from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import Role, User
from trama.network.models import Organisation


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("The e-mail address or the password is not correct."),
        "inactive": _("This account has been deactivated."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("The 6-digit code shown by your authenticator app, or one of your backup codes."),
    )


class MembershipGrantForm(forms.Form):
    """Add someone to the programme: an existing account by e-mail, or a new one."""

    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, required=False, help_text=_("Needed only for a new account.")
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), to_field_name="public_id"
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_supervisor = forms.BooleanField(label=_("Supervisor of the organisation's cases"), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        email = data.get("email")
        if email and not data.get("full_name") and not User.objects.filter(email=email).exists():
            self.add_error("full_name", _("There is no account with this e-mail yet: give the person's full name."))
        return data


class MembershipChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_supervisor = forms.BooleanField(label=_("Supervisor of the organisation's cases"), required=False)
