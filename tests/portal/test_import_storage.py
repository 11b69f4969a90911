"""An upload waiting for its confirm step holds ID numbers: on disk (and so in a backup of the media folder) it is
ciphertext, useless without PERSONAL_DATA_KEY, and the hourly job deletes what was left for more than a day."""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.imports import storage
from portal.tasks import imports_sweep_task
from tests.factories import fake_id_number


def _stored_files() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT, storage.UPLOAD_DIR).rglob("*.data"))


def test_the_stored_bytes_are_encrypted_and_read_back_whole(cast):
    number = fake_id_number()
    content = f"姓名,身份证号\n张三,{number}\n".encode()
    token = storage.upload_store(
        user=cast.secretary, kind="people", organisation_id=None, file_name="名册.csv", content=content
    )
    (path,) = _stored_files()
    on_disk = path.read_bytes()
    assert number.encode() not in on_disk and "张三".encode() not in on_disk and content not in on_disk
    assert storage.upload_load(user=cast.secretary, kind="people", token=token).content == content


def test_with_another_key_the_stored_upload_cannot_be_read(cast, settings):
    token = storage.upload_store(
        user=cast.secretary, kind="people", organisation_id=None, file_name="a.csv", content=b"x"
    )
    settings.PERSONAL_DATA_KEY = "another key"
    assert storage.upload_load(user=cast.secretary, kind="people", token=token) is None


def test_the_sweep_job_deletes_uploads_older_than_a_day_and_a_second_run_deletes_nothing(cast):
    old = storage.upload_store(
        user=cast.secretary, kind="people", organisation_id=None, file_name="a.csv", content=b"1"
    )
    new = storage.upload_store(user=cast.member, kind="people", organisation_id=None, file_name="b.csv", content=b"2")
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    for path in Path(settings.MEDIA_ROOT, storage.UPLOAD_DIR, str(cast.secretary.pk)).iterdir():
        os.utime(path, (two_days_ago, two_days_ago))

    assert imports_sweep_task() == {"deleted": 2}  # the old upload's data and its metadata
    assert imports_sweep_task() == {"deleted": 0}
    assert storage.upload_load(user=cast.secretary, kind="people", token=old) is None
    assert storage.upload_load(user=cast.member, kind="people", token=new).content == b"2"
