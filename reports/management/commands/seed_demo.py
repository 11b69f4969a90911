"""`manage.py seed_demo`: builds the fictional demo district once and prints the demo logins (safe to re-run).

It lives in `reports`, the top app, because it runs every app's demo builder in dependency order: the district
(`branches.demo`), then its volunteer teams and year of service activities (`services.demo`), then the
community registers (`services.demo.community`), then the evaluations (`evaluations.demo`). Each part is built
only when it is missing, so a database seeded before the services part existed gets it on the next run."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from branches.demo.build import demo_build, demo_exists, demo_summary
from branches.demo.data import PASSWORD
from branches.demo.logins import Login, demo_accounts_ensure
from branches.models import HostUnit, Organisation, PoliticalStatus
from evaluations.demo import evaluations_demo_build, evaluations_demo_exists, evaluations_demo_summary
from meetings.demo import meetings_demo_ensure, meetings_demo_summary
from portal.models import User
from services.demo.build import services_demo_build, services_demo_exists, services_demo_summary
from services.demo.community import community_demo_build, community_demo_exists, community_demo_summary
from services.models import Activity

URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "生成虚构的演示街道（党组织、单位、网格、人员、职务、流动党员、志愿服务队和一年的服务活动）并打印演示账号；"
        "重复运行不会重复生成。"
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            with transaction.atomic():  # all or nothing: a failure leaves no half-built district behind
                existed = demo_exists()
                if not existed:
                    demo_build()
                logins = demo_accounts_ensure(reset_passwords=existed)
                services_existed = services_demo_exists()
                actor = User.objects.get(username=logins[0].username)
                if not services_existed:
                    services_demo_build(actor=actor)
                community_existed = community_demo_exists()
                if not community_existed:
                    community_demo_build(actor=actor)
                meetings_demo_ensure(actor=actor)
                evaluations_existed = evaluations_demo_exists()
                if not evaluations_existed:
                    evaluations_demo_build(actor=actor)
                existed = existed and services_existed and community_existed and evaluations_existed
                summary = demo_summary()
                services = services_demo_summary()
        except ValidationError as error:
            raise CommandError(f"演示数据生成失败，未写入任何数据：{'；'.join(error.messages)}") from error
        seconds = time.monotonic() - started
        if existed:
            self.stdout.write(
                f"演示数据已存在（{summary['name']}），未重复生成；已确认演示账号并把密码重新设为 {PASSWORD}。"
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"已生成演示数据：{summary['name']}（用时 {seconds:.1f} 秒）。"))
        self._summary(summary)
        self._services(services)
        for line in community_demo_summary() + meetings_demo_summary() + evaluations_demo_summary():
            self.stdout.write(f"  {line}")
        self._logins(logins)

    def _summary(self, summary: dict) -> None:
        kinds, formations, people = summary["organisations"], summary["hosts"], summary["people"]
        branches = kinds.get(Organisation.Kind.BRANCH, 0) + kinds.get(Organisation.Kind.JOINT_BRANCH, 0)
        groups = sum(kinds.get(kind, 0) for kind in ("party_group", "functional_group", "temporary_group"))
        hosts = sum(formations.values())
        covered = hosts - formations.get(HostUnit.Formation.NONE, 0)
        by_formation = "、".join(f"{label} {formations.get(value, 0)}" for value, label in HostUnit.Formation.choices)
        by_status = "、".join(f"{label} {people.get(value, 0)}" for value, label in reversed(PoliticalStatus.choices))
        self.stdout.write(
            f"  党组织 {sum(kinds.values())} 个：党委 {kinds.get('committee', 0)}、党总支 "
            f"{kinds.get('general_branch', 0)}、党支部 {branches}（其中联合党支部 {kinds.get('joint_branch', 0)}）、"
            f"党小组 {groups}\n"
            f"  单位 {hosts} 个：{by_formation}；覆盖率 {covered / hosts:.1%}\n"
            f"  网格 {summary['grids']} 个（其中 {summary['grids_unserved']} 个尚无服务党组织）\n"
            f"  人员 {sum(people.values())} 人：{by_status}\n"
            f"  流动党员 {summary['mobile']} 人：在外 {summary['mobile_open']} 人，"
            f"逾期未汇报 {summary['mobile_overdue']} 人"
        )

    def _services(self, summary: dict) -> None:
        states = "、".join(f"{label} {summary['states'].get(value, 0)}" for value, label in Activity.State.choices)
        self.stdout.write(
            f"  志愿服务队 {summary['teams']} 支：在队 {summary['memberships']} 人次，"
            f"入队申请 {summary['applicants']} 份\n"
            f"  服务活动 {summary['activities']} 个：{states}\n"
            f"  参与记录 {summary['participations']} 条（出勤 {summary['attended']}）；"
            f"服务时长已审核 {summary['approved']} 条，待审核 {summary['pending']} 条"
        )

    def _logins(self, logins: list[Login]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"演示账号（密码均为 {PASSWORD}）："))
        for login in logins:
            notes = [login.name] if login.name else []
            if login.username == "member" and login.phone:
                notes.append(f"也可用手机号 {login.phone} 登录")
            if not login.active:
                notes.append("※ 该账号已停用，无法登录")
            self.stdout.write(f"  {login.username:<10} {login.role}" + (f"（{'；'.join(notes)}）" if notes else ""))
        self.stdout.write(f"打开 {URL} 用以上任一账号登录。")
