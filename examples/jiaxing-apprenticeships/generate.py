#!/usr/bin/python3
"""Generate the Jiaxing Vocational & Technical College apprenticeship scenario.

Standard library only; deterministic: the same seed rewrites every CSV
byte-identically.  Run from anywhere:

    /usr/bin/python3 examples/jiaxing-apprenticeships/generate.py

The college (嘉兴职业技术学院, 高职) matches its 2027 graduates to the
modern-apprenticeship programs (现代学徒制) that 30 enterprises of its
vocational-education group offer this year: 33 programs, each with mentors
(师傅) who take a few apprentices each.  About a third of the students
state 1-3 preferences; the rest leave the choice to the matcher.
Everything is invented except the public code tables it draws on (the 2021
vocational major catalog, GB/T 4754-2017 divisions, GB/T 2260 county
codes).  See README.md.
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402  (examples/common.py)

SEED = 20270301
YEAR = 2027                        # the cohort being matched

SCHOOL_ID = "4133040201"
SCHOOL = {"id": SCHOOL_ID, "name": "嘉兴职业技术学院", "level": "higher",
          "region": "330402"}

# ------------------------------------------------------------ chains
AUTO = "汽车零部件"
EQUIP = "智能装备"
PV = "光伏新能源"
ELEC = "电子信息"
DIGI = "数字经济"
TEX = "纺织服装"
XB = "跨境电商"
LOG = "现代物流"
FIN = "财税服务"
TOUR = "文化旅游"
AGRI = "现代农业"
FOOD = "食品加工"

# ------------------------------------------------------------ specialties
# (major_code, catalog name, 二级学院, cohort 2026, 2027, 2028, chains, skills)
# Higher-vocational (高职专科) codes of the 2021 catalog.  The 2027 column
# is the cohort matched here: students.csv holds every one of them.  The
# two majors marked PILOT also run an early-apprenticeship pilot for their
# 2028 cohort, whose students are in students.csv as well.

SPECIALTIES = [
    ("460301", "机电一体化技术", "智能制造学院", 146, 150, 150, [EQUIP, AUTO], ["PLC编程", "机电设备装调"]),
    ("460103", "数控技术", "智能制造学院", 88, 90, 85, [EQUIP, AUTO], ["数控编程", "CAD/CAM"]),
    ("460113", "模具设计与制造", "智能制造学院", 62, 60, 55, [AUTO], ["模具设计", "UG NX"]),
    ("460305", "工业机器人技术", "智能制造学院", 90, 95, 70, [EQUIP], ["工业机器人编程", "视觉检测"]),
    ("460306", "电气自动化技术", "智能制造学院", 118, 120, 120, [PV, EQUIP], ["电气控制", "PLC编程"]),
    ("460702", "新能源汽车技术", "汽车工程学院", 100, 110, 72, [AUTO], ["三电系统", "高压电安全"]),
    ("500211", "汽车检测与维修技术", "汽车工程学院", 92, 90, 85, [AUTO], ["汽车故障诊断"]),
    ("510201", "计算机应用技术", "信息技术学院", 126, 130, 130, [DIGI], ["Java", "数据库"]),
    ("510203", "软件技术", "信息技术学院", 104, 110, 110, [DIGI], ["Java", "Web前端"]),
    ("510205", "大数据技术", "信息技术学院", 72, 80, 90, [DIGI], ["Python", "数据分析"]),
    ("510102", "物联网应用技术", "信息技术学院", 66, 65, 60, [ELEC, DIGI], ["传感网络", "嵌入式"]),
    ("510103", "应用电子技术", "信息技术学院", 70, 70, 65, [ELEC], ["电子装联", "SMT工艺"]),
    ("530701", "电子商务", "经济管理学院", 142, 150, 150, [XB], ["网店运营", "直播运营"]),
    ("530702", "跨境电子商务", "经济管理学院", 80, 85, 90, [XB, LOG], ["跨境平台运营", "外贸英语"]),
    ("530501", "国际经济与贸易", "经济管理学院", 72, 70, 65, [XB, TEX], ["外贸单证", "外贸英语"]),
    ("530802", "现代物流管理", "经济管理学院", 86, 90, 90, [LOG], ["仓储管理", "WMS系统"]),
    ("530302", "大数据与会计", "经济管理学院", 158, 160, 160, [FIN], ["财务软件", "税务申报"]),
    ("530605", "市场营销", "经济管理学院", 84, 90, 85, [FOOD, XB], ["市场调研", "销售管理"]),
    ("540101", "旅游管理", "旅游与文化学院", 62, 60, 55, [TOUR], ["导游证", "景区服务"]),
    ("540106", "酒店管理与数字化运营", "旅游与文化学院", 76, 80, 80, [TOUR], ["前厅服务", "收益管理"]),
    ("480402", "服装设计与工艺", "时尚设计学院", 72, 75, 70, [TEX], ["服装制版", "毛衫工艺"]),
    ("480401", "现代纺织技术", "时尚设计学院", 44, 45, 40, [TEX], ["纺织工艺", "纺织品检测"]),
    ("410105", "园艺技术", "农业与生物学院", 52, 55, 50, [AGRI], ["设施栽培", "植物保护"]),
    ("410303", "畜牧兽医", "农业与生物学院", 68, 70, 65, [AGRI], ["动物防疫", "饲养管理"]),
    ("490104", "食品检验检测技术", "农业与生物学院", 54, 55, 55, [FOOD], ["食品理化检验", "微生物检验"]),
]
PILOT = {"460702", "460305"}

# ------------------------------------------------------------ enterprises
# (key, chains, county, industry, (size lo, hi), business words)

ENTERPRISES = [
    ("auto1", [AUTO], "330421", "C36", (1500, 5000), ["汽车零部件", "精密机械"]),
    ("auto2", [AUTO, PV], "330424", "C36", (800, 3000), ["新能源汽车部件", "电驱科技"]),
    ("auto4s", [AUTO], "330402", "F52", (300, 1000), ["汽车销售服务", "汽车服务"]),
    ("robot", [EQUIP], "330411", "C34", (300, 1200), ["智能装备", "机器人科技"]),
    ("equip", [EQUIP, AUTO], "330402", "C35", (500, 2000), ["智能装备", "自动化科技"]),
    ("pv1", [PV], "330481", "C38", (2000, 8000), ["光伏科技", "新能源科技"]),
    ("elecgear", [PV, EQUIP], "330482", "C38", (300, 1200), ["电气", "成套设备"]),
    ("mould", [AUTO], "330482", "C35", (150, 600), ["模具", "精密模塑"]),
    ("smt", [ELEC], "330421", "C39", (800, 3000), ["电子科技", "光电科技"]),
    ("iot", [ELEC, DIGI], "330402", "I65", (100, 400), ["物联网科技", "智能科技"]),
    ("soft", [DIGI], "330402", "I65", (200, 800), ["软件", "信息技术"]),
    ("itops", [DIGI], "330411", "I64", (100, 500), ["数字科技", "网络科技"]),
    ("xb1", [XB, LOG], "330482", "F51", (100, 500), ["跨境电商", "进出口"]),
    ("live", [XB, TEX], "330483", "F52", (50, 300), ["电子商务", "直播科技"]),
    ("trade", [XB, TEX], "330481", "F51", (80, 400), ["进出口", "国际贸易"]),
    ("port", [LOG], "330482", "G55", (300, 1500), ["港务物流", "国际物流"]),
    ("wms", [LOG, XB], "330411", "G59", (200, 1000), ["供应链管理", "仓储服务"]),
    ("acct", [FIN], "330402", "L72", (30, 150), ["财务咨询", "财税服务"]),
    ("shared", [FIN, AUTO], "330411", "L72", (100, 400), ["财务共享服务", "企业管理"]),
    ("fmcg", [FOOD], "330402", "C14", (500, 2500), ["食品", "食品科技"]),
    ("town", [TOUR], "330483", "N78", (300, 1500), ["旅游开发", "文化旅游"]),
    ("hotel1", [TOUR], "330421", "H61", (100, 500), ["酒店管理", "旅游度假"]),
    ("hotel2", [TOUR], "330402", "H61", (200, 800), ["国际酒店", "酒店管理"]),
    ("knit", [TEX], "330483", "C18", (200, 1000), ["毛衫", "服饰"]),
    ("warp", [TEX], "330481", "C17", (300, 1200), ["经编", "纺织"]),
    ("fiber", [TEX], "330411", "C28", (800, 3000), ["化纤", "新材料"]),
    ("garden", [AGRI], "330482", "A01", (50, 300), ["农业科技", "园艺"]),
    ("pig", [AGRI, FOOD], "330424", "A03", (200, 1000), ["牧业", "农牧科技"]),
    ("pet", [AGRI], "330402", "O82", (20, 100), ["宠物医院", "动物医疗"]),
    ("lab", [FOOD], "330482", "M74", (50, 300), ["检测技术", "质量检测"]),
]

# ------------------------------------------------------------ programs
# (enterprise key, title, majors prefixes, mentors, per_mentor, level, region)
# Capacity is mentors × per_mentor.  Some programs name a 专业类 prefix
# (4603, 5101, 5308) or two majors; a few set a minimum level or a
# region of their own (a branch in another county).

PROGRAMS = [
    ("auto1", "精密加工现代学徒制班", ["460103", "460113"], 8, 3, "", ""),
    ("auto1", "汽车模具钳工学徒制班", ["460113"], 4, 3, "", "330482"),
    ("auto2", "新能源汽车电驱装调学徒制班", ["460702"], 10, 3, "higher", ""),
    ("auto4s", "汽车维修技师学徒制班", ["500211", "460702"], 8, 3, "", ""),
    ("robot", "工业机器人集成应用学徒制班", ["460305", "460301"], 8, 3, "", ""),
    ("equip", "智能产线运维学徒制班", ["4603"], 10, 3, "", ""),
    ("pv1", "光伏智能制造设备运维学徒制班", ["460306", "460301"], 12, 3, "higher", ""),
    ("pv1", "储能系统电气装调学徒制班", ["460306"], 6, 4, "", "330411"),
    ("elecgear", "电气成套设备装配学徒制班", ["460306"], 5, 3, "", ""),
    ("mould", "注塑模具设计学徒制班", ["460113"], 6, 3, "", ""),
    ("smt", "SMT电子装联学徒制班", ["510103", "5101"], 8, 4, "", ""),
    ("iot", "物联网系统集成学徒制班", ["510102"], 6, 3, "", ""),
    ("soft", "Java软件开发学徒制班", ["510203", "510201"], 8, 3, "higher", ""),
    ("soft", "数据分析与标注学徒制班", ["510205", "510201"], 6, 4, "", ""),
    ("itops", "IT运维工程师学徒制班", ["510201", "5102"], 5, 4, "", ""),
    ("xb1", "亚马逊店铺运营学徒制班", ["530702", "530701"], 8, 3, "", ""),
    ("live", "毛衫直播电商学徒制班", ["530701", "530704"], 10, 3, "", ""),
    ("trade", "外贸业务员学徒制班", ["530501", "530702"], 6, 3, "", ""),
    ("port", "港口物流学徒制班", ["530802"], 8, 3, "", ""),
    ("wms", "智慧仓储运营学徒制班", ["5308"], 6, 4, "", ""),
    ("acct", "代理记账会计学徒制班", ["530302"], 10, 3, "", ""),
    ("shared", "财务共享服务学徒制班", ["530302", "5303"], 8, 3, "", ""),
    ("fmcg", "快消品渠道营销学徒制班", ["530605"], 6, 3, "", ""),
    ("town", "古镇旅游服务学徒制班", ["540101"], 6, 3, "", ""),
    ("hotel1", "精品民宿与酒店管理学徒制班", ["540106", "540101"], 8, 3, "", ""),
    ("hotel2", "国际酒店前厅学徒制班", ["540106"], 5, 4, "", ""),
    ("knit", "毛衫设计与制版学徒制班", ["480402"], 8, 3, "", ""),
    ("warp", "经编工艺学徒制班", ["480401"], 5, 3, "", ""),
    ("fiber", "化纤纺丝工艺学徒制班", ["480401", "4804"], 4, 4, "", ""),
    ("garden", "设施园艺学徒制班", ["410105"], 5, 3, "", ""),
    ("pig", "生猪健康养殖学徒制班", ["410303"], 6, 3, "", ""),
    ("pet", "宠物医疗助理学徒制班", ["410303", "410305"], 4, 3, "", ""),
    ("lab", "食品质量检验学徒制班", ["490104", "4901"], 6, 3, "", ""),
]

PLACE = {"330402": "嘉兴", "330411": "嘉兴", "330421": "嘉善县", "330424": "海盐县",
         "330481": "海宁市", "330482": "平湖市", "330483": "桐乡市"}

# Trade names (字号) from two pools; a short list of real Jiaxing firms'
# trade names is kept out.
TRADE_A = list("嘉禾新合明博睿泓远骏拓翔景丰恒誉卓锦聚南欣")
TRADE_B = list("华越信盛达源航图晟宸瑞诺昇澜展泽")
REAL_TRADE = {"嘉化", "合盛", "新凤", "桐昆", "巨石", "闻泰", "晶科", "昱能", "敏实", "景兴",
              "五芳", "卫星", "恒逸", "新澳", "嘉欣", "华友", "禾欣", "民丰", "明新", "嘉澳",
              "泽华", "博华", "华瑞", "恒华", "明华", "远华", "丰华"}

PREF_SHARE = 0.34                  # students who state preferences
OUTSIDE = 0.15                     # ... of whom name a program outside their field
MISSING_GRADE = 0.05


def make_enterprises(rng):
    used, out, keys = set(), [], {}
    serial = {}
    for key, chains, county, industry, (lo, hi), biz in ENTERPRISES:
        size = common.company_size(rng, lo, hi)
        trade = common.trade_name(rng, TRADE_A, TRADE_B, used, REAL_TRADE)
        form = common.legal_form(rng, size)
        place = PLACE[county]
        if place == "嘉兴" and rng.random() < 0.7:
            place = "嘉兴市"
        if size >= 2000 and rng.random() < 0.6:
            place = "浙江"
        serial[county] = serial.get(county, 0) + 1
        eid = "E%s%03d" % (county, serial[county])
        keys[key] = eid
        out.append({"id": eid, "name": place + trade + rng.choice(biz) + form,
                    "region": county, "industry": industry, "chains": chains,
                    "size": size})
    return out, keys


def make_programs(keys):
    out = []
    for i, (key, title, majors, mentors, per, level, region) in enumerate(PROGRAMS):
        out.append({"id": "AP26-%02d" % (i + 1), "enterprise_id": keys[key],
                    "title": title, "majors": majors, "mentors": mentors,
                    "per_mentor": per, "region": region, "level": level})
    return out


def covers(code, prefixes):
    return any(code.startswith(p) for p in prefixes)


def make_students(rng, programs):
    """The 2027 cohort of every specialty and the 2028 cohort of the pilots."""
    out = []
    for n, (code, _, _, _, c27, c28, _, _) in enumerate(SPECIALTIES):
        spec_id = "%s-%s" % (SCHOOL_ID, code)
        own = [p for p in programs if covers(code, p["majors"])]
        near = [p for p in programs if p not in own
                and any(code[:4] == m[:4] for m in p["majors"])]
        years = [(YEAR, c27)] + ([(YEAR + 1, c28)] if code in PILOT else [])
        for year, count in years:
            for k in range(count):
                sid = "JX%02d%02d%03d" % (year % 100, n + 1, k + 1)
                grade = ""
                if rng.random() >= MISSING_GRADE:
                    g = min(98.5, max(48.0, rng.gauss(76.0, 8.5)))
                    grade = "%.1f" % (round(g * 2) / 2)
                prefs = []
                if rng.random() < PREF_SHARE:
                    pool = own + near
                    want = min(rng.choice([1, 1, 2, 2, 2, 3, 3]), max(1, len(pool)))
                    while len(prefs) < want:
                        # own-major programs first, bigger ones more often
                        weights = [(3 if q in own else 1) * q["mentors"] * q["per_mentor"]
                                   for q in pool]
                        p = rng.choices(pool, weights)[0]
                        if p["id"] not in prefs:
                            prefs.append(p["id"])
                    if rng.random() < OUTSIDE:
                        # a program of another major, often of another field
                        p = rng.choice([q for q in programs if q not in pool])
                        if len(prefs) == 1 and rng.random() < 0.5:
                            prefs = [p["id"]]
                        elif len(prefs) == 3:
                            prefs[rng.randrange(3)] = p["id"]
                        else:
                            prefs.insert(rng.randrange(len(prefs) + 1), p["id"])
                out.append({"id": sid, "specialty_id": spec_id, "grad_year": year,
                            "grade": grade, "prefs": prefs})
    return out


def specialties():
    out = []
    for code, name, college, c26, c27, c28, chains, skills in SPECIALTIES:
        out.append(common.specialty_row(SCHOOL_ID, code, name, college,
                                        {2026: c26, 2027: c27, 2028: c28}, skills, chains))
    return out


def main():
    rng = random.Random(SEED)
    ents, keys = make_enterprises(rng)
    progs = make_programs(keys)
    studs = make_students(rng, progs)
    ents.sort(key=lambda e: e["id"])
    sps = specialties()
    n = common.write_files(HERE, [
        ("schools.csv", common.SCHOOL_COLUMNS, [SCHOOL]),
        ("specialties.csv", common.specialty_columns((2026, 2027, 2028)), sps),
        ("enterprises.csv", common.ENTERPRISE_COLUMNS, ents),
        ("programs.csv", ["id", "enterprise_id", "title", "majors", "mentors", "per_mentor",
                          "region", "level"], progs),
        ("students.csv", ["id", "specialty_id", "grad_year", "grade", "prefs"], studs),
    ])
    for k in sorted(n):
        print("%-16s %5d rows" % (k, n[k]))
    by_year = {}
    for s in studs:
        by_year[s["grad_year"]] = by_year.get(s["grad_year"], 0) + 1
    print("students: %s; with prefs %d; grade missing %d; places %d" % (
        ", ".join("%d: %d" % kv for kv in sorted(by_year.items())),
        sum(1 for s in studs if s["prefs"]), sum(1 for s in studs if s["grade"] == ""),
        sum(p["mentors"] * p["per_mentor"] for p in progs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
