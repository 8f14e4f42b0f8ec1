#!/usr/bin/python3
"""fair.allocate at scale: generate large fairs into a running chanjiaod and
measure the planner (bench/fairscale.sh drives it; see bench/README.md,
"fair.allocate at scale").

    fairscale.py load SIZE --port P [--seed N]     # x10 | p100k: generate + put
    fairscale.py facts  --port P --fair F          # postings, positions, graduates
    fairscale.py arcs   --port P --fair F [--min-score S]   # explain: count arcs
    fairscale.py solve  --port P --fair F [--calls 5] [--min-score S]
    fairscale.py params --fair F [--min-score S] --out FILE  # loadgen params map

Standard library and Debian's python3-msgpack only.  Everything goes
straight through the protocol: `<kind>.put {records}` in batches of at
most 5,000 records (schools, enterprises, specialties, postings, then the
fair).  Deterministic: the same SIZE and --seed write the same records.

Sizes (the `jinhua` size is examples/jinhua-fair, imported with the CLI):

- x10: ten times the Jinhua fair.  Three schools of Jinhua (one technician
  college, two secondary schools; secondary catalog codes, groups 61-79),
  60 directions of real 2021 secondary-catalog codes (1-2 six-digit codes,
  or a whole 4-digit class), ~15,000 graduates of 2026, 2,000 enterprises
  (80% in Jinhua's counties, the rest elsewhere in Zhejiang) with 6,000
  postings and ~65,000 positions.
- p100k: a provincial fair.  25 schools across Zhejiang (3 technician and
  7 secondary: secondary codes; 12 higher: 41-59; 3 bachelor: 21-39),
  1,000 directions of one catalog code each (300 secondary, 600 higher,
  100 bachelor; medical 'K' codes left out), each code taught at 1-4
  schools of its level (~2,100 specialties, ~150,000 graduates), 10,000
  enterprises with 100,000 postings and ~600,000 positions.  10,000, not
  ~15,000: a fair names at most 10,000 enterprises (the daemon's limit on
  id arrays, SCHEMA_IDS_MAX in model/schema.h), and 1,000 directions is
  its limit on a fair's directions (SCHEMA_PARTS_MAX).

Postings: an enterprise has a main field group (GB/T 4754 division to
match); 85% of its postings ask for that field, 15% for a support field
(finance/commerce, IT, logistics).  The target major is drawn with weight
= the graduates the fair has of it (codes the fair does not teach get a
small weight, so some demand goes unmet), and asked for as a 6-digit code
(~60%) or its 4-digit class (~37%); 2-digit groups (x10 2%, p100k 0.8%)
and empty `majors` (any major: x10 0.5%, p100k 0.05%) are rare, because
each reaches every direction of its field (or all).  Skills come from a
12-tag vocabulary per field class, so a specialty of another class shares
none of a posting's class skills.

Note on arcs (docs/matching.md's major factor): every specialty in the same field
group as one of a posting's prefixes scores 0.3 on the major factor, so
with the default min_score 0 a posting has an arc to every direction of
its field group whatever its prefixes' length: 1,000 directions over 19
field groups make ~83 arcs per posting (8.3 M at p100k).  Posting skills
are class skills (p100k: always 1-3 of them), so a same-group, other-class
specialty scores at most 0.4 x 0.3 + 0.15 x 0 + 0.15 + 0.1 + 0.1 + 0.1 =
0.57, and min_score 0.6 keeps the exact and same-class arcs (and the rare
same-group pair that also shares a general certificate): ~12 per posting,
1.2 M at p100k.
"""
import argparse
import bisect
import csv
import math
import os
import random
import socket
import statistics
import sys
import time

import msgpack

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
BATCH = 5000

LEVEL_OF = {"中职": "secondary", "高职专科": "higher", "职业本科": "bachelor"}

# demand profile of an industrial province, by field group (higher numbering)
GROUP_W = {41: 2, 42: 1, 43: 5, 44: 5, 45: 0.5, 46: 30, 47: 4, 48: 4, 49: 3,
           50: 8, 51: 12, 52: 3, 53: 14, 54: 3, 55: 2, 56: 1, 57: 1, 58: 0.3,
           59: 1}
SUPPORT = [(53, 6), (51, 3), (50, 1)]
INDUSTRY = {41: ["A01", "A03", "A05"], 42: ["B06", "B09", "N77"],
            43: ["D44", "C32", "C38"], 44: ["E47", "E48", "E50"],
            45: ["E48", "N76"], 46: ["C33", "C34", "C35", "C36", "C37", "C38", "C40"],
            47: ["C26", "C27", "C29"], 48: ["C17", "C18", "C22"],
            49: ["C13", "C14", "C27"], 50: ["G54", "G58", "G59", "O81"],
            51: ["C39", "I63", "I64", "I65"], 52: ["Q84", "Q85"],
            53: ["F51", "F52", "J66", "L72"], 54: ["H61", "H62", "N78"],
            55: ["R86", "R87", "R88"], 56: ["R86", "R87"], 57: ["P83", "R89"],
            58: ["L72"], 59: ["O80", "L72"]}
BIZ = {41: "农业科技", 42: "环境科技", 43: "新能源科技", 44: "建设工程", 45: "水利工程",
       46: "机械制造", 47: "化工新材料", 48: "纺织服饰", 49: "食品", 50: "物流",
       51: "信息技术", 52: "健康管理", 53: "商贸", 54: "酒店管理", 55: "文化传媒",
       56: "传媒", 57: "教育科技", 58: "保安服务", 59: "物业服务"}
CHAINS = {43: ["智能光伏"], 46: ["工业机床", "新能源汽车", "智能光伏", "电动工具"],
          47: ["化工新材料"], 48: ["纺织服装"], 49: ["生物医药"], 50: ["现代物流"],
          51: ["数字经济", "集成电路"], 52: ["生物医药"], 53: ["电子商务", "现代物流"],
          54: ["文旅"], 55: ["文旅"]}
SUFFIX = ["操作", "装调", "维修", "检测", "工艺", "编程", "设计", "运维", "管理",
          "数据分析", "营销", "安全规范"]
GENERAL = ["低压电工作业证", "计算机等级证书", "普通话等级证书", "英语应用能力证书",
           "1+X职业技能等级证书"]
ROLE = ["操作工", "技术员", "助理", "专员", "储备干部", "学徒"]
TRADE_A = list("恒鼎瑞晟泓铂睿骏嘉弘昱锦岳坤澄拓峰煜祺翰沐朗钧禾岚晋启卓舜霖望岱楷渊湛崇")
TRADE_B = list("澜驰泰创晖越诺宸垚迈锐晔川屹辰凯硕琛湃璟邦珩翊岷")
KINDS = [("job", 55), ("internship", 25), ("apprenticeship", 10), ("order_class", 10)]
DATES = {"job": ("2026-06-01", "2026-08-31"), "internship": ("2026-07-01", "2027-01-31"),
         "apprenticeship": ("2026-07-01", "2028-06-30"),
         "order_class": ("2026-09-01", "2027-06-30")}

SIZES = {
    "x10": dict(fair_id="X10-2026-05", date="2026-05-20", enterprises=2000,
                postings=6000, positions=65000, graduates=15000, directions=60),
    "p100k": dict(fair_id="P100K-2026-06", date="2026-06-10", enterprises=10000,
                  postings=100000, positions=600000, graduates=150000,
                  directions=1000),
}


# ------------------------------------------------------------ helpers

def field(code):
    g = int(code[:2])
    if 61 <= g <= 79:
        g -= 20
    elif 21 <= g <= 39:
        g += 20
    return "%02d%s" % (g, code[2:])


def wchoice(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


class Picker:
    """Weighted choice over a fixed list, O(log n) per draw."""

    def __init__(self, pairs):
        self.vals = [v for v, _ in pairs]
        self.cum = []
        t = 0.0
        for _, w in pairs:
            t += w
            self.cum.append(t)

    def __call__(self, rng):
        i = bisect.bisect_left(self.cum, rng.uniform(0, self.cum[-1]))
        return self.vals[min(i, len(self.vals) - 1)]


def wsample(rng, pairs, k):
    """k distinct values, weighted (Efraimidis-Spirakis)."""
    keyed = sorted(((rng.random() ** (1.0 / w), v) for v, w in pairs if w > 0),
                   key=lambda t: -t[0])
    return [v for _, v in keyed[:k]]


def zipf_pick(rng, n, k):
    return wsample(rng, [(i, 1.0 / (i + 1)) for i in range(n)], k)


class Catalog:
    def __init__(self):
        self.name, self.cls = {}, {}
        self.codes = {"secondary": [], "higher": [], "bachelor": []}
        cls_names = {}
        with open(os.path.join(DATA, "major_catalog_2021.csv"), encoding="utf-8",
                  newline="") as f:
            for r in csv.DictReader(f):
                code = r["major_code"]
                lvl = LEVEL_OF[r["education_level"]]
                self.name[code] = r["major_name"]
                fc = field(r["class_code"])
                if lvl == "higher" or fc not in cls_names:
                    cls_names[fc] = r["class_name"].rstrip("类")
                if code.endswith("K"):
                    continue
                self.codes[lvl].append(code)
        self.class_name = cls_names
        self.by_lg = {}          # (level, field group) -> [codes]
        for lvl, codes in self.codes.items():
            for c in codes:
                self.by_lg.setdefault((lvl, int(field(c)[:2])), []).append(c)

    def skills(self, code):
        fc = field(code)[:4]
        nm = self.class_name.get(fc, fc)
        return ["%s-%s" % (nm, s) for s in SUFFIX]


def regions():
    by_city, names = {}, {}
    with open(os.path.join(DATA, "regions_counties.csv"), encoding="utf-8",
              newline="") as f:
        for r in csv.DictReader(f):
            if r["provinceCode"] == "33":
                by_city.setdefault(r["cityCode"], []).append(r["code"])
    with open(os.path.join(DATA, "regions_cities.csv"), encoding="utf-8",
              newline="") as f:
        for r in csv.DictReader(f):
            names[r["code"]] = r["name"].rstrip("市")
    return by_city, names


def industries():
    with open(os.path.join(DATA, "industry_gbt4754_2017.csv"), encoding="utf-8",
              newline="") as f:
        return {r["section"] + r["division"] for r in csv.DictReader(f) if r["level"] == "2"}


# ------------------------------------------------------------ generation

def gen_directions_x10(rng, cat):
    """60 directions of secondary codes: 1-2 codes, or a whole class."""
    classes = {}
    for c in cat.codes["secondary"]:
        classes.setdefault(c[:4], []).append(c)
    cls_w = [(k, GROUP_W[int(field(k)[:2])] * len(v)) for k, v in sorted(classes.items())]
    used, whole, dirs = set(), set(), []
    while len(dirs) < SIZES["x10"]["directions"]:
        k = wchoice(rng, cls_w)
        if k in whole:
            continue
        avail = [c for c in classes[k] if c not in used]
        if not avail:
            continue
        if len(avail) == len(classes[k]) >= 3 and rng.random() < 0.12:
            whole.add(k)
            used.update(classes[k])
            dirs.append({"name": cat.class_name[field(k)[:4]], "majors": [k],
                         "_codes": rng.sample(classes[k], min(3, len(classes[k])))})
            continue
        take = rng.sample(avail, 2 if len(avail) >= 2 and rng.random() < 0.3 else 1)
        used.update(take)
        dirs.append({"name": cat.name[take[0]], "majors": sorted(take), "_codes": take})
    for i, d in enumerate(dirs):
        d["id"] = "D%02d" % (i + 1)
    return dirs


def gen_directions_p100k(rng, cat):
    dirs = []
    for lvl, n in (("secondary", 300), ("higher", 600), ("bachelor", 100)):
        pool = [(c, GROUP_W[int(field(c)[:2])]) for c in cat.codes[lvl]]
        for c in sorted(wsample(rng, pool, n)):
            dirs.append({"name": "%s（%s）" % (cat.name[c], {"secondary": "中职", "higher": "高职",
                                                           "bachelor": "本科"}[lvl]),
                         "majors": [c], "_codes": [c]})
    for i, d in enumerate(dirs):
        d["id"] = "D%04d" % (i + 1)
    return dirs


def cohort(rng, mean, lo, hi):
    s = 0.7
    return max(lo, min(hi, int(round(math.exp(rng.gauss(math.log(mean) - s * s / 2, s))))))


def gen_schools(rng, size, by_city, names):
    if size == "x10":
        spec = [("technician", "3307", "金华技师学院"),
                ("secondary", "3307", "金华市职业技术学校"),
                ("secondary", "3307", "义乌市城镇职业技术学校")]
    else:
        spec = []
        cities = sorted(by_city)
        for i, (lvl, n, suffix) in enumerate((("technician", 3, "技师学院"),
                                              ("secondary", 7, "职业技术学校"),
                                              ("higher", 12, "职业技术学院"),
                                              ("bachelor", 3, "职业技术大学"))):
            for j in range(n):
                spec.append((lvl, cities[(i * 5 + j) % len(cities)], suffix))
    out, serial = [], {}
    for lvl, city, nm in spec:
        region = rng.choice(by_city[city])
        serial[city] = serial.get(city, 0) + 1
        if size != "x10":
            nm = "%s%s%s" % (names[city], "第%d" % serial[city] if serial[city] > 1 else "", nm)
        out.append({"id": "41%s%04d" % (city, serial[city]), "name": nm, "level": lvl,
                    "region": region})
    return out


def gen_specialties(rng, size, cat, schools, dirs):
    tier = {"technician": "secondary", "secondary": "secondary", "higher": "higher",
            "bachelor": "bachelor"}
    by_tier = {}
    for s in schools:
        by_tier.setdefault(tier[s["level"]], []).append(s)
    cfg = SIZES[size]
    pairs = []                      # (school, code)
    for d in dirs:
        for c in d["_codes"]:
            lvl = "secondary" if c[0] in "67" else "higher" if c[0] in "45" else "bachelor"
            cand = by_tier[lvl]
            k = wchoice(rng, [(1, 35), (2, 30), (3, 20), (4, 15)])
            for s in rng.sample(cand, min(k, len(cand))):
                pairs.append((s, c))
    if size == "x10":                # a few codes no direction covers
        covered = {c for d in dirs for c in d["_codes"]}
        cover = [c for c in cat.codes["secondary"]
                 if not any(c.startswith(p) for d in dirs for p in d["majors"])]
        for s in schools:
            for c in rng.sample(cover, 5):
                pairs.append((s, c))
        del covered
    seen, out = set(), []
    mean = cfg["graduates"] / len(pairs)
    for s, c in pairs:
        if (s["id"], c) in seen:
            continue
        seen.add((s["id"], c))
        n = cohort(rng, mean, 15, 12 * int(mean))
        voc = cat.skills(c)
        skills = [voc[i] for i in sorted(zipf_pick(rng, len(voc), rng.randint(3, 6)))]
        if rng.random() < 0.5:
            skills.append(rng.choice(GENERAL))
        rec = {"id": "%s-%s" % (s["id"], c), "school_id": s["id"], "major_code": c,
               "name": cat.name[c], "cohorts": {"2026": n,
                                                "2027": max(0, int(n * rng.uniform(0.85, 1.15)))},
               "skills": skills}
        ch = CHAINS.get(int(field(c)[:2]))
        if ch and rng.random() < 0.2:
            rec["chains"] = [rng.choice(ch)]
        out.append(rec)
    # scale the 2026 cohorts to the size's graduates
    tot = sum(r["cohorts"]["2026"] for r in out)
    for r in out:
        r["cohorts"]["2026"] = max(10, int(round(r["cohorts"]["2026"] * cfg["graduates"] / tot)))
    return out


def gen_enterprises(rng, size, by_city, names, divisions):
    cfg = SIZES[size]
    if size == "x10":
        local = by_city["3307"]
        other = [c for k, v in sorted(by_city.items()) if k != "3307" for c in v]

        def region():
            return rng.choice(local) if rng.random() < 0.8 else rng.choice(other)
    else:
        cities = sorted(by_city)
        order = cities[:]
        rng.shuffle(order)
        cw = Picker([(c, 1.0 / (i + 1) ** 0.8) for i, c in enumerate(order)])

        def region():
            return rng.choice(by_city[cw(rng)])
    gpick = Picker(sorted(GROUP_W.items()))
    out, serial = [], {}
    for _ in range(cfg["enterprises"]):
        g = gpick(rng)
        reg = region()
        serial[reg] = serial.get(reg, 0) + 1
        ind = [d for d in INDUSTRY[g] if d in divisions]
        size_ = max(5, min(50000, int(math.exp(rng.gauss(math.log(120), 1.2)))))
        rec = {"id": "E%s%04d" % (reg, serial[reg]),
               "name": "%s%s%s%s有限公司" % (names[reg[:4]], rng.choice(TRADE_A),
                                           rng.choice(TRADE_B), BIZ[g]),
               "region": reg, "industry": rng.choice(ind), "size": size_, "_g": g}
        if g in CHAINS and rng.random() < 0.35:
            rec["chains"] = [rng.choice(CHAINS[g])]
        out.append(rec)
    return out


def gen_postings(rng, size, cat, ents, specs, by_city):
    cfg = SIZES[size]
    supply = {}
    for s in specs:
        supply[s["major_code"]] = supply.get(s["major_code"], 0) + s["cohorts"]["2026"]
    avg = sum(supply.values()) / max(1, len(supply))
    levels = ["secondary"] if size == "x10" else ["secondary", "higher", "bachelor"]
    # target pickers per (level, group): taught codes by supply, others small
    target = {}
    for (lvl, g), codes in cat.by_lg.items():
        if lvl in levels:
            target[(lvl, g)] = Picker([(c, supply.get(c, 0) or avg * 0.08) for c in codes])
    lvl_pick = Picker([("secondary", 36), ("higher", 53), ("bachelor", 11)])
    # postings per enterprise ~ size^0.6, at least one
    w = [e["size"] ** 0.6 for e in ents]
    extra = cfg["postings"] - len(ents)
    raw = [x * extra / sum(w) for x in w]
    n_of = [1 + int(r) for r in raw]
    rest = cfg["postings"] - sum(n_of)
    for i in sorted(range(len(ents)), key=lambda i: -(raw[i] - int(raw[i])))[:rest]:
        n_of[i] += 1
    mean_head = cfg["positions"] / cfg["postings"]
    s_head = 0.9
    mu = math.log(mean_head) - s_head * s_head / 2
    all_counties = [c for v in by_city.values() for c in v]
    p2, pempty = (0.02, 0.005) if size == "x10" else (0.008, 0.0005)
    out = []
    for e, n in zip(ents, n_of):
        for j in range(n):
            g = e["_g"] if rng.random() < 0.85 else wchoice(rng, SUPPORT)
            lvl = "secondary" if size == "x10" else lvl_pick(rng)
            if (lvl, g) not in target:
                lvl = next(l for l in ("higher", "secondary", "bachelor") if (l, g) in target)
            code = target[(lvl, g)](rng)
            r = rng.random()
            if r < pempty:
                majors = []
            elif r < pempty + p2:
                majors = [code[:2]]
            elif r < pempty + p2 + 0.37:
                majors = [code[:4]]
            else:
                majors = [code]
            if majors and rng.random() < 0.25:      # a second prefix, same class
                mates = [c for c in cat.by_lg[(lvl, g)] if c[:4] == code[:4] and c != code]
                if mates:
                    m2 = rng.choice(mates)
                    m2 = m2 if len(majors[0]) == 6 else m2[:len(majors[0])]
                    if m2 not in majors:
                        majors.append(m2)
            if size == "x10" and majors and len(majors[0]) >= 4 and rng.random() < 0.08:
                majors = [field(majors[0])[:4]]    # a higher-level class, as HR copy it
            voc = cat.skills(code)
            if size == "x10":
                ns = wchoice(rng, [(0, 10), (1, 35), (2, 35), (3, 20)])
            else:
                ns = wchoice(rng, [(1, 40), (2, 40), (3, 20)])
            skills = [voc[i] for i in sorted(zipf_pick(rng, len(voc), ns))]
            if skills and rng.random() < 0.08:
                skills.append(rng.choice(GENERAL))
            kind = wchoice(rng, KINDS)
            head = max(1, min(300, int(round(math.exp(rng.gauss(mu, s_head))))))
            lo = int(round(rng.uniform(3500, 8000), -2))
            rec = {"id": "%s-%02d" % (e["id"], j + 1), "enterprise_id": e["id"],
                   "title": "%s%s" % (cat.name[code], rng.choice(ROLE)), "kind": kind,
                   "headcount": head, "majors": majors, "start": DATES[kind][0],
                   "until": DATES[kind][1], "salary": [lo, lo + int(round(lo * rng.uniform(0.2, 0.8), -2))]}
            if skills:
                rec["skills"] = skills
            if rng.random() < 0.7:
                rec["level"] = lvl if size != "x10" else ("secondary" if rng.random() < 0.92 else "higher")
            if rng.random() < 0.15:
                rec["region"] = rng.choice(by_city[e["region"][:4]] if rng.random() < 0.6
                                           else all_counties)
            out.append(rec)
    return out


def generate(size, seed):
    rng = random.Random("%s-%d" % (size, seed))
    cat = Catalog()
    by_city, names = regions()
    divisions = industries()
    dirs = gen_directions_x10(rng, cat) if size == "x10" else gen_directions_p100k(rng, cat)
    schools = gen_schools(rng, size, by_city, names)
    specs = gen_specialties(rng, size, cat, schools, dirs)
    ents = gen_enterprises(rng, size, by_city, names, divisions)
    posts = gen_postings(rng, size, cat, ents, specs, by_city)
    cfg = SIZES[size]
    nsess = 3 if size == "x10" else 6
    fair = {"id": cfg["fair_id"],
            "name": "%s双选会（基准 %s）" % ("金华市职业院校2026届毕业生" if size == "x10"
                                        else "浙江省职业院校2026届毕业生", size),
            "date": cfg["date"], "region": "330702" if size == "x10" else "330106",
            "school_ids": [s["id"] for s in schools],
            "enterprise_ids": [e["id"] for e in ents],
            "directions": [{"id": d["id"], "name": d["name"], "majors": d["majors"]}
                           for d in dirs],
            "sessions": [{"id": "S%d" % (i + 1),
                          "start": "%sT%02d:00" % (cfg["date"], 8 + 2 * i),
                          "end": "%sT%02d:00" % (cfg["date"], 10 + 2 * i),
                          "booths": -(-len(ents) // nsess) + 50} for i in range(nsess)]}
    for e in ents:
        del e["_g"]
    return {"school": schools, "enterprise": ents, "specialty": specs, "posting": posts,
            "fair": [fair]}


# ------------------------------------------------------------ client

class Rpc:
    def __init__(self, port, timeout=3600.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.unp = msgpack.Unpacker(raw=False, strict_map_key=False,
                                    max_buffer_size=2 ** 31 - 1)
        self.msgid = 0

    def send(self, method, params=None):
        self.msgid += 1
        self.sock.sendall(msgpack.packb([0, self.msgid, method, [params or {}]],
                                        use_bin_type=True))

    def call(self, method, params=None):
        """(error or None, result)."""
        self.send(method, params)
        while True:
            for msg in self.unp:
                if msg[0] == 1 and msg[1] == self.msgid:
                    return msg[2], msg[3]
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("daemon closed the connection")
            self.unp.feed(data)


class Counting:
    """A file over the socket that counts the bytes read."""

    def __init__(self, sock):
        self.f = sock.makefile("rb", buffering=1 << 20)
        self.n = 0

    def read(self, n=-1):
        b = self.f.read1(n) if n >= 0 else self.f.read()
        self.n += len(b)
        return b


def alloc_params(a):
    p = {"fair_id": a.fair}
    if a.min_score is not None:
        p["min_score"] = a.min_score
    return p


def cmd_load(a):
    t0 = time.perf_counter()
    recs = generate(a.size, a.seed)
    tgen = time.perf_counter() - t0
    rpc = Rpc(a.port)
    t0 = time.perf_counter()
    for kind in ("school", "enterprise", "specialty", "posting", "fair"):
        v = recs[kind]
        for i in range(0, len(v), BATCH):
            err, res = rpc.call(kind + ".put", {"records": v[i:i + BATCH]})
            if err:
                raise SystemExit("%s.put records[%d..]: %r" % (kind, i, err))
    tput = time.perf_counter() - t0
    fair = recs["fair"][0]
    print("fairscale: %s seed %d: %d schools, %d specialties (%d graduates 2026), "
          "%d enterprises, %d postings (%d positions), %d directions; fair %s; "
          "generated in %.1f s, put in %.1f s" % (
              a.size, a.seed, len(recs["school"]), len(recs["specialty"]),
              sum(s["cohorts"]["2026"] for s in recs["specialty"]), len(recs["enterprise"]),
              len(recs["posting"]), sum(p["headcount"] for p in recs["posting"]),
              len(fair["directions"]), fair["id"], tgen, tput))


def list_all(rpc, kind):
    after = None
    while True:
        p = {"limit": 1000}
        if after is not None:
            p["after"] = after
        err, res = rpc.call(kind + ".list", p)
        if err:
            raise SystemExit("%s.list: %r" % (kind, err))
        yield from res["items"]
        after = res.get("next")
        if after is None:
            return


def cmd_facts(a):
    """What the fair holds, read back from the daemon (any fair, CLI-imported too)."""
    rpc = Rpc(a.port)
    err, fair = rpc.call("fair.get", {"id": a.fair})
    if err:
        raise SystemExit("fair.get: %r" % err)
    year = fair["date"][:4] if int(fair["date"][5:7]) <= 8 else str(int(fair["date"][:4]) + 1)
    ents, schools = set(fair["enterprise_ids"]), set(fair["school_ids"])
    posts = pos = specs = grads = 0
    for p in list_all(rpc, "posting"):
        if p["enterprise_id"] in ents:
            posts += 1
            pos += p["headcount"]
    for s in list_all(rpc, "specialty"):
        if s["school_id"] in schools:
            specs += 1
            grads += s["cohorts"].get(year, 0)
    print(msgpack_json({"fair": a.fair, "schools": len(schools), "specialties": specs,
                        "graduates": grads, "enterprises": len(ents), "postings": posts,
                        "positions": pos, "directions": len(fair["directions"])}))


def msgpack_json(d):
    import json
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def cmd_arcs(a):
    """fair.allocate {explain: true}, read as a stream: arcs are counted and
    never all held at once (p100k at min_score 0 has millions)."""
    rpc = Rpc(a.port)
    p = alloc_params(a)
    p["explain"] = True
    t0 = time.perf_counter()
    rpc.send("fair.allocate", p)
    f = Counting(rpc.sock)
    unp = msgpack.Unpacker(f, raw=False, strict_map_key=False, read_size=1 << 20,
                           max_buffer_size=2 ** 31 - 1)
    if unp.read_array_header() != 4 or unp.unpack() != 1:
        raise SystemExit("not a response")
    unp.unpack()
    err = unp.unpack()
    if err:
        raise SystemExit("fair.allocate explain: %r" % err)
    out = {}
    narcs, per_post, scores = 0, {}, [0] * 10
    t_first = None
    for _ in range(unp.read_map_header()):
        k = unp.unpack()
        if t_first is None:
            t_first = time.perf_counter() - t0
        if k == "arcs":
            n = unp.read_array_header()
            for _ in range(n):
                arc = unp.unpack()
                narcs += 1
                per_post[arc["posting_id"]] = per_post.get(arc["posting_id"], 0) + 1
                scores[min(9, int(arc["score"] * 10))] += 1
        else:
            out[k] = unp.unpack()
    t = time.perf_counter() - t0
    counts = sorted(per_post.values())
    res = {"arcs": narcs, "postings_with_arcs": len(per_post),
           "arcs_per_posting_mean": round(narcs / max(1, len(per_post)), 1),
           "arcs_per_posting_p50": counts[len(counts) // 2] if counts else 0,
           "arcs_per_posting_max": counts[-1] if counts else 0,
           "score_deciles": scores, "placed": out.get("placed"),
           "solve_ms": round(out.get("solve_ms", 0), 1),
           "response_mb": round(f.n / 2 ** 20, 1), "first_byte_s": round(t_first, 2),
           "total_s": round(t, 2)}
    if a.min_score is not None:
        res["min_score"] = a.min_score
    print(msgpack_json(res))


def cmd_solve(a):
    rpc = Rpc(a.port)
    p = alloc_params(a)
    solve, e2e, seen = [], [], set()
    for _ in range(a.calls):
        t0 = time.perf_counter()
        err, r = rpc.call("fair.allocate", p)
        e2e.append((time.perf_counter() - t0) * 1e3)
        if err:
            raise SystemExit("fair.allocate: %r" % err)
        solve.append(r["solve_ms"])
        seen.add((r["placed"], r["objective"], len(r["allocations"]), len(r["unfilled"])))
        last = r
    res = {"calls": a.calls, "solve_ms_median": round(statistics.median(solve), 1),
           "solve_ms": [round(x, 1) for x in solve],
           "e2e_ms_median_python": round(statistics.median(e2e), 1),
           "placed": last["placed"], "objective": last["objective"],
           "allocations": len(last["allocations"]), "unfilled_postings": len(last["unfilled"]),
           "supply": sum(d["supply"] for d in last["directions"]),
           "deterministic": len(seen) == 1}
    if a.min_score is not None:
        res["min_score"] = a.min_score
    print(msgpack_json(res))


def cmd_params(a):
    with open(a.out, "wb") as f:
        f.write(msgpack.packb(alloc_params(a), use_bin_type=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("load")
    p.add_argument("size", choices=sorted(SIZES))
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    for name in ("facts", "arcs", "solve", "params"):
        p = sub.add_parser(name)
        p.add_argument("--fair", required=True)
        if name != "params":
            p.add_argument("--port", type=int, required=True)
        if name != "facts":
            p.add_argument("--min-score", type=float, default=None)
        if name == "solve":
            p.add_argument("--calls", type=int, default=5)
        if name == "params":
            p.add_argument("--out", required=True)
    a = ap.parse_args()
    {"load": cmd_load, "facts": cmd_facts, "arcs": cmd_arcs, "solve": cmd_solve,
     "params": cmd_params}[a.cmd](a)


if __name__ == "__main__":
    main()
