"""Times the roster import of an .xlsx (1,000 rows, or --rows) through the staff pages: upload → preview, then
confirm.

    .venv/bin/python bench/roster_import.py [--rows 1000] [--runs 3] [--profile]

Uses a throwaway database: a fresh SQLite file in a temporary folder when DATABASE_URL is unset, otherwise a
test database created next to the one DATABASE_URL names (and dropped afterwards). Each run imports a new file
(new ID numbers), so every run creates its people; a third of them are party members (status step + join event).
Prints the median of the runs.
"""

import argparse
import datetime
import io
import os
import statistics
import time

import openpyxl
import throwaway
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from branches import actions
from branches.importers import PersonImporter
from branches.models import Grid, Organisation, Person, Role
from portal.lib import idnumbers


def roster(rows: int, run: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    headers = ["姓名", "性别", "出生日期", "身份证号", "手机号", "学历", "政治面貌", "取得日期", "党组织", "网格"]
    assert set(headers) <= {column.header for column in PersonImporter.columns}
    sheet.append(headers)
    for i in range(rows):
        # Births within 1940–1994 (before the members' 2010 status date), and an ID number new in every run.
        n = run * rows + i
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=n % 20000)
        member = i % 3 == 0
        sheet.append(
            [
                f"成员{run}-{i:05d}",
                "男" if i % 2 else "女",
                birth,
                idnumbers.with_check_char(f"110101{birth:%Y%m%d}{n // 20000 % 1000:03d}"),
                f"139{i:08d}",
                "本科",
                "正式党员" if member else "群众",
                "2010-07-01" if member else "",
                "",
                "基准网格",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the last confirm")
    options = parser.parse_args()

    with throwaway.database():
        run_bench(options)


def run_bench(options) -> None:
    committee = actions.organisation_create(actor=None, name="基准党委", kind=Organisation.Kind.COMMITTEE)
    branch = actions.organisation_create(actor=None, name="基准党支部", kind=Organisation.Kind.BRANCH, parent=committee)
    Grid.objects.create(name="基准网格", organisation=branch)
    secretary_person = actions.person_create(actor=None, name="基准书记", organisation=branch)
    user = actions.person_account_create(actor=None, person=secretary_person, username="bench", password="bench12345")
    actions.role_assign(
        actor=None,
        person=secretary_person,
        organisation=branch,
        role=Role.SECRETARY,
        start_date=datetime.date(2020, 1, 1),
    )
    client = Client()
    client.force_login(user)

    previews, confirms = [], []
    for run in range(options.runs):
        content = roster(options.rows, run)
        before = Person.objects.count()
        started = time.perf_counter()
        response = client.post(
            reverse("imports:upload", args=["people"]),
            {"file": SimpleUploadedFile("名册.xlsx", content), "organisation": branch.pk},
        )
        previews.append(time.perf_counter() - started)
        token = response.context["token"]
        assert token, response.context["result"].preview_rows()[:3]

        profiler = None
        if options.profile and run == options.runs - 1:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        response = client.post(reverse("imports:confirm", args=["people"]), {"token": token})
        confirms.append(time.perf_counter() - started)
        if profiler is not None:
            profiler.disable()
        assert response.status_code == 302, response.status_code
        assert Person.objects.count() == before + options.rows
        print(f"run {run + 1}: preview {previews[-1]:.2f} s, confirm {confirms[-1]:.2f} s", flush=True)

    vendor = connection.vendor
    print(
        f"{options.rows} rows on {vendor}: preview median {statistics.median(previews):.2f} s, "
        f"confirm (re-validate + import) median {statistics.median(confirms):.2f} s, "
        f"total median {statistics.median(p + c for p, c in zip(previews, confirms, strict=True)):.2f} s"
    )
    if profiler is not None:
        import pstats

        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(35)


if __name__ == "__main__":
    main()
