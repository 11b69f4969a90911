"""Uploaded photos, checked and cleaned before anything is stored (visit photos, meeting photos).

Checked completely: size (the bytes, not the client's word), that the bytes are really a JPEG, PNG or WebP image
(Pillow opens, verifies and decodes them), and a pixel cap against decompression bombs. An accepted photo is
re-encoded as a JPEG: that drops EXIF and every other metadata block (phones put the GPS position there) and
anything appended to the file; the EXIF orientation is applied first so the picture stays upright.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_MAX_PIXELS = 40_000_000  # a 40-megapixel photo is more than any phone takes; beyond it, a bomb
PHOTO_MAX_SIDE = 2048  # stored photos are scaled down to this (enough to read a document on the wall)
PHOTO_QUALITY = 85


def read_bounded(upload: UploadedFile, *, limit: int, label: str) -> bytes:
    """The upload's bytes, or a Chinese refusal when it is larger than `limit` (declared or read)."""
    too_big = ValidationError(f"{label}超过 {limit / 1024 / 1024:.1f} MB，请压缩后再上传。")
    if upload.size is None or upload.size > limit:
        raise too_big
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:  # the declared size is the client's word; the bytes are what counts
        raise too_big
    return data


def photo_jpeg(upload: UploadedFile, *, label: str, limit: int) -> bytes:
    """The upload as a clean JPEG, or a ValidationError saying what is wrong with it (in Chinese)."""
    data = read_bounded(upload, limit=limit, label=label)
    not_an_image = ValidationError(f"{label}不是有效的图片文件，只能上传 JPEG、PNG 或 WebP 格式的照片。")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise ValidationError(f"{label}的格式为 {probe.format}，只能上传 JPEG、PNG 或 WebP 格式的照片。")
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ValidationError(f"{label}像素过大，请缩小后再上传。")
            probe.verify()  # structure and checksums (PNG); the decode below catches truncated data
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "L"):
                rgba = upright.convert("RGBA")
                upright = Image.new("RGB", rgba.size, (255, 255, 255))
                upright.paste(rgba, mask=rgba.getchannel("A"))
            upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            # No exif=, no icc_profile=: nothing of the original's metadata is carried over.
            upright.save(out, format="JPEG", quality=PHOTO_QUALITY, optimize=True)
            return out.getvalue()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise not_an_image from error
