from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File to import"), help_text=_("CSV or XLSX, filled in from the template; at most 30 MB.")
    )
