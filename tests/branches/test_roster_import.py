"""Roster import: upload → preview of every row → confirm. Bad input is reported per row and writes nothing."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches import actions
from branches.importers import EXAMPLE_ID_NUMBER, PersonImporter
from branches.models import MembershipEvent, Person, PoliticalStatus, StatusStep
from portal.models import AuditEvent
from tests.factories import GridFactory, fake_id_number

HEADERS = [column.header for column in PersonImporter.columns]
IMPORT_URL = reverse("imports:upload", args=["people"])
CONFIRM_URL = reverse("imports:confirm", args=["people"])


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploads kept between preview and confirm go to a per-test folder, not the shared test media."""
    settings.MEDIA_ROOT = tmp_path


def row(name="张三", id_number=None, **cells) -> dict:
    """One roster row as header → cell; unspecified optional columns are blank."""
    return {"姓名": name, "身份证号": id_number or fake_id_number(datetime.date(1985, 3, 12)), **cells}


def csv_bytes(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    lines = [",".join(headers)] + [",".join(str(r.get(h, "")) for h in headers) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def xlsx_bytes(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, organisation, name: str = "名册.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content), "organisation": organisation.pk})


def outcomes(response) -> dict[int, tuple[str, list[str]]]:
    """Excel row number → (outcome, reasons) from the preview."""
    return {r.number: (r.outcome, r.errors) for r in response.context["result"].preview_rows()}


def confirm(client, response):
    return client.post(CONFIRM_URL, {"token": response.context["token"]})


GOOD_ROWS = [
    {"姓名": "王群众", "身份证号": fake_id_number(datetime.date(1990, 1, 2)), "手机号": "13900000001"},
    {
        "姓名": "李党员",
        "身份证号": fake_id_number(datetime.date(1975, 6, 1)),
        "性别": "女",
        "学历": "本科",
        "政治面貌": "正式党员",
        "取得日期": "2001-07-01",
    },
    {
        "姓名": "赵积极",
        "身份证号": fake_id_number(datetime.date(1998, 9, 9)),
        "政治面貌": "入党积极分子",
        "取得日期": "2023/03/15",
        "党组织": "党支部A",
    },
]


# Clean files ------------------------------------------------------------------------------------------------


def test_clean_csv_previews_every_row_writes_nothing_then_imports_on_confirm(cast, login):
    client = login(cast.secretary)
    before = Person.objects.count()

    preview = upload(client, csv_bytes(GOOD_ROWS), cast.branch_a)

    assert preview.status_code == 200
    assert outcomes(preview) == {2: ("new", []), 3: ("new", []), 4: ("new", [])}
    assert preview.context["token"]
    assert "确认导入" in preview.content.decode()
    assert Person.objects.count() == before
    assert not AuditEvent.objects.filter(action="person.roster_import").exists()

    response = confirm(client, preview)

    assert response.status_code == 302
    assert response.url == reverse("branches:person_list")
    assert Person.objects.count() == before + 3
    member = Person.objects.get(name="李党员")
    assert member.organisation == cast.branch_a
    assert member.political_status == PoliticalStatus.FULL
    assert member.gender == Person.Gender.FEMALE
    assert member.education == Person.Education.BACHELOR
    assert member.birth_date == datetime.date(1975, 6, 1)  # from the ID number
    assert member.id_number_masked == "*" * 14 + GOOD_ROWS[1]["身份证号"][-4:]
    assert member.id_number_hash and GOOD_ROWS[1]["身份证号"] not in str(Person.objects.filter(pk=member.pk).values())
    assert member.events.get().kind == MembershipEvent.Kind.JOIN
    assert member.status_steps.get().date == datetime.date(2001, 7, 1)
    assert Person.objects.get(name="赵积极").status_steps.get().date == datetime.date(2023, 3, 15)
    assert Person.objects.get(name="王群众").phone == "13900000001"
    event = AuditEvent.objects.get(action="person.roster_import")
    assert event.actor == cast.secretary
    assert (event.changes["new"], event.changes["update"], event.changes["skip"]) == (3, 0, 0)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "已导入：新增 3 人，更新 0 人，无变化 0 人。" in messages


def test_clean_xlsx_with_date_cells_and_numeric_phone_imports(cast, login):
    client = login(cast.secretary)
    rows = [
        row(name="日期格", id_number=fake_id_number(datetime.date(1980, 2, 3)), 出生日期=datetime.datetime(1980, 2, 3)),
        row(
            name="数字手机",
            id_number=fake_id_number(datetime.date(1981, 4, 5)),
            手机号=13700000002,
            政治面貌="预备党员",
            取得日期=datetime.date(2024, 5, 6),
        ),
    ]

    preview = upload(client, xlsx_bytes(rows), cast.branch_a, name="名册.xlsx")

    assert outcomes(preview) == {2: ("new", []), 3: ("new", [])}
    assert not Person.objects.filter(name__in=["日期格", "数字手机"]).exists()
    assert confirm(client, preview).status_code == 302
    assert Person.objects.get(name="日期格").birth_date == datetime.date(1980, 2, 3)
    probationer = Person.objects.get(name="数字手机")
    assert probationer.phone == "13700000002"
    assert probationer.political_status == PoliticalStatus.PROBATIONARY
    assert AuditEvent.objects.filter(action="person.roster_import", actor=cast.secretary).count() == 1


# Bad rows: reported with their Excel row number, nothing written ----------------------------------------------

BAD_ROW_CASES = {
    "missing name": (row(name=""), "姓名：不能为空。"),
    "bad date": (row(出生日期="1985-13-40"), "出生日期：“1985-13-40”不是有效日期"),
    "future date": (row(政治面貌="入党申请人", 取得日期="2999-01-01"), "取得日期：不能晚于今天。"),
    "bad ID number": (row(id_number="110101198503120000"), "身份证号：身份证号码无效"),
    "missing ID number": ({"姓名": "无证"}, "身份证号：不能为空。"),
    "unknown organisation": (row(党组织="不存在的支部"), "党组织：党组织“不存在的支部”不存在。"),
    "unknown status": (row(政治面貌="共产主义战士"), "政治面貌：“共产主义战士”不是可选的值"),
    "unknown gender": (row(性别="未知"), "性别：“未知”不是可选的值"),
    "unknown education": (row(学历="博士后"), "学历：“博士后”不是可选的值"),
    "status without date": (row(政治面貌="发展对象"), "取得日期：政治面貌为“发展对象”时须填写"),
    "bad phone": (row(手机号="12345"), "手机号：“12345”不是 11 位手机号码。"),
    "unknown grid": (row(网格="不存在的网格"), "网格：网格“不存在的网格”不存在或不在您的管理范围内。"),
    "template example row": (row(id_number=EXAMPLE_ID_NUMBER), "这是模板中的示例行"),
}


@pytest.mark.parametrize("case", BAD_ROW_CASES)
def test_bad_row_is_reported_with_row_number_and_nothing_is_written(cast, login, case):
    bad, reason = BAD_ROW_CASES[case]
    client = login(cast.secretary)
    good = row(name="好人", id_number=fake_id_number(datetime.date(1970, 1, 1)))
    before = Person.objects.count()

    preview = upload(client, csv_bytes([good, bad]), cast.branch_a)

    rows = outcomes(preview)
    assert rows[2] == ("new", [])
    assert rows[3][0] == "error"
    assert any(reason in message for message in rows[3][1]), rows[3][1]
    assert preview.context["token"] is None
    assert "确认导入" not in preview.content.decode()
    assert reason.split("：")[-1][:8] in preview.content.decode()
    assert Person.objects.count() == before


def test_duplicate_id_number_in_file_points_at_first_row(cast, login):
    client = login(cast.secretary)
    same = fake_id_number()
    before = Person.objects.count()

    preview = upload(client, csv_bytes([row(name="甲", id_number=same), row(name="乙", id_number=same)]), cast.branch_a)

    assert outcomes(preview) == {2: ("new", []), 3: ("error", ["身份证号：与第 2 行的身份证号重复。"])}
    assert Person.objects.count() == before


def test_file_mixing_good_and_bad_rows_reports_each_and_writes_nothing(cast, login):
    client = login(cast.secretary)
    rows = [*GOOD_ROWS, row(name=""), row(name="坏日期", 出生日期="昨天"), row(name="好人二")]
    before = (Person.objects.count(), StatusStep.objects.count(), AuditEvent.objects.count())

    preview = upload(client, xlsx_bytes(rows), cast.branch_a, name="混合.xlsx")

    result = outcomes(preview)
    assert [result[n][0] for n in range(2, 8)] == ["new", "new", "new", "error", "error", "new"]
    assert result[5][1] == ["姓名：不能为空。"]
    assert result[6][1][0].startswith("出生日期：“昨天”不是有效日期")
    assert preview.context["result"].counts()["error"] == 2
    assert preview.context["token"] is None
    assert (Person.objects.count(), StatusStep.objects.count(), AuditEvent.objects.count()) == before


def test_blank_row_in_the_middle_is_ignored_and_numbering_follows_excel(cast, login):
    client = login(cast.secretary)
    rows = [row(name="第一"), {}, row(name="第三", 出生日期="坏")]

    preview = upload(client, xlsx_bytes(rows), cast.branch_a, name="空行.xlsx")

    result = outcomes(preview)
    assert result[2] == ("new", [])
    assert result[3] == ("blank", [])
    assert result[4][0] == "error"


# File-level problems ----------------------------------------------------------------------------------------


def test_unknown_column_is_a_file_error_naming_the_column(cast, login):
    client = login(cast.secretary)
    before = Person.objects.count()

    preview = upload(client, csv_bytes([{**row(), "籍贯": "北京"}], headers=[*HEADERS, "籍贯"]), cast.branch_a)

    errors = preview.context["result"].file_errors
    assert any("未知的列“籍贯”" in message for message in errors)
    assert "未知的列“籍贯”" in preview.content.decode()
    assert preview.context["token"] is None
    assert Person.objects.count() == before


def test_missing_required_column_is_a_file_error(cast, login):
    preview = upload(login(cast.secretary), csv_bytes([{"姓名": "甲"}], headers=["姓名"]), cast.branch_a)

    assert preview.context["result"].file_errors == ["缺少必填的列：身份证号。"]


def test_more_rows_than_the_cap_is_refused(cast, login, settings):
    settings.IMPORT_MAX_ROWS = 2
    before = Person.objects.count()

    preview = upload(login(cast.secretary), csv_bytes([row(), row(), row()]), cast.branch_a)

    assert preview.context["result"].file_errors == ["文件有 3 行数据，超过上限 2 行，请分批导入。"]
    assert preview.context["result"].preview_rows() == []
    assert Person.objects.count() == before


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("照片.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "不是有效的 Excel（.xlsx）文件"),
        ("坏.xlsx", b"PK\x03\x04 not really a zip archive", "不是有效的 Excel（.xlsx）文件"),
        ("照片.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "不是有效的 CSV 文件"),
        ("名册.txt", "姓名,身份证号\n".encode(), "只能上传 Excel（.xlsx）或 CSV 文件。"),
        ("名册.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 .xls 文件"),
        ("空.csv", b"", "空文件"),  # Django's own check
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(cast, login, name, content, reason):
    client = login(cast.secretary)
    before = Person.objects.count()

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content), "organisation": cast.branch_a.pk})

    assert response.status_code == 200
    assert response.templates[0].name == "imports/upload.html"
    assert any(reason in message for message in response.context["form"].errors["file"])
    assert Person.objects.count() == before


def test_a_file_larger_than_the_limit_is_refused_before_parsing(cast, login, settings):
    settings.IMPORT_MAX_BYTES = 100
    client = login(cast.secretary)

    response = upload(client, csv_bytes([row() for _ in range(10)]), cast.branch_a)

    assert response.context["form"].errors["file"] == ["文件太大，不能超过 0.0976562 KB。"]
    assert Person.objects.filter(name="张三").count() == 0


def test_gbk_encoded_csv_from_excel_is_read(cast, login):
    client = login(cast.secretary)
    content = csv_bytes([row(name="国标编码")]).decode("utf-8-sig").encode("gb18030")

    preview = upload(client, content, cast.branch_a)

    assert outcomes(preview) == {2: ("new", [])}
    assert preview.context["result"].preview_rows()[0].values["name"] == "国标编码"


# Re-import and updates --------------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(cast, login):
    client = login(cast.secretary)
    content = xlsx_bytes(GOOD_ROWS)
    assert confirm(client, upload(client, content, cast.branch_a, name="a.xlsx")).status_code == 302
    people = Person.objects.filter(name__in=[r["姓名"] for r in GOOD_ROWS])
    stamps = dict(people.values_list("pk", "updated_at"))
    counts = (Person.objects.count(), StatusStep.objects.count(), MembershipEvent.objects.count())
    audit_before = AuditEvent.objects.count()

    preview = upload(client, content, cast.branch_a, name="a.xlsx")

    assert outcomes(preview) == {2: ("skip", []), 3: ("skip", []), 4: ("skip", [])}
    assert preview.content.decode().count("无变化") >= 3
    # Nothing to write: the preview says so and offers no confirm step.
    assert preview.context["token"] is None
    assert "没有需要导入的内容" in preview.content.decode()
    assert (Person.objects.count(), StatusStep.objects.count(), MembershipEvent.objects.count()) == counts
    assert dict(people.values_list("pk", "updated_at")) == stamps
    assert AuditEvent.objects.count() == audit_before


def test_reimport_with_a_new_phone_updates_only_that_person_through_the_action(cast, login):
    client = login(cast.secretary)
    confirm(client, upload(client, csv_bytes(GOOD_ROWS), cast.branch_a))
    changed = [{**GOOD_ROWS[0], "手机号": "13900000009", "网格": "东区一网格"}, *GOOD_ROWS[1:]]
    grid = GridFactory(name="东区一网格", organisation=cast.branch_a)

    preview = upload(client, csv_bytes(changed), cast.branch_a)

    assert [r.outcome for r in preview.context["result"].preview_rows()] == ["update", "skip", "skip"]
    assert preview.context["result"].preview_rows()[0].changes == ["手机号", "网格"]
    assert Person.objects.get(name="王群众").phone == "13900000001"
    confirm(client, preview)
    person = Person.objects.get(name="王群众")
    assert (person.phone, person.grid) == ("13900000009", grid)
    update = AuditEvent.objects.get(action="person.update", object_id=str(person.pk))
    assert update.changes["phone"] == ["13900000001", "13900000009"]


def test_registered_person_cannot_be_moved_or_promoted_by_import(cast, login):
    client = login(cast.secretary)
    confirm(client, upload(client, csv_bytes(GOOD_ROWS), cast.branch_a))
    rows = [{**GOOD_ROWS[1], "政治面貌": "预备党员"}, {**GOOD_ROWS[2], "党组织": "第一党总支"}]

    preview = upload(login(cast.committee), csv_bytes(rows), cast.branch_a)

    result = outcomes(preview)
    assert result[2] == ("error", ["政治面貌：与系统记录（正式党员）不一致；政治面貌变更请在人员页面逐步记录。"])
    assert result[3][0] == "error" and "此人已登记在“党支部A”" in result[3][1][0]


# Scope ------------------------------------------------------------------------------------------------------


def test_secretary_naming_branch_b_in_the_organisation_column_gets_a_row_scope_error(cast, login):
    client = login(cast.secretary)
    before = Person.objects.count()

    preview = upload(client, csv_bytes([row(name="好人"), row(name="越界", 党组织="党支部B")]), cast.branch_a)

    assert outcomes(preview)[3] == ("error", ["党组织：党组织“党支部B”不在您的管理范围内。"])
    assert preview.context["token"] is None
    assert Person.objects.count() == before


def test_secretary_cannot_choose_branch_b_as_the_target(cast, login):
    client = login(cast.secretary)
    before = Person.objects.count()

    response = upload(client, csv_bytes([row()]), cast.branch_b)

    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert "token" not in response.context
    assert Person.objects.count() == before


def test_id_number_registered_outside_scope_is_refused(cast, login):
    id_number = fake_id_number()
    actions.person_update(actor=None, person=cast.person_b, id_number=id_number)

    preview = upload(login(cast.secretary), csv_bytes([row(name="乙党员", id_number=id_number)]), cast.branch_a)

    assert outcomes(preview)[2] == (
        "error",
        ["身份证号：此人已在您管理范围以外的党组织登记，不能通过导入修改，请联系组织部。"],
    )


def test_member_without_managing_scope_gets_404(cast, login):
    client = login(cast.member)

    assert client.get(IMPORT_URL).status_code == 404
    assert upload(client, csv_bytes([row()]), cast.branch_a).status_code == 404
    assert client.get(reverse("imports:template", args=["people"])).status_code == 404
    assert client.post(CONFIRM_URL, {"token": "x" * 43}).status_code == 404


def test_anonymous_is_sent_to_login(db, login):
    response = login(None).get(IMPORT_URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


# Confirm ----------------------------------------------------------------------------------------------------


def test_confirm_by_get_is_405(cast, login):
    assert login(cast.secretary).get(CONFIRM_URL).status_code == 405


def test_outsider_cannot_confirm_the_secretarys_token(cast, login):
    preview = upload(login(cast.secretary), csv_bytes(GOOD_ROWS), cast.branch_a)
    token = preview.context["token"]
    before = Person.objects.count()

    response = login(cast.outsider).post(CONFIRM_URL, {"token": token})

    assert response.status_code == 404
    assert Person.objects.count() == before
    # The token still works for its owner.
    assert login(cast.secretary).post(CONFIRM_URL, {"token": token}).status_code == 302
    assert Person.objects.count() == before + 3


def test_a_token_is_used_once_and_a_forged_one_is_404(cast, login):
    client = login(cast.secretary)
    preview = upload(client, csv_bytes(GOOD_ROWS), cast.branch_a)
    assert confirm(client, preview).status_code == 302

    assert confirm(client, preview).status_code == 404
    assert client.post(CONFIRM_URL, {"token": "../../etc/passwd"}).status_code == 404


def test_confirm_revalidates_and_writes_nothing_when_records_changed_since_preview(cast, login):
    client = login(cast.secretary)
    preview = upload(client, csv_bytes(GOOD_ROWS), cast.branch_a)
    # Meanwhile someone registers the third row's ID number in branch B.
    actions.person_create(actor=None, name="抢先", organisation=cast.branch_b, id_number=GOOD_ROWS[2]["身份证号"])
    before = Person.objects.count()

    response = confirm(client, preview)

    assert response.status_code == 200
    assert outcomes(response)[4][0] == "error"
    assert Person.objects.count() == before
    assert not AuditEvent.objects.filter(action="person.roster_import").exists()


# Template, admin, scale -------------------------------------------------------------------------------------


def test_template_download_has_the_headers_and_an_example_row(cast, login):
    response = login(cast.secretary).get(reverse("imports:template", args=["people"]))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 2 and rows[1][0].startswith("张三")


def test_orgadmin_imports_anywhere_in_the_tree_with_the_same_checks(cast, login):
    """组织部 uses the same pages (the admin has no import of its own): rows may name any organisation."""
    client = login(cast.orgadmin)
    rows = [row(name="组织部导入", 党组织="党支部B"), row(name="默认支部")]
    before = Person.objects.count()

    preview = upload(client, csv_bytes(rows), cast.branch_a)

    assert outcomes(preview) == {2: ("new", []), 3: ("new", [])}
    assert Person.objects.count() == before
    assert confirm(client, preview).status_code == 302
    assert Person.objects.get(name="组织部导入").organisation == cast.branch_b
    assert Person.objects.get(name="默认支部").organisation == cast.branch_a
    assert AuditEvent.objects.filter(action="person.roster_import", actor=cast.orgadmin).count() == 1


def test_the_admin_has_no_second_import_path(cast, login):
    response = login(cast.orgadmin).get(reverse("admin:branches_person_changelist"))

    assert response.status_code == 200
    assert "branches/person/import" not in response.content.decode()


def test_a_thousand_rows_import_correctly(cast, login):
    client = login(cast.secretary)
    grid = GridFactory(name="千人网格", organisation=cast.branch_a)
    rows = [
        row(
            name=f"成员{i:04d}",
            id_number=fake_id_number(datetime.date(1960, 1, 1) + datetime.timedelta(days=i)),
            性别="男" if i % 2 else "女",
            手机号=f"139{i:08d}",
            学历="本科",
            政治面貌="正式党员" if i % 3 == 0 else "群众",
            取得日期="2010-07-01" if i % 3 == 0 else "",
            网格="千人网格",
        )
        for i in range(1000)
    ]
    before = Person.objects.count()

    preview = upload(client, xlsx_bytes(rows), cast.branch_a, name="千人.xlsx")

    assert preview.context["result"].counts()["new"] == 1000
    assert Person.objects.count() == before
    confirm(client, preview)
    imported = Person.objects.filter(name__startswith="成员")
    assert imported.count() == 1000
    assert imported.filter(organisation=cast.branch_a, grid=grid).count() == 1000
    assert imported.filter(political_status=PoliticalStatus.FULL).count() == 334
    assert MembershipEvent.objects.filter(person__in=imported, kind=MembershipEvent.Kind.JOIN).count() == 334
    assert imported.get(name="成员0007").phone == "13900000007"


# Writing a large file ----------------------------------------------------------------------------------------


def _members(prefix: str, n: int) -> list[dict]:
    return [
        row(
            f"{prefix}{i}",
            fake_id_number(datetime.date(1960, 1, 1) + datetime.timedelta(days=37 * i + len(prefix) * 4001)),
            政治面貌="正式党员",
            取得日期="2001-07-01",
        )
        for i in range(n)
    ]


def test_the_new_people_of_a_file_are_written_together_with_every_record_and_audit(cast, login):
    """A file's new people are registered in one go (people_create): each gets what person_create gives one
    person — the starting status step, the join of a member, the audit events — and the confirm's queries grow
    by the per-row savepoints only, not by a dozen queries a person."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(cast.secretary)

    def confirm_counting(rows: list[dict]) -> int:
        preview = upload(client, csv_bytes(rows), cast.branch_a)
        assert all(outcome == "new" for outcome, _ in outcomes(preview).values())
        with CaptureQueriesContext(connection) as queries:
            assert confirm(client, preview).status_code == 302
        return len(queries)

    few, many = confirm_counting(_members("批量甲", 5)), confirm_counting(_members("批量乙", 45))
    # Both passes (the re-validation and the import) open a savepoint per row: 4 queries a row at most.
    assert many - few <= 4 * 40, (few, many)

    people = Person.objects.filter(name__startswith="批量乙")
    assert people.count() == 45
    assert set(people.values_list("political_status", "is_active_member")) == {(PoliticalStatus.FULL, True)}
    assert StatusStep.objects.filter(person__in=people, status=PoliticalStatus.FULL).count() == 45
    assert MembershipEvent.objects.filter(person__in=people, kind=MembershipEvent.Kind.JOIN).count() == 45
    for action in ("person.create", "person.status_step", "person.event.join"):
        events = AuditEvent.objects.filter(
            action=action, object_id__in=[str(pk) for pk in people.values_list("pk", flat=True)]
        )
        assert events.count() == 45 and {event.actor for event in events} == {cast.secretary}


def test_one_person_and_a_file_record_the_same(cast):
    """person_create is people_create of one: the same person, step, join and audit events."""
    registered = fake_id_number(datetime.date(1970, 2, 2))
    alone = actions.person_create(
        actor=cast.secretary,
        name="单独登记",
        organisation=cast.branch_a,
        id_number=registered,
        political_status=PoliticalStatus.PROBATIONARY,
        status_date=datetime.date(2024, 7, 1),
    )
    [together] = actions.people_create(
        actor=cast.secretary,
        people=[
            actions.NewPerson(
                "一起登记",
                cast.branch_a,
                fake_id_number(datetime.date(1971, 3, 3)),
                PoliticalStatus.PROBATIONARY,
                datetime.date(2024, 7, 1),
            )
        ],
    )

    def recorded(person: Person) -> tuple:
        person.refresh_from_db()
        audit = AuditEvent.objects.filter(object_id=str(person.pk), object_type="branches.Person").order_by("pk")
        return (
            person.political_status,
            person.is_active_member,
            list(person.status_steps.values_list("status", "date")),
            list(person.events.values_list("kind", "date", "organisation")),
            [(event.action, event.changes, event.actor_id) for event in audit],
        )

    assert recorded(alone) == recorded(together)
    with pytest.raises(ValidationError, match="已登记"):
        actions.people_create(
            actor=cast.secretary,
            people=[actions.NewPerson("重复", cast.branch_a, registered)],
        )
    with pytest.raises(ValidationError, match="管理范围"):
        actions.people_create(actor=cast.outsider, people=[actions.NewPerson("越权", cast.branch_a)])
    assert not Person.objects.filter(name__in=["重复", "越权"]).exists()
