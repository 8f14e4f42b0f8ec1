"""What `chanjiao` prints for people and for Excel (README "Using it").

Tables for people: ids beside their names (schools, specialties,
enterprises, directions, regions, industries, levels, catalog majors) and
Chinese headings, `--lang en` for English; the graduation year a query used
in its header; `--csv` with field names and codes (`--lang zh`: Chinese),
UTF-8 with a BOM or GB18030; `--xlsx` workbooks read back with openpyxl;
every option a command does not take refused with exit 2; `--help` per
command; repeated flags adding up; the login hint; ad-hoc
`candidates --query`; fair.allocate's `reachable` and fair.schedule's
`short`.
"""
import json
import time

import openpyxl
import pytest

from conftest import RpcError, METHOD_NOT_FOUND
from test_auth import TOKENS, tokens_file
from conftest import CLI, fails, ok, run
from test_cli import EXPECTED, check_table, import_all, parse_csv


def grad_year_today():
    """docs/protocol.md: this year until 31 August, then the next."""
    t = time.localtime()
    return t.tm_year if t.tm_mon <= 8 else t.tm_year + 1


def head_lines(text):
    """The header lines of a table output: those before the first blank line."""
    return text.partition("\n\n")[0].split("\n")


def section(text, title):
    """The table under a section title of a text output."""
    for block in text.split("\n\n"):
        first, _, body = block.partition("\n")
        if first == title:
            return body
    raise AssertionError("no section %r in:\n%s" % (title, text))


def csv_dicts(text):
    rows = parse_csv(text)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def sheet_rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def sheet_dicts(ws):
    rows = sheet_rows(ws)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture
def store(daemon, tmp_path):
    import_all(daemon, tmp_path)
    return daemon


def needs_planners(c):
    try:
        c.call("fair.schedule", {"fair_id": "F1"})
    except RpcError as e:
        if e.code == METHOD_NOT_FOUND:
            pytest.skip("the daemon has no fair.schedule yet")


# ------------------------------------------------------ names and headings

def test_list_shows_names_levels_regions_and_industries(store):
    rows = check_table(ok(store, "list", "school").stdout, 4)
    assert rows[0] == ["编号", "名称", "层次", "地区"]
    assert rows[1] == ["S1", "金华技师学院", "技工", "330702 金华市婺城区"]
    assert rows[2] == ["S2", "嘉兴职业技术学院, 南湖校区", "高职", "330402 嘉兴市南湖区"]
    rows = check_table(ok(store, "list", "enterprise").stdout, 6)
    assert rows[0][:4] == ["编号", "名称", "地区", "行业"]
    assert [r[3] for r in rows[1:]] == ["C34 通用设备制造业", "C36 汽车制造业", ""]
    # English headings and codes
    rows = check_table(ok(store, "list", "school", "--lang", "en").stdout, 4)
    assert rows[0] == ["id", "name", "level", "region"]
    assert rows[1] == ["S1", "金华技师学院", "technician", "330702 金华市婺城区"]
    # a posting's majors with the catalog's names, at their level
    rows = check_table(ok(store, "list", "posting").stdout)
    majors = rows[0].index("专业要求")
    assert rows[1][majors] == "4601 机械设计制造类（高职）；66 装备制造大类（中职）"
    assert rows[2][majors] == "任何专业"
    assert rows[1][rows[0].index("类型")] == "就业"
    assert rows[1][1] == "E1 某机床厂"


def test_list_csv_is_codes_unless_lang_zh(store):
    p = ok(store, "list", "school", "--csv")
    assert p.stdout.startswith("\ufeffid,name,level,region\r\n")
    assert csv_dicts(p.stdout)[0] == EXPECTED["school"][0]
    p = ok(store, "list", "school", "--csv", "--lang", "zh")
    assert parse_csv(p.stdout)[:2] == [
        ["编号", "名称", "层次", "地区代码", "地区"],
        ["S1", "金华技师学院", "技工", "330702", "金华市婺城区"]]


def test_candidates_table_in_chinese_and_in_english(store):
    text = ok(store, "candidates", "P1", "--grad-year", 2026).stdout
    assert head_lines(text) == ["岗位 P1 数控操作工（E1 某机床厂）", "毕业年份 2026"]
    rows = check_table(section(text, "候选专业点"), 14)
    assert rows[0] == ["序号", "专业点", "学校", "层次", "地区", "专业", "可供毕业生",
                       "匹配度", "专业匹配", "技能匹配", "地区匹配", "层次匹配",
                       "人数匹配", "产业链匹配"]
    assert rows[1][:6] == ["1", "SP1 数控技术应用", "S1 金华技师学院", "技工",
                           "330702 金华市婺城区", "660103 数控技术应用"]
    assert text.rstrip("\n").endswith("符合条件的专业点 3 个，列出前 3 个")
    text = ok(store, "candidates", "P1", "--grad-year", 2026, "--lang", "en").stdout
    assert head_lines(text) == ["Posting P1 数控操作工 (E1 某机床厂)",
                                "Graduation year 2026"]
    rows = check_table(text.split("\n\n")[1], 14)
    assert rows[0][:8] == ["#", "specialty", "school", "level", "region",
                           "major_code", "available", "score"]
    assert rows[1][3] == "technician"


def test_balance_tells_parallel_groups_apart(store):
    text = ok(store, "balance", "--by", "major_group", "--grad-year", 2026).stdout
    assert head_lines(text) == ["统计口径 专业大类", "毕业年份 2026"]
    rows = check_table(section(text, "毕业生与岗位需求"), 5)
    assert rows[0] == ["专业大类", "层次", "毕业生", "岗位需求", "岗位/毕业生"]
    assert ["46 装备制造大类", "高职"] in [r[:2] for r in rows]
    assert ["66 装备制造大类", "中职"] in [r[:2] for r in rows]
    assert ["* 任何专业", ""] in [r[:2] for r in rows]
    rows = csv_dicts(ok(store, "balance", "--by", "major_class", "--grad-year", 2026,
                        "--csv").stdout)
    by_key = {r["key"]: r for r in rows}
    assert (by_key["4601"]["name"], by_key["4601"]["level"]) == ("机械设计制造类", "higher")
    assert (by_key["6601"]["name"], by_key["6601"]["level"]) == ("机械设计制造类",
                                                                "secondary")
    text = ok(store, "balance", "--by", "industry", "--grad-year", 2026).stdout
    rows = check_table(section(text, "毕业生与岗位需求"), 4)
    assert [r[0] for r in rows[1:]] == ["- 未填行业", "C34 通用设备制造业", "C36 汽车制造业"]
    text = ok(store, "balance", "--by", "direction", "--fair", "F1").stdout
    assert head_lines(text)[:3] == ["统计口径 双选会方向", "毕业年份 2026",
                                    "双选会 F1 五月双选会（2026-05-20）"]
    rows = check_table(section(text, "毕业生与岗位需求"), 4)
    assert [r[0] for r in rows[1:]] == ["D1 数控", "D2 汽车"]


# ------------------------------------------------------ the graduation year

def test_the_header_says_the_graduation_year_used(store):
    c = store.connect()
    year = grad_year_today()
    # a query: today's rule, sent to the daemon, so the answer is that year's
    text = ok(store, "candidates", "P1").stdout
    assert "毕业年份 %d" % year in head_lines(text)
    raw = c.call("match.candidates", {"posting_id": "P1", "grad_year": year})
    assert json.loads(ok(store, "candidates", "P1", "--json").stdout) == raw
    assert "毕业年份 %d" % year in head_lines(ok(store, "openings", "SP1").stdout)
    assert "毕业年份 %d" % year in head_lines(
        ok(store, "balance", "--by", "major").stdout)
    assert "毕业年份 2030" in head_lines(
        ok(store, "openings", "SP1", "--grad-year", 2030).stdout)
    assert "毕业年份 %d" % year in head_lines(
        ok(store, "orderclass", "plan").stdout)
    assert "毕业年份 全部（各学生按其毕业年份）" in head_lines(
        ok(store, "apprenticeship", "match").stdout)
    assert "Graduation year 2026" in head_lines(
        ok(store, "apprenticeship", "match", "--grad-year", 2026, "--lang",
           "en").stdout)


def test_a_fair_takes_its_dates_year(store):
    c = store.connect()
    needs_planners(c)
    for cmd in ("allocate", "schedule", "report"):
        assert "毕业年份 2026" in head_lines(ok(store, "fair", cmd, "F1").stdout)
    # after 31 August: the next year's graduates
    f = c.call("fair.get", {"id": "F1"})
    f.update(id="F9", date="2026-09-15")
    c.call("fair.put", f)
    for cmd in ("allocate", "schedule", "report"):
        assert "毕业年份 2027" in head_lines(ok(store, "fair", cmd, "F9").stdout)
    assert "毕业年份 2027" in head_lines(
        ok(store, "balance", "--by", "direction", "--fair", "F9").stdout)
    assert "毕业年份 2025" in head_lines(
        ok(store, "fair", "allocate", "F9", "--grad-year", 2025).stdout)
    rep = json.loads(ok(store, "fair", "report", "F9", "--json").stdout)
    assert rep["grad_year"] == 2027


# ---------------------------------------------------------------- CSV

def test_csv_has_a_bom_field_names_and_crlf(store):
    p = run(store, "candidates", "P1", "--grad-year", 2026, "--csv")
    assert p.returncode == 0
    assert p.stdout.startswith("\ufeff#,specialty_id,specialty,school_id,school,")
    assert p.stdout.endswith("\r\n")
    p = ok(store, "candidates", "P1", "--grad-year", 2026, "--csv", "--no-bom")
    assert p.stdout.startswith("#,specialty_id,")
    p = ok(store, "candidates", "P1", "--grad-year", 2026, "--csv", "--bom")
    assert p.stdout.startswith("\ufeff#,")


def test_csv_in_gb18030_decodes(store):
    import subprocess
    argv = [CLI, "--host", "127.0.0.1:%d" % store.port, "candidates", "P1",
            "--grad-year", "2026", "--csv"]
    utf8 = subprocess.run(argv, capture_output=True, check=True).stdout
    gb = subprocess.run(argv + ["--encoding", "gb18030"], capture_output=True,
                        check=True).stdout
    assert utf8.startswith(b"\xef\xbb\xbf") and not gb.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    assert gb.decode("gb18030") == utf8.decode("utf-8-sig")
    assert "金华技师学院" in gb.decode("gb18030")
    # and so does every other CSV output
    for args in (["balance", "--by", "major"], ["list", "school"],
                 ["fair", "report", "F1"],
                 ["orderclass", "plan", "--grad-year", "2026"]):
        p = subprocess.run([CLI, "--host", "127.0.0.1:%d" % store.port] + args +
                           ["--csv", "--encoding", "gb18030", "--lang", "zh"],
                           capture_output=True)
        assert p.returncode == 0, p.stderr
        text = p.stdout.decode("gb18030")
        assert "\ufeff" not in text and parse_csv(text)[0][0] in (
            "# 双选会 F1 五月双选会（2026-05-20）", "专业代码", "编号", "学校编号")


def test_csv_in_chinese_with_lang_zh(store):
    rows = parse_csv(ok(store, "candidates", "P1", "--grad-year", 2026, "--csv",
                        "--lang", "zh").stdout)
    assert rows[0][:12] == ["序号", "专业点编号", "专业点", "学校编号", "学校", "层次",
                            "地区代码", "地区", "专业代码", "专业", "可供毕业生",
                            "匹配度"]
    assert rows[1][5] == "技工"
    rows = parse_csv(ok(store, "apprenticeship", "match", "--grad-year", 2026,
                        "--csv", "--lang", "zh").stdout)
    assert rows[0] == ["学生编号", "专业点编号", "专业点", "专业代码", "状态", "项目编号",
                       "学徒项目", "企业编号", "企业", "原因"]
    assert {r[4] for r in rows[1:]} <= {"已匹配", "未匹配"}


# ------------------------------------------------------- refused options

REFUSED = [
    (["candidates", "P1", "--dir", "out"], "candidates does not take --dir"),
    (["balance", "--by", "major", "--k", "3"], "balance does not take --k"),
    (["fair", "schedule", "F1", "--grad-year", "2026"],
     "fair schedule does not take --grad-year"),
    (["fair", "schedule", "F1", "--kind", "job"], "fair schedule does not take --kind"),
    (["get", "school", "S1", "--csv"], "get does not take --csv"),
    (["ping", "--xlsx", "x.xlsx"], "ping does not take --xlsx"),
    (["import", "x.csv", "--lang", "zh"], "import does not take --lang"),
    (["import", "x.csv", "--bom"], "import does not take --bom"),
    (["export", "school", "--lang", "zh"], "export does not take --lang"),
    (["list", "school", "--top", "3"], "list does not take --top"),
    (["list", "school", "--dir", "out"], "list does not take --dir"),
    (["openings", "SP1", "--query", "majors=46"], "openings does not take --query"),
    (["orderclass", "plan", "--program", "G1"], "orderclass plan does not take --program"),
    (["apprenticeship", "match", "--kind", "job"],
     "apprenticeship match does not take --kind"),
    (["token", "new", "--role", "admin", "--csv"], "token new does not take --csv"),
    (["candidates", "P1", "--csv", "--json"], "give one of --csv, --json and --xlsx"),
    (["fair", "report", "F1", "--csv", "--xlsx", "r.xlsx"],
     "give one of --csv, --json and --xlsx"),
    (["candidates", "P1", "--encoding", "gb18030"], "are for --csv output"),
    (["balance", "--by", "major", "--bom"], "are for --csv output"),
    (["fair", "report", "F1", "--no-bom", "--xlsx", "r.xlsx"], "are for --csv output"),
    (["export", "school", "--json", "--encoding", "gb18030"], "are for --csv output"),
    (["candidates", "P1", "--xlsx", "c.xlsx", "--encoding", "gb18030"],
     "are for --csv output"),
    (["orderclass", "plan", "--explain", "--csv"], "--explain adds tables"),
    (["apprenticeship", "match", "--explain", "--csv"], "--explain adds tables"),
    (["candidates", "P1", "--csv", "--bom", "--no-bom"], "contradict each other"),
    (["candidates", "P1", "--csv", "--bom", "--encoding", "gb18030"],
     "a BOM is for UTF-8"),
    (["export", "school", "--bom", "--encoding", "gb18030"], "a BOM is for UTF-8"),
    (["candidates", "P1", "--json", "--lang", "zh"], "--lang is for tables"),
    (["candidates", "P1", "--lang", "fr"], "--lang must be zh or en"),
    (["candidates", "P1", "--xlsx", ""], "--xlsx needs a file name"),
    (["candidates", "P1", "--query", "majors=46"], "a posting or a query, not both"),
    (["candidates", "--query", "skills=CNC"], "--query needs majors="),
    (["candidates", "--query", "colour=red,majors=46"], "unknown key colour"),
    (["candidates", "--query", "majors=46", "--query", "majors=4601"],
     "repeated key majors"),
    (["candidates", "--query", "majors=46,headcount=many"],
     "headcount=many: expected a whole number"),
    (["candidates", "--query", "majors=46,region=330702;330784"],
     "one value expected"),
]


@pytest.mark.parametrize("args,message", REFUSED,
                         ids=[" ".join(a) for a, _ in REFUSED])
def test_an_option_a_command_cannot_honour_is_refused(daemon, args, message):
    p = fails(daemon, 2, *args)
    assert p.stderr.startswith("chanjiao: ")
    assert message in p.stderr, p.stderr
    assert p.stdout == ""


def test_a_workbook_that_cannot_be_written_is_an_error(store, tmp_path):
    p = fails(store, 1, "candidates", "P1", "--xlsx", tmp_path / "no" / "such" / "c.xlsx")
    assert p.stderr.startswith("chanjiao: ") and "c.xlsx" in p.stderr


# -------------------------------------------------------------- workbooks

def test_candidates_workbook_equals_json(store, tmp_path):
    raw = json.loads(ok(store, "candidates", "P1", "--grad-year", 2026,
                        "--json").stdout)
    f = tmp_path / "c.xlsx"
    p = ok(store, "candidates", "P1", "--grad-year", 2026, "--xlsx", f)
    assert p.stdout == "已写入 %s\n" % f
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["概要", "候选专业"]
    assert sheet_rows(wb["概要"])[:3] == [["项目", "内容"],
                                          ["岗位", "P1 数控操作工（E1 某机床厂）"],
                                          ["毕业年份", "2026"]]
    ws = wb["候选专业"]
    assert ws.freeze_panes == "A2"
    rows = sheet_dicts(ws)
    assert len(rows) == len(raw["items"])
    for row, item in zip(rows, raw["items"]):
        assert row["专业点编号"] == item["specialty_id"]
        assert row["学校编号"] == item["school_id"]
        assert row["专业代码"] == item["major_code"]   # a code stays text
        assert row["可供毕业生"] == item["available"]
        assert row["匹配度"] == pytest.approx(item["score"], rel=1e-15)
        for f, key in (("major", "专业匹配"), ("skills", "技能匹配"),
                       ("region", "地区匹配"), ("level", "层次匹配"),
                       ("capacity", "人数匹配"), ("chain", "产业链匹配")):
            assert row[key] == pytest.approx(item["why"][f], rel=1e-15)
    assert ws.column_dimensions["C"].width >= 2 * len("数控技术应用")


def test_balance_and_openings_workbooks(store, tmp_path):
    raw = json.loads(ok(store, "balance", "--by", "major_group", "--grad-year",
                        2026, "--json").stdout)
    f = tmp_path / "b.xlsx"
    ok(store, "balance", "--by", "major_group", "--grad-year", 2026, "--xlsx", f,
       "--lang", "en")
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["summary", "balance"]
    rows = sheet_dicts(wb["balance"])
    # Excel keeps 15 significant digits (libxlsxwriter writes 16)
    assert [(r["key"], r["supply"], r["demand"], r["ratio"]) for r in rows] == [
        (r["key"], r["supply"], pytest.approx(r["demand"], rel=1e-15),
         None if r["ratio"] is None else pytest.approx(r["ratio"], rel=1e-15))
        for r in raw["rows"]]
    assert wb["balance"].freeze_panes == "A2"
    raw = json.loads(ok(store, "openings", "SP1", "--grad-year", 2026,
                        "--json").stdout)
    f = tmp_path / "o.xlsx"
    ok(store, "openings", "SP1", "--grad-year", 2026, "--xlsx", f)
    rows = sheet_dicts(openpyxl.load_workbook(f)["适合岗位"])
    assert [(r["岗位编号"], r["匹配度"]) for r in rows] == [
        (i["posting_id"], pytest.approx(i["score"], rel=1e-15))
        for i in raw["items"]]


def test_fair_report_workbook(store, tmp_path):
    c = store.connect()
    needs_planners(c)
    # chains listed out of byte order: the main chain is the first listed
    ents = c.call("enterprise.list")["items"]
    c.call("enterprise.put", {"records": [dict(e, chains=["智能制造", "工业机床"])
                                          for e in ents]})
    rep = json.loads(ok(store, "fair", "report", "F1", "--json").stdout)
    fair = c.call("fair.get", {"id": "F1"})
    f = tmp_path / "fair.xlsx"
    ok(store, "fair", "report", "F1", "--xlsx", f)
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["概要", "方向", "重点企业", "未满岗位", "展位 AM", "展位 PM",
                             "展位不足", "未安排", "签到表"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
    summary = dict((r[0], r[1]) for r in sheet_rows(wb["概要"])[1:])
    assert summary["毕业年份"] == "2026"
    assert summary["地区"] == "330702 金华市婺城区"
    rows = sheet_dicts(wb["方向"])
    assert [(r["方向编号"], r["方向"], r["毕业生"], r["岗位需求"], r["已分配"])
            for r in rows] == [(d["direction_id"], d["name"], d["supply"],
                                d["demand"], d["allocated"]) for d in rep["directions"]]
    booths = []
    for s in fair["sessions"]:
        booths += [(r["场次"], r["展位号"], r["企业编号"], r["企业"])
                   for r in sheet_dicts(wb["展位 " + s["id"]])]
    assert booths == [(b["session_id"], b["booth"], b["enterprise_id"], b["enterprise"])
                      for b in rep["booths"]]
    # the chain shown is the one fair.schedule groups by: the first listed
    for b in rep["booths"]:
        chains = c.call("enterprise.get", {"id": b["enterprise_id"]}).get("chains")
        assert b["chain"] == (chains[0] if chains else None), b
    sign = sheet_dicts(wb["签到表"])
    assert [r["企业编号"] for r in sign] == list(dict.fromkeys(
        b["enterprise_id"] for b in rep["booths"]))
    assert all(r["签到人"] is None for r in sign)


def test_plan_workbooks(store, tmp_path):
    raw = json.loads(ok(store, "orderclass", "plan", "--grad-year", 2026,
                        "--json").stdout)
    f = tmp_path / "oc.xlsx"
    ok(store, "orderclass", "plan", "--grad-year", 2026, "--xlsx", f)
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["概要", "订单班", "专业汇总"]
    rows = sheet_dicts(wb["订单班"])
    assert [(r["学校编号"], r["专业点编号"], r["企业编号"], r["人数"], r["匹配度"])
            for r in rows] == [(cl["school_id"], cl["specialty_id"],
                                cl["enterprise_id"], cl["size"],
                                pytest.approx(cl["score"], rel=1e-15))
                               for cl in raw["classes"]]
    raw = json.loads(ok(store, "apprenticeship", "match", "--grad-year", 2026,
                        "--json").stdout)
    f = tmp_path / "ap.xlsx"
    ok(store, "apprenticeship", "match", "--grad-year", 2026, "--xlsx", f)
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["概要", "学生", "项目名额"]
    rows = sheet_dicts(wb["学生"])
    assert {r["学生编号"]: r["项目编号"] for r in rows if r["状态"] == "已匹配"} == {
        a["student_id"]: a["program_id"] for a in raw["assignments"]}


# ------------------------------------------------------------------ help

COMMANDS = [["ping"], ["info"], ["stats"], ["check"], ["get"], ["del"], ["list"],
            ["import"], ["export"], ["candidates"], ["openings"], ["balance"],
            ["fair", "allocate"], ["fair", "schedule"], ["fair", "report"],
            ["orderclass", "plan"], ["apprenticeship", "match"], ["token", "new"]]


@pytest.mark.parametrize("cmd", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_help_per_command(cmd):
    p = ok(None, *cmd, "--help")
    assert p.stdout.startswith("usage: chanjiao " + " ".join(cmd)), p.stdout
    assert ok(None, "help", *cmd).stdout == p.stdout
    assert ("--xlsx FILE" in p.stdout) == (cmd[0] not in (
        "ping", "info", "stats", "check", "get", "del", "import", "token"))


def test_help_of_a_group_and_of_nothing():
    text = ok(None, "help", "fair").stdout
    for sub in ("allocate", "schedule", "report"):
        assert "usage: chanjiao fair " + sub in text
    assert ok(None, "--help").stdout.startswith("usage: chanjiao")
    assert ok(None, "help").stdout == ok(None, "--help").stdout
    p = fails(None, 2, "help", "frobnicate")
    assert "unknown command frobnicate" in p.stderr


# ------------------------------------------------------- repeated flags

def test_repeated_kind_flags_add_up(store):
    c = store.connect()
    a = c.call("match.openings", {"specialty_id": "SP1", "kind": "job",
                                  "grad_year": 2026})
    b = c.call("match.openings", {"specialty_id": "SP1", "kind": "internship",
                                  "grad_year": 2026})
    items = sorted(a["items"] + b["items"],
                   key=lambda i: (-round(i["score"] * 1e9), i["posting_id"]))
    want = {"items": items[:20], "considered": a["considered"] + b["considered"]}
    for args in (["--kind", "job", "--kind", "internship"],
                 ["--kinds", "job,internship"]):
        got = json.loads(ok(store, "openings", "SP1", "--grad-year", 2026,
                            "--json", *args).stdout)
        assert got == want
    text = ok(store, "openings", "SP1", "--grad-year", 2026, "--kind", "job",
              "--kind", "internship").stdout
    assert "岗位类型 就业、实习" in head_lines(text)
    got = json.loads(ok(store, "orderclass", "plan", "--grad-year", 2026, "--kind",
                        "order_class", "--kind", "job", "--json").stdout)
    raw = c.call("orderclass.plan", {"grad_year": 2026,
                                     "kinds": ["order_class", "job"]})
    got.pop("names")
    got.pop("solve_ms"), raw.pop("solve_ms")
    assert got == raw
    needs_planners(c)
    got = json.loads(ok(store, "fair", "allocate", "F1", "--kind", "job",
                        "--kind", "internship", "--json").stdout)
    raw = c.call("fair.allocate", {"fair_id": "F1", "kinds": ["job", "internship"]})
    got.pop("solve_ms"), raw.pop("solve_ms")
    assert got == raw


def test_repeated_program_flags_add_up(store):
    c = store.connect()
    c.call("program.put", {"id": "G2", "enterprise_id": "E2", "title": "汽修学徒",
                           "majors": ["6607"], "mentors": 1, "per_mentor": 2})
    raw = c.call("apprenticeship.match", {"program_ids": ["G1", "G2"]})
    got = json.loads(ok(store, "apprenticeship", "match", "--program", "G1",
                        "--program", "G2", "--json").stdout)
    got.pop("names")
    got.pop("solve_ms"), raw.pop("solve_ms")
    assert got == raw


# ------------------------------------------------------------ the login hint

def test_a_refusal_for_want_of_a_login_says_how_to_log_in(daemon_factory, tmp_path):
    d = daemon_factory(args=["--tokens", str(tokens_file(tmp_path / "tokens"))])
    p = fails(d, 1, "info")
    assert "(code 1001)" in p.stderr
    assert "pass --token T or set CHANJIAO_TOKEN" in p.stderr
    p = fails(d, 1, "candidates", "P1")
    assert "pass --token T or set CHANJIAO_TOKEN" in p.stderr
    p = fails(d, 1, "--token", "nope", "info")
    assert "field token" in p.stderr and "no such token" in p.stderr
    ok(d, "--token", TOKENS["reader"][0], "list", "school")
    ok(d, "list", "school", env={"CHANJIAO_TOKEN": TOKENS["reader"][0]})


# ------------------------------------------------------ candidates --query

def test_query_equals_the_stored_postings_candidates(store):
    # P1: majors 4601;66, skills CNC, level secondary, headcount 5, no region
    # of its own (so E1's, 330784), E1's chains 工业机床;智能制造
    stored = json.loads(ok(store, "candidates", "P1", "--grad-year", 2026,
                           "--json").stdout)
    for query in (["--query", "majors=4601;66,skills=CNC,level=secondary,"
                   "headcount=5,region=330784,chains=工业机床;智能制造"],
                  ["--query", "majors=4601,66", "--query", "skills=CNC",
                   "--query", "level=secondary,headcount=5,region=330784",
                   "--query", "chains=工业机床；智能制造"]):
        got = json.loads(ok(store, "candidates", *query, "--grad-year", 2026,
                            "--json").stdout)
        assert got == stored
    text = ok(store, "candidates", "--query", "majors=4601;66,skills=CNC",
              "--grad-year", 2026).stdout
    assert head_lines(text)[0] == "临时岗位 majors=4601;66, skills=CNC"
    # the daemon checks the values
    p = fails(store, 1, "candidates", "--query", "majors=4x")
    assert "query.majors[0]" in p.stderr


# ------------------------------------------- reachable and short (v1)

def test_reachable_and_short_are_shown(store):
    c = store.connect()
    needs_planners(c)
    f = c.call("fair.get", {"id": "F1"})
    # E1 asks for 3 booth-sessions; two sessions give it at most 2
    f.update(id="F2", requests={"E1": 3},
             sessions=[dict(f["sessions"][0], booths=3),
                       dict(f["sessions"][1], booths=1)])
    c.call("fair.put", f)
    sched = c.call("fair.schedule", {"fair_id": "F2"})
    got = sum(s["enterprise_id"] == "E1" for s in sched["slots"])
    assert got == 2
    text = ok(store, "fair", "schedule", "F2").stdout
    rows = check_table(section(text, "展位不足的企业"), 4)
    assert rows[1] == ["E1 某机床厂", "3", "2", "要求 3 个展位，安排 2 个"]
    rows = csv_dicts(ok(store, "fair", "schedule", "F2", "--csv").stdout
                     .split("# short\r\n")[1].split("\r\n\r\n")[0])
    assert rows == [{"enterprise_id": "E1", "enterprise": "某机床厂", "wanted": "3",
                     "got": "2", "note": "wanted 3 booth-sessions, got 2"}]
    if "short" in sched:
        assert sched["short"] == [{"enterprise_id": "E1", "wanted": 3, "got": 2}]
    rep = json.loads(ok(store, "fair", "report", "F2", "--json").stdout)
    assert [(s["enterprise_id"], s["wanted"], s["got"]) for s in rep["short"]] == [
        ("E1", 3, 2)]
    # reachable: beside demand when the daemon gives it
    alloc = c.call("fair.allocate", {"fair_id": "F1"})
    text = ok(store, "fair", "allocate", "F1").stdout
    rows = check_table(section(text, "各方向供需"))
    if "reachable" not in alloc["directions"][0]:
        assert "可对接岗位" not in rows[0]
        return
    assert rows[0] == ["方向", "毕业生", "岗位需求", "可对接岗位", "已分配", "岗位/毕业生"]
    assert [int(r[3]) for r in rows[1:]] == [d["reachable"] for d in alloc["directions"]]
    rep = json.loads(ok(store, "fair", "report", "F1", "--json").stdout)
    assert [d["reachable"] for d in rep["directions"]] == [
        d["reachable"] for d in alloc["directions"]]
