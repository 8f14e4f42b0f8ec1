"""`chanjiao orderclass plan` and `chanjiao apprenticeship match` against a
real daemon: the store is imported through the client's own CSV import,
then each command's table, CSV and JSON are checked against the daemon's
answer to the same call made directly (docs/protocol.md "orderclass.plan",
"apprenticeship.match").

The client binary is found next to $CHANJIAOD, as in test_cli.py.
"""
import json
import math
import re

import pytest

from conftest import fails, ok
from test_cli import check_table, parse_csv, write_files  # noqa: F401

# ------------------------------------------------------------------ data

# Supply for 2026 (a specialty's cohort): SP1 40, SP2 30, SP3 25, SP4 10,
# 105 in all.  Order-class demand (kind order_class): E1 30 (P1), E2 20
# (P2); P3 adds a job of 5 at E1.  Classes hold 20..40 by default, so E1
# takes one class of 30 (two would need 40), E2 one of 20: 50 students,
# 55 graduates left without a class.
#
# Programs: G1 (E1, 6601) capacity 1 × 1 = 1; G2 (E2, 6607) 1 × 2 = 2.
# ST1 and ST2 (both SP1, prefs G1) compete for G1's one place: same
# specialty, same score, so the grade decides (90 > 80): ST2 is
# "outranked".  ST3 (SP3 660702, no prefs) lists G2 (major factor 1)
# before G1 (0.3) and gets G2.  ST4 (SP4 530302) has no eligible program:
# "no_program".  ST5 graduates in 2027 and is out of scope for 2026.
FILES = {
    "schools.csv": (
        "id,name,level,region\n"
        "S1,金华技师学院,technician,330702\n"
        "S2,嘉兴职业技术学院,higher,330402\n"),
    "enterprises.csv": (
        "id,name,region,industry,chains,size\n"
        "E1,某机床厂,330784,C34,工业机床,500\n"
        "E2,新能源汽车有限公司,330702,C36,新能源汽车,\n"),
    "specialties.csv": (
        "id,school_id,major_code,name,cohort_2026,cohort_2027,chains\n"
        "SP1,S1,660103,数控技术应用,40,38,工业机床\n"
        "SP2,S2,460103,数控技术,30,,工业机床\n"
        "SP3,S1,660702,汽车运用与维修,25,20,新能源汽车\n"
        "SP4,S2,530302,大数据与会计,10,,\n"),
    "postings.csv": (
        "id,enterprise_id,title,kind,headcount,majors\n"
        "P1,E1,数控订单班,order_class,30,4601;6601\n"
        "P2,E2,汽车装配订单班,order_class,20,6607;4607\n"
        "P3,E1,数控操作工,job,5,6601\n"),
    "programs.csv": (
        "id,enterprise_id,title,majors,mentors,per_mentor\n"
        "G1,E1,数控学徒,6601,1,1\n"
        "G2,E2,汽修学徒,6607,1,2\n"),
    "students.csv": (
        "id,specialty_id,grad_year,grade,prefs\n"
        "ST1,SP1,2026,90,G1\n"
        "ST2,SP1,2026,80,G1\n"
        "ST3,SP3,2026,75,\n"
        "ST4,SP4,2026,70,\n"
        "ST5,SP3,2027,60,\n"),
}

SCHOOLS = {"S1": "金华技师学院", "S2": "嘉兴职业技术学院"}
SPECS = {"SP1": ("数控技术应用", "660103", "S1"), "SP2": ("数控技术", "460103", "S2"),
         "SP3": ("汽车运用与维修", "660702", "S1"), "SP4": ("大数据与会计", "530302", "S2")}
ENTS = {"E1": "某机床厂", "E2": "新能源汽车有限公司"}
PROGS = {"G1": ("数控学徒", "E1", 1), "G2": ("汽修学徒", "E2", 2)}
STUDENT_SPEC = {"ST1": "SP1", "ST2": "SP1", "ST3": "SP3", "ST4": "SP4", "ST5": "SP3"}


@pytest.fixture
def store(daemon, tmp_path):
    write_files(tmp_path / "in", FILES)
    ok(daemon, "import", tmp_path / "in")
    return daemon


def school_cell(i):
    return "%s %s" % (i, SCHOOLS[i])


def spec_cell(i):
    return "%s %s (%s)" % (i, SPECS[i][0], SPECS[i][1])


def ent_cell(i):
    return "%s %s" % (i, ENTS[i])


def prog_cell(i):
    return "%s %s" % (i, PROGS[i][0])


def blocks(text):
    """{title: body} of a table-mode output's sections (split at blank
    lines; the last block is the closing line, under key '')."""
    out = {}
    for b in text.rstrip("\n").split("\n\n"):
        title, _, body = b.partition("\n")
        if body:
            out[title] = body
        else:
            out[""] = title
    return out


def block(text, prefix):
    found = [body for title, body in blocks(text).items()
             if title.startswith(prefix)]
    assert len(found) == 1, (prefix, text)
    return found[0]


def without_time(r):
    r = dict(r)
    r.pop("solve_ms")
    return r


# ------------------------------------------------------- orderclass plan

def test_orderclass_json_is_the_daemons_result_plus_names(store):
    c = store.connect()
    raw = c.call("orderclass.plan", {"grad_year": 2026})
    got = json.loads(ok(store, "orderclass", "plan", "--grad-year", 2026,
                        "--json").stdout)
    names = got.pop("names")
    assert without_time(got) == without_time(raw)
    assert set(names) == {"school", "specialty", "enterprise"}
    for cl in raw["classes"]:
        assert names["school"][cl["school_id"]] == {"name": SCHOOLS[cl["school_id"]]}
        n, code, sch = SPECS[cl["specialty_id"]]
        assert names["specialty"][cl["specialty_id"]] == {
            "name": n, "major_code": code, "school_id": sch}
        assert names["enterprise"][cl["enterprise_id"]] == {"name": ENTS[cl["enterprise_id"]]}

    # --explain passes through: pairs, supply and demand, untouched
    raw = c.call("orderclass.plan", {"grad_year": 2026, "explain": True,
                                     "kinds": ["order_class", "job"]})
    got = json.loads(ok(store, "orderclass", "plan", "--grad-year", 2026,
                        "--kinds", "order_class,job", "--explain",
                        "--json").stdout)
    got.pop("names")
    assert without_time(got) == without_time(raw)
    assert raw["supply"] == {"SP1": 40, "SP2": 30, "SP3": 25, "SP4": 10}


def test_orderclass_csv_has_ids_and_names_in_columns(store):
    c = store.connect()
    raw = c.call("orderclass.plan", {"grad_year": 2026, "kinds": ["order_class"]})
    rows = parse_csv(ok(store, "orderclass", "plan", "--grad-year", 2026,
                        "--kinds", "order_class", "--csv").stdout)
    assert rows[0] == ["school_id", "school", "specialty_id", "specialty",
                       "major_code", "enterprise_id", "enterprise", "size", "score"]
    assert len(rows) == 1 + len(raw["classes"])
    for row, cl in zip(rows[1:], raw["classes"]):
        s, sp, e = cl["school_id"], cl["specialty_id"], cl["enterprise_id"]
        assert row == [s, SCHOOLS[s], sp, SPECS[sp][0], SPECS[sp][1], e, ENTS[e],
                       str(cl["size"]), row[8]]
        assert float(row[8]) == cl["score"]


def test_orderclass_table_summary_and_proven_optimal_line(store):
    c = store.connect()
    raw = c.call("orderclass.plan", {"grad_year": 2026, "kinds": ["order_class"],
                                     "explain": True})
    # worked out by hand above: E1 one class of 30, E2 one of 20
    assert raw["students"] == 50
    assert sorted((cl["enterprise_id"], cl["size"]) for cl in raw["classes"]) == [
        ("E1", 30), ("E2", 20)]
    assert raw["optimal"] is True

    text = ok(store, "orderclass", "plan", "--grad-year", 2026,
              "--kinds", "order_class").stdout
    rows = check_table(block(text, "订单班"), 5)
    assert rows[0] == ["学校", "专业", "企业", "人数", "匹配度"]
    assert rows[1:] == [[school_cell(cl["school_id"]), spec_cell(cl["specialty_id"]),
                         ent_cell(cl["enterprise_id"]), str(cl["size"]),
                         "%.3f" % cl["score"]] for cl in raw["classes"]]

    # per specialty: graduates, placed, left = supply − Σ size of its classes
    rows = check_table(block(text, "按专业汇总"), 7)
    assert rows[0] == ["学校", "专业", "毕业生", "已分班", "未分班", "订单班企业", "人数"]
    placed = {}
    for cl in raw["classes"]:
        placed.setdefault(cl["specialty_id"], []).append(cl)
    want, total = [], [0, 0, 0]
    for sp in sorted(raw["supply"], key=lambda s: (SPECS[s][2], s)):
        supply = raw["supply"][sp]
        got = sum(cl["size"] for cl in placed.get(sp, []))
        first = [school_cell(SPECS[sp][2]), spec_cell(sp), str(supply), str(got),
                 str(supply - got)]
        classes = placed.get(sp) or [None]
        for i, cl in enumerate(classes):
            lead = first if i == 0 else [""] * 5
            want.append(lead + ([ent_cell(cl["enterprise_id"]), str(cl["size"])]
                                if cl else ["-", ""]))
        total = [total[0] + supply, total[1] + got, total[2] + supply - got]
    want.append(["合计", "%d 个专业" % len(raw["supply"])] + [str(x) for x in total]
                + ["", ""])
    assert rows[1:] == want
    assert total == [105, 50, 55]

    line = blocks(text)[""]
    assert line.startswith("订单班 2 个，分班学生 50 人，目标值 %.3f，上界 %.3f，"
                           % (raw["objective"], raw["bound"]))
    assert "已证明最优 (proven optimal)" in line and "差距" not in line
    assert re.search(r"求解 \d+ ms$", line)


def test_orderclass_for_one_school_and_its_explain_sections(store):
    c = store.connect()
    raw = c.call("orderclass.plan", {"school_id": "S1", "grad_year": 2026,
                                     "explain": True})
    text = ok(store, "orderclass", "plan", "--school", "S1", "--grad-year", 2026,
              "--explain").stdout
    assert all(cl["school_id"] == "S1" for cl in raw["classes"])
    rows = check_table(block(text, "按专业汇总"), 7)
    assert {r[1] for r in rows[1:-1] if r[1]} == {spec_cell(s) for s in raw["supply"]}
    rows = check_table(block(text, "可组班的专业与企业"), 3)
    assert rows[1:] == [[spec_cell(p["specialty_id"]), ent_cell(p["enterprise_id"]),
                         "%.3f" % p["score"]] for p in raw["pairs"]]
    rows = check_table(block(text, "企业需求"), 2)
    assert {r[0]: int(r[1]) for r in rows[1:]} == {
        ent_cell(e): n for e, n in raw["demand"].items()}


def test_orderclass_gap_line_agrees_with_its_own_numbers(daemon_factory, tmp_path):
    """A plan stopped at 1 ms may or may not be proven; either way the line
    says what the numbers say, the gap rounded up to 0.1%."""
    d = daemon_factory()
    specs = ["id,school_id,major_code,name,cohort_2026"]
    posts = ["id,enterprise_id,title,kind,headcount,majors"]
    ents = ["id,name,region"]
    for i in range(60):
        specs.append("SP%02d,S1,6601%02d,专业%d,%d" % (i, i % 10 + 1, i, 25 + i * 7 % 40))
    for j in range(40):
        ents.append("E%02d,企业%d,3307%02d" % (j, j, j % 9 + 1))
        posts.append("P%02d,E%02d,岗位,order_class,%d,66%02d" % (
            j, j, 30 + j * 11 % 50, 1 + j % 3))
    write_files(tmp_path / "big", {
        "schools.csv": "id,name,level,region\nS1,学校,technician,330702\n",
        "enterprises.csv": "\n".join(ents) + "\n",
        "specialties.csv": "\n".join(specs) + "\n",
        "postings.csv": "\n".join(posts) + "\n"})
    ok(d, "import", tmp_path / "big")
    line = blocks(ok(d, "orderclass", "plan", "--grad-year", 2026,
                     "--time-limit", 1).stdout)[""]
    m = re.search(r"目标值 ([\d.]+)，上界 ([\d.]+)，(.*)，求解", line)
    obj, bound, words = float(m.group(1)), float(m.group(2)), m.group(3)
    if words == "已证明最优 (proven optimal)":
        assert bound - obj <= 1e-3 * max(1, obj)
    else:
        m = re.fullmatch(r"与最优解差距不超过 (\d+\.\d)% \(within (\d+\.\d)% of the "
                         r"best possible\)", words)
        assert m and m.group(1) == m.group(2), words
        pct = (bound - obj) / bound * 100
        # never optimistic, at most one step of 0.1 up (the printed
        # numbers are rounded to 3 decimals)
        assert pct - 1e-3 <= float(m.group(1)) <= math.ceil(pct * 10) / 10 + 0.1


def test_orderclass_bad_options(store):
    p = fails(store, 1, "orderclass", "plan", "--min-size", 30, "--max-size", 20)
    assert p.stderr.startswith("chanjiao: orderclass.plan: ")
    assert "code -32602, field min_size)" in p.stderr
    p = fails(store, 1, "orderclass", "plan", "--school", "S404")
    assert "code 1004, field school_id)" in p.stderr
    p = fails(store, 1, "orderclass", "plan", "--kinds", "job,party")
    assert "field kinds[1])" in p.stderr and p.stdout == ""
    fails(store, 2, "orderclass", "plan", "--min-size", "big")
    fails(store, 2, "orderclass", "plan", "extra")
    fails(store, 2, "orderclass")


# -------------------------------------------------- apprenticeship match

def test_apprenticeship_json_is_the_daemons_result_plus_names(store):
    c = store.connect()
    raw = c.call("apprenticeship.match", {"grad_year": 2026})
    got = json.loads(ok(store, "apprenticeship", "match", "--grad-year", 2026,
                        "--json").stdout)
    names = got.pop("names")
    assert without_time(got) == without_time(raw)
    # worked out by hand above
    assert raw["assignments"] == [{"student_id": "ST1", "program_id": "G1"},
                                  {"student_id": "ST3", "program_id": "G2"}]
    assert raw["unmatched"] == [{"student_id": "ST2", "reason": "outranked"},
                                {"student_id": "ST4", "reason": "no_program"}]
    assert raw["blocking_pairs"] == 0
    assert set(names) == {"student", "specialty", "program", "enterprise"}
    assert names["student"] == {s: {"specialty_id": STUDENT_SPEC[s]}
                                for s in ("ST1", "ST2", "ST3", "ST4")}
    assert names["program"] == {g: {"title": PROGS[g][0], "enterprise_id": PROGS[g][1]}
                                for g in ("G1", "G2")}
    assert names["specialty"]["SP4"] == {"name": "大数据与会计", "major_code": "530302",
                                         "school_id": "S2"}
    assert names["enterprise"] == {"E1": {"name": ENTS["E1"]}, "E2": {"name": ENTS["E2"]}}

    raw = c.call("apprenticeship.match", {"program_ids": ["G2"], "explain": True})
    got = json.loads(ok(store, "apprenticeship", "match", "--program", "G2",
                        "--explain", "--json").stdout)
    got.pop("names")
    assert without_time(got) == without_time(raw)
    assert raw["capacity"] == {"G2": 2}


def test_apprenticeship_csv_is_one_table_with_a_status(store):
    c = store.connect()
    raw = c.call("apprenticeship.match", {"grad_year": 2026})
    rows = parse_csv(ok(store, "apprenticeship", "match", "--grad-year", 2026,
                        "--csv").stdout)
    assert rows[0] == ["student_id", "specialty_id", "specialty", "major_code",
                       "status", "program_id", "program", "enterprise_id",
                       "enterprise", "reason"]
    want = []
    for a in raw["assignments"]:
        s, g = a["student_id"], a["program_id"]
        sp, e = STUDENT_SPEC[s], PROGS[g][1]
        want.append([s, sp, SPECS[sp][0], SPECS[sp][1], "matched", g, PROGS[g][0],
                     e, ENTS[e], ""])
    for u in raw["unmatched"]:
        s = u["student_id"]
        sp = STUDENT_SPEC[s]
        want.append([s, sp, SPECS[sp][0], SPECS[sp][1], "unmatched", "", "", "", "",
                     u["reason"]])
    assert rows[1:] == sorted(want)          # by student id


def test_apprenticeship_table_reasons_capacity_and_stability(store):
    c = store.connect()
    raw = c.call("apprenticeship.match", {"grad_year": 2026})
    text = ok(store, "apprenticeship", "match", "--grad-year", 2026).stdout
    rows = check_table(block(text, "已匹配（2 人）"), 4)
    assert rows == [["学生", "专业", "项目", "企业"],
                    ["ST1", spec_cell("SP1"), prog_cell("G1"), ent_cell("E1")],
                    ["ST3", spec_cell("SP3"), prog_cell("G2"), ent_cell("E2")]]
    rows = check_table(block(text, "未匹配（2 人）"), 3)
    assert rows == [["学生", "专业", "原因"],
                    ["ST2", spec_cell("SP1"), "名额已满（排名靠后） (outranked)"],
                    ["ST4", spec_cell("SP4"), "无可报项目 (no_program)"]]
    rows = check_table(block(text, "项目名额"), 5)
    # capacity = mentors × per_mentor: G1 1 × 1, G2 1 × 2
    assert rows == [["项目", "企业", "名额", "已录取", "空余"],
                    [prog_cell("G1"), ent_cell("E1"), "1", "1", "0"],
                    [prog_cell("G2"), ent_cell("E2"), "2", "1", "1"]]
    line = blocks(text)[""]
    assert line.startswith("已匹配 2 人，未匹配 2 人；阻塞对 0，稳定匹配 (stable)；"
                           "%d 轮，求解 " % raw["rounds"])


def test_apprenticeship_for_listed_programs_with_explain(store):
    c = store.connect()
    raw = c.call("apprenticeship.match", {"program_ids": ["G1", "G2"],
                                          "region_prefix": "33", "grad_year": 2026,
                                          "explain": True})
    text = ok(store, "apprenticeship", "match", "--programs", "G1,G2",
              "--region", "33", "--grad-year", 2026, "--explain").stdout
    rows = check_table(block(text, "学生志愿"), 2)
    assert {r[0]: r[1] for r in rows[1:]} == {
        s: " ".join(v) for s, v in raw["student_prefs"].items()}
    rows = check_table(block(text, "项目对学生的排名"), 2)
    assert {r[0]: r[1] for r in rows[1:]} == {
        prog_cell(g): " ".join(v) for g, v in raw["program_ranks"].items()}
    raw = c.call("apprenticeship.match", {"program_ids": ["G1"], "grad_year": 2026})
    got = json.loads(ok(store, "apprenticeship", "match", "--program", "G1",
                        "--grad-year", 2026, "--json").stdout)
    got.pop("names")
    assert without_time(got) == without_time(raw)


def test_apprenticeship_unknown_program_is_named(store):
    for args in (["--programs", "G1,G404"], ["--program", "G1", "--program", "G404"]):
        p = fails(store, 1, "apprenticeship", "match", *args)
        assert p.stderr.startswith("chanjiao: apprenticeship.match: ")
        assert "code 1004, field program_ids[1])" in p.stderr, p.stderr
        assert p.stdout == ""
    fails(store, 2, "apprenticeship", "match", "--grad-year", "soon")
    fails(store, 2, "apprenticeship", "match", "G1")
