"""Helpers every branches action shares: scope checks, dates, ID numbers."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from branches.models import (
    Organisation,
    Person,
)
from branches.selectors import scope_for
from portal.lib import idnumbers
from portal.models import User

PERSON_FIELDS = ["name", "gender", "birth_date", "phone", "education", "organisation", "host", "grid"]


def scope_require(
    actor: User | None, organisation: Organisation, message: str = "所选党组织不在您的管理范围内。"
) -> None:
    """Writes into an organisation need that organisation in the actor's managed scope (None: a system job). Every
    app's actions use this one check; `message` names the object when "党组织" would puzzle the reader."""
    if actor is not None and not scope_for(actor).covers_path(organisation.path):
        raise ValidationError(message)


def date_not_future(date: datetime.date, label: str) -> None:
    if date > timezone.localdate():
        raise ValidationError(f"{label}不能晚于今天。")


def id_number_fields(id_number: str) -> dict[str, Any]:
    """The stored forms of an ID number (masked + keyed hash), or a Chinese error."""
    id_number = idnumbers.normalise(id_number)
    if not id_number:
        return {"id_number_masked": "", "id_number_hash": None}
    if not idnumbers.is_valid(id_number):
        raise ValidationError("身份证号码无效（应为 18 位且校验位正确）。")
    return {
        "id_number_masked": idnumbers.mask(id_number),
        "id_number_hash": idnumbers.keyed_hash(id_number, settings.PERSONAL_DATA_KEY),
    }


def person_find_by_id_number(id_number: str) -> Person | None:
    fields = id_number_fields(id_number)
    if not fields["id_number_hash"]:
        return None
    return Person.objects.filter(id_number_hash=fields["id_number_hash"]).first()
