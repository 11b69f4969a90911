"""A full ID number cannot be rebuilt from what the portal shows (the person page, the roster export) or keeps in
its database without the personal-data key: the attempt an attacker makes — fill in what the mask hides, keep what
the birth date, the gender and the check character allow — leaves at least 1,000 candidates."""

import datetime
import io
import re

import openpyxl
from django.urls import reverse

from branches import actions
from branches.models import Person
from portal.lib import idnumbers
from tests.factories import fake_id_number

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def candidates(masked: str, birth: datetime.date, gender: str) -> int:
    """How many valid 18-character numbers agree with the mask, the birth date (characters 7–14) and the gender (the
    parity of the 17th): counted by the weighted sum modulo 11 that fixes the check character, position by position."""
    known = dict(enumerate(masked)) | dict(enumerate(f"{birth:%Y%m%d}", start=6))
    ways = [1] + [0] * 10  # ways[r]: assignments so far whose weighted sum is r (mod 11)
    for position, weight in enumerate(_WEIGHTS):
        digit = known.get(position, "*")
        options = [int(digit)] if digit != "*" else range(10)
        if position == 16 and digit == "*":
            options = [d for d in options if (d % 2 == 1) == (gender == "male")]
        step = [0] * 11
        for remainder, count in enumerate(ways):
            for option in options:
                step[(remainder + option * weight) % 11] += count
        ways = step
    check = masked[17]
    return sum(count for remainder, count in enumerate(ways) if check in ("*", _CHECK[remainder]))


def test_the_counting_finds_the_one_number_when_nothing_is_hidden():
    number = fake_id_number(datetime.date(1990, 2, 14))
    assert candidates(number, idnumbers.birth_date(number), idnumbers.gender(number)) == 1
    # The old mask (first 6 and last 4 shown) with the birth date beside it: one candidate, the number itself.
    old_mask = f"{number[:6]}********{number[-4:]}"
    assert candidates(old_mask, idnumbers.birth_date(number), idnumbers.gender(number)) == 1


def test_page_and_export_leave_a_number_among_thousands(cast, login):
    number = fake_id_number(datetime.date(1988, 7, 3))
    person = actions.person_create(actor=cast.secretary, name="查号人", organisation=cast.branch_a, id_number=number)
    client = login(cast.secretary)

    page = client.get(reverse("branches:person_detail", args=[person.pk])).content.decode()
    shown = set(re.findall(r"[*0-9X]{18}", page))
    export = client.get(reverse("branches:person_export"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    shown |= {
        str(cell) for row in book.active.iter_rows(values_only=True) for cell in row if cell and len(str(cell)) == 18
    }
    assert shown, "the page and the export show the masked number"
    for masked in shown:
        assert sum(char != "*" for char in masked) <= 4
        assert candidates(masked, person.birth_date, person.gender) >= 1000


def test_a_database_dump_without_the_key_leaves_a_number_among_thousands(cast, settings):
    number = fake_id_number(datetime.date(1975, 12, 30))
    person = actions.person_create(actor=None, name="库中人", organisation=cast.branch_a, id_number=number)
    row = Person.objects.filter(pk=person.pk).values().get()
    assert candidates(row["id_number_masked"], row["birth_date"], row["gender"]) >= 1000
    # The hash is keyed: without PERSONAL_DATA_KEY the candidates cannot be tried against it.
    assert row["id_number_hash"] == idnumbers.keyed_hash(number, settings.PERSONAL_DATA_KEY)
    assert row["id_number_hash"] != idnumbers.keyed_hash(number, "")
