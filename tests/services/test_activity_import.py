"""The register import of past activities: preview first, nothing written until a clean confirm, re-import
changes nothing, every bad row reported with its Excel row number."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from branches import actions as branch_actions
from portal.lib import xlsx
from portal.models import AuditEvent
from services.importers import ActivityImporter
from services.models import Activity, HoursEntry, Participation
from tests.factories import fake_id_number

COLUMNS = [column.header for column in ActivityImporter.columns]

pytestmark = pytest.mark.django_db

IMPORT = reverse("imports:upload", args=["activities"])
CONFIRM = reverse("imports:confirm", args=["activities"])


def _ids(cast):
    """Registered ID numbers for the people of the cast (the register identifies people by them)."""
    ids = {}
    for person in (cast.person_a, cast.member_person, cast.secretary_person, cast.person_b):
        ids[person.pk] = fake_id_number()
        branch_actions.person_update(actor=None, person=person, id_number=ids[person.pk])
        person.refresh_from_db()
    return ids


def _when(days_ago: int, hour: int) -> str:
    return f"{timezone.localdate() - datetime.timedelta(days=days_ago):%Y-%m-%d} {hour:02d}:00"


def _row(person, id_number, **cells):
    row = {
        "活动名称": "社区义诊",
        "类别": "义诊",
        "开始时间": _when(10, 9),
        "结束时间": _when(10, 11),
        "地点": "社区党群服务中心",
        "服务对象": "老年居民",
        "党组织": "",
        "服务队": "",
        "姓名": person.name,
        "身份证号": id_number,
        "角色": "志愿者",
        "出勤": "出勤",
        "服务时长": "",
        "服务人次": "50",
        "服务户次": "30",
    }
    row.update(cells)
    return [row[column] for column in COLUMNS]


def _file(rows, headers=COLUMNS, name="register.xlsx"):
    return SimpleUploadedFile(name, xlsx.workbook_bytes(title="登记", headers=headers, rows=rows))


def _clean_rows(cast, ids):
    return [
        _row(cast.person_a, ids[cast.person_a.pk], 角色="组织者"),
        _row(cast.member_person, ids[cast.member_person.pk], 服务时长="1.5"),
        _row(cast.secretary_person, ids[cast.secretary_person.pk], 出勤="缺席"),
        _row(
            cast.person_a,
            ids[cast.person_a.pk],
            活动名称="垃圾分类宣传",
            类别="环境",
            开始时间=_when(40, 14),
            结束时间=_when(40, 16),
        ),
    ]


def _upload(client, cast, rows, **extra):
    return client.post(IMPORT, {"file": _file(rows, **extra), "organisation": cast.branch_a.pk})


def test_clean_file_previews_then_confirm_writes_closed_activities_with_approved_hours(cast, login):
    ids = _ids(cast)
    client = login(cast.secretary)
    response = _upload(client, cast, _clean_rows(cast, ids))
    assert response.status_code == 200
    result, token = response.context["result"], response.context["token"]
    assert not result.has_problems and token
    assert [row.outcome for row in result.preview_rows()] == ["new"] * 4
    assert not Activity.objects.exists()  # nothing written before confirm

    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 302
    activities = Activity.objects.order_by("starts_at")
    assert activities.count() == 2
    assert {a.state for a in activities} == {Activity.State.CLOSED}
    clinic = Activity.objects.get(title="社区义诊")
    assert clinic.served_people == 50 and clinic.served_households == 30 and clinic.organisation == cast.branch_a
    assert clinic.import_key
    states = dict(clinic.participations.values_list("person_id", "state"))
    assert states[cast.secretary_person.pk] == Participation.State.NO_SHOW
    assert states[cast.member_person.pk] == Participation.State.ATTENDED
    entries = HoursEntry.objects.filter(participation__activity=clinic)
    assert {(e.participation.person_id, e.hours, e.state) for e in entries} == {
        (cast.person_a.pk, 2, HoursEntry.State.APPROVED),
        (cast.member_person.pk, 1.5, HoursEntry.State.APPROVED),
    }
    assert all(e.approved_by == cast.secretary for e in entries)
    assert AuditEvent.objects.filter(action="activity.register").count() == 1


def test_importer_own_hours_stay_pending(cast, login):
    ids = _ids(cast)
    client = login(cast.secretary)
    response = _upload(client, cast, [_row(cast.secretary_person, ids[cast.secretary_person.pk])])
    client.post(CONFIRM, {"token": response.context["token"]})
    entry = HoursEntry.objects.get()
    assert entry.state == HoursEntry.State.PENDING


def test_reimport_changes_nothing_and_says_no_change(cast, login):
    ids = _ids(cast)
    client = login(cast.secretary)
    response = _upload(client, cast, _clean_rows(cast, ids))
    client.post(CONFIRM, {"token": response.context["token"]})
    counts = (Activity.objects.count(), Participation.objects.count(), HoursEntry.objects.count())

    response = _upload(client, cast, _clean_rows(cast, ids))
    result = response.context["result"]
    assert not result.has_problems
    assert [row.label for row in result.preview_rows()] == ["无变化"] * 4
    assert response.context["token"] is None  # nothing to confirm
    assert (Activity.objects.count(), Participation.objects.count(), HoursEntry.objects.count()) == counts


def _errors(response) -> dict[int, str]:
    return {row.number: " ".join(row.errors) for row in response.context["result"].preview_rows() if row.errors}


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_written(cast, login):
    ids = _ids(cast)
    a, m, s = cast.person_a, cast.member_person, cast.secretary_person
    rows = [
        _row(a, ids[a.pk]),  # 2: fine
        _row(m, ids[m.pk], 开始时间="昨天上午"),  # 3
        _row(m, ids[m.pk], 活动名称="B", 结束时间=_when(10, 8)),  # 4: end before start
        _row(m, ids[m.pk], 活动名称="C", 类别="跳舞"),  # 5
        _row(m, ids[m.pk], 活动名称="D", 党组织="不存在的支部"),  # 6
        _row(cast.person_b, ids[cast.person_b.pk], 活动名称="E", 党组织=cast.branch_b.name),  # 7: outside scope
        _row(m, ids[m.pk], 活动名称="F", 服务队="没有这个队"),  # 8
        _row(m, fake_id_number(), 活动名称="G"),  # 9: unknown person
        _row(cast.person_b, ids[cast.person_b.pk], 活动名称="H"),  # 10: person outside scope
        _row(a, ids[a.pk], 姓名=a.name),  # 11: same person twice in the activity of row 2
        _row(s, ids[s.pk], 服务时长="0"),  # 12
        _row(s, ids[s.pk], 活动名称="I", 服务时长="25"),  # 13
        _row(s, ids[s.pk], 活动名称="J", 服务时长="两小时"),  # 14
        _row(m, ids[m.pk], 地点="别处"),  # 15: conflicts with row 2
        _row(m, ids[m.pk], 活动名称="K", 开始时间=_when(-2, 9), 结束时间=_when(-2, 11)),  # 16: future
    ]
    response = _upload(login(cast.secretary), cast, rows)
    errors = _errors(response)
    assert response.context["token"] is None
    expected = {
        3: "不是有效的时间",
        4: "必须晚于开始时间",
        5: "不是可选的类别",
        6: "不存在",
        7: "不在您的管理范围内",
        8: "服务队“没有这个队”不存在",
        9: "未在名册中登记",
        10: "此人不在您的管理范围内",
        11: "与第 2 行是同一人",
        12: "应大于 0 且不超过 24",
        13: "应大于 0 且不超过 24",
        14: "不是数字",
        15: "与第 2 行（同一活动）不一致",
        16: "活动尚未结束",
    }
    for number, reason in expected.items():
        assert reason in errors.get(number, ""), (number, errors.get(number))
    assert 2 not in errors
    assert not Activity.objects.exists() and not Participation.objects.exists()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([*COLUMNS, "备注"], "未知的列“备注”"),
        ([c for c in COLUMNS if c != "身份证号"], "缺少必填的列：身份证号"),
    ],
)
def test_unknown_and_missing_columns_are_file_errors(cast, login, headers, reason):
    ids = _ids(cast)
    row = _row(cast.person_a, ids[cast.person_a.pk])
    row = [*row, "x"] if len(headers) > len(COLUMNS) else row[: len(headers)]
    response = _upload(login(cast.secretary), cast, [row], headers=headers)
    assert any(reason in message for message in response.context["result"].file_errors)
    assert not Activity.objects.exists()


def test_not_a_spreadsheet_and_too_big_are_refused(cast, login, settings):
    client = login(cast.secretary)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4"), "organisation": cast.branch_a.pk})
    assert "只能上传" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 100
    response = _upload(client, cast, [["x"] * len(COLUMNS)])
    assert "文件太大" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 1
    ids = _ids(cast)
    response = _upload(client, cast, _clean_rows(cast, ids))
    assert any("超过上限" in message for message in response.context["result"].file_errors)
    assert not Activity.objects.exists()


def test_excel_datetime_cells_are_read(cast, login):
    ids = _ids(cast)
    day = timezone.localdate() - datetime.timedelta(days=3)
    row = _row(cast.person_a, ids[cast.person_a.pk])
    row[COLUMNS.index("开始时间")] = datetime.datetime.combine(day, datetime.time(9))
    row[COLUMNS.index("结束时间")] = datetime.datetime.combine(day, datetime.time(10, 30))
    client = login(cast.secretary)
    response = _upload(client, cast, [row])
    assert not response.context["result"].has_problems
    client.post(CONFIRM, {"token": response.context["token"]})
    activity = Activity.objects.get()
    assert timezone.localtime(activity.starts_at).hour == 9
    assert HoursEntry.objects.get().hours == 1.5


def test_outsider_cannot_confirm_another_users_token_and_get_is_405(cast, login):
    ids = _ids(cast)
    response = _upload(login(cast.secretary), cast, _clean_rows(cast, ids))
    token = response.context["token"]
    assert login(cast.outsider).post(CONFIRM, {"token": token}).status_code == 404
    assert login(cast.secretary).get(CONFIRM).status_code == 405
    assert login(cast.member).get(IMPORT).status_code == 404
    assert not Activity.objects.exists()


def test_template_downloads_with_the_columns(cast, login):
    import openpyxl

    response = login(cast.secretary).get(reverse("imports:template", args=["activities"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [cell.value for cell in sheet[1]] == COLUMNS
