#!/usr/bin/python3
"""Generate the Jinhua Technician College order-class (订单班) scenario as CSV.

Standard library only; deterministic: the same seed rewrites every CSV
byte-identically.  Run from anywhere:

    /usr/bin/python3 examples/jinhua-orderclasses/generate.py

The college plans its order classes for the students graduating in 2027:
30 specialties (1,072 students in the 2027 cohort) and 34 enterprises of
Jinhua's industry chains, each posting an order class (some with an
apprenticeship or a job beside it).  Everything is invented except the
public code tables it draws on (the 2021 vocational major catalog, GB/T
4754-2017 divisions, GB/T 2260 county codes).  See README.md.
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402  (examples/common.py)

SEED = 20261207
PLAN_YEAR = 2027                   # the cohort the order classes are for

SCHOOL_ID = "3133070201"
SCHOOL = {"id": SCHOOL_ID, "name": "金华技师学院", "level": "technician",
          "region": "330702"}

# ------------------------------------------------------------ chains

NEV = "新能源汽车及零部件"
CNC = "数控机床"
ELEC = "电子信息"
HW = "五金"
PV = "智能光伏及储能"
TOOL = "电动工具"
EC = "电子商务"
LOG = "现代物流"
AUTO = "汽车后市场"
UAV = "低空经济"
TEX = "纺织服装"
MED = "生物医药"

# ------------------------------------------------------------ specialties
# (major_code, catalog name, 专业群, cohort 2026, cohort 2027, skills, chains)
# Secondary (中职) codes of the 2021 catalog: a technician school takes the
# secondary codes (docs/protocol.md, "specialty").  The 2027 column is the
# planning cohort and sums to 1,072.

SPECIALTIES = [
    ("660103", "数控技术应用", "智能制造", 86, 90,
     ["数控车工（高级）", "数控铣工（高级）", "五轴编程", "UG NX", "CAD制图", "加工中心操作"],
     [CNC, NEV, TOOL]),
    ("660102", "机械加工技术", "智能制造", 38, 40,
     ["车工（中级）", "铣工（中级）", "CAD制图", "量具使用"], [CNC, HW]),
    ("660108", "模具制造技术", "智能制造", 46, 45,
     ["模具工（高级）", "UG NX", "CAD制图", "注塑模具装调"], [HW, TOOL]),
    ("660105", "焊接技术应用", "智能制造", 40, 38,
     ["焊工证", "二氧化碳气体保护焊", "氩弧焊", "机器人焊接"], [HW, NEV]),
    ("660107", "增材制造技术应用", "智能制造", 0, 18,
     ["3D打印设备操作", "逆向建模", "UG NX"], [HW, CNC]),
    ("660109", "工业产品质量检测技术", "智能制造", 20, 22,
     ["三坐标测量", "量具使用", "质量管理体系"], [NEV, CNC, TOOL]),
    ("660201", "智能设备运行与维护", "智能制造", 24, 25,
     ["设备点检", "维修电工（中级）", "PLC编程"], [CNC]),
    ("660203", "电机电器制造与维修", "智能制造", 28, 30,
     ["电机装配", "维修电工（中级）", "绕线工艺"], [TOOL, NEV]),
    ("660204", "新能源装备运行与维护", "新能源", 24, 26,
     ["储能系统装调", "电池管理系统", "低压电工作业证"], [PV, NEV]),
    ("660301", "机电技术应用", "智能制造", 62, 64,
     ["维修电工（高级）", "PLC编程", "钳工（中级）", "液压与气动"], [CNC, TOOL, PV]),
    ("660302", "电气设备运行与控制", "新能源", 50, 50,
     ["低压电工作业证", "维修电工（高级）", "PLC编程", "变频器调试"], [PV, NEV, TOOL]),
    ("660303", "工业机器人技术应用", "智能制造", 55, 57,
     ["工业机器人操作与运维", "PLC编程", "机器人离线编程", "电工（中级）"], [CNC, NEV, PV]),
    ("660306", "智能化生产线安装与运维", "智能制造", 36, 40,
     ["智能产线运维", "PLC编程", "MES系统", "工业机器人操作与运维"], [NEV, PV]),
    ("660601", "无人机操控与维护", "电子信息", 24, 28,
     ["无人机驾驶员执照", "无人机装调检修", "航拍测绘"], [UAV]),
    ("660702", "新能源汽车制造与检测", "新能源汽车", 44, 48,
     ["高压电安全", "动力电池装调", "电机电控检测", "低压电工作业证"], [NEV]),
    ("660703", "汽车电子技术应用", "新能源汽车", 22, 26,
     ["汽车电子装调", "电路识图", "电子焊接"], [NEV, ELEC]),
    ("630301", "光伏工程技术与应用", "新能源", 30, 32,
     ["光伏组件工艺", "光伏电站运维", "低压电工作业证", "储能系统装调"], [PV]),
    ("700206", "汽车运用与维修", "新能源汽车", 48, 46,
     ["汽车维修工（高级）", "汽车故障诊断", "汽车维修"], [AUTO, NEV]),
    ("700207", "汽车车身修复", "新能源汽车", 20, 20,
     ["钣金", "汽车喷涂", "汽车维修"], [AUTO]),
    ("700209", "新能源汽车运用与维修", "新能源汽车", 42, 45,
     ["高压电安全", "新能源汽车维修", "汽车维修工（中级）", "低压电工作业证"], [NEV, AUTO]),
    ("710102", "物联网技术应用", "电子信息", 28, 30,
     ["工业互联网平台运维", "传感器装调", "Python", "网络配置"], [ELEC, CNC]),
    ("710103", "电子技术应用", "电子信息", 32, 34,
     ["电子装联", "SMT工艺", "电子焊接", "电路识图"], [ELEC, PV]),
    ("710106", "服务机器人装配与维护", "电子信息", 0, 20,
     ["服务机器人装调", "传感器装调", "电子装联"], [ELEC]),
    ("710202", "计算机网络技术", "电子信息", 30, 30,
     ["网络配置", "综合布线", "Linux运维"], [ELEC]),
    ("710210", "计算机平面设计", "现代服务", 28, 28,
     ["Photoshop", "平面设计", "短视频剪辑"], [EC]),
    ("730701", "电子商务", "现代服务", 40, 42,
     ["网店运营", "Photoshop", "数据分析", "客服"], [EC]),
    ("730702", "跨境电子商务", "现代服务", 0, 25,
     ["跨境平台运营", "外贸英语", "数据分析"], [EC, LOG]),
    ("730705", "直播电商服务", "现代服务", 28, 30,
     ["直播运营", "短视频剪辑", "网店运营"], [EC]),
    ("730801", "物流服务与管理", "现代服务", 24, 24,
     ["仓储管理", "叉车证", "WMS系统"], [LOG, EC]),
    ("660101", "机械制造技术", "智能制造", 0, 19,
     ["钳工（中级）", "CAD制图", "机械装配"], [CNC, TOOL]),
]

# ------------------------------------------------------------ postings
# A posting template: (title, majors prefixes, skills pool, salary range).
# Order classes (订单班) name the specialties' own codes, a few the 高职
# code an HR department copied from a 高职 catalog (major factor 0.6).

T = {
    # order classes
    "oc_nev": ("新能源汽车装调订单班", ["660702", "700209"],
               ["高压电安全", "动力电池装调", "电机电控检测"], (5600, 8200)),
    "oc_nev_h": ("新能源汽车三电装调订单班", ["460702"],
                 ["高压电安全", "动力电池装调"], (5800, 8500)),
    "oc_parts_cnc": ("汽车零部件数控加工订单班", ["660103", "660102"],
                     ["数控车工（高级）", "加工中心操作", "CAD制图"], (6000, 9000)),
    "oc_weld": ("焊装机器人订单班", ["660105", "660303"],
                ["机器人焊接", "工业机器人操作与运维", "焊工证"], (6000, 8800)),
    "oc_autoelec": ("汽车电子装配订单班", ["660703", "710103"],
                    ["汽车电子装调", "电子焊接"], (5200, 7200)),
    "oc_5axis": ("五轴数控订单班", ["660103"],
                 ["五轴编程", "数控铣工（高级）", "UG NX"], (6500, 9800)),
    "oc_tool_machine": ("机床装调维修订单班", ["660301", "660201"],
                        ["维修电工（高级）", "PLC编程", "钳工（中级）"], (6000, 8600)),
    "oc_line": ("智能产线运维订单班", ["660306", "660303"],
                ["智能产线运维", "PLC编程", "MES系统"], (6200, 9000)),
    "oc_qc": ("精密检测订单班", ["660109"],
              ["三坐标测量", "量具使用"], (5000, 7000)),
    "oc_smt": ("电子装联订单班", ["710103", "710101"],
               ["电子装联", "SMT工艺"], (5000, 7000)),
    "oc_iiot": ("工业互联网运维订单班", ["710102", "710202"],
                ["工业互联网平台运维", "网络配置"], (5500, 8000)),
    "oc_srobot": ("服务机器人装调订单班", ["710106"],
                  ["服务机器人装调", "传感器装调"], (5200, 7500)),
    "oc_mould": ("模具制造订单班", ["660108"],
                 ["模具工（高级）", "注塑模具装调"], (6000, 9000)),
    "oc_hw_weld": ("五金焊接订单班", ["660105"],
                   ["氩弧焊", "二氧化碳气体保护焊"], (6000, 8500)),
    "oc_am": ("增材制造订单班", ["660107"],
              ["3D打印设备操作", "逆向建模"], (5200, 7500)),
    "oc_pv": ("光伏组件工艺订单班", ["630301"],
              ["光伏组件工艺", "低压电工作业证"], (5200, 7800)),
    "oc_ess": ("储能系统装调订单班", ["660204", "630301"],
               ["储能系统装调", "电池管理系统"], (5600, 8200)),
    "oc_elec": ("电气运维订单班", ["660302"],
                ["低压电工作业证", "变频器调试", "PLC编程"], (5800, 8400)),
    "oc_motor": ("电机装配订单班", ["660203"],
                 ["电机装配", "绕线工艺"], (5000, 7200)),
    "oc_ptool": ("电动工具装调订单班", ["660301", "660203"],
                 ["PLC编程", "电机装配"], (5200, 7600)),
    "oc_live": ("直播电商订单班", ["730705", "730701"],
                ["直播运营", "短视频剪辑"], (5000, 9000)),
    "oc_xborder": ("跨境电商订单班", ["730702"],
                   ["跨境平台运营", "外贸英语"], (5200, 8500)),
    "oc_visual": ("电商视觉设计订单班", ["710210"],
                  ["Photoshop", "平面设计"], (4800, 7500)),
    "oc_wms": ("智慧仓储订单班", ["730801"],
               ["仓储管理", "WMS系统", "叉车证"], (5000, 7000)),
    "oc_repair": ("汽车维修订单班", ["700206", "700207"],
                  ["汽车维修工（高级）", "汽车故障诊断"], (5000, 8000)),
    "oc_nev_after": ("新能源汽车售后订单班", ["700209"],
                     ["新能源汽车维修", "高压电安全"], (5500, 8500)),
    "oc_uav": ("无人机飞手订单班", ["660601"],
               ["无人机驾驶员执照", "航拍测绘"], (5500, 9000)),
    # fields the college does not teach: no specialty can fill these
    "oc_knit": ("针织工艺订单班", ["680404", "680406"],
                ["针织横机操作"], (5000, 7500)),
    "oc_tcm": ("中药制药订单班", ["720407", "690201"],
               ["GMP规范"], (4800, 6800)),
    # apprenticeships and jobs beside an order class
    "ap_cnc": ("数控车床操作工（企业新型学徒制）", ["660103", "660102"],
               ["数控车工（高级）"], (4200, 6000)),
    "ap_maint": ("设备维修电工（企业新型学徒制）", ["660301", "660302"],
                 ["维修电工（高级）"], (4200, 6000)),
    "ap_mould": ("模具钳工（企业新型学徒制）", ["660108"],
                 ["模具工（高级）"], (4000, 5800)),
    "ap_nev": ("动力电池装配工（企业新型学徒制）", ["660702"],
               ["动力电池装调"], (4200, 6200)),
    "ap_repair": ("汽车机修工（企业新型学徒制）", ["700206"],
                  ["汽车维修"], (3800, 5600)),
    "job_qc": ("质检员", ["660109", "6601"], ["量具使用"], (5000, 6800)),
    "job_op": ("生产操作工", ["66"], [], (5200, 7000)),
    "job_robot": ("机器人调试技术员", ["660303"], ["机器人离线编程"], (6500, 9500)),
    "job_cs": ("电商客服专员", ["7307"], ["客服"], (4500, 6500)),
    "job_fork": ("叉车司机", ["730801"], ["叉车证"], (5500, 7500)),
    "job_elec": ("设备电工", ["660302"], ["低压电工作业证"], (5800, 8000)),
}

# ------------------------------------------------------------ enterprises
# (chain tags, county, industry, (size lo, hi), business words, postings)
# postings: [(template, headcount)], headcount an int or a tuple to choose
# from.  The mix is what makes the plan: firms whose demand fits one class
# (20..40), three big firms that want two classes, small firms whose
# demand stays under the 20-student minimum (candidates for a joint
# class), and two firms in fields the college does not teach.

ENTERPRISES = [
    # one class each
    ([NEV], "330703", "C36", (1500, 6000), ["汽车部件", "新能源汽车科技"],
     [("oc_nev", 40)]),
    ([NEV, CNC], "330784", "C36", (800, 3000), ["汽车零部件", "精密机械"],
     [("oc_parts_cnc", 35)]),
    ([NEV], "330702", "C36", (600, 2000), ["汽车部件", "动力科技"],
     [("oc_weld", 30), ("ap_nev", 8)]),
    ([CNC], "330702", "C34", (300, 1200), ["数控机床", "机床"],
     [("oc_5axis", 25)]),
    ([PV, NEV], "330703", "C38", (1000, 4000), ["新能源科技", "光伏科技"],
     [("oc_ess", 35)]),
    ([PV], "330782", "C38", (1200, 5000), ["光伏科技", "光电科技"],
     [("oc_pv", 30), ("job_elec", 8)]),
    ([HW, TOOL], "330784", "C33", (300, 1500), ["工贸", "五金制品"],
     [("oc_mould", 30), ("ap_mould", 6)]),
    ([TOOL], "330784", "C34", (500, 2500), ["电动工具", "电器"],
     [("oc_ptool", 30)]),
    ([EC, LOG], "330782", "F52", (200, 800), ["电子商务", "跨境电商"],
     [("oc_live", 30), ("job_cs", 8)]),
    ([AUTO, NEV], "330702", "O81", (200, 600), ["汽车服务", "汽车销售服务"],
     [("oc_nev_after", 30), ("ap_repair", 6)]),
    ([ELEC], "330703", "C39", (400, 2000), ["电子科技", "智能科技"],
     [("oc_smt", 30)]),
    # two classes each (big firms)
    ([NEV, PV], "330703", "C36", (4000, 9000), ["新能源汽车", "汽车工业"],
     [("oc_nev_h", 60)]),
    ([CNC, NEV], "330784", "C34", (2000, 6000), ["智能装备", "机床"],
     [("oc_line", 40), ("oc_5axis", 30)]),
    # small firms: an order class of 8-15 students, under the minimum
    ([CNC], "330703", "C34", (100, 300), ["智能装备", "精密机械"],
     [("oc_tool_machine", (10, 12)), ("ap_maint", (4, 5))]),
    ([EC], "330782", "F52", (50, 200), ["网络科技", "供应链管理"],
     [("oc_xborder", (10, 12, 15))]),
    ([ELEC, NEV], "330702", "C39", (80, 300), ["电子科技", "汽车电子"],
     [("oc_autoelec", (12, 15))]),
    ([HW], "330784", "C33", (40, 200), ["工贸", "锁业"],
     [("oc_hw_weld", (10, 12, 15))]),
    ([HW], "330723", "C33", (40, 200), ["五金制品", "门业"],
     [("oc_mould", (8, 10, 12)), ("ap_mould", (3, 4))]),
    ([HW], "330726", "C33", (40, 200), ["五金", "厨具"],
     [("oc_am", (10, 12)), ("job_qc", (3, 5))]),
    ([TOOL], "330784", "C34", (60, 300), ["电器", "工具"],
     [("oc_motor", (12, 15))]),
    ([TOOL, HW], "330723", "C34", (60, 300), ["动力工具", "电动工具"],
     [("oc_ptool", (10, 12)), ("job_op", (5, 6))]),
    ([CNC], "330781", "C34", (60, 300), ["精密机械", "机械"],
     [("oc_5axis", (12, 15)), ("ap_cnc", (3, 4))]),
    ([CNC], "330702", "C35", (60, 300), ["智能装备", "自动化科技"],
     [("oc_line", (10, 12, 15))]),
    ([NEV], "330784", "C36", (80, 400), ["汽车配件", "车业"],
     [("oc_parts_cnc", (12, 15)), ("job_qc", (3, 4))]),
    ([PV], "330703", "C38", (80, 400), ["能源科技", "电气"],
     [("oc_elec", (10, 12, 15))]),
    ([ELEC], "330782", "C39", (60, 300), ["电子", "智能科技"],
     [("oc_srobot", (8, 10, 12))]),
    ([EC], "330782", "F52", (20, 120), ["电子商务", "直播科技"],
     [("oc_visual", (8, 10)), ("job_cs", (4, 5))]),
    ([LOG], "330782", "G59", (80, 400), ["供应链", "仓储服务"],
     [("oc_wms", (12, 15)), ("job_fork", (3, 4))]),
    ([AUTO], "330703", "O81", (20, 120), ["汽车服务", "汽车维修服务"],
     [("oc_repair", (8, 10, 12)), ("ap_repair", (3, 4))]),
    ([UAV], "330703", "C37", (30, 200), ["无人机科技", "航空科技"],
     [("oc_uav", (10, 12, 15))]),
    ([AUTO, NEV], "330784", "O81", (20, 120), ["汽车服务", "新能源汽车服务"],
     [("oc_nev_after", (8, 10)), ("ap_repair", (3, 4))]),
    ([ELEC], "330783", "C39", (60, 300), ["磁电科技", "电子"],
     [("oc_smt", (10, 12, 15))]),
    # fields the college does not teach
    ([TEX], "330782", "C17", (300, 1500), ["针织", "服饰"],
     [("oc_knit", 30)]),
    ([MED], "330727", "C27", (200, 1000), ["药业", "中药饮片"],
     [("oc_tcm", 25)]),
]

PLACE = {"330702": "金华", "330703": "金华", "330723": "武义", "330726": "浦江",
         "330727": "磐安", "330781": "兰溪", "330782": "义乌", "330783": "东阳",
         "330784": "永康"}

# Trade names (字号) from two pools, different from the fair example's; a
# short list of real Jinhua firms' trade names is kept out.
TRADE_A = list("德荣丰顺鑫盛泽汇宏祥润安永佳联益华兴隆达通振博锐源鸿")
TRADE_B = list("恒达越远和盛腾诚立信昌宇丰欣豪正凯元")
REAL_TRADE = {"正泰", "天合", "晶科", "吉利", "零跑", "东磁", "横店", "今飞", "三花", "中天",
              "群升", "步阳", "王力", "星月", "飞剑", "万里扬", "众泰", "哪吒", "合众",
              "铁牛", "晶澳", "爱旭", "华统", "尖峰", "海康", "恒盛", "瑞泰", "华兴",
              "宏达", "永达", "振华", "通达", "华盛", "鸿达", "兴达", "安达", "博达"}

DATES_ORDER = ("2027-02-22", "2027-06-30")
DATES_APPR = ("2027-03-01", "2029-02-28")
DATES_JOB = ("2027-07-01", "2027-09-30")


def make(rng):
    used = set()
    ents, posts = [], []
    serial = {}
    for chains, county, industry, (lo, hi), biz, plist in ENTERPRISES:
        size = common.company_size(rng, lo, hi)
        trade = common.trade_name(rng, TRADE_A, TRADE_B, used, REAL_TRADE)
        form = common.legal_form(rng, size)
        place = PLACE[county]
        if county in ("330781", "330782", "330783", "330784"):
            place += "市"
        elif county in ("330723", "330726", "330727"):
            place += "县"
        elif rng.random() < 0.5:
            place += "市"
        if size >= 3000 and rng.random() < 0.6:
            place = "浙江"
        serial[county] = serial.get(county, 0) + 1
        eid = "Q%s%03d" % (county, serial[county])
        ents.append({"id": eid, "name": place + trade + rng.choice(biz) + form,
                     "region": county, "industry": industry, "chains": chains,
                     "size": size})
        for j, (key, head) in enumerate(plist):
            title, majors, pool, (smin, smax) = T[key]
            if isinstance(head, tuple):
                head = rng.choice(head)
            kind = ("order_class" if key.startswith("oc_") else
                    "apprenticeship" if key.startswith("ap_") else "job")
            k = min(len(pool), rng.choice([1, 1, 2, 2, 3]))
            skills = rng.sample(pool, k)
            level = ""
            if kind == "order_class" and rng.random() < 0.4:
                level = "technician"
            elif kind == "job" and rng.random() < 0.3:
                level = "secondary"
            if kind == "order_class":
                start, until = DATES_ORDER
                if head > 40:
                    title += "（%d个班）" % ((head + 39) // 40)
                title = "2027届" + title
            elif kind == "apprenticeship":
                start, until = DATES_APPR
            else:
                start, until = DATES_JOB
            prem = 1.12 if size >= 1000 else 1.05 if size >= 300 else 1.0
            lo_s = common.round100(smin * prem * rng.uniform(0.94, 1.06))
            hi_s = common.round100(smax * prem * rng.uniform(0.94, 1.08))
            if hi_s <= lo_s:
                hi_s = lo_s + 1000
            if rng.random() < 0.1:
                lo_s = hi_s = ""
            posts.append({"id": "%s-%02d" % (eid, j + 1), "enterprise_id": eid,
                          "title": title, "kind": kind, "headcount": head,
                          "majors": majors, "skills": skills, "level": level,
                          "region": "", "start": start, "until": until,
                          "salary_min": lo_s, "salary_max": hi_s})
    return ents, posts


def specialties():
    out = []
    for code, name, group, c26, c27, skills, chains in SPECIALTIES:
        out.append(common.specialty_row(SCHOOL_ID, code, name, group,
                                        {2026: c26 or "", 2027: c27}, skills, chains))
    return out


def main():
    rng = random.Random(SEED)
    ents, posts = make(rng)
    ents.sort(key=lambda e: e["id"])
    posts.sort(key=lambda p: p["id"])
    sps = specialties()
    n = common.write_files(HERE, [
        ("schools.csv", common.SCHOOL_COLUMNS, [SCHOOL]),
        ("specialties.csv", common.specialty_columns((2026, 2027)), sps),
        ("enterprises.csv", common.ENTERPRISE_COLUMNS, ents),
        ("postings.csv", common.POSTING_COLUMNS, posts),
    ])
    for k in sorted(n):
        print("%-17s %4d rows" % (k, n[k]))
    kinds = {}
    for p in posts:
        kinds[p["kind"]] = kinds.get(p["kind"], 0) + p["headcount"]
    print("students %d: %d; positions: %s" % (
        PLAN_YEAR, sum(s["cohort_2027"] for s in sps),
        ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
