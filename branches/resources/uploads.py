"""An uploaded roster: read and parsed (size, type, content checked with Chinese messages), then kept
server-side between the preview and the confirm step."""

import datetime
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import PurePath

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from import_export.formats.base_formats import CSV, XLSX

from branches.models import Organisation
from branches.resources.columns import cell_text
from portal.models import User

# Reading an upload ------------------------------------------------------------------------------------------


def roster_upload_read(upload: UploadedFile) -> tuple[bytes, tablib.Dataset]:
    """An uploaded roster's bytes and parsed rows; a Chinese ValidationError when it is not a usable file.
    The size is checked before the file is read."""
    if upload.size is not None and upload.size > settings.ROSTER_IMPORT_MAX_BYTES:
        raise ValidationError(_too_large_message())
    content = upload.read()
    return content, roster_dataset_load(file_name=upload.name or "", content=content)


def _too_large_message() -> str:
    limit = settings.ROSTER_IMPORT_MAX_BYTES
    shown = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"
    return f"文件太大，不能超过 {shown}。"


def roster_dataset_load(*, file_name: str, content: bytes) -> tablib.Dataset:
    """Parses .xlsx or .csv with the library's formats (tablib); a Chinese ValidationError otherwise."""
    if len(content) > settings.ROSTER_IMPORT_MAX_BYTES:
        raise ValidationError(_too_large_message())
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".xls":
        raise ValidationError("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后上传。")
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError("只能上传 Excel（.xlsx）或 CSV 文件。")
    if not content:
        raise ValidationError("文件是空的。")
    if suffix == ".xlsx":
        not_a_workbook = ValidationError("文件内容不是有效的 Excel（.xlsx）文件，请用 Excel 重新保存后上传。")
        if not content.startswith(b"PK\x03\x04"):  # an .xlsx is a zip archive
            raise not_a_workbook
        try:
            dataset = XLSX().create_dataset(content)
        except Exception as problem:  # whatever the parser trips on, the file is not a workbook
            raise not_a_workbook from problem
    else:
        dataset = _load_csv(content)
    if not any(cell_text(header) for header in dataset.headers or []):
        raise ValidationError("第 1 行应为表头（姓名、身份证号……），但它是空的。")
    return dataset


def _load_csv(content: bytes) -> tablib.Dataset:
    not_a_csv = ValidationError("文件内容不是有效的 CSV 文件，请用 Excel 另存为 .xlsx 或 CSV（UTF-8）后上传。")
    if b"\x00" in content:
        raise not_a_csv  # binary content (an image, a workbook) renamed .csv
    # Excel saves CSV as UTF-8 with a BOM, or in the Chinese legacy encoding when asked for plain "CSV".
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise not_a_csv
    try:
        return CSV().create_dataset(text)
    except tablib.InvalidDimensions as problem:
        raise ValidationError("有的行比表头多出了列，请检查是否有多余的逗号或列。") from problem
    except Exception as problem:  # a parser failure means the file is not a usable CSV
        raise not_a_csv from problem


# Keeping an upload between preview and confirm ----------------------------------------------------------------

UPLOAD_DIR = "imports"
UPLOAD_MAX_AGE = datetime.timedelta(hours=24)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class StoredUpload:
    token: str
    organisation_id: int
    file_name: str
    content: bytes


def roster_upload_store(*, user: User, organisation: Organisation, file_name: str, content: bytes) -> str:
    """Keeps the uploaded bytes server-side under an unguessable token bound to the uploading user.

    The confirm step reads them back from here: it never trusts a second upload from the browser."""
    _sweep_old_uploads()
    token = secrets.token_urlsafe(32)
    meta = {"user_id": user.pk, "organisation_id": organisation.pk, "file_name": PurePath(file_name).name}
    default_storage.save(f"{UPLOAD_DIR}/{token}.data", ContentFile(content))
    default_storage.save(f"{UPLOAD_DIR}/{token}.json", ContentFile(json.dumps(meta).encode()))
    return token


def roster_upload_load(*, user: User, token: str) -> StoredUpload | None:
    """The stored upload, or None when the token is malformed, unknown, expired or another user's."""
    if not _TOKEN.match(token or ""):
        return None
    try:
        with default_storage.open(f"{UPLOAD_DIR}/{token}.json") as handle:
            meta = json.loads(handle.read())
        if timezone.now() - default_storage.get_modified_time(f"{UPLOAD_DIR}/{token}.json") > UPLOAD_MAX_AGE:
            return None
        if meta["user_id"] != user.pk:
            return None
        with default_storage.open(f"{UPLOAD_DIR}/{token}.data") as handle:
            content = handle.read()
    except (OSError, ValueError, KeyError):
        return None
    return StoredUpload(
        token=token, organisation_id=meta["organisation_id"], file_name=meta["file_name"], content=content
    )


def roster_upload_discard(*, token: str) -> None:
    if _TOKEN.match(token or ""):
        for suffix in ("data", "json"):
            default_storage.delete(f"{UPLOAD_DIR}/{token}.{suffix}")


def _sweep_old_uploads() -> None:
    """Uploads previewed but never confirmed are removed after a day (checked whenever a new one arrives)."""
    try:
        names = default_storage.listdir(UPLOAD_DIR)[1]
    except OSError:
        return
    cutoff = timezone.now() - UPLOAD_MAX_AGE
    for name in names:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except OSError:
            continue
