"""Times opening accounts in bulk (开通账号): 5,000 people (or --people) without an account, opened at once as
`manage.py open_accounts` does it — the action (logins, initial passwords, users inserted, people linked, audit)
and the 开通单 workbook — plus, separately, the people list's web batch (ACCOUNT_OPEN_WEB_MAX people in one POST).

    .venv/bin/python bench/open_accounts.py [--people 5000] [--runs 3] [--profile]

Uses a throwaway database: a fresh SQLite file in a temporary folder when DATABASE_URL is unset, otherwise a test
database created next to the one DATABASE_URL names (and dropped afterwards). Each run opens accounts for new
people (two thirds with a phone number, every tenth number taken by an existing account). Prints the median.
"""

import argparse
import datetime
import os
import statistics
import time

import throwaway
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from branches import actions, resources
from branches.models import Organisation, Person, Role
from portal.models import User


def people(branch: Organisation, n: int, run: int) -> None:
    """n new people of the branch: two thirds with a phone number, of which every tenth is an existing account's
    already (those get a generated login)."""
    phones = {i: f"1{run:02d}{i:08d}" for i in range(n) if i % 3}
    actions.people_create(
        actor=None,
        people=[
            actions.NewPerson(name=f"成员{run}-{i:05d}", organisation=branch, fields={"phone": phones.get(i, "")})
            for i in range(n)
        ],
    )
    User.objects.bulk_create(
        [User(username=f"taken{phone}", phone=phone) for i, phone in phones.items() if i % 10 == 1]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the last run")
    options = parser.parse_args()

    with throwaway.database():
        run_bench(options)


def run_bench(options) -> None:
    committee = actions.organisation_create(actor=None, name="基准党委", kind=Organisation.Kind.COMMITTEE)
    timings, web = [], []
    profiler = None
    for run in range(options.runs):
        branch = actions.organisation_create(
            actor=None, name=f"基准党支部{run}", kind=Organisation.Kind.BRANCH, parent=committee
        )
        people(branch, options.people, run)
        if options.profile and run == options.runs - 1:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        result = actions.people_accounts_open(actor=None, people=Person.objects.filter(organisation=branch))
        content = resources.account_slips_xlsx(result.opened)
        timings.append(time.perf_counter() - started)
        if profiler is not None:
            profiler.disable()
        assert len(result.opened) == options.people, len(result.opened)
        assert Person.objects.filter(organisation=branch, user__isnull=True).count() == 0
        print(f"run {run + 1}: {options.people} accounts in {timings[-1]:.2f} s ({len(content):,} bytes)", flush=True)

    # The web batch: a secretary's 「为当前列表中未开通的人员全部开通」 for the largest batch allowed.
    web_size = settings.ACCOUNT_OPEN_WEB_MAX
    for run in range(options.runs):
        branch = actions.organisation_create(
            actor=None, name=f"网页党支部{run}", kind=Organisation.Kind.BRANCH, parent=committee
        )
        secretary = actions.person_create(actor=None, name=f"书记{run}", organisation=branch)
        user = actions.person_account_create(actor=None, person=secretary, username=f"sec{run}", password="x")
        actions.role_assign(
            actor=None, person=secretary, organisation=branch, role=Role.SECRETARY, start_date=datetime.date(2020, 1, 1)
        )
        people(branch, web_size, 50 + run)
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        response = client.post(f"{reverse('branches:people_accounts_open')}?organisation={branch.pk}", {"all": "1"})
        web.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        print(f"web run {run + 1}: {web_size} accounts in one POST {web[-1]:.2f} s", flush=True)

    print(
        f"{options.people} accounts on {connection.vendor}: median {statistics.median(timings):.2f} s; "
        f"web batch of {web_size}: median {statistics.median(web):.2f} s"
    )
    if profiler is not None:
        import pstats

        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)


if __name__ == "__main__":
    main()
