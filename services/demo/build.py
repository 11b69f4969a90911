"""Building the demo district's teams and year of activities (after `branches.demo` has built the district).

Teams, memberships, applicants, skills and the few current activities (upcoming, drafts, cancelled) go through
the single actions. The year of past activities (~1,100 activities, ~12,000 participations) goes through
`services.actions.activities_register_bulk` — the path the register import uses — because walking each through
create → publish → sign up → attendance → end → approve → close would take minutes on SQLite.

The one write outside the actions: entries "recorded more than 30 days late" for the hours checker get their
created_at moved back with a queryset update. That is demo set-up (an entry's creation time is not something
an action sets), never done by the application itself.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from branches.demo.data import BRANCH_A, COMMITTEE_CODE, MEMBER_PHONE, ORGANISATIONS, code_for
from branches.models import Organisation, Person, Role, RoleAssignment
from portal.models import User
from services import actions
from services.demo.data import (
    CANCEL_REASONS,
    CATEGORIES,
    DEMO_BRIGADE,
    GOODS,
    SEED,
    SKILLS,
    SQUAD_CATEGORIES,
    SQUAD_KINDS,
)
from services.models import Activity, ActivityCategory, HoursEntry, Participation
from volunteers import actions as team_actions
from volunteers.models import Skill, Team, TeamMembership

SLOTS = [(8, 30), (9, 0), (9, 0), (9, 30), (14, 0), (14, 30), (15, 0), (19, 0)]
LENGTHS = [1, 1.5, 2, 2, 2, 2.5, 3, 3, 4]
PER_DAY = 3  # activities a day on average: ~1,100 in the year


def services_demo_exists() -> bool:
    return Team.objects.filter(organisation__code=COMMITTEE_CODE, name=DEMO_BRIGADE).exists()


def services_demo_build(*, actor: User, today: datetime.date | None = None) -> None:
    """Call inside one transaction, after the district and its logins exist, when services_demo_exists() is
    False."""
    today = today or timezone.localdate()
    builder = _Builder(actor, today)
    builder.teams()
    builder.year()
    builder.current()


class _Builder:
    def __init__(self, actor: User, today: datetime.date) -> None:
        self.actor = actor
        self.today = today
        self.rng = random.Random(SEED)
        self.orgs = {
            key: org
            for key, org in (
                (key, Organisation.objects.filter(code=code_for(key)).first()) for key, *_ in ORGANISATIONS
            )
            if org is not None
        }
        self.key_of = {org.pk: key for key, org in self.orgs.items()}
        self.categories = {c.code: c for c in ActivityCategory.objects.filter(code__in=CATEGORIES)}
        people = Person.objects.filter(organisation__in=self.orgs.values(), is_active_member=True).select_related(
            "organisation"
        )
        self.people_of: dict[str, list[Person]] = defaultdict(list)
        for person in people.order_by("pk"):
            self.people_of[self.key_of[person.organisation_id]].append(person)
        self.member = Person.objects.filter(phone=MEMBER_PHONE, organisation=self.orgs[BRANCH_A]).first()
        secretary = RoleAssignment.objects.filter(
            organisation=self.orgs[BRANCH_A], role=Role.SECRETARY, end_date__isnull=True
        ).first()
        self.secretary = secretary.person if secretary else None
        self.teams_of: dict[str, list[Team]] = defaultdict(list)  # organisation key → its teams
        self.members: dict[int, list[Person]] = {}  # team id → active members
        self.leaders: dict[int, Person] = {}
        self.busy: dict[tuple[int, datetime.date], list[tuple]] = defaultdict(list)
        self.keys: set[str] = set()
        self.kind_of: dict[int, str] = {}  # team id → squad kind (which categories it mostly runs)

    # Teams --------------------------------------------------------------------------------------------------

    def subtree_people(self, key: str) -> list[Person]:
        path = self.orgs[key].path
        return [p for k, ps in self.people_of.items() if self.orgs[k].path.startswith(path) for p in ps]

    def teams(self) -> None:
        rng = self.rng
        committee = self.orgs["committee"]
        brigades = {"committee": self._team(DEMO_BRIGADE, Team.Level.BRIGADE, committee, None, "committee")}
        for key, name, kind, _parent, _ in ORGANISATIONS:
            if kind == Organisation.Kind.GENERAL_BRANCH:
                short = name.removesuffix("党总支")
                brigades[key] = self._team(f"{short}党员志愿服务大队", Team.Level.BRIGADE, self.orgs[key], None, key)
        squads: dict[str, Team] = {}
        for index, (key, name, kind, parent, _) in enumerate(ORGANISATIONS):
            if kind in (Organisation.Kind.BRANCH, Organisation.Kind.JOINT_BRANCH):
                squad_kind = "便民服务" if key == BRANCH_A else SQUAD_KINDS[index % len(SQUAD_KINDS)]
                squads[key] = self._team(
                    f"{name.removesuffix('党支部')}{squad_kind}分队",
                    Team.Level.SQUAD,
                    self.orgs[key],
                    brigades.get(parent, brigades["committee"]),
                    key,
                    leader=self.secretary if key == BRANCH_A else None,
                )
                self.kind_of[squads[key].pk] = squad_kind
        for key, name, kind, parent, _ in ORGANISATIONS:
            if kind in (Organisation.Kind.PARTY_GROUP, Organisation.Kind.FUNCTIONAL_GROUP) and parent in squads:
                group = self._team(
                    f"{name.removesuffix('党小组')}志愿服务小组", Team.Level.GROUP, self.orgs[key], squads[parent], key
                )
                self.kind_of[group.pk] = self.kind_of[squads[parent].pk]
        # pending applicants: people of the organisation not (yet) in its squad
        for key, squad in squads.items():
            outside = [p for p in self.people_of[key] if p not in self.members[squad.pk]]
            for person in rng.sample(outside, min(len(outside), rng.choice([0, 1, 2]))):
                team_actions.membership_apply(actor=self.actor, team=squad, person=person)
        skills = [Skill.objects.get_or_create(name=name)[0] for name in SKILLS]  # reference data (no action)
        volunteers = sorted({p for ms in self.members.values() for p in ms}, key=lambda p: p.pk)
        for person in rng.sample(volunteers, len(volunteers) // 4):
            team_actions.person_skills_set(
                actor=self.actor, person=person, skills=rng.sample(skills, rng.randint(1, 2))
            )

    def _team(
        self, name: str, level: str, org: Organisation, parent: Team | None, key: str, leader: Person | None = None
    ) -> Team:
        rng = self.rng
        team = team_actions.team_create(
            actor=self.actor,
            name=name,
            level=level,
            organisation=org,
            parent=parent,
            description=f"{org.name}组建的党员志愿服务队伍。",
        )
        pool = self.subtree_people(key)
        if level == Team.Level.GROUP and len(pool) < 5:  # a party group with few people: its branch's people too
            parent_key = next(parent for k, _, _, parent, _ in ORGANISATIONS if k == key)
            pool = list(dict.fromkeys([*pool, *self.people_of[parent_key]]))
        size = min(len(pool), rng.randint(5, 8) if level == Team.Level.GROUP else rng.randint(8, 20))
        chosen = rng.sample(pool, size)
        if leader is not None and leader in pool:
            chosen = [leader, *[p for p in chosen if p != leader]][: max(size, 5)]
        if key == BRANCH_A and self.member is not None and self.member not in chosen:
            chosen.append(self.member)
        for position, person in enumerate(chosen):
            role = (TeamMembership.Role.LEADER, TeamMembership.Role.DEPUTY)[position] if position < 2 else "member"
            joined = self.today - datetime.timedelta(days=rng.randint(400, 2000))
            team_actions.membership_add(actor=self.actor, team=team, person=person, joined_on=joined, role=role)
        self.members[team.pk] = chosen
        self.leaders[team.pk] = chosen[0]
        self.teams_of[key].append(team)
        return team

    # The year -----------------------------------------------------------------------------------------------

    def _at(self, day: datetime.date, hour: int, minute: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def _free(self, person: Person, starts: datetime.datetime, ends: datetime.datetime) -> bool:
        taken = self.busy[(person.pk, starts.date())]
        return len(taken) < 2 and all(ends <= s or starts >= e for s, e in taken)

    def _take(self, person: Person, starts: datetime.datetime, ends: datetime.datetime) -> None:
        self.busy[(person.pk, starts.date())].append((starts, ends))

    def _record(self, *, org_key: str, team: Team | None, category: str, starts, ends, people, **extra):
        titles, places, groups = CATEGORIES[category]
        rng = self.rng
        organisation = team.organisation if team is not None else self.orgs[org_key]
        title = extra.pop("title", None) or rng.choice(titles)
        key = actions.activity_import_key(organisation_id=organisation.pk, title=title, starts_at=starts)
        if key in self.keys:
            return None
        self.keys.add(key)
        participants = []
        for position, person in enumerate(people):
            self._take(person, starts, ends)
            attended = rng.random() > 0.06
            hours = None
            if attended and rng.random() < 0.1 and (ends - starts) > datetime.timedelta(hours=1):
                hours = Decimal((ends - starts).total_seconds() / 3600 - 0.5).quantize(Decimal("0.5"))
            role = Participation.Role.ORGANISER if position == 0 else Participation.Role.VOLUNTEER
            participants.append(actions.ParticipantRecord(person=person, role=role, attended=attended, hours=hours))
        if not any(p.attended for p in participants):
            participants[0].attended = True
        served = rng.randint(8, 160)
        figures = {"served_people": served, "served_households": rng.randint(served // 3, served)}
        if category == "hardship":
            figures["money_donated"] = Decimal(rng.randrange(500, 5000, 100))
            figures["goods"] = rng.choice(GOODS)
        return actions.ActivityRecord(
            title=title,
            category=self.categories[category],
            place=rng.choice(places),
            target_group=rng.choice(groups),
            starts_at=starts,
            ends_at=ends,
            organisation=organisation,
            team=team,
            participants=participants,
            figures=figures,
            import_key=key,
            description=f"{organisation.name}组织开展{title}活动。",
            **extra,
        )

    def year(self) -> None:
        rng = self.rng
        records = self._suspicious()
        organisers = []  # (organisation key, team or None, squad kind)
        for key, teams in self.teams_of.items():
            for team in teams:
                organisers.append((key, team, self.kind_of.get(team.pk, "")))
            if self.people_of.get(key):
                organisers.append((key, None, ""))
        weights = [3 if team is not None and team.level == Team.Level.SQUAD else 1 for _, team, _ in organisers]
        weights = [w * (2 if key == BRANCH_A else 1) for w, (key, _, _) in zip(weights, organisers, strict=True)]
        yesterday = self.today - datetime.timedelta(days=1)
        for back in range(364, 0, -1):
            day = self.today - datetime.timedelta(days=back)
            for _ in range(rng.choice([2, 3, 3, 4]) if day.weekday() < 5 else rng.choice([3, 4, 5])):
                key, team, kind = rng.choices(organisers, weights)[0]
                category = rng.choice(SQUAD_CATEGORIES.get(kind) or list(CATEGORIES))
                hour, minute = rng.choice(SLOTS)
                length = rng.choice(LENGTHS if hour < 19 else LENGTHS[:5])
                starts = self._at(day, hour, minute)
                ends = starts + datetime.timedelta(hours=length)
                pool = self.members[team.pk] if team is not None else self.people_of[key]
                people = [
                    p for p in rng.sample(pool, min(len(pool), rng.randint(6, 15))) if self._free(p, starts, ends)
                ]
                if key == BRANCH_A and self.member not in people and rng.random() < 0.6:
                    if self._free(self.member, starts, ends):
                        people.append(self.member)
                if len(people) < 3:
                    continue
                recent = day >= yesterday - datetime.timedelta(days=10)
                open_ = (recent and rng.random() < 0.4) or rng.random() < 0.02
                # branch A's last week is still being recorded: the secretary has hours to approve
                if key == BRANCH_A and day >= yesterday - datetime.timedelta(days=7):
                    open_ = True
                record = self._record(
                    org_key=key,
                    team=team,
                    category=category,
                    starts=starts,
                    ends=ends,
                    people=people,
                    close=not open_,
                    approve=not open_,
                )
                if record is not None:
                    if not record.close:
                        record.figures = {}
                    records.append(record)
        actions.activities_register_bulk(actor=self.actor, activities=records, source="演示数据")
        # Demo set-up (see the module's docstring). A register written today carries today as its entries'
        # creation time; in the demo year the hours were recorded on the day, two hours after each activity …
        entries = HoursEntry.objects.filter(participation__activity__import_key__in=self.keys)
        ended = Participation.objects.filter(pk=OuterRef("participation_id")).values("activity__ends_at")[:1]
        HoursEntry.objects.filter(pk__in=list(entries.values_list("pk", flat=True))).update(
            created_at=Subquery(ended) + datetime.timedelta(hours=2)
        )
        # … except one activity's, typed in six weeks late.
        late = Activity.objects.get(import_key=self.late_key)
        HoursEntry.objects.filter(participation__activity=late).update(
            created_at=late.ends_at + datetime.timedelta(days=42)
        )

    def _suspicious(self) -> list:
        """Three things the hours checker should find: one person in two overlapping activities, more than 12
        hours in one day, hours recorded more than 30 days after the activity."""
        records = []
        people = self.people_of["b"]
        team = self.teams_of["b"][0]
        day = self.today - datetime.timedelta(days=60)
        overlap = people[3]
        first = self._record(
            org_key="b",
            team=team,
            category="environment",
            starts=self._at(day, 9, 0),
            ends=self._at(day, 11, 0),
            people=_unique([self.members[team.pk][0], overlap, *people[5:8]]),
        )
        second = self._record(
            org_key="b",
            team=None,
            category="health",
            starts=self._at(day, 10, 0),
            ends=self._at(day, 12, 0),
            people=_unique([people[0], overlap, *people[8:10]]),
        )
        flood_day = self.today - datetime.timedelta(days=100)
        long_day = self._record(
            org_key="b",
            team=None,
            category="emergency",
            title="防汛值守",
            starts=self._at(flood_day, 7, 0),
            ends=self._at(flood_day, 21, 0),
            people=people[10:14],
        )
        for participant in long_day.participants:
            participant.hours = Decimal(4)  # shifts on the flood watch …
        long_day.participants[1].hours = Decimal("13.5")  # … and one entry of 13.5 hours in the day
        late_day = self.today - datetime.timedelta(days=80)
        late = self._record(
            org_key="b",
            team=None,
            category="culture",
            title="红色电影放映",
            starts=self._at(late_day, 19, 0),
            ends=self._at(late_day, 21, 0),
            people=people[14:18],
        )
        self.late_key = late.import_key
        for record in (first, second, long_day, late):
            for participant in record.participants:
                participant.attended = True
            records.append(record)
        return records

    # Now: upcoming, drafts, cancelled -----------------------------------------------------------------------

    def current(self) -> None:
        rng, actor = self.rng, self.actor
        member_user = self.member.user if self.member is not None else None
        squads = [team for teams in self.teams_of.values() for team in teams if team.level == Team.Level.SQUAD]
        squad_a = self.teams_of[BRANCH_A][0]
        for index in range(12):
            team = squad_a if index < 3 else rng.choice(squads)
            activity = self._create(team, days=rng.randint(2, 28), index=index)
            actions.activity_publish(actor=actor, activity=activity)
            if team == squad_a and member_user is not None and index == 0:
                actions.participation_sign_up(actor=member_user, activity=activity)
            others = [p for p in self.members[team.pk] if p != self.member]
            for person in rng.sample(others, min(len(others), rng.randint(3, 8))):
                actions.participation_sign_up(actor=actor, activity=activity, person=person)
        for index in range(4):
            self._create(rng.choice(squads), days=rng.randint(20, 40), index=index)  # drafts
        for index in range(4):
            activity = self._create(rng.choice(squads), days=-rng.randint(5, 200), index=index)
            actions.activity_publish(actor=actor, activity=activity)
            actions.activity_cancel(actor=actor, activity=activity, reason=CANCEL_REASONS[index % len(CANCEL_REASONS)])

    def _create(self, team: Team, *, days: int, index: int) -> Activity:
        rng = self.rng
        category = rng.choice(SQUAD_CATEGORIES.get(self.kind_of.get(team.pk, ""), []) or list(CATEGORIES))
        titles, places, groups = CATEGORIES[category]
        hour, minute = SLOTS[index % len(SLOTS)]
        starts = self._at(self.today + datetime.timedelta(days=days), hour, minute)
        return actions.activity_create(
            actor=self.actor,
            title=rng.choice(titles),
            category=self.categories[category],
            place=rng.choice(places),
            target_group=rng.choice(groups),
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=rng.choice([2, 2.5, 3])),
            team=team,
            capacity=rng.choice([None, 20, 30]),
            description=f"{team.name}组织开展{rng.choice(titles)}活动，欢迎报名。",
        )


def _unique(people: list[Person]) -> list[Person]:
    return list(dict.fromkeys(people))


def services_demo_summary() -> dict:
    states = dict(Activity.objects.values_list("state").order_by().annotate(n=Count("pk")))
    return {
        "teams": Team.objects.count(),
        "memberships": TeamMembership.objects.filter(state=TeamMembership.State.ACTIVE).count(),
        "applicants": TeamMembership.objects.filter(state=TeamMembership.State.PENDING).count(),
        "activities": sum(states.values()),
        "states": states,
        "participations": Participation.objects.count(),
        "attended": Participation.objects.attended().count(),
        "approved": HoursEntry.objects.approved().count(),
        "pending": HoursEntry.objects.filter(state=HoursEntry.State.PENDING).count(),
    }
