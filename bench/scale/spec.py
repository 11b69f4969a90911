"""The three sizes the generator knows. `district` is the size of a real urban district's party organisation; `town`
is a tenth of it; `demo` is tiny (a few seconds on SQLite) and is what the tests run.

The headline counts (organisations, party members, activities, participations, ratings …) come out exactly as
written here; the rest (status steps, events, hours entries, points entries, visits …) follow from them and from
the seeded random draws, and the generator reports them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    committees: int  # 街道/镇/系统党委 under the district committee (the root)
    general_branches: int
    branches: int  # including the joint branches and one 机关党支部 directly under the root
    joint_branches: int
    party_groups: int
    members: int  # party members on the roll at the end of the year (预备党员 + 正式党员)
    others: int  # people who are not party members: 群众 volunteers, applicants, activists, development targets
    left: int  # party members who left the roll during the year (transferred out, died, exited)
    communities: int  # community-level grids (社区/村); street-level grids are one per committee
    grids: int  # grid-level grids (网格)
    activities: int  # activities that started in the year (a few cancelled, the rest closed)
    cancelled: int
    participations: int
    ratings: int
    demands: int
    households: int  # one pairing each
    mobile: int  # 流动党员 departure records
    posts: int

    @property
    def organisations(self) -> int:
        return 1 + self.committees + self.general_branches + self.branches + self.party_groups

    @property
    def people(self) -> int:
        return self.members + self.others + self.left


SCALES: dict[str, Scale] = {
    "demo": Scale(
        name="demo",
        committees=1,
        general_branches=2,
        branches=8,
        joint_branches=1,
        party_groups=4,
        members=240,
        others=40,
        left=6,
        communities=3,
        grids=9,
        activities=400,
        cancelled=6,
        participations=4_000,
        ratings=800,
        demands=60,
        households=20,
        mobile=6,
        posts=20,
    ),
    "town": Scale(
        name="town",
        committees=3,
        general_branches=12,
        branches=240,
        joint_branches=15,
        party_groups=110,
        members=7_177,
        others=1_200,
        left=110,
        communities=24,
        grids=240,
        activities=10_000,
        cancelled=150,
        participations=100_000,
        ratings=20_000,
        demands=3_000,
        households=800,
        mobile=140,
        posts=600,
    ),
    "district": Scale(
        name="district",
        committees=24,
        general_branches=120,
        branches=2_400,
        joint_branches=150,
        party_groups=1_111,
        members=71_771,
        others=12_000,
        left=1_100,
        communities=240,
        grids=2_400,
        activities=100_000,
        cancelled=1_500,
        participations=1_000_000,
        ratings=200_000,
        demands=30_000,
        households=8_000,
        mobile=1_400,
        posts=6_000,
    ),
}
