"""Households, pairings and visit photos built through the actions.

Shared by the test modules (no test module imports from another)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from branches.models import Organisation
from services.actions.pairing import (
    household_create,
    pairing_create,
)
from services.models import Household, Pairing

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def month_start(months_back: int) -> datetime.date:
    """The first day of the month `months_back` months before this one."""
    first = today().replace(day=1)
    for _ in range(months_back):
        first = (first - DAY).replace(day=1)
    return first


def make_household(organisation: Organisation, **fields) -> Household:
    values = {
        "head_name": "张三丰",
        "address": "东湖社区东湖路18号3栋201室",
        "phone": "13812341234",
        "situation": Household.Situation.SUBSISTENCE,
        "size": 3,
        "notes": "低保户，独居老人",
    } | fields
    return household_create(actor=None, organisation=organisation, **values)


def make_pairing(helper, household: Household, started_on: datetime.date | None = None, **fields) -> Pairing:
    values = {"help_plan": "每月走访一次，代购生活用品。", "content": "代购生活用品"} | fields
    return pairing_create(
        actor=None, helper=helper, household=household, started_on=started_on or today() - 60 * DAY, **values
    )


def jpeg_bytes(size: tuple[int, int] = (40, 30), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    image.save(out, format="JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def image_bytes(fmt: str, mode: str = "RGB", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 128)[: len(mode)]).save(out, format=fmt)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
