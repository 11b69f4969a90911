"""Times the yearly report (年度报告) workbook on the current database: the whole tree, or one organisation.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/yearly_report.py [--year 2026]
        [--organisation ID] [--runs 5] [--profile]

Uses the database DATABASE_URL names as it is, read only: the demo district (`manage.py seed_demo`) or a district-
sized year (`manage.py generate_scale_data --scale district` on PostgreSQL, whose year is the last one: pass
--year). Runs `yearly_report_xlsx` --runs times and prints each run and the median, with the number of queries of
one run, the workbook's size and the row counts that drive the cost, so that a figure in bench/RESULTS.md says
what it was measured on.

On PostgreSQL, for the whole tree, it then times the floor (FLOOR_SQL): the minimal SQL that reads the same rows
— one plain grouped aggregate per table the report counts, over the same year, fetching the groups and nothing
else (no Python figures, no workbook) — and prints the report's ratio to it.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from branches.models import Organisation, Person  # noqa: E402
from evaluations.models import PointsEntry, Rating  # noqa: E402
from reports.yearly import yearly_report_xlsx  # noqa: E402
from services.models import Activity, Demand, HoursEntry, Participation  # noqa: E402

# The floor: what any report of these figures must at least read. Each query scans the rows of one table that the
# report counts (the year's rows; all of them where the report needs history: the roll, cumulative hours for
# the star levels) and groups them as coarsely as the report's finest table. %(first)s/%(last)s are the year's
# dates, %(start)s/%(end)s its local midnights.
FLOOR_SQL = [
    "SELECT id, path, name, kind, is_archived FROM branches_organisation",
    "SELECT organisation_id, sector, formation, count(*) FROM branches_hostunit GROUP BY 1, 2, 3",
    "SELECT organisation_id, grid_id IS NULL, count(*) FROM branches_person GROUP BY 1, 2",
    "SELECT person_id, max(date) FROM branches_statusstep WHERE date <= %(last)s GROUP BY 1",
    "SELECT organisation_id, kind, count(*) FROM branches_membershipevent WHERE date <= %(last)s GROUP BY 1, 2",
    "SELECT mobile_member_id, count(*) FROM branches_mobilereport WHERE date <= %(last)s GROUP BY 1",
    "SELECT team_id, role, state, count(*) FROM volunteers_teammembership GROUP BY 1, 2, 3",
    # cumulative approved hours per person, all years: the star levels
    """SELECT p.person_id, sum(h.hours) FROM services_hoursentry h
       JOIN services_participation p ON p.id = h.participation_id
       WHERE h.approved_at < %(end)s GROUP BY 1""",
    """SELECT organisation_id, category_id, state, date_trunc('month', starts_at), count(*), sum(served_people),
       sum(served_households), sum(money_raised), sum(money_lent), sum(money_donated)
       FROM services_activity WHERE starts_at >= %(start)s AND starts_at < %(end)s GROUP BY 1, 2, 3, 4""",
    """SELECT a.organisation_id, a.category_id, p.state, count(*), count(DISTINCT p.person_id)
       FROM services_participation p JOIN services_activity a ON a.id = p.activity_id
       WHERE a.starts_at >= %(start)s AND a.starts_at < %(end)s GROUP BY 1, 2, 3""",
    """SELECT a.organisation_id, sum(h.hours) FROM services_hoursentry h
       JOIN services_participation p ON p.id = h.participation_id JOIN services_activity a ON a.id = p.activity_id
       WHERE a.starts_at >= %(start)s AND a.starts_at < %(end)s GROUP BY 1""",
    """SELECT a.organisation_id, a.category_id, r.level, count(*) FROM evaluations_rating r
       JOIN services_activity a ON a.id = r.activity_id
       WHERE r.created_at >= %(start)s AND r.created_at < %(end)s GROUP BY 1, 2, 3""",
    """SELECT organisation_id, state, count(*) FROM evaluations_followup
       WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY 1, 2""",
    """SELECT organisation_id, channel, category_id, state, count(*) FROM services_demand
       WHERE received_on >= %(first)s AND received_on <= %(last)s GROUP BY 1, 2, 3, 4""",
    """SELECT v.pairing_id, date_trunc('month', v.date), count(*) FROM services_pairingvisit v
       WHERE v.date >= %(first)s AND v.date <= %(last)s GROUP BY 1, 2""",
    "SELECT organisation_id, count(*) FROM services_pairing GROUP BY 1",
    "SELECT organisation_id, result, count(*) FROM services_pledge WHERE year = %(year)s GROUP BY 1, 2",
    """SELECT person_id, organisation_id, extract(quarter FROM date), sum(points) FROM evaluations_pointsentry
       WHERE date >= %(first)s AND date <= %(last)s GROUP BY 1, 2, 3""",
    """SELECT r.organisation_id, s.grade, count(*) FROM evaluations_reviewsheet s
       JOIN evaluations_reviewround r ON r.id = s.round_id WHERE r.year = %(year)s GROUP BY 1, 2""",
    "SELECT organisation_id, stars FROM evaluations_branchassessment WHERE year = %(year)s",
]


def floor_run(year: int) -> float:
    zone = timezone.get_current_timezone()
    params = {
        "year": year,
        "first": datetime.date(year, 1, 1),
        "last": datetime.date(year, 12, 31),
        "start": datetime.datetime(year, 1, 1, tzinfo=zone),
        "end": datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in FLOOR_SQL:
            cursor.execute(sql, params)
            cursor.fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=timezone.localdate().year)
    parser.add_argument("--organisation", type=int, help="an organisation's id (default: the whole tree)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one more run")
    options = parser.parse_args()
    organisation = Organisation.objects.get(pk=options.organisation) if options.organisation else None

    sizes = {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "activities": Activity.objects.count(),
        "participations": Participation.objects.count(),
        "hours entries": HoursEntry.objects.count(),
        "ratings": Rating.objects.count(),
        "demands": Demand.objects.count(),
        "points entries": PointsEntry.objects.count(),
    }
    print(f"{connection.vendor}: " + ", ".join(f"{name} {n:,}" for name, n in sizes.items()), flush=True)

    with CaptureQueriesContext(connection) as queries:
        content = yearly_report_xlsx(year=options.year, organisation=organisation)
    print(f"one run: {len(queries)} queries, workbook {len(content):,} bytes", flush=True)

    times = []
    for run in range(options.runs):
        started = time.perf_counter()
        yearly_report_xlsx(year=options.year, organisation=organisation)
        times.append(time.perf_counter() - started)
        print(f"run {run + 1}: {times[-1]:.2f} s", flush=True)
    scope = organisation.name if organisation else "whole tree"
    report = statistics.median(times)
    print(f"yearly report {options.year} ({scope}) on {connection.vendor}: median {report:.2f} s")

    if connection.vendor == "postgresql" and organisation is None:
        floors = [floor_run(options.year) for _ in range(options.runs)]
        floor = statistics.median(floors)
        print(f"floor ({len(FLOOR_SQL)} queries): runs " + ", ".join(f"{t:.2f}" for t in floors) + " s")
        print(f"floor median {floor:.2f} s; report / floor = {report / floor:.2f}")

    if options.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        yearly_report_xlsx(year=options.year, organisation=organisation)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)


if __name__ == "__main__":
    main()
