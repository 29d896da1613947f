"""Signed consent forms (S20): PDF, JPEG or PNG only, recognised by their bytes, at most 5 MB.

The browser's content type and the file name are never trusted: a program renamed `modulo.pdf`
does not start with `%PDF-`. Images are re-encoded without their metadata (S7: a phone photo of
a form carries GPS coordinates); PDFs are kept as they are and only ever served as downloads.
The stored name is random, so it says nothing about the person.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from trama.core.uploads import clean_image

MAX_SIGNED_FORM_BYTES = 5 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
IMAGE_MAGIC = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def _too_large() -> ValidationError:
    return ValidationError(_("The file is too large: the limit is 5 MB."), code="too_large")


def clean_signed_form(upload: UploadedFile) -> ContentFile:
    """A safe copy of the signed form to store, or a ValidationError with the reason."""
    if upload.size is not None and upload.size > MAX_SIGNED_FORM_BYTES:
        raise _too_large()
    upload.seek(0)
    content = upload.read(MAX_SIGNED_FORM_BYTES + 1)
    if len(content) > MAX_SIGNED_FORM_BYTES:
        raise _too_large()
    name = uuid.uuid4().hex
    if content.startswith(PDF_MAGIC):
        return ContentFile(content, name=f"{name}.pdf")
    for magic, extension in IMAGE_MAGIC.items():
        if content.startswith(magic):
            upload.seek(0)
            image = clean_image(upload)
            image.name = f"{name}.{extension}"
            return image
    raise ValidationError(_("Upload the signed form as a PDF, JPEG or PNG file."), code="file_type")
