"""The one import pipeline with its five importers: the organisation tree, host units, the roster with roles and
work units, team members and the activity register; the file reader's encodings and bounds; the upload form's
preselected organisation; and `manage.py import_xlsx`, its command-line twin."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from branches import actions as branch_actions
from branches.models import HostUnit, Organisation, Person, PoliticalStatus, Role, RoleAssignment
from portal.imports.base import import_run
from portal.imports.files import Sheet, sheet_read
from portal.imports.registry import importer_class
from portal.models import AuditEvent
from services.models import Activity
from tests.factories import HostUnitFactory, fake_id_number, member
from volunteers import actions as team_actions
from volunteers.models import Team, TeamMembership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def table(headers: list[str], *rows: list) -> Sheet:
    return Sheet.from_table([headers, *rows])


def run(kind: str, sheet: Sheet, *, actor=None, organisation=None, commit=False):
    return import_run(importer=importer_class(kind)(actor=actor, organisation=organisation), sheet=sheet, commit=commit)


def outcomes(result) -> dict[int, tuple[str, list[str]]]:
    return {row.number: (row.outcome, row.errors) for row in result.rows}


def xlsx(headers: list[str], *rows: list) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Organisations ------------------------------------------------------------------------------------------------

ORG_HEADERS = ["编号", "名称", "类型", "上级编号", "成立日期"]


def test_a_tree_in_any_order_is_created_parents_first_and_reimporting_changes_nothing(cast):
    sheet = table(
        ORG_HEADERS,
        ["010101", "东湖社区第一支部", "党支部", "0101", "2012-05-04"],
        ["01", "东湖街道党工委", "党委", "", ""],
        ["0101", "东湖社区党委", "党委", "01", ""],
    )

    preview = run("organisations", sheet, actor=cast.orgadmin)
    assert outcomes(preview) == {2: ("new", []), 3: ("new", []), 4: ("new", [])}
    assert not Organisation.objects.filter(code="01").exists()

    created_before = AuditEvent.objects.filter(action="organisation.create").count()
    done = run("organisations", sheet, actor=cast.orgadmin, commit=True)
    assert done.written == {}
    branch = Organisation.objects.get(code="010101")
    assert branch.founded_on == datetime.date(2012, 5, 4)
    assert Organisation.objects.get_parent(branch).code == "0101"
    assert Organisation.objects.get_parent(Organisation.objects.get(code="0101")).code == "01"
    assert AuditEvent.objects.filter(action="organisation.create").count() == created_before + 3
    assert AuditEvent.objects.filter(action="organisation.import", actor=cast.orgadmin).count() == 1

    again = run("organisations", sheet, actor=cast.orgadmin)
    assert {outcome for outcome, _ in outcomes(again).values()} == {"skip"}
    assert not again.has_changes


def test_a_renamed_organisation_is_updated_but_a_new_parent_is_refused(cast):
    cast.branch_a.code = "A1"
    cast.branch_a.save(update_fields=["code"])
    cast.general_branch.code = "G1"
    cast.general_branch.save(update_fields=["code"])

    renamed = run(
        "organisations", table(ORG_HEADERS, ["A1", "党支部A（更名）", "党支部", "G1", ""]), actor=cast.orgadmin
    )
    assert outcomes(renamed)[2] == ("update", [])
    assert renamed.rows[0].changes == ["名称"]

    moved = run("organisations", table(ORG_HEADERS, ["A1", "党支部A", "党支部", "", ""]), actor=cast.orgadmin)
    assert moved.rows[0].outcome == "error"
    assert "隶属关系的调整请在组织架构中办理" in moved.rows[0].errors[0]


def test_a_secretary_adds_groups_under_the_branch_but_no_top_level_and_nothing_elsewhere(cast):
    cast.branch_a.code = "A1"
    cast.branch_a.save(update_fields=["code"])
    cast.branch_b.code = "B1"
    cast.branch_b.save(update_fields=["code"])
    sheet = table(
        ORG_HEADERS,
        ["A1-1", "第一党小组", "党小组", "A1", ""],
        ["B1-1", "乙的党小组", "党小组", "B1", ""],
        ["X", "新党委", "党委", "", ""],
        ["A1-1-1", "小组下的组", "党小组", "A1-1", ""],
        ["C1", "循环甲", "党支部", "C2", ""],
        ["C2", "循环乙", "党支部", "C1", ""],
        ["D1", "无上级", "党支部", "不存在", ""],
        ["A1-2", "错类型", "兴趣小组", "A1", ""],
    )

    result = run("organisations", sheet, actor=cast.secretary)

    rows = outcomes(result)
    assert rows[2] == ("new", [])
    assert rows[3][1] == ["上级党组织不在您的管理范围内。"]
    assert rows[4][1] == ["只有组织部可以新建顶层党组织。"]
    assert rows[5][1] == ["党小组下不能再设党组织。"]
    assert rows[6][1] == ["上级编号：上下级关系形成了循环。"] and rows[7][1] == ["上级编号：上下级关系形成了循环。"]
    assert "不存在" in rows[8][1][0]
    assert rows[9][1][0].startswith("类型：“兴趣小组”不是可选的值")


# Host units ---------------------------------------------------------------------------------------------------

HOST_HEADERS = ["名称", "类型", "组建方式", "党组织编号", "指导员身份证号", "职工人数", "建有工会", "建有妇联"]


def test_hosts_are_kept_by_the_organisation_department_with_the_coverage_rules(cast, login):
    cast.branch_a.code = "A1"
    cast.branch_a.save(update_fields=["code"])
    instructor_number = fake_id_number(datetime.date(1970, 2, 2))
    instructor = member(cast.branch_a, name="指导员甲")
    instructor.id_number_hash = branch_actions.id_number_fields(instructor_number)["id_number_hash"]
    instructor.save(update_fields=["id_number_hash"])
    sheet = table(
        HOST_HEADERS,
        ["恒达机械", "企业", "单独建", "A1", "", "320", "是", "否"],
        ["蓝天装饰", "企业", "委派党建指导员", "A1", instructor_number, "23", "", ""],
        ["无主单位", "社会组织", "联合建", "", "", "", "", ""],
        ["顺发维修", "企业", "", "", "", "6", "", ""],
        ["坏标记", "企业", "", "", "", "", "可能", ""],
    )

    assert login(cast.secretary).get(reverse("imports:upload", args=["hosts"])).status_code == 404
    assert run("hosts", sheet, actor=cast.secretary).file_errors == ["您没有导入单位的权限。"]

    result = run("hosts", sheet, actor=cast.orgadmin)
    rows = outcomes(result)
    assert rows[2] == ("new", []) and rows[3] == ("new", []) and rows[5] == ("new", [])
    assert rows[4][1] == ["党组织编号：组建方式为“联合建”时须填写党组织。"]
    assert rows[6][1] == ["建有工会：“可能”应填“是”或“否”。"]

    good = table(HOST_HEADERS, *[row for row in sheet_rows(sheet) if row[0] in ("恒达机械", "蓝天装饰", "顺发维修")])
    run("hosts", good, actor=cast.orgadmin, commit=True)
    hengda = HostUnit.objects.get(name="恒达机械")
    assert (hengda.organisation, hengda.staff_count, hengda.has_trade_union) == (cast.branch_a, 320, True)
    assert HostUnit.objects.get(name="蓝天装饰").instructor == instructor
    assert HostUnit.objects.get(name="顺发维修").formation == HostUnit.Formation.NONE

    again = run("hosts", good, actor=cast.orgadmin)
    assert {row.outcome for row in again.rows} == {"skip"}
    bigger = table(HOST_HEADERS, ["恒达机械", "企业", "单独建", "A1", "", "330", "是", "否"])
    assert run("hosts", bigger, actor=cast.orgadmin).rows[0].changes == ["职工人数"]


def sheet_rows(sheet: Sheet) -> list[list]:
    return [list(row.values()) for row in sheet.rows]


# The roster: roles and work units ----------------------------------------------------------------------------

PEOPLE_HEADERS = ["姓名", "身份证号", "政治面貌", "取得日期", "工作单位", "职务", "任职日期"]


def test_a_roster_row_with_a_role_gives_the_account_its_scope_and_reimporting_does_not_assign_twice(cast):
    host = HostUnitFactory(name="东湖实验小学", sector=HostUnit.Sector.SCHOOL)
    number = fake_id_number(datetime.date(1975, 1, 1))
    sheet = table(PEOPLE_HEADERS, ["新书记", number, "正式党员", "2000-07-01", "东湖实验小学", "书记", "2024-01-05"])

    run("people", sheet, actor=cast.secretary, organisation=cast.branch_a, commit=True)

    person = Person.objects.get(name="新书记")
    assert (person.host, person.political_status) == (host, PoliticalStatus.FULL)
    role = RoleAssignment.objects.get(person=person)
    assert (role.role, role.organisation, role.start_date) == (Role.SECRETARY, cast.branch_a, datetime.date(2024, 1, 5))
    again = run("people", sheet, actor=cast.secretary, organisation=cast.branch_a)
    assert again.rows[0].outcome == "skip"
    assert RoleAssignment.objects.filter(person=person).count() == 1


def test_a_registered_person_gains_a_role_and_an_unknown_work_unit_is_refused(cast):
    number = fake_id_number(datetime.date(1966, 6, 6))
    run(
        "people",
        table(["姓名", "身份证号"], ["老委员", number]),
        actor=cast.secretary,
        organisation=cast.branch_a,
        commit=True,
    )
    sheet = table(PEOPLE_HEADERS, ["老委员", number, "", "", "", "委员", ""])

    preview = run("people", sheet, actor=cast.secretary, organisation=cast.branch_a)
    assert preview.rows[0].outcome == "update" and preview.rows[0].changes == ["职务"]
    unknown = run("people", table(PEOPLE_HEADERS, ["老委员", number, "", "", "无此单位", "", ""]), actor=cast.secretary)
    assert unknown.rows[0].errors == ["工作单位：单位“无此单位”未登记，请先导入或登记单位。"]


def test_the_person_rules_are_the_actions_rules_in_form_action_and_import(cast, login):
    """A status date before birth is refused the same way by all three (one home: person_new_problems)."""
    number = fake_id_number(datetime.date(1990, 1, 1))
    sheet = table(["姓名", "身份证号", "政治面貌", "取得日期"], ["早产党员", number, "入党申请人", "1989-12-31"])
    assert run("people", sheet, actor=cast.secretary, organisation=cast.branch_a).rows[0].errors == [
        "取得日期：不能早于出生日期。"
    ]
    with pytest.raises(Exception, match="取得日期不能早于出生日期"):
        branch_actions.person_create(
            actor=None,
            name="早产党员",
            organisation=cast.branch_a,
            id_number=number,
            political_status=PoliticalStatus.APPLICANT,
            status_date=datetime.date(1989, 12, 31),
        )
    response = login(cast.secretary).post(
        reverse("branches:person_create"),
        {
            "name": "早产党员",
            "id_number": number,
            "organisation": cast.branch_a.pk,
            "political_status": PoliticalStatus.APPLICANT,
            "status_date": "1989-12-31",
        },
    )
    assert response.status_code == 200 and "不能早于出生日期" in response.content.decode()
    assert not Person.objects.filter(name="早产党员").exists()


# Team members -------------------------------------------------------------------------------------------------

TEAM_HEADERS = ["服务队", "身份证号", "加入日期", "队内职务"]


def test_team_members_join_once_and_another_branchs_team_is_out_of_scope(cast):
    team = team_actions.team_create(actor=None, name="甲服务队", level=Team.Level.BRIGADE, organisation=cast.branch_a)
    team_actions.team_create(actor=None, name="乙服务队", level=Team.Level.BRIGADE, organisation=cast.branch_b)
    joiner = member(cast.branch_a, name="新队员")
    number = fake_id_number(datetime.date(1988, 8, 8))
    joiner.id_number_hash = branch_actions.id_number_fields(number)["id_number_hash"]
    joiner.save(update_fields=["id_number_hash"])
    sheet = table(TEAM_HEADERS, ["甲服务队", number, "2024-03-01", "副队长"], ["乙服务队", number, "2024-03-01", ""])

    result = run("team-members", sheet, actor=cast.secretary)
    assert result.rows[1].errors == ["服务队：服务队“乙服务队”不在您的管理范围内。"]

    good = table(TEAM_HEADERS, ["甲服务队", number, "2024-03-01", "副队长"])
    run("team-members", good, actor=cast.secretary, commit=True)
    membership = TeamMembership.objects.get(team=team, person=joiner)
    assert (membership.role, membership.joined_on) == (TeamMembership.Role.DEPUTY, datetime.date(2024, 3, 1))
    assert run("team-members", good, actor=cast.secretary).rows[0].outcome == "skip"


# The activity register: a committee's team on a branch's activity ---------------------------------------------


def test_a_committee_team_can_be_named_on_a_sub_branch_activity(cast):
    team_actions.team_create(
        actor=None, name="区委志愿服务大队", level=Team.Level.BRIGADE, organisation=cast.committee_org
    )
    number = fake_id_number(datetime.date(1980, 1, 1))
    volunteer = member(cast.branch_a, name="志愿者甲")
    volunteer.id_number_hash = branch_actions.id_number_fields(number)["id_number_hash"]
    volunteer.save(update_fields=["id_number_hash"])
    headers = ["活动名称", "类别", "开始时间", "结束时间", "地点", "服务队", "姓名", "身份证号", "出勤"]
    sheet = table(
        headers,
        [
            "义诊进社区",
            "义诊",
            "2024-03-12 09:00",
            "2024-03-12 11:00",
            "社区",
            "区委志愿服务大队",
            "志愿者甲",
            number,
            "出勤",
        ],
    )

    result = run("activities", sheet, actor=cast.orgadmin, organisation=cast.branch_a, commit=True)

    assert not result.has_problems, outcomes(result)
    activity = Activity.objects.get(title="义诊进社区")
    assert (activity.organisation, activity.team.name) == (cast.branch_a, "区委志愿服务大队")


# Files: encodings and bounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk_reads_the_same(encoding):
    sheet = sheet_read(file_name="名册.csv", content="姓名,身份证号\n张三,1\n".encode(encoding))
    assert sheet.headers == ["姓名", "身份证号"] and sheet.rows == [{"姓名": "张三", "身份证号": "1"}]


def test_a_zip_bomb_is_refused_from_its_directory_before_it_is_inflated(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    buffer = io.BytesIO(xlsx(["姓名"], ["张三"]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))  # 2 MB of zeros: a few KB packed
    content = buffer.getvalue()
    assert len(content) < 100 * 1024

    with pytest.raises(Exception, match="解压后超过 1 MB"):
        sheet_read(file_name="炸弹.xlsx", content=content)


# The pages ----------------------------------------------------------------------------------------------------


def test_the_import_index_lists_what_each_role_may_import(cast, login):
    orgadmin = login(cast.orgadmin).get(reverse("imports:index")).content.decode()
    assert all(title in orgadmin for title in ("组织架构", "单位", "人员名册", "服务队队员", "活动台账"))
    secretary = login(cast.secretary).get(reverse("imports:index")).content.decode()
    assert (
        "人员名册" in secretary
        and "单位导入" not in secretary
        and reverse("imports:upload", args=["hosts"]) not in secretary
    )
    assert login(cast.member).get(reverse("imports:index")).status_code == 404
    assert login(cast.secretary).get("/imports/nonsense/").status_code == 404


def test_the_upload_form_preselects_the_secretarys_branch_and_orgadmin_chooses(cast, login):
    form = login(cast.secretary).get(reverse("imports:upload", args=["people"])).context["form"]
    assert form.fields["organisation"].initial == cast.branch_a.pk
    form = login(cast.orgadmin).get(reverse("imports:upload", args=["people"])).context["form"]
    assert form.fields["organisation"].initial is None
    assert (
        "organisation" not in login(cast.orgadmin).get(reverse("imports:upload", args=["hosts"])).context["form"].fields
    )


def test_the_organisations_page_previews_and_confirms(cast, login):
    client = login(cast.orgadmin)
    content = xlsx(ORG_HEADERS, ["99", "新街道党工委", "党委", "", ""])
    preview = client.post(
        reverse("imports:upload", args=["organisations"]), {"file": SimpleUploadedFile("组织.xlsx", content)}
    )
    assert preview.status_code == 200 and preview.context["token"]
    assert not Organisation.objects.filter(code="99").exists()
    response = client.post(reverse("imports:confirm", args=["organisations"]), {"token": preview.context["token"]})
    assert response.status_code == 302 and response.url == reverse("branches:organisation_tree")
    assert Organisation.objects.get(code="99").name == "新街道党工委"
    # The token was for organisations: it is no key to another kind's confirm step.
    assert (
        client.post(reverse("imports:confirm", args=["people"]), {"token": preview.context["token"]}).status_code == 404
    )


# The command --------------------------------------------------------------------------------------------------


def test_import_xlsx_previews_commits_and_fails_on_a_bad_row(cast, tmp_path, capsys):
    good = tmp_path / "组织.xlsx"
    good.write_bytes(xlsx(ORG_HEADERS, ["77", "命令行党委", "党委", "", ""]))
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(xlsx(ORG_HEADERS, ["78", "", "党委", "", ""]))

    call_command("import_xlsx", "organisations", str(good))
    assert not Organisation.objects.filter(code="77").exists()
    assert "仅预览" in capsys.readouterr().out

    call_command("import_xlsx", "organisations", str(good), "--commit", "--as", cast.orgadmin.username)
    assert Organisation.objects.get(code="77").name == "命令行党委"
    assert AuditEvent.objects.filter(action="organisation.import", actor=cast.orgadmin).exists()

    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_xlsx", "organisations", str(bad), "--commit")
    assert "第 2 行：名称：不能为空。" in capsys.readouterr().err
    assert not Organisation.objects.filter(code="78").exists()

    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_xlsx", "organisations", str(good), "--commit", "--as", cast.secretary.username)


def test_import_xlsx_writes_each_kinds_template(tmp_path):
    for kind in ("organisations", "hosts", "people", "team-members", "activities"):
        out = tmp_path / f"{kind}.xlsx"
        call_command("import_xlsx", kind, "--template", str(out))
        workbook = openpyxl.load_workbook(out)
        headers = [cell.value for cell in workbook.worksheets[0][1]]
        assert headers == [column.header for column in importer_class(kind).columns]
        assert workbook.sheetnames[1] == "填写说明"


def test_secretary_scope_is_used_by_the_command(cast, tmp_path):
    """--as a secretary: the same scope as on the page (branch B is out of reach)."""
    cast.branch_b.code = "B1"
    cast.branch_b.save(update_fields=["code"])
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx(["姓名", "身份证号", "党组织"], ["越界者", fake_id_number(), "B1"]))
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_xlsx", "people", str(path), "--as", cast.secretary.username, "--commit")
    assert not Person.objects.filter(name="越界者").exists()
    call_command("import_xlsx", "people", str(path), "--as", cast.orgadmin.username, "--commit")
    assert Person.objects.get(name="越界者").organisation == cast.branch_b


# An import left half-way ---------------------------------------------------------------------------------------


def test_a_previewed_but_unconfirmed_upload_is_a_todo_that_can_be_resumed_or_discarded(cast, login):
    client = login(cast.secretary)
    content = xlsx(["姓名", "身份证号"], ["待确认者", fake_id_number(datetime.date(1991, 1, 1))])
    preview = client.post(
        reverse("imports:upload", args=["people"]),
        {"file": SimpleUploadedFile("名册.xlsx", content), "organisation": cast.branch_a.pk},
    )
    token = preview.context["token"]

    home = client.get(reverse("home"))
    assert {todo.kind: todo.count for todo in home.context["todo"]}["imports"] == 1
    index = client.get(reverse("imports:index")).content.decode()
    assert "名册.xlsx" in index and reverse("imports:resume", args=["people", token]) in index
    # Nobody else sees it, nor may open it.
    assert "名册.xlsx" not in login(cast.orgadmin).get(reverse("imports:index")).content.decode()
    assert login(cast.orgadmin).get(reverse("imports:resume", args=["people", token])).status_code == 404

    client = login(cast.secretary)
    resumed = client.get(reverse("imports:resume", args=["people", token]))
    assert resumed.status_code == 200 and resumed.context["token"] == token
    assert not Person.objects.filter(name="待确认者").exists()
    assert client.get(reverse("imports:discard", args=["people"])).status_code == 405
    discarded = client.post(reverse("imports:discard", args=["people"]), {"token": token})
    assert discarded.status_code == 302
    assert {todo.kind: todo.count for todo in client.get(reverse("home")).context["todo"]}["imports"] == 0
    assert client.get(reverse("imports:resume", args=["people", token])).status_code == 404
    assert not Person.objects.filter(name="待确认者").exists()


def test_organisations_set_up_together_form_the_tree_treebeard_would(cast):
    """organisations_create computes the paths itself: the tree stays sound (treebeard's own check), new children
    follow the existing ones, and the parents' child counts are right."""
    existing = list(Organisation.objects.get_children(cast.general_branch))
    created = branch_actions.organisations_create(
        actor=cast.orgadmin,
        organisations=[
            branch_actions.NewOrganisation("第三党支部", Organisation.Kind.BRANCH, "C3", cast.general_branch),
            branch_actions.NewOrganisation("第三支部一组", Organisation.Kind.PARTY_GROUP, "C3-1", "C3"),
            branch_actions.NewOrganisation("第三支部二组", Organisation.Kind.PARTY_GROUP, "C3-2", "C3"),
            branch_actions.NewOrganisation("新街道党工委", Organisation.Kind.COMMITTEE, "N1"),
        ],
    )

    assert all(not problems for problems in Organisation.objects.find_problems())
    children = list(Organisation.objects.get_children(Organisation.objects.get(pk=cast.general_branch.pk)))
    assert children == [*existing, created[0]]
    third = Organisation.objects.get(code="C3")
    assert third.numchild == 2 and [o.code for o in Organisation.objects.get_children(third)] == ["C3-1", "C3-2"]
    assert Organisation.objects.get(pk=cast.general_branch.pk).numchild == len(existing) + 1
    assert Organisation.objects.get(code="N1").is_root()
    # A later single organisation (the admin's path) takes the next place after them.
    fourth = branch_actions.organisation_create(
        actor=cast.orgadmin, name="第四党支部", kind=Organisation.Kind.BRANCH, parent=cast.general_branch
    )
    assert list(Organisation.objects.get_children(cast.general_branch))[-1] == fourth
    assert all(not problems for problems in Organisation.objects.find_problems())
