"""The audit log in words (审计日志): what each recorded action code is called, the object's name, and the changes
as 字段：之前 → 之后 with the model's field names and choice labels — never code names or raw JSON.

ACTION_LABELS holds one label per action code that the actions record (`audit_record(action=…)`);
tests/portal/test_audit_viewer.py reads every code out of the source and fails on one without a label here. An
unknown code (an old row, a code added without a label) still reads as Chinese where its parts are known
(`noun.verb` → 「活动 · 新建」) and falls back to the code itself.
"""

import functools
import json
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

ACTION_LABELS = {
    # accounts and notifications
    "account.create": "开通账号",
    "account.update": "修改账号",
    "account.create_org_department": "开通组织部账号",
    "account.deactivate": "停用账号",
    "account.reactivate": "恢复账号",
    "account.open": "开通账号（初始密码）",
    "account.open_batch": "批量开通账号",
    "account.link": "关联账号",
    "account.notification_channels": "设置提醒方式",
    "account.unlink": "解除账号关联",
    "account.password_reset": "重置密码",
    "account.password_choose": "首次登录设置密码",
    "calendarday.fill": "按节假日库补全节假日安排",
    "organisation.import": "导入组织架构",
    "hostunit.import": "导入单位",
    "team.member_import": "导入服务队队员",
    "activity.register_import": "导入活动台账",
    "account.grant_secretary": "授予书记权限",
    "account.password_set": "设置密码",
    "notification.send": "发送提醒",
    "report.start": "生成年度报告",
    "report.done": "年度报告生成完成",
    "report.download": "下载年度报告",
    # organisations, people, mobile members, reference rows
    "organisation.create": "新建党组织",
    "organisation.update": "修改党组织",
    "organisation.move": "调整上级党组织",
    "rules.update": "修改组织工作参数",
    "person.create": "新增人员",
    "person.update": "修改人员信息",
    "person.status_step": "登记政治面貌",
    "person.event.join": "登记入党",
    "person.event.transfer_in": "登记转入",
    "person.event.transfer_out": "登记转出",
    "person.event.retire": "登记退休",
    "person.event.death": "登记去世",
    "person.event.exit": "登记出党/退党",
    "person.export": "导出人员名册",
    "person.roster_import": "导入名册",
    "person.skills": "修改人员技能",
    "role.assign": "任命职务",
    "role.end": "结束职务",
    "mobile.depart": "登记外出",
    "mobile.return": "登记返回",
    "mobile.report.written": "登记书面汇报",
    "mobile.report.oral": "登记口头汇报",
    "mobile.report.check": "登记回访核实",
    "hostunit.create": "新增单位",
    "hostunit.update": "修改单位",
    "grid.create": "新增网格",
    "grid.update": "修改网格",
    "calendarday.create": "新增节假日安排",
    "calendarday.update": "修改节假日安排",
    # teams and volunteers
    "team.create": "新建服务队",
    "team.update": "修改服务队",
    "team.apply": "申请入队",
    "team.member_add": "接收队员",
    "team.member_leave": "队员离队",
    "team.review_propose": "提出队伍梳理建议",
    "team.review_run": "运行队伍梳理",
    "team.review_confirmed": "确认梳理建议",
    "team.review_rejected": "不采纳梳理建议",
    "skill.save": "保存技能",
    "volunteers.star_levels": "修改星级标准",
    # activities and hours
    "activity.create": "新建活动",
    "activity.update": "修改活动",
    "activity.published": "发布活动",
    "activity.cancelled": "取消活动",
    "activity.ended": "结束活动",
    "activity.closed": "关闭活动",
    "activity.attendance": "登记出勤",
    "activity.export": "导出活动台账",
    "activity.register": "导入活动台账",
    "activity_category.create": "新增活动类别",
    "activity_category.update": "修改活动类别",
    "participation.sign_up": "报名活动",
    "participation.withdraw": "取消报名",
    "hours.approve": "审核服务时长",
    "hours.correct": "更正服务时长",
    # community registers
    "demand.receive": "登记群众需求",
    "demand.assign": "交办需求",
    "demand.complete": "办结需求",
    "demand.call_back": "回访需求",
    "demand_category.create": "新增需求类别",
    "demand_category.update": "修改需求类别",
    "pledge.create": "新建承诺",
    "pledge.item_add": "新增承诺事项",
    "pledge.progress": "登记践诺进展",
    "pledge.appraise": "评议承诺",
    "pledge.withdraw": "撤回承诺",
    "post.create": "设立先锋岗",
    "post.update": "修改先锋岗",
    "post.check": "检查先锋岗",
    "post.end": "撤销先锋岗",
    "household.create": "新增帮扶对象",
    "household.update": "修改帮扶对象",
    "pairing.create": "建立结对",
    "pairing.update_plan": "修改帮扶计划",
    "pairing.visit": "登记走访",
    "pairing.end": "结束结对",
    "pairing.export": "导出一帮一登记册",
    # meetings (组织生活)
    "meeting.plan": "安排会议",
    "meeting.update": "修改会议",
    "meeting.hold": "登记会议召开",
    "meeting.attendance": "登记会议出勤",
    "meeting.leave_request": "申请请假",
    "meeting.leave_decide": "审批请假",
    "meeting.archive": "会议归档",
    "meeting.note": "添加会议更正说明",
    "meeting.attachments": "上传会议附件",
    # evaluations
    "rating.register_bulk": "录入群众评价",
    "follow_up.open": "生成差评整改",
    "follow_up.call_back": "差评回访",
    "follow_up.rectify": "差评整改",
    "follow_up.close": "差评整改办结",
    "questionnaire.create": "新建问卷",
    "questionnaire.question_add": "新增问卷题目",
    "questionnaire.question_edit": "修改问卷题目",
    "questionnaire.question_move": "调整题目顺序",
    "questionnaire.question_remove": "删除问卷题目",
    "questionnaire.publish": "发布问卷",
    "questionnaire.close": "结束问卷收集",
    "questionnaire.new_version": "创建问卷新版本",
    "questionnaire.paper_enter": "录入纸质问卷",
    "questionnaire.export": "导出问卷结果",
    "points.settle": "结算积分",
    "points.export": "导出积分表",
    "points.rule_set.create": "新建积分规则",
    "points.rule_set.new_version": "修改积分规则（新版本）",
    "points.adjustment.request": "申请积分调整",
    "points.adjustment.approve": "批准积分调整",
    "points.adjustment.reject": "驳回积分调整",
    "points.entry.reverse": "冲正积分",
    "review_round.open": "开启民主评议",
    "review_round.remind": "提醒民主评议",
    "review_round.close": "结束民主评议",
    "review_round.export": "导出评议结果",
    "review_sheet.self_submit": "提交自评",
    "review_sheet.organisation_score": "组织评价打分",
    "review_sheet.follow_up": "登记批评教育",
    "peer_score.submit": "提交互评",
    "assessment.create": "评星定级",
    "assessment.update": "修改评星定级",
}

# The verb of an unknown code (its last part), for the fallback 「新建 + the object's name」.
_VERBS = {"create": "新建", "update": "修改", "export": "导出", "import": "导入", "close": "结束", "save": "保存"}

# Facts some actions record beside before → after pairs (counts, filters, files): their names in words.
FACT_LABELS = {
    "rows": "行数",
    "filters": "筛选条件",
    "file": "文件",
    "created": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "fields": "修改的字段",
    "before": "之前",
    "after": "之后",
    "entries": "记录",
    "visit": "走访记录",
    "photos": "照片数",
    "masked": "已遮蔽",
    "source": "来源",
    "activity_ids": "活动",
    "activities": "活动数",
    "participations": "参与记录数",
    "hours": "时长",
    "reason": "原因",
    "year": "年度",
    "until": "截至",
    "counts": "数量",
    "grades": "评定等次",
    "figures": "测评数据",
    "stars": "星级",
    "previous": "上一版本",
    "previous_state": "上一版本状态",
    "questions": "题目数",
    "questionnaire": "问卷",
    "answers": "答卷数",
    "responses": "答卷数",
    "reverses": "冲正的记录",
    "score": "分数",
    "weights": "权重",
    "sheets": "评议表数",
    "parent": "上级党组织",
    "state": "状态",
    "name": "名称",
    "title": "标题",
    "options": "选项",
    "skills": "技能",
    "rules": "规则",
    # the measured figures of a branch assessment
    "members": "党员数",
    "participants": "参与党员数",
    "ratings": "评价数",
    "ratings_good": "满意评价数",
    "ratings_level_sum": "评分合计",
    "demands_due": "到期需求数",
    "demands_on_time": "按时办结数",
    "review_rounds": "评议轮次",
    "review_sheets": "评议表数",
    "reviews_graded": "已评定数",
    "activities_per_member": "人均活动数",
    "participation_rate": "党员参与率（%）",
    "satisfaction_rate": "群众满意率（%）",
    "satisfaction_average": "满意度平均分",
    "demands_on_time_rate": "需求按时办结率（%）",
    "reviews_completed_rate": "民主评议完成率（%）",
    # meetings: attendance counts, leave decisions, attachments
    "changed": "变更人数",
    "unmarked": "未登记",
    "present": "出席",
    "leave": "请假",
    "absent": "缺席",
    "approve": "批准",
    "person": "党员",
    "attachments": "附件",
    "note": "更正说明",
    # an activity register import
    "existing": "已存在",
    "hours_entries": "时长记录数",
    "approved": "已审核",
    "own_pending": "本人待审核",
}
# Facts whose keys mean something of their own (a review round's weights are per input, not fields).
NESTED_LABELS = {"weights": {"self": "自评", "mutual": "互评", "mass": "群众评价", "organisation": "组织评价"}}
# Facts whose value is a list of things rather than a [before, after] pair.
LIST_FACTS = {"activity_ids", "entries", "fields", "options"}


def action_label(code: str, object_type: str = "") -> str:
    """The action in words: its label; for a code without one, its verb and the object's name (「新建单位」);
    else the code itself."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    verb = code.rpartition(".")[2]
    model = object_model(object_type)
    if verb in _VERBS and model is not None:
        return f"{_VERBS[verb]}{model._meta.verbose_name}"
    return code


def object_model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def object_label(object_type: str) -> str:
    """The object's kind as its model calls it (「年度报告」 for reports.ReportExport), else what was stored."""
    model = object_model(object_type)
    return str(model._meta.verbose_name) if model else object_type


OUR_APPS = ("portal", "branches", "volunteers", "services", "evaluations", "reports")


@functools.cache
def _fields_by_name() -> dict[str, list[models.Field]]:
    """Every concrete field of our models by name: a fact recorded against another object (a questionnaire's
    question, a rule set's rules) still finds its field's Chinese name."""
    found: dict[str, list[models.Field]] = {}
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS:
            for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
                found.setdefault(field.name, []).append(field)
    return found


@functools.cache
def _choice_labels() -> dict[str, str]:
    """Every choice value of our models' fields → its label (the first app's, in dependency order): for the keys
    of counts such as {"attended": 3}."""
    labels: dict[str, str] = {}
    for fields in _fields_by_name().values():
        for field in fields:
            for value, label in field.flatchoices:
                labels.setdefault(str(value), str(label))
    return labels


def _field(model: type[models.Model] | None, name: str, value: Any = None) -> models.Field | None:
    """The field a recorded key names: the object's own, else the one of our fields of that name whose choices
    hold the value (or the first of that name)."""
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if isinstance(field, models.Field):
            return field
    candidates = _fields_by_name().get(name, [])
    for field in candidates:
        if field.choices and isinstance(value, (str, int)) and value in dict(field.flatchoices):
            return field
    return candidates[0] if candidates else None


def field_label(model: type[models.Model] | None, name: str, value: Any = None) -> str:
    if model is not None and _field(model, name) is not None and name not in FACT_LABELS:
        return str(_field(model, name).verbose_name)
    if name in FACT_LABELS:
        return FACT_LABELS[name]
    field = _field(None, name, value)
    if field is not None:
        return str(field.verbose_name)
    return _choice_labels().get(name, name)


def value_text(
    value: Any, field: models.Field | None = None, model: type[models.Model] | None = None, key: str = ""
) -> str:
    """A recorded value in words: a choice's label, 是/否, #pk for a related row, — for nothing, lists joined,
    facts as 名称：值."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and field.choices and not isinstance(value, (list, dict)):
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and isinstance(value, int):
        return f"#{value}"
    if isinstance(value, list):
        return "、".join(value_text(item) for item in value) or "—"
    if isinstance(value, dict):
        own = NESTED_LABELS.get(key, {})
        parts = []
        for k, v in value.items():
            label = own.get(str(k)) or field_label(model, str(k), v)
            parts.append(f"{label}：{value_text(v, None if str(k) in own else _field(model, str(k), v))}")
        return "；".join(parts) or "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (str, int)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def change_rows(object_type: str, changes: Any) -> list[dict[str, str]]:
    """The changes as rows of a small table: {field, before, after} for the [before, after] pairs that
    `portal.audit.diff` records, {field, value} for other facts (counts, filters), one row for anything else."""
    model = object_model(object_type)
    if not isinstance(changes, dict):
        return [{"field": "", "value": value_text(changes, model=model)}] if changes else []
    rows = []
    for key, value in changes.items():
        label = field_label(model, key)
        if key == "fields" and isinstance(value, list):  # the names of the fields an edit changed
            rows.append({"field": label, "value": "、".join(field_label(model, str(name)) for name in value) or "—"})
        elif isinstance(value, list) and len(value) == 2 and key not in LIST_FACTS:
            field = _field(model, key, value[1])
            rows.append({"field": label, "before": value_text(value[0], field), "after": value_text(value[1], field)})
        else:
            field = None if key in FACT_LABELS else _field(model, key, value)
            rows.append({"field": label, "value": value_text(value, field, model, key)})
    return rows
