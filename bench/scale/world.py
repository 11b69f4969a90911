"""The generator's in-memory world: every row it writes is first a small Python object here, so that later tables
(participations, points, reviews, figures) are computed from the earlier ones without reading anything back."""

import datetime
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from bench.scale.spec import Scale
from bench.scale.writer import Loader

DAY = datetime.timedelta(days=1)


class Org:
    """A party organisation; `btype` is the kind of unit a branch sits in (community, village, enterprise …)."""

    __slots__ = (
        "brigade",
        "btype",
        "children",
        "code",
        "committee",
        "depth",
        "grid_ids",
        "groups",
        "host_id",
        "id",
        "kind",
        "name",
        "numchild",
        "parent",
        "path",
        "people",
        "place",
        "secretary",
        "secretary_user",
        "squad",
    )

    def __init__(self, id: int, name: str, kind: str, parent: "Org | None", btype: str = "") -> None:
        self.id, self.name, self.kind, self.parent, self.btype = id, name, kind, parent, btype
        self.children: list[Org] = []
        self.path, self.depth, self.numchild, self.code, self.place = "", 0, 0, "", ""
        self.committee: Org | None = None
        self.host_id: int | None = None
        self.grid_ids: list[int] = []
        self.people: list[Person] = []
        self.secretary: Person | None = None
        self.secretary_user: int | None = None
        self.squad: Team | None = None  # a branch's 分队; for a party group, its 小组
        self.groups: list[Org] = []  # a branch's party groups
        self.brigade: Team | None = None  # the 大队 of a committee or general branch


class Person:
    __slots__ = (
        "active",
        "birth",
        "extra",
        "free",
        "gender",
        "id",
        "member",
        "mobile",
        "name",
        "org",
        "retired",
        "started",
        "status",
        "steps",
        "user_id",
    )

    def __init__(self, id: int, org: Org, name: str, gender: str, birth: datetime.date, status: str) -> None:
        self.id, self.org, self.name, self.gender, self.birth, self.status = id, org, name, gender, birth, status
        self.active, self.retired, self.mobile = True, False, False
        self.steps: list[tuple[str, datetime.date]] = []
        self.started: datetime.date | None = None  # the join or transfer in
        self.user_id: int | None = None
        self.free = True  # not yet handed a role, an instructor post or a mobile record
        self.member = False  # a party member on the roll (预备/正式, active): earns points, has a review sheet
        self.extra: tuple = ()  # phone, masked ID number, its hash, education, host id, grid id

    @property
    def full_on(self) -> datetime.date | None:
        return next((date for status, date in self.steps if status == "full"), None)


class Team:
    __slots__ = ("depth", "id", "kind", "leader", "level", "members", "name", "numchild", "org", "parent", "path")

    def __init__(self, id: int, org: Org, level: str, name: str, parent: "Team | None", kind: str) -> None:
        self.id, self.org, self.level, self.name, self.parent, self.kind = id, org, level, name, parent, kind
        self.path, self.depth, self.numchild = "", 0, 0
        self.members: list[Person] = []
        self.leader: Person | None = None


class Activity:
    __slots__ = ("category", "ends", "hours", "id", "org", "people", "ratings", "starts", "state", "team")

    def __init__(self, id: int, org: Org, team: Team | None, category: str, starts, ends, state: str) -> None:
        self.id, self.org, self.team, self.category = id, org, team, category
        self.starts, self.ends, self.state = starts, ends, state
        # (participation id, person, role, state, approved hours or None)
        self.people: list[tuple[int, Person, str, str, object]] = []
        self.ratings: list[tuple[int, int, datetime.datetime]] = []  # (rating id, level, created_at)
        self.hours = None  # the activity's length in hours (Decimal, halves)


@dataclass
class World:
    scale: Scale
    year: int
    seed: int
    loader: Loader
    tz: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)
    orgs: list[Org] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    admin_user: int = 0
    # rows other stages read: (id, …) tuples kept small
    demands: list[tuple] = field(default_factory=list)  # (id, org id, person or None, state, done_on, deadline)
    visits: list[tuple] = field(default_factory=list)  # (id, pairing id, helper, date)
    pledges: list[tuple] = field(default_factory=list)  # (id, person, result, appraised_on)
    mobile_reports: list[tuple] = field(default_factory=list)  # (id, record id, person, leave, kind, date)
    mobile_records: list[tuple] = field(default_factory=list)  # (person id, leave, returned)
    follow_ups: list[tuple] = field(default_factory=list)  # (id, activity, upheld, rectified_on)
    rounds: dict[int, tuple] = field(default_factory=dict)  # branch id → (round id, sheets)
    points_rules: dict[str, tuple[int, int, int | None]] = field(default_factory=dict)  # code → (rule id, pts, cap)
    points_totals: dict[int, int] = field(default_factory=dict)  # person id → the year's points
    _next: dict[str, int | None] = field(default_factory=dict)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    def rng(self, stage: str) -> random.Random:
        """One generator per stage, seeded by (seed, stage): a change in one stage never shifts another's draws."""
        return random.Random(f"{self.seed}:{stage}")

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def ids(self, model, count: int) -> range:
        """`count` fresh primary keys for `model`, after any already in its table."""
        start = self._start(model)
        self._next[model._meta.label] = start + count
        return range(start, start + count)

    def counter(self, model) -> Iterator[int]:
        """Primary keys one by one, for a table whose size is known only once its rows are made: it must be the
        table's only source of keys from then on."""
        start = self._start(model)
        self._next[model._meta.label] = None
        return itertools.count(start)

    def _start(self, model) -> int:
        label = model._meta.label
        if label not in self._next:
            self._next[label] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        if self._next[label] is None:
            raise RuntimeError(f"{label}: its keys are already handed out by a counter")
        return self._next[label]

    def branches(self) -> list[Org]:
        return [org for org in self.orgs if org.kind in ("branch", "joint_branch")]
