"""The public demand form under hostile posts (property-based): whatever is posted — random keys and values, oversize
text, invalid choices, ids of other objects, forged or stale stamps, NUL characters — the answer is never a server
error; a refused post stores nothing and says why in Chinese; an accepted one stores exactly what was posted."""

import time
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from portal.models import AuditEvent
from services.forms.demands import TIMESTAMP_SALT, public_form_stamp
from services.models import ActivityCategory, Demand, DemandCategory
from tests.hostile import HOSTILE, any_text, assert_chinese, form_keys, form_values, outcome, post_form

pytestmark = pytest.mark.django_db

FIELDS = ["category", "content", "requester_name", "requester_phone", "requester_address", "website", "stamp"]


@dataclass(frozen=True)
class Change:
    """One hostile change to a valid post: the field, the values sent for it (none: the field is left out), and
    whether the form must refuse it whatever else was sent."""

    field: str
    values: tuple[str, ...]
    refused: bool


def stamps(organisation_pk: int, other_pk: int) -> st.SearchStrategy[Change]:
    now = time.time()
    return st.sampled_from(
        [
            Change("stamp", (), True),
            Change("stamp", ("",), True),
            Change("stamp", ("not-a-signed-value",), True),
            Change("stamp", (signing.dumps({"o": organisation_pk, "t": now - 10}, salt="another.salt"),), True),
            Change("stamp", (public_form_stamp(other_pk, at=now - 10),), True),  # another organisation's form
            Change("stamp", (public_form_stamp(organisation_pk, at=now),), True),  # too fast
            Change("stamp", (public_form_stamp(organisation_pk, at=now - 3 * 3600),), True),  # too old
            Change("stamp", (signing.dumps(["t", "o"], salt=TIMESTAMP_SALT),), True),
            Change("stamp", (signing.dumps({"o": "x", "t": "y"}, salt=TIMESTAMP_SALT),), True),
        ]
    )


@st.composite
def changes(draw, organisation_pk: int, other_pk: int, other_ids: list[int]) -> Change:
    """A hostile change: some are refused by construction, the others (any text in a free field, an id that may or
    may not be a demand category) are judged by the form."""
    refused_values = {
        "category": ["", "0", "-1", "999999999", str(10**20), "abc", "1 OR 1=1", "\x00", "[1]"],
        "content": ["", "   ", "\u3000", "长" * 2001, "漏水\x00了"],
        "requester_name": ["名" * 41, "\x00"],
        "requester_phone": ["12345", "=cmd|' /C calc'!A0", "1" * 21],
        "requester_address": ["址" * 121],
        "website": ["http://spam.example", "x", "=1+1"],
    }
    kind = draw(st.sampled_from(["refused", "stamp", "any", "other ids", "missing", "repeated"]))
    if kind == "refused":
        field = draw(st.sampled_from(sorted(refused_values)))
        return Change(field, (draw(st.sampled_from(refused_values[field])),), True)
    if kind == "stamp":
        return draw(stamps(organisation_pk, other_pk))
    field = draw(st.sampled_from(["category", "content", "requester_name", "requester_phone", "requester_address"]))
    if kind == "any":
        return Change(field, (draw(form_values),), False)
    if kind == "other ids":
        return Change("category", (str(draw(st.sampled_from(other_ids))),), False)
    if kind == "missing":
        return Change(field, (), field in ("category", "content"))
    return Change(field, tuple(draw(st.lists(form_values, min_size=2, max_size=3))), False)


def stored() -> tuple[int, int]:
    return Demand.objects.count(), AuditEvent.objects.count()


@HOSTILE
@given(data=st.data())
def test_any_post_to_the_public_demand_form_is_stored_as_sent_or_refused_in_chinese(cast, client, data):
    cache.clear()  # the form allows five posts an hour per address
    organisation = cast.branch_a
    other_ids = [
        organisation.pk,
        cast.branch_b.pk,
        cast.person_a.pk,
        *ActivityCategory.objects.values_list("pk", flat=True),
    ]
    valid = {
        "category": str(DemandCategory.objects.order_by("pk").first().pk),
        "content": "楼道里的水管漏水，已经两天了",
        "requester_name": "",
        "requester_phone": "",
        "requester_address": "",
        "website": "",
        "stamp": public_form_stamp(organisation.pk, at=time.time() - 10),
    }
    applied = data.draw(
        st.lists(changes(organisation.pk, cast.branch_b.pk, other_ids), max_size=3, unique_by=lambda c: c.field),
        label="changes",
    )
    extra = data.draw(
        st.lists(st.tuples(form_keys.filter(lambda key: key not in FIELDS), form_values), max_size=4), label="extra"
    )
    fields = {name: (value,) for name, value in valid.items()}
    for change in applied:
        fields[change.field] = change.values
    pairs = [(name, value) for name, values in fields.items() for value in values] + extra
    must_refuse = any(change.refused for change in applied)
    posted = QueryDict(urlencode(pairs))  # what Django reads from the body
    before = stored()

    response = post_form(client, reverse("services:public_demand", args=[organisation.pk]), pairs)

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        outcome("stored")
        assert not must_refuse, f"a post that must be refused was stored: {applied}"
        assert stored() == (before[0] + 1, before[1] + 1)
        demand = Demand.objects.order_by("-pk").first()
        assert (demand.organisation, demand.channel, demand.recorded_by) == (organisation, Demand.Channel.ONLINE, None)
        assert demand.category_id == int(posted["category"])  # as the form reads it (" 5", "+5", "５" are 5)
        assert demand.content == posted["content"].strip()
        assert demand.requester_name == posted.get("requester_name", "").strip()
        assert demand.requester_address == posted.get("requester_address", "").strip()
        return

    outcome("refused")
    assert applied, "a valid post was refused"
    assert stored() == before, "a refused post wrote to the database"
    form = response.context["form"]
    messages = [message for errors in form.errors.values() for message in errors]
    assert messages, "a refused post must say why"
    assert_chinese(messages, user_texts=[value for _, value in pairs])
    page = response.content.decode()
    assert all(escape(message) in page for message in messages)


@HOSTILE
@given(body=st.binary(max_size=512) | any_text.map(lambda text: text.encode("utf-8")))
def test_any_raw_body_to_the_public_demand_form_is_refused_in_chinese(cast, client, body):
    """Not even a well-formed form body: bytes that are not UTF-8, stray '&' and '=', percent signs."""
    cache.clear()
    before = stored()
    response = client.generic(
        "POST",
        reverse("services:public_demand", args=[cast.branch_a.pk]),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 400), response.status_code
    assert stored() == before
    form = response.context["form"] if response.status_code == 200 else None
    if form is not None and form.is_bound:
        messages = [message for errors in form.errors.values() for message in errors]
        assert messages
        assert_chinese(messages, user_texts=[body.decode("utf-8", "replace")])
    # A body with no field at all is an empty POST, and the view answers it as a GET: the empty form again.
