"""Visit photos: real JPEG/PNG/WebP images are accepted, re-encoded as JPEG without metadata and stored under an
unguessable name; anything else is refused with a Chinese message and NOTHING is written (no visit, no photo row,
no file, no audit event). Photos are served only through the scoped view."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from portal.models import AuditEvent
from services.actions.pairing import visit_record
from services.models import PairingVisit, VisitPhoto
from tests.services.pairing_helpers import (
    image_bytes,
    jpeg_bytes,
    make_household,
    make_pairing,
    today,
    upload,
)

pytestmark = pytest.mark.django_db
STORED = re.compile(r"^private/visits/[0-9a-f]{32}\.jpg$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def pairing(cast):
    return make_pairing(cast.member_person, make_household(cast.branch_a))


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 35.0, 10.0), 3: "E", 4: (114.0, 17.0, 5.0)}  # GPSInfo
    return exif.tobytes()


def test_a_jpeg_with_gps_is_stored_under_a_uuid_name_without_its_metadata(cast, pairing, media):
    original = jpeg_bytes(size=(3000, 1000), exif=_gps_exif())
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo does carry EXIF
    visit = visit_record(
        actor=cast.member, pairing=pairing, date=today(), notes="上门", photos=[upload("IMG_0001.jpg", original)]
    )
    photo = visit.photos.get()
    assert STORED.match(photo.image.name), photo.image.name
    stored = media / photo.image.name
    assert stored.is_file()
    image = Image.open(stored)
    assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
    assert max(image.size) == 2048  # scaled down
    assert AuditEvent.objects.get(action="pairing.visit").changes["photos"] == 1


@pytest.mark.parametrize(
    ("name", "fmt", "mode", "content_type"),
    [("a.png", "PNG", "RGBA", "image/png"), ("b.webp", "WEBP", "RGB", "image/webp"), ("c.png", "PNG", "P", "")],
)
def test_png_and_webp_are_accepted_and_stored_as_jpeg(cast, pairing, media, name, fmt, mode, content_type):
    content = image_bytes(fmt, mode=mode) if mode != "P" else _palette_png()
    visit = visit_record(
        actor=cast.secretary, pairing=pairing, date=today(), notes="走访", photos=[upload(name, content, content_type)]
    )
    photo = visit.photos.get()
    assert STORED.match(photo.image.name)
    assert Image.open(media / photo.image.name).format == "JPEG"


def _palette_png() -> bytes:
    out = io.BytesIO()
    Image.new("P", (20, 20), 3).save(out, format="PNG", transparency=3)
    return out.getvalue()


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'

REJECTED = [
    ("txt-renamed-jpg", lambda: [upload("notes.jpg", "这不是图片，只是文字。".encode())], "不是有效的图片"),
    ("text-as-image-png", lambda: [upload("x.png", b"hello world" * 20, "image/png")], "不是有效的图片"),
    ("truncated-jpeg", lambda: [upload("cut.jpg", jpeg_bytes(size=(400, 300))[:400])], "不是有效的图片"),
    ("fake-jpeg-header", lambda: [upload("fake.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200)], "不是有效的图片"),
    ("gif", lambda: [upload("a.gif", _gif(), "image/gif")], "GIF"),
    ("svg", lambda: [upload("a.svg", SVG, "image/svg+xml")], "不是有效的图片"),
    ("six-photos", lambda: [upload(f"{i}.jpg", jpeg_bytes()) for i in range(6)], "最多上传 5 张"),
    # one good photo and one bad: the good one is not stored either
    ("good-then-bad", lambda: [upload("ok.jpg", jpeg_bytes()), upload("bad.jpg", b"not an image")], "第 2 张"),
]


@pytest.mark.parametrize(("files", "message"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED])
def test_bad_uploads_are_refused_and_nothing_is_written(cast, pairing, media, files, message):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        visit_record(actor=cast.member, pairing=pairing, date=today(), notes="上门", photos=files())
    assert not PairingVisit.objects.exists() and not VisitPhoto.objects.exists()
    assert files_under(media) == []
    assert AuditEvent.objects.count() == events


def test_a_file_over_the_size_cap_is_refused(cast, pairing, media, settings):
    settings.VISIT_PHOTO_MAX_BYTES = 1000
    big = jpeg_bytes(size=(600, 400))
    assert len(big) > 1000
    with pytest.raises(ValidationError, match="超过"):
        visit_record(actor=cast.member, pairing=pairing, date=today(), notes="上门", photos=[upload("big.jpg", big)])
    assert not PairingVisit.objects.exists() and files_under(media) == []


def test_the_visit_form_refuses_a_fake_image_with_a_chinese_message_and_keeps_the_notes(cast, pairing, login, media):
    response = login(cast.member).post(
        reverse("services:visit_add", args=[pairing.pk]),
        {"date": today().isoformat(), "notes": "今天上门送米", "photos": [upload("x.jpg", b"plain text")]},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "不是有效的图片文件" in content and "今天上门送米" in content
    assert not PairingVisit.objects.exists() and files_under(media) == []


def test_the_visit_form_takes_several_photos(cast, pairing, login, media):
    response = login(cast.member).post(
        reverse("services:visit_add", args=[pairing.pk]),
        {
            "date": today().isoformat(),
            "notes": "送去慰问品",
            "photos": [upload("1.jpg", jpeg_bytes()), upload("2.png", image_bytes("PNG"), "image/png")],
        },
    )
    assert response.status_code == 302 and response["Location"] == pairing.get_absolute_url()
    assert VisitPhoto.objects.filter(visit__pairing=pairing).count() == 2
    assert len(files_under(media)) == 2


# Serving photos ---------------------------------------------------------------------------------------------


@pytest.fixture
def photo(cast, pairing):
    visit = visit_record(
        actor=cast.member, pairing=pairing, date=today(), notes="上门", photos=[upload("a.jpg", jpeg_bytes())]
    )
    return visit.photos.get()


@pytest.mark.parametrize("role", ["secretary", "member", "committee", "orgadmin"])
def test_photo_is_served_to_those_who_see_the_pairing(cast, login, photo, media, role):
    response = login(getattr(cast, role)).get(reverse("services:visit_photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body == (media / photo.image.name).read_bytes() and Image.open(io.BytesIO(body)).format == "JPEG"


def test_photo_is_404_for_the_outsider_and_a_login_redirect_for_the_public(cast, login, photo):
    url = reverse("services:visit_photo", args=[photo.pk])
    assert login(cast.outsider).get(url).status_code == 404
    response = login(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_pairing_page_never_exposes_the_storage_path(cast, login, photo):
    content = login(cast.secretary).get(reverse("services:pairing_detail", args=[photo.visit.pairing_id])).content
    content = content.decode()
    assert reverse("services:visit_photo", args=[photo.pk]) in content
    assert "/media/" not in content and photo.image.name not in content
