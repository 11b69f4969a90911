"""Demo data for demands: the holiday calendar around today, and ~60 demands across the district's branches, from
every channel and in every state — some overdue, at least one unmet (a category needing a skill nobody in the
branch's subtree has). Everything goes through the actions; received dates in the past are a secretary's entry."""

import datetime
import random
from collections import defaultdict

from branches.actions import calendar_fill, reference_row_save
from branches.demo.data import BRANCH_A, COMMITTEE_CODE, MEMBER_PHONE, code_for
from branches.models import CalendarDay, Organisation, Person
from portal.models import User
from services.actions.demands import demand_assign, demand_call_back, demand_complete, demand_receive
from services.models import Demand, DemandCategory
from services.selectors.demands import demand_summary_counts
from volunteers.models import PersonSkill, Team

SEED = 20240705
DAY = datetime.timedelta(days=1)
TOTAL = 60
IN_BRANCH_A = 16

# 春节 (first day of the lunar year): the holiday runs from the eve for seven days. Only for a year the calendar
# package does not know yet (its arrangement is published each November or December): a table, not a computation.
SPRING_FESTIVAL = {
    2027: datetime.date(2027, 2, 6),
    2028: datetime.date(2028, 1, 26),
    2029: datetime.date(2029, 2, 13),
    2030: datetime.date(2030, 2, 3),
}

CONTENTS = {
    "appliance": ["家里冰箱不制冷，老人独居不会处理", "洗衣机漏水，希望有人上门看看", "电视机没有信号，想请人帮忙调试"],
    "utilities": ["楼道灯坏了一个多星期，晚上出入不便", "厨房水管接头漏水", "家里跳闸后一直合不上"],
    "legal": ["租房押金被房东扣留，想咨询怎么维权", "家里老人赡养问题想咨询法律意见", "工伤赔偿的程序不清楚"],
    "health": ["希望社区定期给老人测血压", "母亲行动不便，想了解上门体检服务", "想咨询慢性病用药报销政策"],
    "elderly": ["独居老人希望有人每周探望", "残疾人出行需要有人陪同去医院复查", "老人想学用智能手机挂号"],
    "study": ["孩子数学跟不上，希望有志愿者辅导", "留守儿童暑假无人看管，希望有托管", "想给孩子找英语学习伙伴"],
    "environment": ["小区垃圾清运不及时，气味很大", "绿化带里堆了建筑垃圾", "楼下有人长期占道堆放杂物"],
    "dispute": ["楼上漏水到楼下，邻里协商不成", "停车位纠纷，希望社区出面调解", "装修噪音扰民，沟通无果"],
    "employment": ["失业半年，想了解就业培训信息", "残疾人想找一份居家就业的工作", "大学毕业生想了解见习岗位"],
    "other": ["希望小区增设休息座椅", "建议社区开办老年书法班", "想了解党群服务中心的开放时间"],
}
NAMES = ["王阿姨", "李大爷", "张女士", "刘先生", "陈奶奶", "赵师傅", "孙大姐", "周老师", "", "", ""]  # "" = anonymous
ADDRESSES = ["东湖路 18 号 3 栋", "滨江大道 66 号 2 单元", "学府路 2 号", "柳林村二组", "桃园村三组", "湖滨新村 5 栋"]
RESULTS = ["已安排党员上门处理，问题已解决", "已协调物业维修完毕", "已联系相关部门，按政策办理", "已组织志愿者上门服务"]
NOTES = ["电话回访，群众表示满意", "上门回访，问题已解决", "电话回访，希望以后响应更快一些", ""]
STATES = [Demand.State.RECEIVED, Demand.State.ASSIGNED, Demand.State.DONE, Demand.State.CALLED_BACK]
STATE_WEIGHTS = [2, 3, 2, 4]


def _calendar(*, actor: User, today: datetime.date) -> None:
    """This year's and next year's holidays and make-up workdays from the calendar package (as the calendar-fill
    job does); for a year the package does not know yet, the main holidays and one make-up workday from the table
    above, skipping dates already kept."""
    missing = calendar_fill(actor=actor, years=[today.year, today.year + 1])["unknown_years"]
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows: list[tuple[datetime.date, str, str]] = []
    for year in missing:
        rows.append((datetime.date(year, 1, 1), CalendarDay.Kind.HOLIDAY, "元旦"))
        if year in SPRING_FESTIVAL:
            eve = SPRING_FESTIVAL[year] - DAY
            rows += [(eve + i * DAY, CalendarDay.Kind.HOLIDAY, "春节") for i in range(7)]
        rows += [(datetime.date(year, 10, 1) + i * DAY, CalendarDay.Kind.HOLIDAY, "国庆节") for i in range(7)]
        # the last weekend day of September is worked instead (调休上班)
        makeup = datetime.date(year, 9, 30)
        while makeup.weekday() < 5:
            makeup -= DAY
        rows.append((makeup, CalendarDay.Kind.WORKDAY, "国庆节调休上班"))
    for day, kind, name in rows:
        if day not in existing:
            existing.add(day)
            reference_row_save(
                actor=actor, instance=CalendarDay(date=day, kind=kind, name=name), changed=["date", "kind", "name"]
            )


class _Builder:
    def __init__(self, actor: User, today: datetime.date) -> None:
        self.actor, self.today, self.rng = actor, today, random.Random(SEED)
        self.branches = list(
            Organisation.objects.filter(
                code__startswith=COMMITTEE_CODE, kind__in=Organisation.BRANCH_KINDS, is_archived=False
            ).order_by("path")
        )
        self.branch_a = next((b for b in self.branches if b.code == code_for(BRANCH_A)), None)
        self.categories = list(DemandCategory.objects.select_related("skill").order_by("order"))
        people = Person.objects.filter(is_active_member=True, organisation__path__startswith=self._root_path())
        people = list(people.select_related("organisation").order_by("pk"))
        self.people: dict[int, list[Person]] = {b.pk: [] for b in self.branches}
        self.skills: dict[int, set[int]] = defaultdict(set)  # branch → skills held in its subtree
        held = defaultdict(set)
        for person_id, skill_id in PersonSkill.objects.filter(person__in=people).values_list("person_id", "skill_id"):
            held[person_id].add(skill_id)
        self.held = held
        for branch in self.branches:
            for person in people:
                if person.organisation.path.startswith(branch.path):
                    self.people[branch.pk].append(person)
                    self.skills[branch.pk] |= held[person.pk]
        self.teams: dict[int, list[Team]] = {
            b.pk: list(Team.objects.filter(organisation__path__startswith=b.path, is_archived=False).order_by("path"))
            for b in self.branches
        }
        self.member = Person.objects.filter(phone=MEMBER_PHONE).first()

    def _root_path(self) -> str:
        return self.branches[0].path[: Organisation.steplen] if self.branches else ""

    def build(self) -> None:
        if not self.branches or not self.categories:
            return
        rng = self.rng
        plan: list[tuple[Organisation, DemandCategory, str, int]] = []  # branch, category, state, age in days
        # unmet: a branch whose subtree lacks a category's skill (received, waiting for someone to be found)
        unmet = [
            (branch, cat)
            for branch in self.branches
            for cat in self.categories
            if cat.skill_id and cat.skill_id not in self.skills[branch.pk]
        ]
        unmet.sort(key=lambda pair: (pair[0] != self.branch_a, pair[0].path))  # branch A's first, if it has one
        for branch, cat in unmet[:3]:
            plan.append((branch, cat, Demand.State.RECEIVED, rng.randint(0, 3)))
        # branch A: the secretary's list has overdue ones at the top
        if self.branch_a is not None:
            for state, age in [
                (Demand.State.RECEIVED, 15),
                (Demand.State.ASSIGNED, 20),
                (Demand.State.ASSIGNED, 11),
                (Demand.State.RECEIVED, 1),
                (Demand.State.ASSIGNED, 2),
            ]:
                plan.append((self.branch_a, self._met_category(self.branch_a), state, age))
            while sum(1 for p in plan if p[0] == self.branch_a) < IN_BRANCH_A:
                plan.append((self.branch_a, self._met_category(self.branch_a), *self._state_and_age()))
        while len(plan) < TOTAL:
            branch = rng.choice(self.branches)
            plan.append((branch, self._met_category(branch), *self._state_and_age()))
        for index, (branch, cat, state, age) in enumerate(plan):
            self._demand(index, branch, cat, state, age)

    def _met_category(self, branch: Organisation) -> DemandCategory:
        met = [c for c in self.categories if not c.skill_id or c.skill_id in self.skills[branch.pk]]
        return self.rng.choice(met or [c for c in self.categories if not c.skill_id])

    def _state_and_age(self) -> tuple[str, int]:
        state = self.rng.choices(STATES, STATE_WEIGHTS)[0]
        # open ones are recent (a few already late); closed ones go back further
        age = self.rng.choice([0, 1, 2, 3, 5, 6, 9, 14]) if state in Demand.OPEN_STATES else self.rng.randint(8, 90)
        return state, age

    def _demand(self, index: int, branch: Organisation, cat: DemandCategory, state: str, age: int) -> None:
        rng, actor = self.rng, self.actor
        name = rng.choice(NAMES)
        demand = demand_receive(
            actor=actor,
            organisation=branch,
            channel=Demand.Channel.values[index % len(Demand.Channel.values)],
            category=cat,
            content=rng.choice(CONTENTS.get(cat.code, CONTENTS["other"])),
            requester_name=name,
            requester_phone=f"139{rng.randint(0, 99_999_999):08d}" if name else "",
            requester_address=rng.choice(ADDRESSES) if name else "",
            received_on=self.today - age * DAY,
        )
        if state == Demand.State.RECEIVED:
            return
        demand = demand_assign(actor=actor, demand=demand, **self._assignee(branch, cat, index))
        if state == Demand.State.ASSIGNED:
            return
        # most are done within the deadline; every seventh takes longer (done late: overdue stays on the record)
        late = index % 7 == 0
        done_on = demand.deadline + rng.randint(1, 6) * DAY if late else demand.received_on + rng.randint(1, 6) * DAY
        done_on = min(done_on, self.today)
        demand = demand_complete(actor=actor, demand=demand, result=rng.choice(RESULTS), done_on=done_on)
        if state == Demand.State.DONE:
            return
        satisfaction = rng.choices(Demand.Satisfaction.values, [14, 5, 1])[0]
        demand_call_back(
            actor=actor,
            demand=demand,
            callback_on=min(done_on + rng.randint(0, 3) * DAY, self.today),
            satisfaction=satisfaction,
            note=rng.choice(NOTES),
        )

    def _assignee(self, branch: Organisation, cat: DemandCategory, index: int) -> dict:
        teams = self.teams[branch.pk]
        if branch == self.branch_a and self.member is not None and index % 3 == 0:
            return {"person": self.member}  # the demo member has demands of their own
        if teams and index % 4 == 1:
            return {"team": self.rng.choice(teams)}
        people = self.people[branch.pk]
        skilled = [p for p in people if cat.skill_id and cat.skill_id in self.held[p.pk]]
        if skilled or people:
            return {"person": self.rng.choice(skilled or people)}
        return {"team": self.rng.choice(teams)} if teams else {"person": self.member}


def demands_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows for the demo district; called once, inside seed_demo's transaction."""
    _calendar(actor=actor, today=today)
    _Builder(actor, today).build()


def demands_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    counts = demand_summary_counts()
    total = sum(counts.get(state, 0) for state in Demand.State.values)
    if not total:
        return ""
    received, assigned, done, called_back = (counts.get(state, 0) for state in Demand.State.values)
    return (
        f"群众需求 {total} 件：已受理 {received}、已交办 {assigned}、已办结 {done}、已回访 {called_back}；"
        f"逾期 {counts['overdue']} 件"
    )
