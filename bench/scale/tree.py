"""The organisation tree (a treebeard materialised-path tree built here: path, depth and numchild computed from the
parent/child lists), the grids (street → community → grid) and the host units with their formation modes."""

import random

from bench.scale.world import Org, World
from branches.models import Grid, HostUnit, Organisation

PLACES = (
    "江汉 临江 东湖 青山 汉阳 龙泉 金桥 白沙 南湖 北港 柳林 桃源 梅岭 石门 新华 和平 长丰 永安 清河 凤凰 "
    "玉泉 松涛 兴业 光明 红星 枫林 滨江 古田 仁和 长乐 双墩 建设 花山 月湖 沙湖 汤逊 黄家 杨园 积玉 中山"
).split()
ESTATES = "花园 新村 家园 北里 南苑 东城 西街 雅居 名都 翠园 锦城 景园 康城 怡景 春晓 馨苑".split()
VILLAGE_SUFFIXES = "湾 岗 店 桥 铺 坪 庄 冲 畈 垸".split()
FIRMS = "恒达 新诚 启明 云帆 智联 宏图 华信 瑞丰 博远 正泰 金鼎 天成 汇通 鑫源 长江 九州 中科 德隆 安泰 众邦".split()
TRADES = "机械 电子科技 物流 建设工程 食品 纺织 软件 医药 新材料 商贸 汽车服务 环保科技".split()
SCHOOLS = "实验小学 第一中学 中心小学 第二中学 幼儿园 职业技术学校".split()
AGENCIES = "社区服务中心 卫生院 文化站 综合执法中队 市场监管所 财政所".split()
SOCIAL = "社会工作服务中心 志愿者协会 养老服务中心 商会 书画协会 物业管理协会".split()
JOINT_AREAS = "商圈 科创园 物流园 农贸市场 商务楼宇 电商产业园".split()
NUMERALS = "一二三四五六七八九十"

# Branch types: what kind of unit a branch sits in. Decides its host unit's sector, its members' ages and size.
SECTOR = {
    "community": HostUnit.Sector.COMMUNITY,
    "village": HostUnit.Sector.VILLAGE,
    "enterprise": HostUnit.Sector.ENTERPRISE,
    "school": HostUnit.Sector.SCHOOL,
    "agency": HostUnit.Sector.AGENCY,
    "social": HostUnit.Sector.SOCIAL_ORG,
}
GENERAL_BRANCH_TYPES = [("community", 50), ("nonpublic", 25), ("social", 15), ("village", 10)]
UNDER_GENERAL_BRANCH = {
    "community": [("community", 85), ("retired", 15)],
    "nonpublic": [("enterprise", 100)],
    "social": [("school", 40), ("social", 60)],
    "village": [("village", 100)],
}
UNDER_COMMITTEE = [("village", 35), ("school", 20), ("agency", 30), ("community", 15)]


def numeral(n: int) -> str:
    return NUMERALS[n - 1] if n <= 10 else str(n)


class _Names:
    """Unique names from small lists: a clash gets the next number."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.seen:
            n += 1
            candidate = f"{name}（{n}）"
        self.seen.add(candidate)
        return candidate


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([key for key, _ in weighted], [weight for _, weight in weighted])[0]


def build_tree(world: World) -> None:
    """Organisations in creation order (root, committees, general branches, branches, party groups), then paths."""
    scale, rng = world.scale, world.rng("tree")
    ids = iter(world.ids(Organisation, scale.organisations))
    names = _Names()
    root = Org(next(ids), "中共临江区委员会", Organisation.Kind.COMMITTEE, None)
    root.place, root.committee = "临江区", None
    orgs = [root]

    committees = []
    for index in range(scale.committees):
        place = PLACES[index % len(PLACES)] + ("" if index < len(PLACES) else numeral(index // len(PLACES) + 1))
        town = index % 5 == 3
        org = Org(next(ids), names.unique(f"{place}{'镇党委' if town else '街道党工委'}"), "committee", root)
        org.place = f"{place}{'镇' if town else '街道'}"
        org.committee = org
        committees.append(org)

    general = []
    for index in range(scale.general_branches):
        committee = committees[index % len(committees)]
        kind = _pick(rng, GENERAL_BRANCH_TYPES) if index >= 2 else ("community", "nonpublic")[index]
        short = committee.place
        if kind == "community":
            name = f"{short[:2]}{rng.choice(ESTATES)}社区党总支"
        elif kind == "village":
            name = f"{short[:2]}{rng.choice(PLACES)}村党总支"
        else:
            name = f"{short}{'非公有制企业' if kind == 'nonpublic' else '社会事业'}党总支"
        org = Org(next(ids), names.unique(name), "general_branch", committee, kind)
        org.committee, org.place = committee, short
        general.append(org)

    # Branches: the root's own 机关党支部, one 机关党支部 per committee, then the rest — four in five under a
    # general branch (its type deciding theirs), the others directly under a committee.
    branch_parents: list[tuple[Org, str]] = [(root, "agency")] + [(c, "agency") for c in committees]
    for index in range(scale.branches - len(branch_parents)):
        if general and index % 5 != 4:
            parent = general[index % len(general)]
            branch_parents.append((parent, _pick(rng, UNDER_GENERAL_BRANCH[parent.btype])))
        else:
            branch_parents.append((committees[index % len(committees)], _pick(rng, UNDER_COMMITTEE)))
    # joint branches: enterprise and social-organisation branches first, then any but the 机关 ones
    eligible = [i for i, (_, btype) in enumerate(branch_parents) if btype in ("enterprise", "social")]
    others = [i for i, (_, btype) in enumerate(branch_parents) if btype not in ("enterprise", "social", "agency")]
    joint = set(rng.sample(eligible, min(scale.joint_branches, len(eligible))))
    joint |= set(rng.sample(others, scale.joint_branches - len(joint)))
    branches = []
    counters: dict[int, int] = {}
    for index, (parent, btype) in enumerate(branch_parents):
        committee = parent.committee or root
        place = committee.place if parent is not root else "临江区"
        counters[parent.id] = counters.get(parent.id, 0) + 1
        is_joint = index in joint
        if is_joint:
            name = f"{place}{rng.choice(JOINT_AREAS)}联合党支部"
        elif index == 0:
            name = "临江区直属机关党支部"
        elif btype == "agency" and parent.kind == "committee" and counters[parent.id] == 1:
            name = f"{place}机关党支部"
        elif btype == "community":
            base = parent.name.removesuffix("党总支") if parent.kind == "general_branch" else f"{place[:2]}社区"
            name = f"{base}第{numeral(counters[parent.id])}党支部"
        elif btype == "retired":
            name = f"{parent.name.removesuffix('党总支')}离退休党支部"
        elif btype == "village":
            name = f"{place[:2]}{rng.choice(PLACES)}{rng.choice(VILLAGE_SUFFIXES)}村党支部"
        elif btype == "enterprise":
            name = f"临江{rng.choice(FIRMS)}{rng.choice(TRADES)}有限公司党支部"
        elif btype == "school":
            name = f"临江区{place[:2]}{rng.choice(SCHOOLS)}党支部"
        elif btype == "social":
            name = f"{place[:2]}{rng.choice(SOCIAL)}党支部"
        else:
            name = f"{place}{rng.choice(AGENCIES)}党支部"
        kind = Organisation.Kind.JOINT_BRANCH if is_joint else Organisation.Kind.BRANCH
        org = Org(next(ids), names.unique(name), kind, parent, btype)
        org.committee, org.place = committee, place
        branches.append(org)

    groups = []
    hosts_groups = [b for b in branches if b.btype not in ("retired",)] or branches
    for index in range(scale.party_groups):
        branch = hosts_groups[index * len(hosts_groups) // max(1, scale.party_groups)]
        n = len(branch.groups) + 1
        if index % 13 == 12:
            kind, name = Organisation.Kind.TEMPORARY_GROUP, f"{branch.name.removesuffix('党支部')}临时党小组"
        elif index % 7 == 6:
            kind, name = Organisation.Kind.FUNCTIONAL_GROUP, f"{branch.name.removesuffix('党支部')}志愿服务功能党小组"
        else:
            kind, name = Organisation.Kind.PARTY_GROUP, f"{branch.name}第{numeral(n)}党小组"
        org = Org(next(ids), names.unique(name), kind, branch)
        org.committee, org.place = branch.committee, branch.place
        branch.groups.append(org)
        groups.append(org)

    orgs += committees + general + branches + groups
    for org in orgs[1:]:
        org.parent.children.append(org)
    _paths(root, None, 1, 1)
    for org in orgs:
        org.code = "LJQ" if org is root else f"LJQ-{org.id:05d}"
    world.orgs = orgs


def _paths(node, parent_path: str | None, depth: int, step: int) -> None:
    """Treebeard's own path arithmetic (`_get_path`), so steplen and alphabet are the model's."""
    node.path = Organisation._get_path(parent_path, depth, step)
    node.depth = depth
    node.numchild = len(node.children)
    for position, child in enumerate(node.children, start=1):
        _paths(child, node.path, depth + 1, position)


def write_tree(world: World) -> None:
    created = world.at(world.first.replace(year=world.year - 3), 9)
    columns = ["id", "path", "depth", "numchild", "name", "kind", "code", "phone", "address", "is_archived"]
    columns += ["created_at", "updated_at"]

    def rows():
        for index, org in enumerate(world.orgs):
            phone = (
                f"027-8{index * 379 % 10_000_000:07d}" if org.kind not in ("party_group", "functional_group") else ""
            )
            address = f"{org.place}{org.name[:2]}路 {index % 180 + 1} 号" if org.kind != "temporary_group" else ""
            yield (
                org.id,
                org.path,
                org.depth,
                org.numchild,
                org.name,
                org.kind,
                org.code,
                phone,
                address,
                False,
                created,
                created,
            )

    world.loader.write(Organisation, columns, rows())


# Grids -------------------------------------------------------------------------------------------------------


def build_grids(world: World) -> list[tuple]:
    """Street per committee, communities, grids; each served by a party organisation of that committee (a few
    grids by none yet). Returns the rows; sets each branch's `grid_ids` (the grids it serves, else its committee's)."""
    scale, rng = world.scale, world.rng("grids")
    committees = [org for org in world.orgs if org.kind == "committee" and org.parent is not None]
    generals = {c.id: [o for o in c.children if o.kind == "general_branch"] for c in committees}
    under = {c.id: [b for b in world.branches() if b.committee is c] for c in committees}
    ids = iter(world.ids(Grid, len(committees) + scale.communities + scale.grids))
    rows, streets, communities = [], {}, []
    for committee in committees:
        grid_id = next(ids)
        streets[committee.id] = grid_id
        rows.append((grid_id, committee.place, Grid.Level.STREET, None, committee.id))
    names = _Names()
    for index in range(scale.communities):
        committee = committees[index % len(committees)]
        serving = (
            generals[committee.id][index // len(committees) % len(generals[committee.id])]
            if generals[committee.id]
            else committee
        )
        name = names.unique(f"{committee.place[:2]}{ESTATES[index // len(committees) % len(ESTATES)]}社区")
        grid_id = next(ids)
        communities.append((grid_id, committee, name))
        rows.append((grid_id, name, Grid.Level.COMMUNITY, streets[committee.id], serving.id))
    committee_grids: dict[int, list[int]] = {c.id: [] for c in committees}
    turn: dict[int, int] = {}
    for index in range(scale.grids):
        community_id, committee, community = communities[index % len(communities)]
        branches = under[committee.id]
        turn[committee.id] = turn.get(committee.id, -1) + 1
        serving = branches[turn[committee.id] % len(branches)] if branches and rng.random() > 0.03 else None
        grid_id = next(ids)
        number = index // len(communities) + 1
        rows.append(
            (grid_id, f"{community}第{numeral(number)}网格", Grid.Level.GRID, community_id, serving and serving.id)
        )
        committee_grids[committee.id].append(grid_id)
        if serving is not None:
            serving.grid_ids.append(grid_id)
    everywhere = [grid for grids in committee_grids.values() for grid in grids]
    for branch in world.branches():
        if not branch.grid_ids:
            branch.grid_ids = committee_grids.get(branch.committee.id, []) if branch.committee else []
            branch.grid_ids = branch.grid_ids or everywhere[:50]
    return rows


def write_grids(world: World, rows: list[tuple]) -> None:
    created = world.at(world.first.replace(year=world.year - 3), 9)
    columns = ["id", "name", "level", "parent_id", "organisation_id", "created_at", "updated_at"]
    world.loader.write(Grid, columns, ((*row, created, created) for row in rows))


# Host units --------------------------------------------------------------------------------------------------


def build_hosts(world: World) -> list[list]:
    """单独建 for each branch with a unit of its own, 联合建 for 3–5 small units per joint branch, 挂靠建 for every
    third party group, 委派指导员 (instructor filled in with the people) and a few 未覆盖. Returns mutable rows:
    [id, name, sector, formation, organisation id, instructor id, grid id, staff, union, youth, women]."""
    rng = world.rng("hosts")
    names = _Names()
    rows: list[list] = []

    def add(name: str, sector: str, formation: str, org_id: int | None, grid_ids: list[int], staff: int) -> list:
        row = [
            0,
            names.unique(name),
            sector,
            formation,
            org_id,
            None,
            rng.choice(grid_ids) if grid_ids else None,
            staff,
            staff >= 25 or rng.random() < 0.3,
            staff >= 50 or rng.random() < 0.2,
            staff >= 30 or rng.random() < 0.4,
        ]
        rows.append(row)
        return row

    communities: dict[str, int] = {}  # 居委会 name → its row's position (negative, as below)
    for branch in world.branches():
        prefix = branch.name.removesuffix("党支部").removesuffix("联合")
        if branch.kind == Organisation.Kind.JOINT_BRANCH:
            for _ in range(rng.randint(3, 5)):
                sector = rng.choice(
                    [HostUnit.Sector.ENTERPRISE, HostUnit.Sector.ENTERPRISE, HostUnit.Sector.SOCIAL_ORG]
                )
                name = f"{branch.place[:2]}{rng.choice(FIRMS)}{rng.choice(TRADES)}有限公司"
                if sector == HostUnit.Sector.SOCIAL_ORG:
                    name = f"{branch.place[:2]}{rng.choice(SOCIAL)}"
                add(name, sector, HostUnit.Formation.JOINT, branch.id, branch.grid_ids, rng.randint(3, 25))
            continue
        if branch.btype == "retired":
            continue
        sector = SECTOR[branch.btype]
        if branch.btype == "community":
            name = f"{prefix.split('第')[0]}居民委员会"
            if name in communities:  # the community's other branches: the same 居委会
                branch.host_id = communities[name]
                continue
            communities[name] = -len(rows) - 1
        elif branch.btype == "village":
            name = f"{prefix}村民委员会".replace("村村", "村")
        elif branch.btype == "agency" and branch.parent.kind == "committee":
            name = f"{branch.place}办事处" if branch.parent.parent else "临江区人民政府办公室"
        else:
            name = prefix
        staff = {"enterprise": (20, 600), "school": (40, 160), "agency": (15, 120)}.get(branch.btype, (5, 30))
        add(name, sector, HostUnit.Formation.SINGLE, branch.id, branch.grid_ids, rng.randint(*staff))
        branch.host_id = -len(rows)  # the row's position (negative) until the ids are given out below
    groups = [org for org in world.orgs if org.kind == Organisation.Kind.PARTY_GROUP]
    for group in groups[::3]:
        parent = group.parent
        sector = rng.choice([HostUnit.Sector.AGENCY, HostUnit.Sector.SCHOOL, HostUnit.Sector.ENTERPRISE])
        unit = {"agency": "卫生服务站", "school": "附属幼儿园", "enterprise": "专业合作社"}[sector]
        add(
            f"{parent.name.removesuffix('党支部')}{unit}",
            sector,
            HostUnit.Formation.ATTACHED,
            group.id,
            parent.grid_ids,
            rng.randint(5, 40),
        )
    supervisors = [org for org in world.orgs if org.kind in ("committee", "general_branch") and org.parent]
    for index, supervisor in enumerate(supervisors[: max(2, len(supervisors) // 2)]):
        for _ in range(1 + index % 3):
            grids = next((b.grid_ids for b in world.branches() if b.committee is supervisor.committee), [])
            name = f"{supervisor.place[:2]}{rng.choice(FIRMS)}{rng.choice(TRADES)}有限公司"
            add(
                name,
                HostUnit.Sector.ENTERPRISE,
                HostUnit.Formation.INSTRUCTOR,
                supervisor.id,
                grids,
                rng.randint(5, 40),
            )
    for index in range(max(2, len(rows) // 40)):
        committee = supervisors[index % len(supervisors)]
        grids = next((b.grid_ids for b in world.branches() if b.committee is committee.committee), [])
        if index % 2:
            add(
                f"{committee.place[:2]}{rng.choice(SOCIAL)}",
                HostUnit.Sector.SOCIAL_ORG,
                HostUnit.Formation.NONE,
                None,
                grids,
                rng.randint(0, 10),
            )
        else:
            add(
                f"{committee.place[:2]}{rng.choice(FIRMS)}汽车维修店",
                HostUnit.Sector.ENTERPRISE,
                HostUnit.Formation.NONE,
                None,
                grids,
                rng.randint(2, 12),
            )
    for host_id, row in zip(world.ids(HostUnit, len(rows)), rows, strict=True):
        row[0] = host_id
    for branch in world.branches():
        if branch.host_id is not None:
            branch.host_id = rows[-branch.host_id - 1][0]
    return rows


def write_hosts(world: World, rows: list[list]) -> None:
    created = world.at(world.first.replace(year=world.year - 3), 9)
    columns = ["id", "name", "sector", "formation", "organisation_id", "instructor_id", "grid_id", "staff_count"]
    columns += ["has_trade_union", "has_youth_league", "has_womens_federation", "created_at", "updated_at"]
    world.loader.write(HostUnit, columns, ((*row, created, created) for row in rows))
