"""Demo data for pairing help (结对帮扶): ~40 households of every situation in the demo district's branches, one
pairing each (started 10–14 months ago) with a visit in most months, some months missed (a few pairings have
missed recent months, so the 缺访 filter has something to show), two pairings ended, and a few visits with a
small generated photo. Everything through the actions; all names, addresses and phones are fictional.

The demo member (branch A's `member` login) helps the first household of branch A, so their page shows it."""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from branches.demo.data import BRANCH_A, MEMBER_PHONE, ORGANISATIONS, code_for
from branches.models import Organisation, Person, PoliticalStatus
from portal.models import User
from services.actions.pairing import household_create, pairing_create, pairing_end, visit_record
from services.models import Household, Pairing, PairingVisit
from services.selectors.pairing import missed_recently_q

SEED = 20240815
HOUSEHOLDS = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程"
GIVEN = ["桂英", "秀兰", "建国", "德福", "玉梅", "长顺", "淑芬", "国强", "春花", "志明", "金凤", "永胜", "凤英", "福生"]
STREETS = ["东湖路", "湖滨路", "滨江大道", "柳岸街", "青石巷", "新华路", "育才路", "光明街"]
SITUATION_NOTES = {
    Household.Situation.SUBSISTENCE: ("享受低保，无固定收入", "代办低保年审、介绍公益岗位"),
    Household.Situation.DISABILITY: ("家中有肢体残疾人员，行动不便", "代购生活用品、协助申请残疾人补贴"),
    Household.Situation.LABOUR: ("家庭缺少劳动力，子女在外地", "帮助修缮房屋、代办日常事务"),
    Household.Situation.ILLNESS: ("户主患慢性病，长期服药", "陪同就医、协助办理医保报销"),
    Household.Situation.DISASTER: ("去年汛期房屋受损", "协助申请救助资金、帮助修缮房屋"),
    Household.Situation.SCHOOLING: ("两个孩子在读，负担较重", "辅导功课、联系助学金"),
    Household.Situation.LEFT_BEHIND_CHILD: ("父母在外务工，孩子随祖辈生活", "课后陪伴、心理关爱"),
    Household.Situation.OLD_MEMBER: ("老党员年事已高，独居", "定期探望、代缴党费、读报学习"),
    Household.Situation.OTHER: ("家庭突发变故", "心理疏导、链接社会资源"),
}
VISIT_NOTES = [
    "上门了解近况，身体状况稳定，帮助打扫了卫生。",
    "送去米、油等生活用品，叮嘱注意天气变化。",
    "陪同到社区卫生服务站复诊，取回药品。",
    "协助填写补贴申请表，已交社区受理。",
    "检查了家中水电燃气，更换了一个漏水的水龙头。",
    "与孩子聊了学习情况，辅导数学作业一小时。",
    "电话沟通后上门，帮助预约下月体检。",
    "了解到近期开支较大，已向支部反映，拟申请临时救助。",
    "一起读报学习，听老人讲入党经历。",
    "节前慰问，送去慰问金和春联。",
]
END_REASONS = ["已脱困，家庭收入稳定", "搬离本社区，已移交新住地党组织"]
PHOTO_EVERY = 45  # about one visit in 45 carries a photo


def _branches() -> list[Organisation]:
    codes = [code_for(key) for key, _name, kind, *_ in ORGANISATIONS if kind in Organisation.BRANCH_KINDS]
    return list(Organisation.objects.filter(code__in=codes).order_by("path"))


def _helpers(branch: Organisation) -> list[Person]:
    return list(
        Person.objects.filter(
            organisation__path__startswith=branch.path,
            is_active_member=True,
            political_status=PoliticalStatus.FULL,
        ).order_by("pk")
    )


def _photo(rng: random.Random, index: int) -> SimpleUploadedFile:
    """A tiny JPEG made in memory: a coloured card with a few shapes (stands in for a phone photo)."""
    image = Image.new("RGB", (160, 120), (rng.randint(150, 230), rng.randint(150, 230), rng.randint(150, 230)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 60, 140, 110), fill=(200, 22, 29))
    draw.ellipse((60, 15, 100, 55), fill=(250, 220, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(f"visit-{index}.jpg", out.getvalue(), content_type="image/jpeg")


def _month_starts(start: datetime.date, today: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= today:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def pairing_demo_build(*, actor: User, today: datetime.date) -> None:
    """Builds this area's demo rows for the demo district; called once, inside seed_demo's transaction."""
    rng = random.Random(SEED)
    branches = [(branch, _helpers(branch)) for branch in _branches()]
    branches = [(branch, helpers) for branch, helpers in branches if helpers]
    if not branches:
        return
    member = Person.objects.filter(phone=MEMBER_PHONE, organisation__code=code_for(BRANCH_A)).first()
    situations = list(Household.Situation.values)
    photo_count = 0
    for index in range(HOUSEHOLDS):
        branch, helpers = branches[index % len(branches)]
        situation = situations[index % len(situations)]
        note, content = SITUATION_NOTES[situation]
        household = household_create(
            actor=actor,
            organisation=branch,
            head_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            address=f"{branch.name[:4]}{rng.choice(STREETS)}{rng.randint(1, 120)}号{rng.randint(1, 12)}栋"
            f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
            phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
            situation=situation,
            size=rng.randint(1, 5),
            notes=note,
        )
        first_of_a = branch.code == code_for(BRANCH_A) and index < len(branches)
        helper = member if first_of_a and member is not None and member.is_party_member else rng.choice(helpers)
        started = today - datetime.timedelta(days=rng.randint(300, 425))
        pairing = pairing_create(
            actor=actor,
            helper=helper,
            household=household,
            started_on=started,
            help_plan=f"每月至少走访一次；{content}；遇到困难及时向支部报告。",
            content=content,
        )
        months = _month_starts(started, today)
        ends = index in (7, 23)  # two pairings ended a couple of months ago
        lapsed = index % 6 == 5  # these miss one of the last completed months (the 缺访 filter)
        if ends:
            months = months[:-3]
        last_visit = None
        for position, month in enumerate(months):
            recent = len(months) - position  # 1 = this month, 2 = last month …
            if rng.random() < 0.08 or (lapsed and recent == 2):
                continue  # a month missed
            day = month + datetime.timedelta(days=rng.randint(2, 26))
            day = min(max(day, started), today)
            if day < month:  # only possible in the start month clipping: skip it
                continue
            photos = []
            if (index * 13 + position) % PHOTO_EVERY == 0:
                photo_count += 1
                photos = [_photo(rng, photo_count)]
            visit_record(actor=actor, pairing=pairing, date=day, notes=rng.choice(VISIT_NOTES), photos=photos)
            last_visit = day
        if ends and last_visit is not None:
            pairing_end(
                actor=actor,
                pairing=pairing,
                ended_on=min(last_visit + datetime.timedelta(days=10), today),
                reason=END_REASONS[0 if index == 7 else 1],
            )


def pairing_demo_summary() -> str:
    """One Chinese line for seed_demo's output ("" to print nothing)."""
    pairs = Pairing.objects.count()
    if not pairs:
        return ""
    visits = PairingVisit.objects.count()
    lapsed = Pairing.objects.filter(missed_recently_q()).count()
    return f"结对帮扶 {pairs} 对，走访 {visits} 次，近三个月缺访 {lapsed} 对"
