#!/usr/bin/python3
"""Generate the Jinhua Technician College May-fair scenario as CSV files.

Standard library only; deterministic: the same seed rewrites every CSV
byte-identically.  Run from anywhere:

    /usr/bin/python3 examples/jinhua-fair/generate.py

Everything here is invented except the public code tables it draws on
(the 2021 vocational major catalog, GB/T 4754-2017 divisions, GB/T 2260
county codes) and the headline numbers of the real fair (200+ enterprises,
about 6,500 positions, 18 major directions).  See README.md.
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402  (examples/common.py)

SEED = 20260520
TARGET_POSITIONS = 6500

SCHOOL_ID = "3133070201"
SCHOOL = {"id": SCHOOL_ID, "name": "金华技师学院", "level": "technician",
          "region": "330702"}

FAIR_ID = "JHJS-2026-05"
FAIR_DATE = "2026-05-20"

# ------------------------------------------------------------ chains

PV = "智能光伏及储能"
NEV = "新能源汽车及零部件"
CNC = "数控机床"
TOOL = "电动工具"
MAG = "磁性材料"
HW = "五金"
EC = "电子商务"
LOG = "现代物流"
AUTO = "汽车后市场"
IT = "数字经济"
UAV = "低空经济"
TEX = "纺织服装"
MED = "生物医药"
CHEM = "化工新材料"

# ------------------------------------------------------------ directions
# (id, name, majors prefixes of the fair direction, specialties)
# specialty: (major_code, catalog name, cohort 2026, cohort 2027, skills, chains)
# All codes are secondary (中职) codes of the 2021 catalog: a technician
# school takes the secondary codes (docs/protocol.md, "specialty").

DIRECTIONS = [
    ("D01", "五轴数控加工", ["660103", "660102"], [
        ("660103", "数控技术应用", 140, 150,
         ["数控车工（高级）", "数控铣工（高级）", "五轴编程", "UG NX", "CAD制图", "加工中心操作"],
         [CNC, NEV, TOOL]),
        ("660102", "机械加工技术", 50, 60,
         ["车工（中级）", "铣工（中级）", "CAD制图", "量具使用"],
         [CNC, HW]),
    ]),
    ("D02", "模具设计与制造", ["660108"], [
        ("660108", "模具制造技术", 70, 65,
         ["模具工（高级）", "UG NX", "CAD制图", "注塑模具装调"],
         [HW, TOOL]),
    ]),
    ("D03", "工业机器人", ["660303"], [
        ("660303", "工业机器人技术应用", 95, 110,
         ["工业机器人操作与运维", "PLC编程", "机器人离线编程", "电工（中级）"],
         [CNC, NEV, PV]),
    ]),
    ("D04", "机电一体化", ["660301"], [
        ("660301", "机电技术应用", 120, 115,
         ["维修电工（高级）", "PLC编程", "钳工（中级）", "液压与气动"],
         [CNC, TOOL, PV]),
    ]),
    ("D05", "智能制造", ["660306", "660201"], [
        ("660306", "智能化生产线安装与运维", 55, 70,
         ["智能产线运维", "PLC编程", "MES系统", "工业机器人操作与运维"],
         [NEV, PV]),
        ("660201", "智能设备运行与维护", 35, 40,
         ["设备点检", "维修电工（中级）", "PLC编程"],
         [CNC, MAG]),
    ]),
    ("D06", "工业互联网", ["710102"], [
        ("710102", "物联网技术应用", 40, 50,
         ["工业互联网平台运维", "传感器装调", "Python", "网络配置"],
         [IT, CNC]),
    ]),
    ("D07", "无人机", ["660601"], [
        ("660601", "无人机操控与维护", 35, 45,
         ["无人机驾驶员执照", "无人机装调检修", "航拍测绘"],
         [UAV]),
    ]),
    ("D08", "新能源汽车", ["660702", "700209"], [
        ("660702", "新能源汽车制造与检测", 60, 70,
         ["高压电安全", "动力电池装调", "电机电控检测", "低压电工作业证"],
         [NEV]),
        ("700209", "新能源汽车运用与维修", 70, 75,
         ["高压电安全", "新能源汽车维修", "汽车维修工（中级）", "低压电工作业证"],
         [NEV, AUTO]),
    ]),
    ("D09", "电气自动化", ["660302"], [
        ("660302", "电气设备运行与控制", 100, 95,
         ["低压电工作业证", "维修电工（高级）", "PLC编程", "变频器调试"],
         [PV, NEV, TOOL]),
    ]),
    ("D10", "光伏与储能", ["630301", "660204"], [
        ("630301", "光伏工程技术与应用", 45, 55,
         ["光伏组件工艺", "光伏电站运维", "低压电工作业证", "储能系统装调"],
         [PV]),
        ("660204", "新能源装备运行与维护", 35, 45,
         ["储能系统装调", "电池管理系统", "低压电工作业证"],
         [PV, NEV]),
    ]),
    ("D11", "焊接", ["660105"], [
        ("660105", "焊接技术应用", 65, 60,
         ["焊工证", "二氧化碳气体保护焊", "氩弧焊", "机器人焊接"],
         [HW, CNC, NEV]),
    ]),
    ("D12", "汽车维修", ["700206", "700207"], [
        ("700206", "汽车运用与维修", 95, 90,
         ["汽车维修工（高级）", "汽车故障诊断", "汽车维修"],
         [AUTO, NEV]),
        ("700207", "汽车车身修复", 30, 30,
         ["钣金", "汽车喷涂", "汽车维修"],
         [AUTO]),
    ]),
    ("D13", "电子商务", ["7307"], [
        ("730701", "电子商务", 75, 80,
         ["网店运营", "Photoshop", "数据分析", "客服"],
         [EC]),
        ("730705", "直播电商服务", 35, 45,
         ["直播运营", "短视频剪辑", "客服"],
         [EC]),
    ]),
    ("D14", "物流", ["7308"], [
        ("730801", "物流服务与管理", 45, 45,
         ["仓储管理", "WMS系统", "叉车证", "Excel"],
         [LOG, EC]),
    ]),
    ("D15", "计算机网络", ["710202"], [
        ("710202", "计算机网络技术", 55, 50,
         ["网络配置", "综合布线", "Linux", "网络安全"],
         [IT]),
    ]),
    ("D16", "电子技术", ["710103"], [
        ("710103", "电子技术应用", 55, 50,
         ["电子装配", "SMT", "焊接（电子）", "仪器仪表使用"],
         [MAG, PV]),
    ]),
    ("D17", "电机电器", ["660203"], [
        ("660203", "电机电器制造与维修", 50, 45,
         ["电机装配", "绕线工艺", "电器检测", "低压电工作业证"],
         [TOOL, MAG]),
    ]),
    ("D18", "计算机平面设计", ["710210"], [
        ("710210", "计算机平面设计", 45, 45,
         ["Photoshop", "Illustrator", "短视频剪辑", "美工"],
         [EC]),
    ]),
]

# ------------------------------------------------------------ postings
# template: title, majors alternatives [(weight, [prefix...])], skill pool,
# job salary (min, max) yuan/month.  Prefixes are mostly secondary codes;
# some alternatives use the parallel higher (4x/5x) codes, as an HR page
# copied from a 高职 catalog would (they score 0.6 on the major factor).

T = {
    # D01
    "五轴数控操作工": ([(6, ["660103"]), (2, ["660103", "460103"]), (1, ["4601"])],
                 ["五轴编程", "加工中心操作", "数控铣工（高级）", "UG NX"], (6500, 12000)),
    "数控车床操作工": ([(5, ["660103", "660102"]), (2, ["6601"]), (1, ["460103"])],
                 ["数控车工（高级）", "量具使用", "CAD制图"], (5500, 9000)),
    "CNC编程员": ([(4, ["660103"]), (2, ["460103", "460102"])],
               ["UG NX", "五轴编程", "CAD制图"], (7000, 12000)),
    "机加工操作工": ([(5, ["660102", "660103"]), (2, ["6601"])],
               ["车工（中级）", "铣工（中级）", "量具使用"], (5000, 8000)),
    # D02
    "模具钳工": ([(5, ["660108"]), (2, ["660108", "660102"]), (1, ["460113"])],
             ["模具工（高级）", "钳工（中级）"], (6000, 10000)),
    "注塑模具维修工": ([(4, ["660108"]), (1, ["6601"])],
                 ["注塑模具装调", "模具工（高级）"], (5500, 9000)),
    "模具设计助理": ([(3, ["660108"]), (2, ["460113"])],
               ["UG NX", "CAD制图"], (6000, 9500)),
    # D03
    "工业机器人运维员": ([(5, ["660303"]), (2, ["660303", "660306"]), (1, ["460305"])],
                  ["工业机器人操作与运维", "PLC编程"], (6000, 10000)),
    "机器人调试技术员": ([(4, ["660303"]), (2, ["6603"]), (1, ["460305", "460304"])],
                  ["机器人离线编程", "工业机器人操作与运维"], (6500, 11000)),
    # D04
    "机电设备维修工": ([(5, ["660301"]), (2, ["6603"]), (1, ["660301", "660201"])],
                 ["维修电工（高级）", "钳工（中级）", "液压与气动"], (5500, 9000)),
    "设备维护技术员": ([(3, ["6603", "6602"]), (1, ["4603", "4602"])],
                 ["设备点检", "PLC编程", "维修电工（中级）"], (5500, 9000)),
    # D05
    "智能产线运维员": ([(5, ["660306"]), (2, ["660306", "660303"]), (1, ["460201"])],
                 ["智能产线运维", "MES系统", "PLC编程"], (6000, 10000)),
    "自动化设备调试员": ([(3, ["660201", "660306"]), (2, ["6602", "6603"])],
                  ["设备点检", "PLC编程"], (5500, 9000)),
    # D06
    "工业互联网运维员": ([(4, ["710102"]), (2, ["710102", "710202"]), (1, ["460310"])],
                  ["工业互联网平台运维", "网络配置", "Python"], (5500, 9000)),
    "数据采集技术员": ([(3, ["710102"]), (1, ["7101", "7102"])],
                 ["传感器装调", "Python"], (5000, 8000)),
    # D07
    "无人机飞手": ([(5, ["660601"]), (1, ["460609"])],
              ["无人机驾驶员执照", "航拍测绘"], (6000, 10000)),
    "无人机巡检员": ([(3, ["660601", "630301"]), (1, ["660601"])],
                ["无人机驾驶员执照", "光伏电站运维"], (6000, 9500)),
    "无人机装调检修工": ([(4, ["660601"]), (1, ["660601", "710103"])],
                  ["无人机装调检修", "焊接（电子）"], (5500, 8500)),
    # D08
    "动力电池装配工": ([(4, ["660702"]), (2, ["660702", "660204"]), (1, ["460702"])],
                 ["动力电池装调", "高压电安全"], (5500, 8500)),
    "三电系统检测员": ([(4, ["660702", "700209"]), (1, ["460702", "460703"])],
                 ["电机电控检测", "高压电安全", "低压电工作业证"], (6000, 9500)),
    "新能源汽车售后技师": ([(5, ["700209"]), (2, ["700209", "700206"]), (1, ["500212"])],
                   ["新能源汽车维修", "高压电安全"], (6000, 11000)),
    "整车装配工": ([(3, ["6607"]), (2, ["660702", "660701"]), (1, ["6607", "6603"])],
              ["高压电安全"], (5500, 8000)),
    # D09
    "电气装配技术员": ([(5, ["660302"]), (2, ["660302", "660301"]), (1, ["460306"])],
                 ["低压电工作业证", "PLC编程"], (5500, 9000)),
    "PLC调试员": ([(4, ["660302", "660303"]), (2, ["460306", "460303"])],
               ["PLC编程", "变频器调试"], (6500, 11000)),
    "设备电工": ([(5, ["660302", "660301"]), (2, ["6603"])],
             ["低压电工作业证", "维修电工（高级）"], (5500, 9000)),
    # D10
    "光伏组件工艺员": ([(4, ["630301"]), (2, ["6303"]), (1, ["430301"])],
                 ["光伏组件工艺"], (5500, 9000)),
    "储能系统装调工": ([(4, ["660204", "630301"]), (2, ["660204"]), (1, ["430301", "460204"])],
                 ["储能系统装调", "电池管理系统", "低压电工作业证"], (6000, 9500)),
    "光伏电站运维员": ([(4, ["630301"]), (2, ["630301", "660302"]), (1, ["430301"])],
                 ["光伏电站运维", "低压电工作业证"], (5500, 9000)),
    "光伏设备操作工": ([(3, ["6303", "6602"]), (1, [])],
                 ["设备点检"], (5000, 8000)),
    # D11
    "焊工（二保焊）": ([(5, ["660105"]), (1, ["460110"])],
                ["焊工证", "二氧化碳气体保护焊"], (6500, 11000)),
    "氩弧焊工": ([(5, ["660105"]), (1, ["660105", "660104"])],
             ["焊工证", "氩弧焊"], (7000, 12000)),
    "机器人焊接操作员": ([(3, ["660105", "660303"]), (1, ["460110"])],
                  ["机器人焊接", "焊工证"], (6500, 10000)),
    # D12
    "汽车机修工": ([(5, ["700206"]), (2, ["7002"]), (1, ["500211"])],
              ["汽车维修工（高级）", "汽车故障诊断"], (5000, 9000)),
    "汽车钣金喷漆工": ([(5, ["700207"]), (1, ["700207", "700206"])],
                 ["钣金", "汽车喷涂"], (5500, 10000)),
    "汽车服务顾问": ([(3, ["700206", "700205"]), (1, ["7002"])],
               ["汽车维修"], (4500, 8000)),
    # D13
    "电商运营助理": ([(5, ["7307"]), (2, ["730701"]), (1, ["5307", "730701"])],
               ["网店运营", "数据分析"], (5000, 9000)),
    "直播运营专员": ([(4, ["730705"]), (2, ["730705", "730701"])],
               ["直播运营", "短视频剪辑"], (5000, 10000)),
    "电商客服专员": ([(4, ["7307"]), (1, [])],
               ["客服"], (4500, 6500)),
    "跨境电商专员": ([(3, ["730701", "730702"]), (1, ["7307", "770201"])],
               ["网店运营", "数据分析"], (5000, 9000)),
    # D14
    "仓储管理员": ([(5, ["730801"]), (2, ["7308"]), (1, ["530802"])],
              ["仓储管理", "WMS系统", "Excel"], (4800, 7500)),
    "物流调度员": ([(4, ["7308"]), (1, ["7308", "7307"])],
              ["WMS系统", "Excel"], (5000, 8000)),
    "叉车司机": ([(3, ["730801"]), (2, [])],
             ["叉车证"], (5500, 8000)),
    # D15
    "网络管理员": ([(5, ["710202"]), (2, ["7102"]), (1, ["510202"])],
              ["网络配置", "Linux"], (5000, 8500)),
    "IT运维工程师助理": ([(4, ["710202", "710102"]), (1, ["5102"])],
                  ["Linux", "网络安全"], (5000, 8000)),
    "弱电工程施工员": ([(3, ["710202"]), (2, ["710202", "640401"])],
                 ["综合布线"], (5000, 8000)),
    # D16
    "SMT操作员": ([(4, ["710103"]), (2, ["7101"])],
               ["SMT", "电子装配"], (5000, 7500)),
    "电子装配工": ([(4, ["710103"]), (1, ["710103", "660203"]), (1, ["7101"])],
              ["电子装配", "焊接（电子）"], (4800, 7000)),
    "磁材检测员": ([(3, ["710103"]), (1, ["660109", "710103"])],
              ["仪器仪表使用"], (5000, 7500)),
    # D17
    "电机装配工": ([(4, ["660203"]), (1, ["660203", "660301"])],
              ["电机装配", "绕线工艺"], (5000, 8000)),
    "电动工具装配调试工": ([(4, ["660203"]), (2, ["6602"]), (1, ["460203"])],
                   ["电器检测", "电机装配"], (5000, 8000)),
    # D18
    "电商美工": ([(5, ["710210"]), (2, ["710210", "730701"])],
             ["Photoshop", "美工"], (5000, 8500)),
    "短视频剪辑师": ([(3, ["710210", "730705"]), (1, ["7102"])],
               ["短视频剪辑"], (5000, 9000)),
    # spanning several directions
    "装配钳工": ([(4, ["6601"]), (1, ["6601", "6602"])],
             ["钳工（中级）"], (5500, 8500)),
    "机电类技术员": ([(3, ["66"]), (1, ["46"])],
               [], (5500, 9000)),
    "质检员": ([(3, ["660109", "6601"]), (2, ["660109"]), (1, ["6601", "7101"])],
            ["量具使用"], (4800, 7500)),
    # any major
    "储备干部（管培生）": ([(1, [])], [], (5500, 8500)),
    "生产操作工": ([(1, [])], [], (5000, 7500)),
    # fields the college does not teach (unmet demand)
    "注塑工艺员": ([(3, ["680104"]), (1, ["470206"])],
              ["注塑成型"], (5500, 9000)),
    "化工操作工": ([(1, ["6702"])], ["化工总控工"], (5500, 8500)),
    "纺织挡车工": ([(1, ["6804"])], [], (5000, 7500)),
    "中药材加工工": ([(2, ["690201", "7204"]), (1, ["7204"])], [], (4500, 7000)),
    "施工员": ([(1, ["6403"])], ["施工员证"], (5500, 9000)),
    "成本会计": ([(2, ["730301"]), (1, ["5303"])], ["初级会计"], (4500, 7000)),
}

# chain -> (count, regions [(code, weight)], industries [(code, w)],
#           size range (lo, hi), name business words, template mix [(name, w)])
CHAINS = [
    (PV, 25, [("330703", 5), ("330782", 6), ("330702", 3), ("330726", 1), ("330781", 1), ("330723", 1)],
     [("C38", 8), ("C39", 2), ("D44", 2), ("C35", 1)], (80, 5000),
     ["光伏科技", "新能源科技", "储能技术", "光电科技", "能源科技"],
     [("光伏组件工艺员", 6), ("储能系统装调工", 6), ("光伏电站运维员", 4), ("光伏设备操作工", 4),
      ("电气装配技术员", 4), ("设备电工", 3), ("工业机器人运维员", 2), ("智能产线运维员", 3),
      ("SMT操作员", 1), ("设备维护技术员", 2), ("无人机巡检员", 2), ("机电设备维修工", 2), ("质检员", 2), ("储备干部（管培生）", 1)]),
    (NEV, 34, [("330703", 8), ("330784", 6), ("330702", 5), ("330723", 3), ("330781", 3), ("330782", 2), ("330783", 1)],
     [("C36", 12), ("C38", 3), ("C34", 2), ("C39", 2), ("C33", 1)], (80, 8000),
     ["汽车零部件", "新能源汽车科技", "电驱动科技", "汽车电子", "动力科技", "汽车部件"],
     [("动力电池装配工", 7), ("三电系统检测员", 6), ("整车装配工", 4), ("新能源汽车售后技师", 4),
      ("五轴数控操作工", 3), ("数控车床操作工", 3), ("焊工（二保焊）", 3), ("机器人焊接操作员", 3),
      ("工业机器人运维员", 3), ("智能产线运维员", 4), ("电气装配技术员", 2), ("PLC调试员", 2),
      ("质检员", 3), ("注塑工艺员", 1), ("生产操作工", 1), ("储备干部（管培生）", 1), ("装配钳工", 2),
      ("机电设备维修工", 2)]),
    (CNC, 20, [("330702", 6), ("330703", 4), ("330784", 4), ("330781", 2), ("330723", 1)],
     [("C34", 10), ("C35", 3)], (60, 1500),
     ["数控机床", "精密机械", "机床", "智能装备"],
     [("五轴数控操作工", 6), ("数控车床操作工", 5), ("CNC编程员", 4), ("机加工操作工", 3),
      ("装配钳工", 4), ("机电设备维修工", 3), ("电气装配技术员", 3), ("PLC调试员", 2),
      ("机器人调试技术员", 2), ("工业互联网运维员", 1), ("焊工（二保焊）", 1), ("机电类技术员", 2), ("质检员", 1)]),
    (TOOL, 27, [("330784", 16), ("330723", 5), ("330702", 1), ("330703", 1)],
     [("C34", 10), ("C38", 3)], (60, 3000),
     ["电动工具", "工具", "电器", "动力工具"],
     [("电动工具装配调试工", 6), ("电机装配工", 5), ("模具钳工", 3), ("注塑模具维修工", 3),
      ("数控车床操作工", 2), ("电气装配技术员", 2), ("自动化设备调试员", 3), ("质检员", 3),
      ("注塑工艺员", 2), ("机电类技术员", 1), ("生产操作工", 1), ("电子装配工", 2), ("跨境电商专员", 1),
      ("机电设备维修工", 2)]),
    (MAG, 18, [("330783", 13), ("330781", 2), ("330703", 1), ("330727", 1)],
     [("C39", 8), ("C30", 2), ("C38", 2), ("C32", 1)], (80, 5000),
     ["磁业", "磁材科技", "磁电科技", "电子材料"],
     [("磁材检测员", 4), ("SMT操作员", 2), ("电子装配工", 3), ("电机装配工", 3), ("自动化设备调试员", 4),
      ("设备维护技术员", 3), ("设备电工", 2), ("机器人调试技术员", 1), ("化工操作工", 1),
      ("质检员", 2), ("生产操作工", 1)]),
    (HW, 23, [("330784", 10), ("330723", 4), ("330726", 4), ("330727", 2), ("330782", 2), ("330781", 1)],
     [("C33", 12), ("C34", 2), ("C38", 1)], (40, 1200),
     ["五金制品", "工贸", "金属制品", "锁业", "门业", "厨具"],
     [("模具钳工", 3), ("注塑模具维修工", 2), ("模具设计助理", 2), ("机加工操作工", 3), ("数控车床操作工", 3),
      ("氩弧焊工", 3), ("焊工（二保焊）", 3), ("装配钳工", 2), ("质检员", 2), ("电商运营助理", 2),
      ("电商美工", 1), ("成本会计", 1)]),
    (EC, 22, [("330782", 13), ("330703", 3), ("330702", 2), ("330783", 1), ("330784", 1)],
     [("F52", 8), ("I64", 4), ("F51", 2), ("L72", 1)], (15, 800),
     ["电子商务", "网络科技", "跨境电商", "直播科技", "供应链管理"],
     [("电商运营助理", 6), ("直播运营专员", 5), ("电商客服专员", 4), ("跨境电商专员", 4),
      ("电商美工", 4), ("短视频剪辑师", 3), ("仓储管理员", 2), ("成本会计", 1), ("储备干部（管培生）", 1)]),
    (LOG, 14, [("330782", 8), ("330703", 4), ("330781", 2), ("330702", 1), ("330784", 1)],
     [("G59", 6), ("G58", 4), ("G54", 3), ("G60", 2)], (40, 3000),
     ["物流", "供应链", "仓储服务", "国际货运代理", "快递服务"],
     [("仓储管理员", 6), ("物流调度员", 5), ("叉车司机", 3), ("电商客服专员", 1),
      ("网络管理员", 1), ("储备干部（管培生）", 1)]),
    (AUTO, 12, [("330702", 4), ("330703", 2), ("330782", 2), ("330783", 1), ("330784", 1)],
     [("F52", 5), ("O81", 5)], (30, 300),
     ["汽车销售服务", "汽车维修服务", "汽车服务"],
     [("汽车机修工", 6), ("汽车钣金喷漆工", 4), ("新能源汽车售后技师", 5), ("汽车服务顾问", 3)]),
    (IT, 4, [("330702", 2), ("330703", 2), ("330782", 2)],
     [("I65", 3), ("I63", 2), ("I64", 1)], (20, 500),
     ["信息技术", "网络工程", "软件", "智能科技"],
     [("网络管理员", 5), ("IT运维工程师助理", 4), ("弱电工程施工员", 3), ("工业互联网运维员", 3),
      ("数据采集技术员", 2), ("短视频剪辑师", 1)]),
    (UAV, 4, [("330703", 2), ("330702", 1), ("330782", 1)],
     [("C37", 2), ("M74", 1)], (30, 600),
     ["无人机科技", "航空科技"],
     [("无人机飞手", 5), ("无人机装调检修工", 5), ("电子装配工", 1)]),
    (TEX, 3, [("330782", 2), ("330781", 1)], [("C18", 2), ("C17", 1)], (200, 3000),
     ["服饰", "纺织", "针织"],
     [("纺织挡车工", 5), ("机电设备维修工", 2), ("电商运营助理", 2), ("生产操作工", 1)]),
    (MED, 2, [("330727", 2)], [("C27", 1)], (100, 1200),
     ["中药饮片", "药业"],
     [("中药材加工工", 5), ("设备电工", 2), ("质检员", 2), ("生产操作工", 1)]),
    (CHEM, 2, [("330781", 1), ("330702", 1)], [("C26", 1), ("C29", 1)], (150, 2500),
     ["化工", "新材料"],
     [("化工操作工", 5), ("注塑工艺员", 3), ("设备维护技术员", 2), ("质检员", 1)]),
]

PLACE = {"330702": "金华", "330703": "金华", "330723": "武义", "330726": "浦江",
         "330727": "磐安", "330781": "兰溪", "330782": "义乌", "330783": "东阳",
         "330784": "永康"}
JINHUA_COUNTIES = sorted(PLACE)

# Trade names (字号) are built from these two pools; every one is checked
# against a short list of real Jinhua firms' trade names so none comes out.
TRADE_A = list("恒鼎瑞晟泓铂睿骏嘉弘昱锦岳坤澄拓峰煜祺翰沐朗钧禾岚晋启卓舜霖望岱楷渊湛崇")
TRADE_B = list("澜驰泰创晖越诺宸垚迈锐晔川屹辰凯硕琛湃璟邦珩翊岷")
REAL_TRADE = {"正泰", "天合", "晶科", "吉利", "零跑", "东磁", "横店", "今飞", "三花", "中天",
              "群升", "步阳", "王力", "星月", "飞剑", "英洛华", "万里扬", "众泰", "哪吒",
              "合众", "铁牛", "晶澳", "爱旭", "华统", "尖峰", "海康", "恒盛", "瑞泰"}

# few people are hired for these at one firm
CAP = {"储备干部（管培生）": 8, "CNC编程员": 10, "模具设计助理": 8, "成本会计": 5,
       "PLC调试员": 10, "IT运维工程师助理": 8, "汽车服务顾问": 6, "电商美工": 10}

# postings that may ask for a 高职 (higher) graduate as the minimum level
HIGHER_OK = {"CNC编程员", "模具设计助理", "机器人调试技术员", "PLC调试员",
             "IT运维工程师助理", "跨境电商专员", "储备干部（管培生）", "成本会计"}

SKILL_EXTRA = ["吃苦耐劳", "可倒班", "团队协作"]


def wchoice(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def wsample(rng, pairs, k):
    pool = list(pairs)
    out = []
    while pool and len(out) < k:
        v = wchoice(rng, pool)
        out.append(v)
        pool = [(x, w) for x, w in pool if x != v]
    return out


def round_head(x):
    if x < 10:
        return max(5, int(round(x)))
    if x < 30:
        return int(round(x / 5.0)) * 5
    return int(round(x / 10.0)) * 10


def size_class(size):
    return "large" if size >= 1000 else "medium" if size >= 300 else "small"


def make_enterprises(rng):
    used_trade = set()
    out = []
    serial = {}
    for chain, count, regions, industries, (lo, hi), biz, mix in CHAINS:
        for i in range(count):
            region = wchoice(rng, regions)
            size = common.company_size(rng, lo, hi)
            trade = common.trade_name(rng, TRADE_A, TRADE_B, used_trade, REAL_TRADE)
            form = common.legal_form(rng, size)
            place = PLACE[region]
            if size >= 3000 and rng.random() < 0.5:
                place = "浙江"
            name = place + trade + rng.choice(biz) + form
            chains = [chain]
            # second chain tags where an enterprise spans two chains
            if chain == NEV and rng.random() < 0.25:
                chains.append(PV if rng.random() < 0.5 else CNC)
            elif chain == TOOL and rng.random() < 0.3:
                chains.append(HW)
            elif chain == HW and rng.random() < 0.3:
                chains.append(EC)
            elif chain == MAG and rng.random() < 0.3:
                chains.append(NEV)
            elif chain == EC and rng.random() < 0.3:
                chains.append(LOG)
            elif chain == PV and rng.random() < 0.2:
                chains.append(NEV)
            serial[region] = serial.get(region, 0) + 1
            out.append({
                "id": "E%s%03d" % (region, serial[region]),
                "name": name,
                "region": region,
                "industry": wchoice(rng, industries),
                "chains": chains,
                "size": size,
                "_mix": mix,
            })
    return out


DATES_JOB = [("2026-06-01", "2026-08-31"), ("2026-06-15", "2026-08-31"),
             ("2026-07-01", "2026-09-30"), ("2026-06-01", "2026-07-31")]
DATES_INTERN = [("2026-06-01", "2026-12-31"), ("2026-07-01", "2027-01-31")]
DATES_APPR = [("2026-07-01", "2028-06-30"), ("2026-09-01", "2028-08-31")]
DATES_ORDER = [("2026-09-01", "2027-06-30")]


def make_postings(rng, enterprises):
    postings = []
    for e in enterprises:
        sc = size_class(e["size"])
        n = {"small": 2, "medium": rng.randint(2, 4),
             "large": rng.randint(3, 6)}[sc]
        total = {"small": rng.uniform(10, 16), "medium": rng.uniform(20, 36),
                 "large": rng.uniform(60, 140)}[sc]
        titles = wsample(rng, e["_mix"], n)
        shares = [rng.lognormvariate(0, 0.6) for _ in titles]
        s = sum(shares)
        for j, title in enumerate(titles):
            alts, skills_pool, (smin, smax) = T[title]
            majors = list(wchoice(rng, [(tuple(m), w) for w, m in alts]))
            r = rng.random()
            if sc != "small" and r < 0.05 and majors:
                kind = "order_class"
            elif r < 0.14 and majors:
                kind = "apprenticeship"
            elif r < 0.28:
                kind = "internship"
            else:
                kind = "job"
            raw = min(total * shares[j] / s, CAP.get(title, 1000))
            head = round_head(raw)
            if kind == "order_class":
                head = rng.choice([20, 25, 30, 30, 35, 40])
            k = min(len(skills_pool), rng.choice([0, 1, 1, 2, 2, 3]))
            skills = rng.sample(skills_pool, k) if k else []
            if rng.random() < 0.12:
                skills.append(rng.choice(SKILL_EXTRA))
            level = ""
            r = rng.random()
            if kind == "job":
                if r < 0.18:
                    level = "technician"
                elif r < 0.26:
                    level = "secondary"
                elif r < 0.50 and title in HIGHER_OK:
                    level = "higher"
            elif kind == "order_class" and r < 0.5:
                level = "technician"
            region = ""
            r = rng.random()
            if r < 0.05:
                region = rng.choice([c for c in JINHUA_COUNTIES if c != e["region"]])
            elif r < 0.07 and e["chains"][0] in (EC, IT, LOG):
                region = rng.choice(["330110", "330108"])
            dates = {"job": DATES_JOB, "internship": DATES_INTERN,
                     "apprenticeship": DATES_APPR, "order_class": DATES_ORDER}[kind]
            start, until = rng.choice(dates) if rng.random() < 0.9 else ("", "")
            prem = {"small": 1.0, "medium": 1.05, "large": 1.12}[sc]
            if kind == "job" or kind == "order_class":
                lo = common.round100(smin * prem * rng.uniform(0.92, 1.08))
                hi = common.round100(smax * prem * rng.uniform(0.92, 1.10))
            elif kind == "internship":
                lo = common.round100(rng.uniform(3000, 3800))
                hi = common.round100(lo + rng.uniform(500, 1500))
            else:
                lo = common.round100(rng.uniform(3600, 4500))
                hi = common.round100(lo + rng.uniform(800, 2000))
            if hi <= lo:
                hi = lo + 1000
            if rng.random() < 0.08:
                lo = hi = ""
            if kind in ("internship", "apprenticeship"):
                tag = "顶岗实习" if kind == "internship" else "企业新型学徒制"
                if title.endswith("）"):
                    title = title[:-1] + "，" + tag + "）"
                else:
                    title = title + "（" + tag + "）"
            elif kind == "order_class":
                title = title.split("（")[0] + "订单班"
            postings.append({
                "id": "%s-%02d" % (e["id"], j + 1),
                "enterprise_id": e["id"], "title": title, "kind": kind,
                "headcount": head, "_raw": raw, "majors": majors, "skills": skills,
                "level": level, "region": region, "start": start,
                "until": until, "salary_min": lo, "salary_max": hi,
            })
    fix_total(postings)
    return postings


def fix_total(postings):
    """Make Σ headcount exactly TARGET_POSITIONS, keeping round numbers:
    first steps of 5 on the larger job postings, then ±1 on small ones."""
    raw = sum(p["headcount"] for p in postings)
    if os.environ.get("GEN_DEBUG"):
        print("raw total", raw, file=sys.stderr)
    if abs(raw - TARGET_POSITIONS) > TARGET_POSITIONS // 5:
        raise SystemExit("raw total %d is too far from the target; retune" % raw)
    fixed = sum(p["headcount"] for p in postings if p["kind"] == "order_class")
    scale = (TARGET_POSITIONS - fixed) / sum(p["_raw"] for p in postings
                                             if p["kind"] != "order_class")
    for p in postings:
        if p["kind"] != "order_class":
            p["headcount"] = round_head(p["_raw"] * scale)
    diff = TARGET_POSITIONS - sum(p["headcount"] for p in postings)
    big = sorted((p for p in postings if p["kind"] != "order_class" and p["headcount"] >= 15),
                 key=lambda p: (-p["headcount"], p["id"]))
    i = 0
    while abs(diff) >= 5 and big and i < 100000:
        p = big[i % len(big)]
        step = 5 if diff > 0 else -5
        if p["headcount"] + step >= 10:
            p["headcount"] += step
            diff -= step
        i += 1
    small = sorted((p for p in postings if 5 <= p["headcount"] < 10),
                   key=lambda p: p["id"])
    i = 0
    while diff and small and i < 100000:
        p = small[i % len(small)]
        step = 1 if diff > 0 else -1
        if 5 <= p["headcount"] + step <= 9:
            p["headcount"] += step
            diff -= step
        i += 1
    assert diff == 0, diff


def make_fair(enterprises):
    ids = [e["id"] for e in enterprises]
    fair = {"id": FAIR_ID, "name": "金华技师学院2026年5月双选会",
            "date": FAIR_DATE, "region": "330702",
            "school_ids": [SCHOOL_ID], "enterprise_ids": ids}
    directions = [{"fair_id": FAIR_ID, "id": d, "name": n, "majors": m}
                  for d, n, m, _ in DIRECTIONS]
    manuf = ["D01", "D02", "D03", "D04", "D05", "D07", "D08", "D09", "D10",
             "D11", "D16", "D17"]
    trade = ["D06", "D12", "D13", "D14", "D15", "D18"]
    sessions = [
        {"fair_id": FAIR_ID, "id": "S1", "start": FAIR_DATE + "T08:30",
         "end": FAIR_DATE + "T11:30", "booths": 110, "directions": []},
        {"fair_id": FAIR_ID, "id": "S2", "start": FAIR_DATE + "T13:00",
         "end": FAIR_DATE + "T15:00", "booths": 80, "directions": manuf},
        {"fair_id": FAIR_ID, "id": "S3", "start": FAIR_DATE + "T15:10",
         "end": FAIR_DATE + "T17:00", "booths": 40, "directions": trade},
    ]
    # big enterprises (≥ 1,500 staff) ask for a booth in two sessions; the
    # three sessions' 230 booths then fall a few short of the slots wanted
    requests = [{"fair_id": FAIR_ID, "enterprise_id": e["id"],
                 "slots": 2 if e["size"] >= 1500 else 1} for e in enterprises]
    return fair, directions, sessions, requests


def specialties():
    out = []
    for did, dname, _, sps in DIRECTIONS:
        for code, name, c26, c27, skills, chains in sps:
            out.append(common.specialty_row(SCHOOL_ID, code, name, dname,
                                            {2026: c26, 2027: c27}, skills, chains))
    return out


def main():
    rng = random.Random(SEED)
    ents = make_enterprises(rng)
    posts = make_postings(rng, ents)
    ents.sort(key=lambda e: e["id"])
    fair, dirs, sess, reqs = make_fair(ents)
    sps = specialties()
    posts.sort(key=lambda p: p["id"])
    n = common.write_files(HERE, [
        ("schools.csv", common.SCHOOL_COLUMNS, [SCHOOL]),
        ("specialties.csv", common.specialty_columns((2026, 2027)), sps),
        ("enterprises.csv", common.ENTERPRISE_COLUMNS, ents),
        ("postings.csv", common.POSTING_COLUMNS, posts),
        ("fairs.csv", ["id", "name", "date", "region", "school_ids", "enterprise_ids"], [fair]),
        ("fair_directions.csv", ["fair_id", "id", "name", "majors"], dirs),
        ("fair_sessions.csv", ["fair_id", "id", "start", "end", "booths", "directions"], sess),
        ("fair_requests.csv", ["fair_id", "enterprise_id", "slots"], reqs),
    ])
    for k in sorted(n):
        print("%-20s %4d rows" % (k, n[k]))
    print("graduates 2026: %d, 2027: %d; positions: %d" % (
        sum(s["cohort_2026"] for s in sps), sum(s["cohort_2027"] for s in sps),
        sum(p["headcount"] for p in posts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
