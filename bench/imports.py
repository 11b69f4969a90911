"""Times the import pipeline (portal/imports) at district scale, as `manage.py import_xlsx` runs it: reading the
.xlsx, the preview (every row checked), then the commit (checked again, written). One run each, in order:

- 组织架构: --orgs organisations (default 3,000: 30 committees × 10 general branches × 9 branches + the district);
- 人员名册: --people rows (default 10,000) into the branches, a third 正式党员;
- 活动台账: --register rows (default 100,000: activities of 10 participants each, over the roster's people).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_ci .venv/bin/python bench/imports.py

Uses a throwaway database: a fresh SQLite file when DATABASE_URL is unset, otherwise a test database created next
to the one DATABASE_URL names (and dropped afterwards).
"""

import argparse
import datetime
import io
import time

import openpyxl
import throwaway

from portal.imports.base import import_run
from portal.imports.files import sheet_read
from portal.imports.registry import importer_class
from portal.lib import idnumbers


def xlsx(headers: list[str], rows) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def id_number(n: int) -> str:
    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=n % 20000)
    return idnumbers.with_check_char(f"110101{birth:%Y%m%d}{n % 1000:03d}")


def organisations(count: int) -> tuple[bytes, list[str]]:
    rows, branches = [["D", "示范区委员会", "党委", ""]], []
    committees = max(1, round((count - 1) / 101))
    for c in range(committees):
        rows.append([f"C{c}", f"第{c}街道党工委", "党委", "D"])
        for g in range(10):
            rows.append([f"C{c}G{g}", f"第{c}街道第{g}党总支", "党总支", f"C{c}"])
            for b in range(9):
                code = f"C{c}G{g}B{b}"
                rows.append([code, f"第{c}街道第{g}总支第{b}支部", "党支部", f"C{c}G{g}"])
                branches.append(code)
    return xlsx(["编号", "名称", "类型", "上级编号"], rows[:count]), [
        b for b in branches if b in {r[0] for r in rows[:count]}
    ]


def roster(count: int, branches: list[str]) -> bytes:
    rows = []
    for n in range(count):
        member = n % 3 == 0
        rows.append(
            [
                f"成员{n:05d}",
                id_number(n),
                f"139{n:08d}",
                "正式党员" if member else "",
                "2010-07-01" if member else "",
                branches[n % len(branches)],
            ]
        )
    return xlsx(["姓名", "身份证号", "手机号", "政治面貌", "取得日期", "党组织"], rows)


def register(count: int, people: int, branches: list[str]) -> bytes:
    rows = []
    start = datetime.datetime(2025, 1, 6, 9, 0)
    for n in range(count):
        activity, seat = divmod(n, 10)
        branch = activity % len(branches)
        person = (activity * 10 + seat) % people  # ten different people each (imported as the system: any branch)
        begins = start + datetime.timedelta(days=activity // len(branches) % 300, hours=activity % 5)
        rows.append(
            [
                f"便民服务{activity}",
                "便民服务",
                f"{begins:%Y-%m-%d %H:%M}",
                f"{begins + datetime.timedelta(hours=2):%Y-%m-%d %H:%M}",
                "社区",
                branches[branch],
                f"成员{person:05d}",
                id_number(person),
                "出勤",
            ]
        )
    return xlsx(["活动名称", "类别", "开始时间", "结束时间", "地点", "党组织", "姓名", "身份证号", "出勤"], rows)


def timed(kind: str, content: bytes) -> None:
    began = time.perf_counter()
    sheet = sheet_read(file_name=f"{kind}.xlsx", content=content, max_bytes=10**9, max_rows=10**6)
    read = time.perf_counter() - began
    importer = importer_class(kind)
    began = time.perf_counter()
    preview = import_run(importer=importer(actor=None), sheet=sheet, commit=False, max_rows=10**6)
    previewed = time.perf_counter() - began
    assert not preview.has_problems, [row.errors for row in preview.rows if row.errors][:5] or preview.file_errors
    began = time.perf_counter()
    done = import_run(importer=importer(actor=None), sheet=sheet, commit=True, max_rows=10**6)
    committed = time.perf_counter() - began
    assert not done.has_problems
    print(
        f"{kind:14} {len(sheet.rows):>7} rows  read {read:6.2f} s  preview {previewed:6.2f} s  "
        f"commit {committed:6.2f} s  total {read + previewed + committed:6.2f} s  {done.counts()['new']} new"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=3000)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--register", type=int, default=100000)
    args = parser.parse_args()
    with throwaway.database():
        content, branches = organisations(args.orgs)
        timed("organisations", content)
        timed("people", roster(args.people, branches))
        timed("activities", register(args.register, args.people, branches))


if __name__ == "__main__":
    main()
