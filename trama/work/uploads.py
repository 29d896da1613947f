"""CVs (S20): a PDF recognised by its bytes, at most 5 MB, stored under a random name, only ever
served through an authenticated view as an attachment. The browser's content type and file name
are never trusted."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_CV_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def clean_cv(upload: UploadedFile) -> ContentFile:
    """A safe copy of the CV to store, or a ValidationError keyed on `cv`."""
    too_large = ValidationError({"cv": _("The CV is too large: the limit is 5 MB.")})
    if upload.size is not None and upload.size > MAX_CV_BYTES:
        raise too_large
    upload.seek(0)
    content = upload.read(MAX_CV_BYTES + 1)
    if len(content) > MAX_CV_BYTES:
        raise too_large
    if not content.startswith(PDF_MAGIC):
        raise ValidationError({"cv": _("Upload the CV as a PDF file.")})
    return ContentFile(content, name=f"{uuid.uuid4().hex}.pdf")
