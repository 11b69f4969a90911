"""An upload kept server-side between the preview and the confirm step, under an unguessable token bound to the
uploading user: the confirm step reads the bytes back from here and never trusts a second upload. Each user's
uploads are in a folder of their own (`imports/<user id>/`), so listing one's pending imports reads only one's own.

A roster carries ID numbers in clear, so the bytes are kept encrypted (Fernet, with a key derived from
PERSONAL_DATA_KEY, which is not in the media folder nor in its backups): what lies on disk, or in a backup of it, is
useless without the key. They are deleted at confirm, at discard, and by the `imports-sweep` job after 24 hours."""

import base64
import datetime
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import PurePath

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from portal.models import User

UPLOAD_DIR = "imports"
UPLOAD_MAX_AGE = datetime.timedelta(hours=24)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class StoredUpload:
    token: str
    kind: str
    organisation_id: int | None
    file_name: str
    content: bytes


def _cipher() -> Fernet:
    key = hashlib.sha256(b"portal.imports.storage:" + settings.PERSONAL_DATA_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _folder(user: User) -> str:
    return f"{UPLOAD_DIR}/{int(user.pk)}"


def upload_store(*, user: User, kind: str, organisation_id: int | None, file_name: str, content: bytes) -> str:
    token = secrets.token_urlsafe(32)
    meta = {"user_id": user.pk, "kind": kind, "organisation_id": organisation_id, "file_name": PurePath(file_name).name}
    default_storage.save(f"{_folder(user)}/{token}.data", ContentFile(_cipher().encrypt(content)))
    default_storage.save(f"{_folder(user)}/{token}.json", ContentFile(json.dumps(meta).encode()))
    return token


def upload_load(*, user: User, kind: str, token: str) -> StoredUpload | None:
    """The stored upload, or None when the token is malformed, unknown, expired, another user's or another kind's."""
    if not _TOKEN.match(token or ""):
        return None
    folder = _folder(user)
    try:
        with default_storage.open(f"{folder}/{token}.json") as handle:
            meta = json.loads(handle.read())
        if timezone.now() - default_storage.get_modified_time(f"{folder}/{token}.json") > UPLOAD_MAX_AGE:
            return None
        if meta["user_id"] != user.pk or meta["kind"] != kind:
            return None
        with default_storage.open(f"{folder}/{token}.data") as handle:
            content = _cipher().decrypt(handle.read())
    except (OSError, ValueError, KeyError, InvalidToken):
        return None
    return StoredUpload(
        token=token,
        kind=kind,
        organisation_id=meta["organisation_id"],
        file_name=meta["file_name"],
        content=content,
    )


@dataclass(frozen=True)
class PendingUpload:
    token: str
    kind: str
    file_name: str
    stored_at: datetime.datetime


def uploads_pending(*, user: User) -> list[PendingUpload]:
    """The user's uploads previewed but not yet confirmed (nor discarded, nor expired), newest first: the 待办 of
    an import left half-way. Reads the small metadata files only."""
    folder = _folder(user)
    try:
        names = default_storage.listdir(folder)[1]
    except OSError:
        return []
    cutoff = timezone.now() - UPLOAD_MAX_AGE
    pending = []
    for name in names:
        token, _, suffix = name.rpartition(".")
        if suffix != "json" or not _TOKEN.match(token):
            continue
        path = f"{folder}/{name}"
        try:
            stored_at = default_storage.get_modified_time(path)
            if stored_at < cutoff:
                continue
            with default_storage.open(path) as handle:
                meta = json.loads(handle.read())
        except (OSError, ValueError):
            continue
        if meta.get("user_id") == user.pk:
            pending.append(PendingUpload(token, meta.get("kind", ""), meta.get("file_name", ""), stored_at))
    return sorted(pending, key=lambda upload: upload.stored_at, reverse=True)


def upload_discard(*, user: User, token: str) -> None:
    if _TOKEN.match(token or ""):
        for suffix in ("data", "json"):
            default_storage.delete(f"{_folder(user)}/{token}.{suffix}")


def uploads_sweep(*, now: datetime.datetime | None = None) -> int:
    """Removes the files of uploads previewed more than a day ago and never confirmed; returns how many. Run by the
    hourly `imports-sweep` job; a second run finds nothing left."""
    try:
        folders = default_storage.listdir(UPLOAD_DIR)[0]
    except OSError:
        return 0
    cutoff = (now or timezone.now()) - UPLOAD_MAX_AGE
    removed = 0
    for folder in folders:
        try:
            names = default_storage.listdir(f"{UPLOAD_DIR}/{folder}")[1]
        except OSError:
            continue
        for name in names:
            path = f"{UPLOAD_DIR}/{folder}/{name}"
            try:
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    removed += 1
            except OSError:
                continue
    return removed
