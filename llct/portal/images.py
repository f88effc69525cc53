"""Uploaded images, resized once with Pillow: a page-size copy and a thumbnail, both JPEG,
EXIF rotation applied and metadata dropped (a phone photo carries its GPS position)."""

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

PAGE_WIDTH = 1200
THUMB_WIDTH = 480
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused, not decompressed


@dataclass(frozen=True)
class Resized:
    page: ContentFile[bytes]
    thumbnail: ContentFile[bytes]
    width: int
    height: int


def _jpeg(image: Any, width: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    if copy.width > width:
        copy.thumbnail((width, width * 4))
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue(), copy.width, copy.height


def resize_upload(upload: Any) -> Resized:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The image is larger than 10 MB."))
    try:
        with Image.open(upload) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The image is too large."))
            image = ImageOps.exif_transpose(probe).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(_("This file is not an image (JPEG, PNG or WebP).")) from None
    page, width, height = _jpeg(image, PAGE_WIDTH)
    thumb, _w, _h = _jpeg(image, THUMB_WIDTH)
    digest = hashlib.sha256(page).hexdigest()[:16]
    return Resized(
        page=ContentFile(page, name=f"{digest}.jpg"),
        thumbnail=ContentFile(thumb, name=f"{digest}-t.jpg"),
        width=width,
        height=height,
    )
