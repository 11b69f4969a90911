"""Demo data for pledges and posts: every branch of the demo district gets this year's pledges with progress, last
year's pledges appraised (each result present), and posts of all three kinds — some checked lately, some never.
Everything goes through the actions, as the orgadmin."""

import datetime
import random
from decimal import Decimal

from django.db.models import Count, Q

from branches.demo.data import BRANCH_A, COMMITTEE_CODE, MEMBER_PHONE, code_for
from branches.models import Organisation, Person, PoliticalStatus
from portal.models import User
from services.actions import pledges as actions
from services.models import Pledge, Post

SEED = 20240815

# (title, [(content, target, unit), …]) — concrete and measurable, as the items must be
MEMBER_PLEDGES = [
    ("结对帮扶困难群众", [("走访结对困难户", 12, "次"), ("帮助解决实际困难", 6, "件")]),
    ("参加志愿服务", [("参加社区志愿服务", 40, "小时"), ("参加主题党日活动", 12, "次")]),
    ("当好楼道长", [("联系楼道居民", 30, "户"), ("收集反映居民意见", 10, "条")]),
    ("政策宣传进家门", [("入户宣传政策", 50, "户")]),
    ("助学帮困", [("辅导困难家庭学生", 24, "次"), ("捐赠学习用品", 20, "件"), ("家访", 4, "次")]),
    ("岗位建功", [("提出合理化建议", 5, "条"), ("带徒传艺", 2, "人")]),
]
ORGANISATION_PLEDGES = [
    ("办好群众身边实事", [("为民办实事", 10, "件"), ("开展便民服务活动", 12, "场")]),
    ("建强党员服务队伍", [("开展志愿服务", 24, "场"), ("新增注册志愿者", 15, "人")]),
    ("畅通民意渠道", [("召开民情恳谈会", 4, "次"), ("办结群众诉求", 30, "件"), ("回访群众", 30, "户")]),
]
NOTES = ["按计划完成", "结合主题党日开展", "与社区网格员一起", "利用周末时间", ""]
RESULTS = [Pledge.Result.FULFILLED, Pledge.Result.PARTIAL, Pledge.Result.UNFULFILLED]
RATINGS = [Pledge.Rating.GOOD, Pledge.Rating.FAIR, Pledge.Rating.GENERAL, Pledge.Rating.POOR]
COMMENTS = {
    Pledge.Result.FULFILLED: "承诺事项全部完成，群众反映好。",
    Pledge.Result.PARTIAL: "大部分事项完成，个别事项进度滞后，来年继续努力。",
    Pledge.Result.UNFULFILLED: "承诺事项完成较少，已谈心谈话并督促整改。",
}
# (kind, title, duties, service content)
POSTS = [
    (
        Post.Kind.PIONEER,
        "便民服务先锋岗",
        "带头做好窗口服务，主动亮明党员身份，接受群众监督。",
        "政策咨询、代办帮办、困难群众上门服务。",
    ),
    (
        Post.Kind.AREA,
        "楼栋党员责任区",
        "联系责任区内住户，收集社情民意，协助化解邻里矛盾。",
        "每月走访责任区住户，及时反映和协调解决群众诉求。",
    ),
    (
        Post.Kind.MODEL,
        "党员示范岗",
        "在本职岗位上争当标兵，发挥示范带动作用。",
        "技术帮带、优质服务、安全生产示范。",
    ),
]
SUPERVISION_PHONE = "12388"  # the discipline-inspection hotline: every post's public supervision number


def _branches() -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            code__startswith=COMMITTEE_CODE, kind__in=Organisation.BRANCH_KINDS, is_archived=False
        ).order_by("path")
    )


def _members(branch: Organisation) -> list[Person]:
    people = list(
        Person.objects.filter(
            organisation=branch, is_active_member=True, political_status=PoliticalStatus.FULL
        ).order_by("pk")
    )
    # the demo member's own pledge, so logging in as `member` shows one
    people.sort(key=lambda p: p.phone != MEMBER_PHONE)
    return people


def _items(rows: list[tuple]) -> list[dict]:
    return [{"content": content, "target": Decimal(target), "unit": unit} for content, target, unit in rows]


def _progress(rng: random.Random, actor: User, pledge: Pledge, first: datetime.date, last: datetime.date) -> None:
    """A few progress entries per item, dated between `first` and `last`, reaching 20–110% of the target."""
    span = (last - first).days
    for item in pledge.items.all():
        share = rng.uniform(0.2, 1.1)
        entries = rng.randint(1, 4)
        amount = max(Decimal("1"), (item.target * Decimal(str(share)) / entries).quantize(Decimal("1")))
        for _ in range(entries):
            actions.pledge_progress_record(
                actor=actor,
                item=item,
                date=first + datetime.timedelta(days=rng.randint(0, span)),
                amount=amount,
                note=rng.choice(NOTES),
            )


def pledges_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows for the demo district; called once, inside seed_demo's transaction."""
    rng = random.Random(SEED)
    this_year, last_year = today.year, today.year - 1
    result_turn = 0
    for index, branch in enumerate(_branches()):
        members = _members(branch)
        # this year: ~3 member pledges and the branch's own, in progress
        for person in members[:3]:
            title, rows = rng.choice(MEMBER_PLEDGES)
            pledge = actions.pledge_create(
                actor=actor, year=this_year, organisation=branch, person=person, title=title, items=_items(rows)
            )
            _progress(rng, actor, pledge, datetime.date(this_year, 1, 1), today)
        title, rows = ORGANISATION_PLEDGES[index % len(ORGANISATION_PLEDGES)]
        pledge = actions.pledge_create(
            actor=actor, year=this_year, organisation=branch, title=title, items=_items(rows)
        )
        _progress(rng, actor, pledge, datetime.date(this_year, 1, 1), today)
        # last year: two member pledges and the branch's, appraised; the results take turns so each is present
        for person in [*members[3:5], None]:
            title, rows = rng.choice(ORGANISATION_PLEDGES if person is None else MEMBER_PLEDGES)
            pledge = actions.pledge_create(
                actor=actor, year=last_year, organisation=branch, person=person, title=title, items=_items(rows)
            )
            _progress(rng, actor, pledge, datetime.date(last_year, 1, 1), datetime.date(last_year, 12, 31))
            result = RESULTS[result_turn % len(RESULTS)]
            result_turn += 1
            actions.pledge_appraise(
                actor=actor,
                pledge=pledge,
                leader_comment=COMMENTS[result],
                mutual_rating=RATINGS[RESULTS.index(result)],
                mass_rating=rng.choice(RATINGS[: RESULTS.index(result) + 2]),
                result=result,
            )
        # posts: two per branch, the kinds taking turns; every other one checked lately, the rest never
        for turn, person in enumerate(members[:2]):
            kind, title, duties, content = POSTS[(index + turn) % len(POSTS)]
            post = actions.post_create(
                actor=actor,
                kind=kind,
                person=person,
                title=title,
                duties=duties,
                service_content=content,
                contact=f"0571-8866{index:02d}{turn:02d}",  # the post's duty phone, not the member's own mobile
                supervision_phone=SUPERVISION_PHONE,
            )
            if (index + turn) % 2 == 0:
                actions.post_check(
                    actor=actor,
                    post=post,
                    checked_on=today - datetime.timedelta(days=rng.randint(3, 40)),
                    note="岗位职责落实到位，群众评价好。",
                )
    # Branch A (the demo secretary's) also has a post overdue for its check: checked long ago.
    branch_a = Organisation.objects.filter(code=code_for(BRANCH_A)).first()
    members = _members(branch_a) if branch_a else []
    if len(members) > 2:
        kind, title, duties, content = POSTS[2]
        post = actions.post_create(
            actor=actor,
            kind=kind,
            person=members[2],
            title="社区卫生服务示范岗",
            duties=duties,
            service_content="健康咨询、慢病随访、上门服务。",
            contact="0571-88669999",
            supervision_phone=SUPERVISION_PHONE,
        )
        actions.post_check(actor=actor, post=post, checked_on=today - datetime.timedelta(days=200), note="已整改。")


def pledges_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    demo = Q(organisation__code__startswith=COMMITTEE_CODE)
    pledges = Pledge.objects.filter(demo, is_withdrawn=False).aggregate(
        total=Count("pk"),
        members=Count("pk", filter=Q(person__isnull=False)),
        fulfilled=Count("pk", filter=Q(result=Pledge.Result.FULFILLED)),
    )
    posts = Post.objects.filter(demo, is_active=True).count()
    if not pledges["total"] and not posts:
        return ""
    return (
        f"承诺 {pledges['total']} 份（党员 {pledges['members']}、党组织 {pledges['total'] - pledges['members']}），"
        f"已践诺 {pledges['fulfilled']}；党员岗位 {posts} 个"
    )
