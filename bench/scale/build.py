"""Running the whole generation: the refusal on a database that already holds data, `--flush`, the stages in order
inside one transaction, sequences, and ANALYZE after the commit."""

import datetime
import importlib
import time
from collections.abc import Callable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from bench.scale import community, ledger, mobile, people, ratings, reviews, tree, work
from bench.scale.spec import SCALES
from bench.scale.world import World
from bench.scale.writer import Loader
from branches.models import Grid, HostUnit, Organisation, Person
from evaluations.models import PointsEntry, Rating
from portal.audit import audit_record
from portal.models import User
from services.models import Activity, Demand
from volunteers.models import Team

# The rows data migrations add (categories, skills, star levels): put back after a flush, as the tests do.
REFERENCE_DATA_MIGRATIONS = (
    "volunteers.migrations.0002_default_star_levels",
    "volunteers.migrations.0003_default_skills",
    "services.migrations.0003_default_categories",
    "services.migrations.0005_default_demand_categories",
)
# What counts as "the database already has data": any row a user or an import would have made.
DATA_MODELS = (
    (Organisation, "党组织"),
    (Person, "人员"),
    (Grid, "网格"),
    (HostUnit, "单位"),
    (Team, "志愿服务队"),
    (Activity, "服务活动"),
    (Demand, "群众需求"),
    (Rating, "群众评价"),
    (PointsEntry, "积分明细"),
)


class Refused(Exception):
    """Nothing was written; the message says why, in Chinese, for the user."""


class AlreadyHasData(Refused):
    """The database holds data and no --flush was given."""


def existing_data() -> dict[str, int]:
    found = {label: model.objects.count() for model, label in DATA_MODELS if model.objects.exists()}
    accounts = User.objects.filter(Q(username=people.ADMIN) | Q(username__regex=r"^sec[0-9]+$")).count()
    if accounts:
        found["基准测试账号"] = accounts
    return found


def refusal_message(found: dict[str, int]) -> str:
    listed = "、".join(f"{label} {count:,} 条" for label, count in found.items())
    return (
        f"数据库中已有数据（{listed}），未生成任何数据。本命令只往空数据库里写入基准测试数据，以免与真实数据或上次"
        f"生成的数据混在一起、造成编号冲突。若这是专用的基准测试数据库、确认可以清空，请加 --flush："
        f"先清空整个数据库（包括账号），再重新生成。"
    )


def flush() -> None:
    """Empties every table (Django's `flush`) and puts the reference data of the data migrations back."""
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()  # flush recreated the content types under new ids
    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).add_defaults(apps, None)


def generate(
    *, scale: str, year: int, seed: int, do_flush: bool = False, log: Callable[[str], None] = print
) -> dict[str, int]:
    """Fills the database with one year of a district of the given scale; returns rows written per model label.
    Raises AlreadyHasData (nothing written) when the database has data and `do_flush` is False."""
    spec = SCALES[scale]
    today = timezone.localdate()
    if not 2000 <= year < today.year:
        raise Refused(f"年度须在 2000 年至 {today.year - 1} 年之间：生成的是已经结束的一年（活动已关闭、评价期已过）。")
    if do_flush:
        started = time.monotonic()
        flush()
        log(f"已清空数据库（{time.monotonic() - started:.1f} 秒）。")
    else:
        found = existing_data()
        if found:
            raise AlreadyHasData(refusal_message(found))
    loader = Loader(log)
    started = time.monotonic()
    with transaction.atomic():
        if loader.postgres:
            with connection.cursor() as cursor:
                # the load is one transaction: a crash loses it whole, so waiting for each WAL flush buys nothing
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the index rebuilds after each COPY
            loader.skip_foreign_key_triggers()
        world = World(scale=spec, year=year, seed=seed, loader=loader)
        _stages(world, today, log)
        if loader.triggers_off:
            loader.verify_foreign_keys()
        loader.reset_sequences()
        audit_record(
            actor=None,
            action="bench.scale_data",
            object_type="bench.scale",
            summary=f"生成基准测试数据：{scale} 规模，{year} 年，种子 {seed}",
            changes={"scale": scale, "year": year, "seed": seed, "rows": loader.counts},
        )
        if not loader.postgres:
            connection.check_constraints()  # SQLite: the foreign keys, checked before the commit
        committing = time.monotonic()
    log(f"提交：{time.monotonic() - committing:.1f} 秒。")
    log(f"写入完成：{sum(loader.counts.values()):,} 行，{time.monotonic() - started:.1f} 秒。")
    if loader.postgres and not connection.in_atomic_block:
        log(f"ANALYZE：{loader.analyze():.1f} 秒。")
    return dict(loader.counts)


def _stages(world: World, today: datetime.date, log: Callable[[str], None]) -> None:
    def stage(title: str) -> None:
        log(f"{title}：")

    stage("党组织、网格、单位、人员")
    tree.build_tree(world)
    grid_rows = tree.build_grids(world)
    host_rows = tree.build_hosts(world)
    person_rows = people.build_people(world)
    role_rows = people.build_roles(world, host_rows)
    users, groups = people.build_users(world)
    mobile_rows, report_rows = mobile.build_mobile(world)
    tree.write_tree(world)
    tree.write_grids(world, grid_rows)
    people.write_users(world, users, groups)
    tree.write_hosts(world, host_rows)
    people.write_people(world, person_rows, role_rows)
    mobile.write_mobile(world, mobile_rows, report_rows)

    stage("志愿服务队")
    work.write_teams(world, work.build_teams(world))

    stage("服务活动、参与记录、服务时长")
    work.build_activities(world)
    work.write_activities(world)

    stage("群众评价、差评整改")
    rating_rows = ratings.build_ratings(world)
    ratings.write_ratings(world, rating_rows, ratings.build_follow_ups(world, today))

    stage("群众需求、承诺、结对帮扶、党员岗位")
    community.write_demands(world, community.build_demands(world, today))
    community.write_pledges(world, community.build_pledges(world, today))
    community.write_pairing(world, community.build_pairing(world))
    community.write_posts(world, community.build_posts(world))

    stage("党员积分")
    ledger.write_points(world, ledger.build_points(world))

    stage("民主评议、评星晋级")
    reviews.write_reviews(world, reviews.build_reviews(world))
    reviews.write_assessments(world, reviews.build_assessments(world, today))
