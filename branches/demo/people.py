"""Planning the demo district's people: names, ID numbers, phones and the dated steps a real person has.

Pure: a seeded random.Random and today in, plans out; nothing here touches the database. Every date is at or
before today (the actions refuse future dates), and the steps follow the real timetable: 申请 → 积极分子
(a few months) → 发展对象 (after a year or more of training) → 预备党员 (a few months) → 正式党员 (one year).
"""

import datetime
import random
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from branches.demo.data import (
    AREA_CODES,
    FEMALE_GIVEN,
    MALE_GIVEN,
    MEMBER_PHONE,
    MOVE,
    PEOPLE,
    PHONE_PREFIXES,
    RESIDENTIAL_GRIDS,
    SEED,
    SURNAMES,
    TRANSFERS_IN,
    TRANSFERS_OUT,
    Unit,
)
from branches.models import Person, PoliticalStatus
from portal.lib import idnumbers

P = PoliticalStatus
DAY = datetime.timedelta(days=1)
# youngest birth year (as years before today) for each status, so that the first step falls after 18
YOUNGEST = {P.FULL: 25, P.PROBATIONARY: 24, P.DEVELOPMENT_TARGET: 23, P.ACTIVIST: 22, P.APPLICANT: 20, P.MASSES: 18}
STAFF_WITH_DEGREES = ("jiguan", "school1", "school1_kg", "school2")
YEAR = relativedelta(years=1)  # 预备期 lasts one year
# days since the current step for people still on their way (a probationary member is not due for confirmation yet)
RECENT = {P.PROBATIONARY: (20, 330), P.DEVELOPMENT_TARGET: (10, 200), P.ACTIVIST: (10, 500), P.APPLICANT: (5, 360)}
# days between a step and the one before it: 申请 → 积极分子 1–10 months, → 发展对象 after 1–1.6 years of
# training, → 预备党员 3–6 months later
GAP_BEFORE = {P.ACTIVIST: (30, 300), P.DEVELOPMENT_TARGET: (365, 600), P.PROBATIONARY: (90, 200)}


@dataclass
class PersonPlan:
    org: str
    name: str
    gender: str
    birth: datetime.date
    id_number: str
    phone: str
    education: str
    host: str | None
    grid: str | None
    steps: list[tuple[str, datetime.date]] = field(default_factory=list)
    retire_on: datetime.date | None = None
    died_on: datetime.date | None = None
    transfer_in: datetime.date | None = None  # came from outside the district (no join recorded here)
    transfer_out: datetime.date | None = None
    move_to: str | None = None  # with transfer_out: moved to this branch of the district five days later
    login: str = ""  # reserved for a demo login

    @property
    def status(self) -> str:
        return self.steps[-1][0] if self.steps else P.MASSES

    @property
    def full_on(self) -> datetime.date | None:
        return dict(self.steps).get(P.FULL)

    @property
    def stays(self) -> bool:
        """Still an ordinary member of the organisation it was planned in (no death, transfer or login)."""
        return not (self.died_on or self.transfer_out or self.login)


class Planner:
    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.names: set[str] = set()
        self.id_numbers: set[str] = set()
        self.phones: set[str] = {MEMBER_PHONE}

    def plan(self) -> list[PersonPlan]:
        plans = []
        for org, unit in PEOPLE.items():
            counts = [
                (P.FULL, unit.full),
                (P.PROBATIONARY, unit.probationary),
                (P.DEVELOPMENT_TARGET, unit.development_target),
                (P.ACTIVIST, unit.activist),
                (P.APPLICANT, unit.applicant),
                (P.MASSES, unit.masses),
            ]
            plans += [self.person(org, unit, status) for status, count in counts for _ in range(count)]
        self.fates(plans)
        for org in TRANSFERS_IN:
            plan = self.person(org, PEOPLE[org], P.FULL, born=(self.today.year - 45, self.today.year - 28))
            plan.transfer_in = min(
                self.today - 30 * DAY, max(plan.full_on + 60 * DAY, self.today - self.days(100, 900))
            )
            plans.append(plan)
        return plans

    def fates(self, plans: list[PersonPlan]) -> None:
        """One death among the retired, transfers out, a move between branches, and the demo member's record."""
        oldest = min((p for p in plans if p.org == "retired" and p.status == P.FULL), key=lambda p: p.birth)
        oldest.died_on = self.today - 240 * DAY
        settled = self.today - 400 * DAY
        for org in TRANSFERS_OUT:
            self.settled_member(plans, org, settled).transfer_out = self.today - self.days(60, 300)
        moved = self.settled_member(plans, MOVE[0], settled)
        moved.transfer_out, moved.move_to = self.today - self.days(60, 300), MOVE[1]
        member = self.settled_member(plans, "a", self.today - 730 * DAY, first=True)
        member.login, member.phone = "member", MEMBER_PHONE

    def settled_member(
        self, plans: list[PersonPlan], org: str, full_before: datetime.date, first: bool = False
    ) -> PersonPlan:
        candidates = [
            p
            for p in plans
            if p.org == org and p.status == P.FULL and p.stays and not p.retire_on and p.full_on <= full_before
        ]
        return candidates[0] if first else candidates[-1]

    def between(self, low: int, high: int) -> int:
        """Like randint, but always one draw: bounds that move with today never shift the names that follow."""
        return low + int(self.rng.random() * (high - low + 1))

    def days(self, low: int, high: int) -> datetime.timedelta:
        return self.between(low, high) * DAY

    def person(self, org: str, unit: Unit, status: str, born: tuple[int, int] | None = None) -> PersonPlan:
        rng, today = self.rng, self.today
        gender = rng.choice([Person.Gender.MALE, Person.Gender.FEMALE])
        low, high = born or (unit.born if status == P.FULL else (today.year - 40, today.year))
        if status == P.MASSES:
            low, high = unit.born[0], unit.born[1] + 5
        high = min(high, today.year - YOUNGEST[status])
        birth = datetime.date(self.between(min(low, high), high), 1, 1) + self.days(0, 364)
        plan = PersonPlan(
            org=org,
            name=self.name(gender),
            gender=gender,
            birth=birth,
            id_number=self.id_number(birth, gender),
            phone=self.phone() if rng.random() < (0.7 if birth.year < 1955 else 0.92) else "",
            education=self.education(org, birth.year),
            host=rng.choice(unit.hosts) if unit.hosts else None,
            grid=rng.choice(unit.grids or RESIDENTIAL_GRIDS) if rng.random() < 0.96 else None,
            steps=self.steps(status, birth),
        )
        if unit.retire and status == P.FULL:
            retire_on = birth + relativedelta(years=60 if gender == Person.Gender.MALE else 55)
            plan.retire_on = retire_on if retire_on < today else None
        return plan

    def steps(self, status: str, birth: datetime.date) -> list[tuple[str, datetime.date]]:
        """The dated steps up to `status`: the latest placed relative to today, the earlier ones backwards from it."""
        if status == P.MASSES:
            return []
        today = self.today
        if status == P.FULL:
            earliest, latest = birth + relativedelta(years=22), today - 400 * DAY
            probationary = earliest + self.days(0, max(0, min((latest - earliest).days, 16 * 365)))
            dates = {P.PROBATIONARY: probationary, P.FULL: min(today, probationary + YEAR + self.days(0, 20))}
        else:
            dates = {status: today - self.days(*RECENT[status])}
        order = P.values[1 : P.rank(status) + 1]  # 入党申请人 … status
        for later, earlier in zip(order[::-1], order[-2::-1], strict=False):
            if earlier not in dates:
                dates[earlier] = dates[later] - self.days(*GAP_BEFORE[later])
        return [(step, dates[step]) for step in order]

    def name(self, gender: str) -> str:
        given = MALE_GIVEN if gender == Person.Gender.MALE else FEMALE_GIVEN
        while True:
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choices(given, k=self.rng.choice([1, 2, 2])))
            if name not in self.names:
                self.names.add(name)
                return name

    def id_number(self, birth: datetime.date, gender: str) -> str:
        """A valid fictional number: area code, birth date, serial whose last digit carries the gender."""
        while True:
            sex_digit = self.rng.choice("13579" if gender == Person.Gender.MALE else "02468")
            number = idnumbers.with_check_char(
                f"{self.rng.choice(AREA_CODES)}{birth:%Y%m%d}{self.rng.randrange(100):02d}{sex_digit}"
            )
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def phone(self) -> str:
        while True:
            phone = f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def education(self, org: str, born: int) -> str:
        E = Person.Education
        if org in STAFF_WITH_DEGREES:
            options = {E.COLLEGE: 1, E.BACHELOR: 6, E.POSTGRADUATE: 3}
        elif born < 1960:
            options = {E.PRIMARY: 2, E.JUNIOR: 4, E.SENIOR: 3, E.COLLEGE: 1}
        elif born < 1980:
            options = {E.JUNIOR: 2, E.SENIOR: 4, E.COLLEGE: 3, E.BACHELOR: 2}
        else:
            options = {E.SENIOR: 2, E.COLLEGE: 4, E.BACHELOR: 5, E.POSTGRADUATE: 1}
        return self.rng.choices(list(options), weights=list(options.values()))[0]
