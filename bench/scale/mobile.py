"""流动党员: departure records of full members holding no post, with a written or oral report about every two months
(some late, now and then the branch's check with the host unit); a third come back during the year."""

from dateutil.relativedelta import relativedelta

from bench.scale.world import DAY, World
from branches.demo.build import CHECK, ORAL, WRITTEN
from branches.demo.data import MOBILE
from branches.models import MobileMember, MobileReport, PoliticalStatus

DESTINATIONS = [
    *MOBILE,
    ("x", "广东省广州市天河区", "广州市天河区流动党员党委"),
    ("x", "湖北省武汉市东湖高新区", "东湖高新区非公经济组织党委"),
    ("x", "四川省成都市高新区", "成都高新区流动党员服务中心党支部"),
]


def build_mobile(world: World) -> tuple[list[tuple], list[tuple]]:
    """Departures of full members (not retired, holding no post): most still away, a third back during the year;
    a written or oral report about every two months, some late, now and then a check with the host unit."""
    rng, last = world.rng("mobile"), world.last
    candidates = [p for p in world.people if p.member and p.status == PoliticalStatus.FULL and p.free and not p.retired]
    chosen = sorted(rng.sample(candidates, min(world.scale.mobile, len(candidates))), key=lambda p: p.id)
    record_ids = iter(world.ids(MobileMember, len(chosen)))
    reports = world.counter(MobileReport)
    records, report_rows = [], []
    for person in chosen:
        person.free, person.mobile = False, True
        record_id = next(record_ids)
        leave = last - rng.randint(30, 900) * DAY
        leave = max(leave, (person.started or leave) + DAY)
        returned = None
        if rng.random() < 0.3 and leave + 90 * DAY < last:
            returned = leave + rng.randint(90, (last - leave).days) * DAY
        world.mobile_records.append((person.id, leave, returned))
        _key, destination, host_org = rng.choice(DESTINATIONS)
        created = world.at(leave, 10)
        records.append(
            (
                record_id,
                person.id,
                destination,
                leave,
                leave + relativedelta(years=1),
                f"{destination}务工人员公寓 {rng.randint(1, 30)} 栋",
                host_org,
                f"LD{leave:%Y}{record_id:06d}",
                returned,
                created,
                created,
            )
        )
        day, until = leave, returned or last
        while True:
            day += rng.choice([55, 58, 60, 62, 64, 66, 75, 95]) * DAY  # most within 2 months + 7 days, some late
            if day > until:
                break
            kind = rng.choice([MobileReport.Kind.WRITTEN, MobileReport.Kind.ORAL])
            report_id = next(reports)
            logged_by = person.org.secretary_user
            content = WRITTEN if kind == MobileReport.Kind.WRITTEN else ORAL
            report_rows.append(
                (report_id, record_id, kind, day, content, logged_by, world.at(day, 15), world.at(day, 15))
            )
            world.mobile_reports.append((report_id, record_id, person, leave, kind, day))
            if rng.random() < 0.08:
                check = min(day + 10 * DAY, until)
                report_rows.append(
                    (
                        next(reports),
                        record_id,
                        MobileReport.Kind.CHECK,
                        check,
                        CHECK,
                        logged_by,
                        world.at(check, 15),
                        world.at(check, 15),
                    )
                )
    return records, report_rows


def write_mobile(world: World, records: list[tuple], reports: list[tuple]) -> None:
    columns = ["id", "person_id", "destination", "leave_date", "expected_return", "contact_address"]
    columns += ["host_organisation", "certificate_number", "returned_on", "created_at", "updated_at"]
    world.loader.write(MobileMember, columns, records)
    columns = ["id", "mobile_member_id", "kind", "date", "content", "logged_by_id", "created_at", "updated_at"]
    world.loader.write(MobileReport, columns, reports)
