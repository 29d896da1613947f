"""Uploaded images (S7, S20): allow-listed by content, capped in size, re-encoded without metadata.

A photo of a place may carry GPS coordinates and camera data in its EXIF block; re-encoding the
pixels into a fresh file drops all of it. The browser-declared content type and file name are
never trusted: Pillow identifies the format from the bytes.
"""

from __future__ import annotations

import contextlib
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def clean_image(upload: UploadedFile) -> ContentFile:
    """Return a metadata-free copy of `upload`, or raise ValidationError with an Italian message."""
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is too large: the limit is 5 MB."))
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format or ""
            if image_format not in ALLOWED_FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG or WebP image."))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("The image has too many pixels: the limit is 40 megapixels."))
            # Apply the EXIF orientation to the pixels, then write a file without any metadata.
            pixels = ImageOps.exif_transpose(image)
            if image_format == "JPEG" and pixels.mode not in ("RGB", "L"):
                pixels = pixels.convert("RGB")
            out = BytesIO()
            pixels.save(out, format=image_format)
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_("This file is not an image Trama can read: upload a JPEG, PNG or WebP.")) from None
    return ContentFile(out.getvalue(), name=f"photo.{ALLOWED_FORMATS[image_format]}")


def delete_after_commit(stored: FieldFile) -> None:
    """Delete a stored upload once the transaction commits: a rolled-back erasure keeps the file.
    A file already gone is not an error."""
    storage, name = stored.storage, stored.name

    def delete() -> None:
        with contextlib.suppress(OSError):
            storage.delete(name)

    transaction.on_commit(delete)
