"""Checking uploaded evidence by its content, not its name, and stripping location data from images."""

import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
}
OFFICE = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}
# Decompression bombs: refuse images larger than this many pixels.
MAX_PIXELS = 40_000_000


@dataclass
class CheckedUpload:
    name: str
    content_type: str
    extension: str
    size: int
    content: ContentFile


def check_upload(upload, *, max_bytes: int) -> CheckedUpload:
    name = getattr(upload, "name", "file") or "file"
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": round(max_bytes / 1_048_576, 1)}}
        )
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": round(max_bytes / 1_048_576, 1)}}
        )
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if data.startswith(b"%PDF-"):
        return CheckedUpload(name, "application/pdf", ".pdf", len(data), ContentFile(data))
    if data.startswith(b"PK\x03\x04"):
        office = _office_type(data)
        if office:
            return CheckedUpload(name, office[0], office[1], len(data), ContentFile(data))
        raise ValidationError(
            {"file": _("Zip files are not accepted. Attach a photo, a PDF or a Word, PowerPoint or Excel file.")}
        )
    return _image(name, data)


def _office_type(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in OFFICE.items():
        if any(n.startswith(prefix) for n in names):
            return kind
    return None


def _image(name: str, data: bytes) -> CheckedUpload:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in IMAGE_FORMATS:
            raise UnidentifiedImageError(fmt)
        with Image.open(io.BytesIO(data)) as img:
            # Re-encoding keeps the pixels and drops every metadata block (EXIF with GPS location, XMP, comments).
            img = ImageOps.exif_transpose(img)
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            out = io.BytesIO()
            save_kwargs = {"quality": 88} if fmt in ("JPEG", "WEBP") else {}
            img.save(out, format=fmt, **save_kwargs)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError):
        raise ValidationError(
            {
                "file": _(
                    "This file is not a photo or document Trellis accepts (JPEG, PNG, WebP, GIF, PDF, Word, PowerPoint, Excel)."
                )
            }
        ) from None
    content_type, extension = IMAGE_FORMATS[fmt]
    cleaned = out.getvalue()
    return CheckedUpload(name, content_type, extension, len(cleaned), ContentFile(cleaned))
