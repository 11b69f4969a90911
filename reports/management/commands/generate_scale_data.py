"""`manage.py generate_scale_data --scale {demo,town,district}`: fills an empty database with a year of benchmark data
(see `bench.scale`). Refuses when the database already holds data, unless `--flush` empties it first."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bench.scale import SCALES, Refused, generate
from bench.scale.people import ADMIN, PASSWORD


class Command(BaseCommand):
    help = (
        "生成基准测试数据：一个完整年度的区级党组织（demo 演示规模 / town 约十分之一 / district 真实区级规模），"
        "只写入空数据库；加 --flush 先清空整个数据库。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="demo", help="规模（默认 demo）")
        parser.add_argument("--year", type=int, default=None, help="年度（默认去年）")
        parser.add_argument("--seed", type=int, default=20250101, help="随机种子（同一种子生成同样的数据）")
        parser.add_argument("--flush", action="store_true", help="先清空整个数据库（包括账号），再生成")

    def handle(self, *args, scale: str, year: int | None, seed: int, flush: bool, **options):
        year = year or timezone.localdate().year - 1
        spec = SCALES[scale]
        self.stdout.write(
            f"生成 {scale} 规模的 {year} 年数据：党组织 {spec.organisations:,} 个、党员 {spec.members:,} 人、"
            f"服务活动 {spec.activities:,} 个、参与记录 {spec.participations:,} 条、群众评价 {spec.ratings:,} 条。"
        )
        started = time.monotonic()
        try:
            counts = generate(scale=scale, year=year, seed=seed, do_flush=flush, log=self.stdout.write)
        except Refused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{len(counts)} 张表共 {sum(counts.values()):,} 行，用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
        self.stdout.write(f"登录：组织部 {ADMIN}，各党组织书记 sec<党组织编号>；密码均为 {PASSWORD}。")
