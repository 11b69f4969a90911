"""The demo district's fixed shape: organisations, grids, host units, how many people each organisation has.

Everything here is fictional. The district is 示范区东湖街道: one 党工委, four 党总支, fifteen 党支部 (three of
them 联合党支部), a few 党小组, a street → community → grid hierarchy and host units in every sector.
"""

from dataclasses import dataclass

from branches.models import Grid, HostUnit, Organisation

COMMITTEE_CODE = "SFQ-DH"  # finding this code means the demo district is already there
PASSWORD = "demo12345"
SEED = 20240701  # random.Random(SEED): the same names, numbers and offsets on every run
MEMBER_PHONE = "13907150001"  # the demo member logs in with this number as well as with `member`
BRANCH_A = "a"
BRANCH_B = "b"

K = Organisation.Kind
S = HostUnit.Sector
F = HostUnit.Formation
L = Grid.Level


def code_for(key: str) -> str:
    return COMMITTEE_CODE if key == "committee" else f"{COMMITTEE_CODE}-{key.upper().replace('_', '-')}"


# key, name, kind, parent key, address (parents come before their children)
ORGANISATIONS: list[tuple[str, str, str, str | None, str]] = [
    ("committee", "示范区东湖街道党工委", K.COMMITTEE, None, "示范区东湖街道湖滨路 1 号"),
    ("jiguan", "东湖街道机关党支部", K.BRANCH, "committee", "示范区东湖街道湖滨路 1 号"),
    ("gb_donghu", "东湖社区党总支", K.GENERAL_BRANCH, "committee", "东湖社区东湖路 18 号"),
    ("a", "东湖社区第一党支部", K.BRANCH, "gb_donghu", "东湖社区东湖路 18 号"),
    ("a_g1", "东湖社区第一党支部第一党小组", K.PARTY_GROUP, "a", ""),
    ("a_g2", "东湖社区第一党支部第二党小组", K.PARTY_GROUP, "a", ""),
    ("a_clinic", "东湖社区卫生服务站党小组", K.PARTY_GROUP, "a", "东湖社区东湖路 26 号"),
    ("a_volunteer", "东湖社区志愿服务功能党小组", K.FUNCTIONAL_GROUP, "a", ""),
    ("donghu2", "东湖社区第二党支部", K.BRANCH, "gb_donghu", "东湖社区东湖路 18 号"),
    ("retired", "东湖社区离退休党支部", K.BRANCH, "gb_donghu", "东湖社区老年活动中心"),
    ("gb_hubin", "湖滨社区党总支", K.GENERAL_BRANCH, "committee", "湖滨社区滨江大道 66 号"),
    ("b", "湖滨社区第一党支部", K.BRANCH, "gb_hubin", "湖滨社区滨江大道 66 号"),
    ("b_flood", "湖滨社区防汛临时党小组", K.TEMPORARY_GROUP, "b", ""),
    ("hubin2", "湖滨社区第二党支部", K.BRANCH, "gb_hubin", "湖滨社区滨江大道 66 号"),
    ("gb_nonpublic", "东湖街道非公有制企业党总支", K.GENERAL_BRANCH, "committee", "东湖科创园 A 座"),
    ("hengda", "示范区恒达机械有限公司党支部", K.BRANCH, "gb_nonpublic", "东湖科创园恒达路 9 号"),
    ("hengda_g", "恒达机械总装车间党小组", K.PARTY_GROUP, "hengda", ""),
    ("xincheng", "示范区新诚电子科技有限公司党支部", K.BRANCH, "gb_nonpublic", "东湖科创园创新路 12 号"),
    ("mall", "东湖商圈联合党支部", K.JOINT_BRANCH, "gb_nonpublic", "东湖商贸城 3 楼"),
    ("techpark", "东湖科创园联合党支部", K.JOINT_BRANCH, "gb_nonpublic", "东湖科创园 A 座"),
    ("gb_social", "东湖街道社会事业党总支", K.GENERAL_BRANCH, "committee", "示范区东湖街道湖滨路 1 号"),
    ("school1", "东湖实验小学党支部", K.BRANCH, "gb_social", "东湖社区学府路 2 号"),
    ("school1_kg", "东湖实验小学附属幼儿园党小组", K.PARTY_GROUP, "school1", "东湖社区学府路 4 号"),
    ("school2", "示范区东湖中学党支部", K.BRANCH, "gb_social", "湖滨社区学苑路 8 号"),
    ("socialorg", "东湖社会组织联合党支部", K.JOINT_BRANCH, "gb_social", "东湖社区党群服务中心"),
    ("liulin", "柳林村党支部", K.BRANCH, "committee", "柳林村村委会"),
    ("liulin_coop", "柳林村农民专业合作社党小组", K.PARTY_GROUP, "liulin", "柳林村二组"),
    ("taoyuan", "桃园村党支部", K.BRANCH, "committee", "桃园村村委会"),
]

# key, name, level, parent key, serving organisation key (None: no party organisation serves it yet)
GRIDS: list[tuple[str, str, str, str | None, str | None]] = [
    ("street", "东湖街道", L.STREET, None, "committee"),
    ("c_donghu", "东湖社区", L.COMMUNITY, "street", "gb_donghu"),
    ("c_hubin", "湖滨社区", L.COMMUNITY, "street", "gb_hubin"),
    ("c_liulin", "柳林村", L.COMMUNITY, "street", "liulin"),
    ("c_taoyuan", "桃园村", L.COMMUNITY, "street", "taoyuan"),
    ("c_park", "东湖科创园片区", L.COMMUNITY, "street", "gb_nonpublic"),
    ("g_dh1", "东湖社区第一网格", L.GRID, "c_donghu", "a"),
    ("g_dh2", "东湖社区第二网格", L.GRID, "c_donghu", "a"),
    ("g_dh3", "东湖社区第三网格", L.GRID, "c_donghu", "donghu2"),
    ("g_dh4", "东湖社区第四网格", L.GRID, "c_donghu", "retired"),
    ("g_mall", "东湖商圈网格", L.GRID, "c_donghu", "mall"),
    ("g_hb1", "湖滨社区第一网格", L.GRID, "c_hubin", "b"),
    ("g_hb2", "湖滨社区第二网格", L.GRID, "c_hubin", "hubin2"),
    ("g_hb3", "湖滨社区第三网格（锦绣新城）", L.GRID, "c_hubin", None),
    ("g_ll1", "柳林村第一网格", L.GRID, "c_liulin", "liulin"),
    ("g_ll2", "柳林村第二网格", L.GRID, "c_liulin", "liulin"),
    ("g_ty1", "桃园村网格", L.GRID, "c_taoyuan", "taoyuan"),
    ("g_park", "科创园网格", L.GRID, "c_park", "techpark"),
]
RESIDENTIAL_GRIDS = ["g_dh1", "g_dh2", "g_dh3", "g_dh4", "g_hb1", "g_hb2", "g_hb3", "g_ll1", "g_ll2", "g_ty1"]

# name, sector, formation, organisation key, grid key, staff, mass organisations (工 union, 青 youth league, 妇 women)
# 单独建/联合建: the unit's own branch; 挂靠建: the party group under the supervising unit's organisation;
# 委派指导员: the organisation that sent the instructor (see INSTRUCTORS); 未覆盖: none.
HOSTS: list[tuple[str, str, str, str | None, str, int, str]] = [
    ("东湖街道办事处", S.AGENCY, F.SINGLE, "jiguan", "g_dh1", 86, "工青妇"),
    ("东湖社区居民委员会", S.COMMUNITY, F.SINGLE, "gb_donghu", "g_dh2", 15, "工妇"),
    ("湖滨社区居民委员会", S.COMMUNITY, F.SINGLE, "gb_hubin", "g_hb1", 12, "工妇"),
    ("柳林村村民委员会", S.VILLAGE, F.SINGLE, "liulin", "g_ll1", 9, "青妇"),
    ("桃园村村民委员会", S.VILLAGE, F.SINGLE, "taoyuan", "g_ty1", 7, "妇"),
    ("示范区恒达机械有限公司", S.ENTERPRISE, F.SINGLE, "hengda", "g_park", 320, "工青妇"),
    ("示范区新诚电子科技有限公司", S.ENTERPRISE, F.SINGLE, "xincheng", "g_park", 140, "工"),
    ("东湖实验小学", S.SCHOOL, F.SINGLE, "school1", "g_dh3", 96, "工青妇"),
    ("示范区东湖中学", S.SCHOOL, F.SINGLE, "school2", "g_hb2", 138, "工青妇"),
    ("东湖商贸城经营管理有限公司", S.ENTERPRISE, F.JOINT, "mall", "g_mall", 42, "工"),
    ("东湖便民连锁超市", S.ENTERPRISE, F.JOINT, "mall", "g_mall", 26, ""),
    ("湖畔餐饮有限公司", S.ENTERPRISE, F.JOINT, "mall", "g_mall", 18, ""),
    ("东湖快递综合服务站", S.ENTERPRISE, F.JOINT, "mall", "g_mall", 14, ""),
    ("示范区启明软件有限公司", S.ENTERPRISE, F.JOINT, "techpark", "g_park", 35, "青"),
    ("云帆数据科技有限公司", S.ENTERPRISE, F.JOINT, "techpark", "g_park", 22, ""),
    ("智联检测技术有限公司", S.ENTERPRISE, F.JOINT, "techpark", "g_park", 16, ""),
    ("东湖社区社会工作服务中心", S.SOCIAL_ORG, F.JOINT, "socialorg", "g_dh2", 12, ""),
    ("示范区阳光志愿者协会", S.SOCIAL_ORG, F.JOINT, "socialorg", "g_hb1", 8, "青"),
    ("东湖书画协会", S.SOCIAL_ORG, F.JOINT, "socialorg", "g_dh4", 6, ""),
    ("东湖社区卫生服务站", S.AGENCY, F.ATTACHED, "a_clinic", "g_dh1", 11, ""),
    ("东湖实验小学附属幼儿园", S.SCHOOL, F.ATTACHED, "school1_kg", "g_dh3", 24, "妇"),
    ("柳林村农民专业合作社", S.ENTERPRISE, F.ATTACHED, "liulin_coop", "g_ll2", 19, ""),
    ("蓝天装饰工程有限公司", S.ENTERPRISE, F.INSTRUCTOR, "gb_nonpublic", "g_mall", 23, ""),
    ("东湖颐养服务中心", S.SOCIAL_ORG, F.INSTRUCTOR, "gb_social", "g_hb2", 17, "妇"),
    ("顺发汽车维修店", S.ENTERPRISE, F.NONE, None, "g_hb3", 6, ""),
    ("东湖广场舞协会", S.SOCIAL_ORG, F.NONE, None, "g_hb3", 0, ""),
]
# instructor host → the branch whose member is sent as 党建指导员 (the role is held in the host's organisation)
INSTRUCTORS = {"蓝天装饰工程有限公司": "hengda", "东湖颐养服务中心": "socialorg"}


@dataclass(frozen=True)
class Unit:
    """How many people an organisation has per political status, where they work and live."""

    full: int
    probationary: int
    development_target: int
    activist: int
    applicant: int
    masses: int
    born: tuple[int, int]  # birth years of its full members
    hosts: tuple[str, ...] = ()  # work units (empty: residents without a host unit)
    grids: tuple[str, ...] = ()  # where they live (empty: anywhere in the district)
    retire: bool = False  # record retirements (community branches)


PEOPLE: dict[str, Unit] = {
    "jiguan": Unit(16, 1, 1, 1, 1, 2, (1966, 1996), ("东湖街道办事处",)),
    "a": Unit(18, 2, 1, 2, 2, 6, (1945, 1995), (), ("g_dh1", "g_dh2"), retire=True),
    "a_clinic": Unit(3, 0, 0, 0, 0, 1, (1970, 1995), ("东湖社区卫生服务站",), ("g_dh1",)),
    "donghu2": Unit(14, 1, 1, 1, 2, 5, (1948, 1995), (), ("g_dh3", "g_dh2"), retire=True),
    "retired": Unit(22, 0, 0, 0, 0, 2, (1938, 1962), (), ("g_dh4", "g_dh3"), retire=True),
    "b": Unit(15, 1, 1, 2, 1, 5, (1948, 1996), (), ("g_hb1", "g_hb3"), retire=True),
    "hubin2": Unit(13, 1, 1, 1, 1, 4, (1950, 1996), (), ("g_hb2", "g_hb3"), retire=True),
    "hengda": Unit(16, 2, 1, 2, 3, 6, (1968, 1998), ("示范区恒达机械有限公司",)),
    # deliberately below the three full members a single branch needs (the report warns about it)
    "xincheng": Unit(2, 1, 1, 1, 2, 4, (1975, 1998), ("示范区新诚电子科技有限公司",)),
    "mall": Unit(
        8,
        1,
        1,
        1,
        2,
        4,
        (1965, 1998),
        ("东湖商贸城经营管理有限公司", "东湖便民连锁超市", "湖畔餐饮有限公司", "东湖快递综合服务站"),
    ),
    "techpark": Unit(
        7, 1, 1, 2, 2, 3, (1980, 1998), ("示范区启明软件有限公司", "云帆数据科技有限公司", "智联检测技术有限公司")
    ),
    "school1": Unit(12, 1, 1, 1, 1, 2, (1966, 1997), ("东湖实验小学",)),
    "school1_kg": Unit(3, 0, 0, 0, 0, 1, (1975, 1997), ("东湖实验小学附属幼儿园",)),
    "school2": Unit(14, 1, 1, 1, 2, 2, (1965, 1997), ("示范区东湖中学",)),
    "socialorg": Unit(
        6, 1, 0, 1, 1, 4, (1960, 1996), ("东湖社区社会工作服务中心", "示范区阳光志愿者协会", "东湖书画协会")
    ),
    "liulin": Unit(15, 1, 1, 1, 1, 8, (1950, 1996), (), ("g_ll1", "g_ll2")),
    "liulin_coop": Unit(3, 0, 0, 0, 0, 1, (1965, 1990), ("柳林村农民专业合作社",), ("g_ll2",)),
    "taoyuan": Unit(11, 1, 1, 1, 1, 6, (1952, 1996), (), ("g_ty1",)),
}
# members who came from outside the district (a transfer in, no join here)
TRANSFERS_IN = ["a", "hengda", "techpark"]
# members who left the district (transfer out), and one moved between two branches of the district
TRANSFERS_OUT = ["hengda", "school2"]
MOVE = ("hubin2", "donghu2")

TEAMS = ["便民服务队", "关爱帮扶服务队", "环境整治服务队", "文化宣传服务队", "平安巡逻服务队", "法律咨询服务队"]
DUTIES = ["组织委员", "宣传委员", "纪检委员"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
)
MALE_GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成"
    "康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之朗宏"
)
FEMALE_GIVEN = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞"
    "莉桂娣叶璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨韵园艺咏卿澜纯悦昭冰"
)
AREA_CODES = ["420102", "420103", "420104", "420105", "420106", "420111", "420115"]
PHONE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "186", "187", "188"]

# mobile members: branch key, destination, host party organisation there
MOBILE = [
    ("a", "广东省深圳市南山区", "深圳市南山区粤海街道流动党员党支部"),
    ("b", "浙江省杭州市余杭区", "杭州市余杭区仓前街道非公企业联合党委"),
    ("hengda", "江苏省苏州市工业园区", "苏州工业园区流动党员服务站党支部"),
    ("liulin", "上海市闵行区", "上海市闵行区莘庄镇流动党员党支部"),
    ("techpark", "北京市海淀区", "北京市海淀区中关村科技园区流动党员党委"),
    ("taoyuan", "福建省厦门市湖里区", "厦门市湖里区流动党员党支部"),
]
