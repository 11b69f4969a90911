"""No live formula in any spreadsheet the portal hands out, and every export of people's data audited. The exports
are found from the URLconf — every URL that answers a GET with an .xlsx — so a new export is checked the day it
is added.

Every free-text column of every row of the domain apps is first made to start like a formula (as an imported
roster, a typed comment or a public demand could), the same objects of 党支部A as the URL permission test; then
each workbook, downloaded by 组织部, must hold that text as text: no cell is a formula, and the planted text is
there to be found (or the export did not carry user text and the check proved nothing)."""

import io

import openpyxl
import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from portal.lib.xlsx import XLSX_CONTENT_TYPE
from portal.models import AuditEvent
from reports.actions import report_export_run, report_export_start
from tests.portal.test_url_permissions import build, post_only, routes, world

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example","点我")'
DOMAIN_APPS = {"branches", "volunteers", "services", "evaluations"}
# Templates to fill in: the portal's own headers and an example row, no user text.
BLANK_TEMPLATES = {"imports:template"}
# Every export there is today: discovery must find at least these (it would pass vacuously if it found none).
KNOWN_EXPORTS = {
    "branches:person_export",
    "services:activity_export",
    "services:pairing_register_export",
    "evaluations:questionnaire_export",
    "evaluations:branch_points_export",
    "evaluations:review_round_export",
    "reports:report_download",
    *BLANK_TEMPLATES,
}


def plant_formula_text() -> None:
    """Overwrites the free-text columns (no choices, not unique, not a key) of every domain row."""
    for model in apps.get_models():
        if model._meta.app_label not in DOMAIN_APPS:
            continue
        text_fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and not field.unique
            and not field.name.endswith(("_hash", "_key", "path", "code", "device"))
        ]
        if text_fields:
            model.objects.update(
                **{field.name: HOSTILE[: field.max_length] if field.max_length else HOSTILE for field in text_fields}
            )


def cells(content: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_every_exported_workbook_keeps_formula_like_text_as_text(cast, login):
    objects = world(cast)
    plant_formula_text()
    # The yearly report is built after the planting, so that its workbook carries the planted names.
    report = report_export_start(actor=cast.orgadmin, year=timezone.localdate().year, organisation=cast.branch_a)
    report_export_run(export_id=report.pk)
    objects["report"] = report.pk

    client = login(cast.orgadmin)
    checked, problems = set(), []
    for route in routes():
        if post_only(route.view):
            continue
        try:
            url = build(route, objects)
        except LookupError:
            continue  # the URL permission test reports unmapped arguments
        audited = AuditEvent.objects.count()
        response = client.get(url)
        if response.get("Content-Type") != XLSX_CONTENT_TYPE:
            continue
        if route.name not in BLANK_TEMPLATES and AuditEvent.objects.count() == audited:
            problems.append(f"{route.name}: the export was not audited")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        checked.add(route.name)
        workbook_cells = list(cells(content))
        formulas = [f"{cell.parent.title}!{cell.coordinate}" for cell in workbook_cells if cell.data_type == "f"]
        if formulas:
            problems.append(f"{route.name}: formula cells {formulas[:5]}")
        planted = any(isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK") for cell in workbook_cells)
        if route.name not in BLANK_TEMPLATES and not planted:
            problems.append(f"{route.name}: the planted text is not in the workbook")
    assert KNOWN_EXPORTS <= checked, f"exports not found from the URLconf: {KNOWN_EXPORTS - checked}"
    assert not problems, "\n".join(problems)
