"""Spreadsheets as Chinese organizers really save them, through `chanjiao
import` against a real daemon (docs/csv.md): GB18030 with CRLF, UTF-8
with a BOM, Excel's "Unicode text" (UTF-16 with a BOM, tab-separated),
Big5 and other encodings refused, Chinese headers and values, Excel's
dates, quoted line breaks, a stray byte, a NUL, 十 for a number, codes the
shipped tables lack (warnings; refused with --strict), every mistake of a
row reported with the value and the fix, the store unchanged after a
refused file; templates that import cleanly; an export -> import round
trip of names Excel would run as formulas.

Each case of CASES is a file (or files) written as bytes, the command's
exit status, the lines it must print on stderr (whole lines, after
"chanjiao: ") and what the store then holds.
"""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import CLI, run
from test_cli import dump


RESAVE = "in Excel: 另存为 (Save As) → CSV UTF-8 (逗号分隔)(*.csv)"
NOTHING = "nothing imported: fix the rows above and run again"



def crlf(text):
    return text.replace("\n", "\r\n")


# The store every case starts from: what the files below refer to.
BASE = {
    "school": [{"id": "S1", "name": "金华职业技术学院", "level": "higher",
                "region": "330702"}],
    "enterprise": [{"id": "E1", "name": "某机床厂", "region": "330784"},
                   {"id": "E2", "name": "光伏储能科技", "region": "330702"}],
}

SCHOOLS_ZH = crlf("编号,名称,层次,地区\n"
                  "S2,浙江师范大学,本科,330702\n"
                  "S3,\"嘉兴职业技术学院\n南湖校区\",高职,330402\n"
                  "S4,永康市职业技术学校,中职,330784\n")
SCHOOLS_ZH_RECORDS = [
    {"id": "S1", "name": "金华职业技术学院", "level": "higher", "region": "330702"},
    {"id": "S2", "name": "浙江师范大学", "level": "bachelor", "region": "330702"},
    {"id": "S3", "name": "嘉兴职业技术学院\r\n南湖校区", "level": "higher",
     "region": "330402"},
    {"id": "S4", "name": "永康市职业技术学校", "level": "secondary",
     "region": "330784"},
]

POSTINGS_ZH = ("编号,企业编号,岗位名称,类型,招聘人数,专业,层次,开始日期,截止日期,"
               "最低月薪,最高月薪\n"
               "P1,E1,数控操作工,全职,5,4601;6601,中职,2026/6/1,2026/12/31,5000,8000\n"
               "P2,E2,光伏运维,实习,8,46,高职,2026-5-20,2026年9月1日,,\n"
               "P3,E1,机床学徒,学徒,3,,,2026/5/20 0:00,,,\n"
               "P4,E2,订单班,订单班,30,4601,,,,,\n")
POSTINGS_ZH_RECORDS = [
    {"id": "P1", "enterprise_id": "E1", "title": "数控操作工", "kind": "job",
     "headcount": 5, "majors": ["4601", "6601"], "level": "secondary",
     "start": "2026-06-01", "until": "2026-12-31", "salary": [5000, 8000]},
    {"id": "P2", "enterprise_id": "E2", "title": "光伏运维", "kind": "internship",
     "headcount": 8, "majors": ["46"], "level": "higher", "start": "2026-05-20",
     "until": "2026-09-01"},
    {"id": "P3", "enterprise_id": "E1", "title": "机床学徒", "kind": "apprenticeship",
     "headcount": 3, "majors": [], "start": "2026-05-20"},
    {"id": "P4", "enterprise_id": "E2", "title": "订单班", "kind": "order_class",
     "headcount": 30, "majors": ["4601"]},
]

FAIR_FILES = {
    "fairs.csv": "编号,名称,日期,地区,参会学校,参会企业\nF1,五月双选会,2026/5/20,330702,S1,E1；E2\n",
    "fair_directions.csv": "双选会编号,编号,名称,专业\nF1,D1,数控,4601;6601\n",
    "fair_sessions.csv": ("双选会编号,编号,开始时间,结束时间,展位数,方向\n"
                          "F1,AM,2026/5/20 9:00,2026/5/20 12:00,50,D1\n"
                          "F1,PM,2026-05-20 13:30,2026-05-20T17:00,40,\n"),
    "fair_requests.csv": "双选会编号,企业编号,场次数\nF1,E1,2\n",
}
FAIR_RECORD = {
    "id": "F1", "name": "五月双选会", "date": "2026-05-20", "region": "330702",
    "school_ids": ["S1"], "enterprise_ids": ["E1", "E2"],
    "directions": [{"id": "D1", "name": "数控", "majors": ["4601", "6601"]}],
    "sessions": [{"id": "AM", "start": "2026-05-20T09:00", "end": "2026-05-20T12:00",
                  "booths": 50, "directions": ["D1"]},
                 {"id": "PM", "start": "2026-05-20T13:30", "end": "2026-05-20T17:00",
                  "booths": 40}],
    "requests": {"E1": 2},
}


def utf16(text, codec):
    bom = b"\xff\xfe" if codec == "utf-16-le" else b"\xfe\xff"
    return bom + crlf(text).encode(codec)


# (id, kind, {file: bytes}, extra args, exit status, stderr lines,
#  stdout substring, {kind: records after} or None for "unchanged")
CASES = [
    ("gb18030_crlf_chinese_headers_and_values", "school",
     {"schools.csv": SCHOOLS_ZH.encode("gb18030")}, [], 0, [],
     "imported 3 schools from {dir}/schools.csv (GB18030)",
     {"school": SCHOOLS_ZH_RECORDS}),
    ("utf8_bom_chinese_values_excel_dates", "posting",
     {"postings.csv": b"\xef\xbb\xbf" + crlf(POSTINGS_ZH).encode()}, [], 0, [],
     "imported 4 postings from {dir}/postings.csv: new 4, updated 0, "
     "unchanged 0, deleted 0\n",
     {"posting": POSTINGS_ZH_RECORDS}),
    ("utf16le_bom_tab_separated", "school",
     {"schools.csv": utf16(SCHOOLS_ZH.replace(",", "\t").replace("\r\n", "\n"),
                           "utf-16-le")}, [], 0, [],
     "imported 3 schools from {dir}/schools.csv (UTF-16LE, tab-separated)",
     {"school": SCHOOLS_ZH_RECORDS}),
    ("utf16be_bom", "posting",
     {"postings.csv": utf16(POSTINGS_ZH, "utf-16-be")}, [], 0, [],
     "imported 4 postings from {dir}/postings.csv (UTF-16BE)",
     {"posting": POSTINGS_ZH_RECORDS}),
    ("fair_files_with_excel_times", "fair",
     {k: v.encode("gb18030") for k, v in FAIR_FILES.items()}, [], 0, [],
     "imported 1 fair from {dir}/fairs.csv (GB18030)", {"fair": [FAIR_RECORD]}),
    ("big5_refused", "school",
     {"schools.csv": crlf("id,name,level,region\nS9,國立臺北科技大學,higher,"
                          "330702\n").encode("big5")}, [], 1,
     ["schools.csv: looks like Big5 (traditional Chinese), which is not read "
      "(UTF-8 and GB18030 are): save the file again as CSV UTF-8 (%s)" % RESAVE,
      NOTHING], "", None),
    ("short_big5_refused", "school",
     {"schools.csv": crlf("id,name,level,region\nS9,工廠,higher,330702\n")
      .encode("big5")}, [], 1,
     ["schools.csv: looks like Big5 (traditional Chinese), which is not read "
      "(UTF-8 and GB18030 are): save the file again as CSV UTF-8 (%s)" % RESAVE],
     "", None),
    ("utf16_without_bom_refused", "school",
     {"schools.csv": "id\tname\nS9\t金华\n".encode("utf-16-le")}, [], 1,
     ["schools.csv: looks like UTF-16 without a byte-order mark, which is not "
      "read: save the file again as CSV UTF-8 (%s), or as Unicode text, which "
      "has the mark" % RESAVE], "", None),
    ("stray_byte_in_utf8_names_its_row", "school",
     {"schools.csv": b"id,name,level,region\r\nS9,\xe6\xb5\x99\xe6\xb1\x9f"
      b"\xe5\xb8\x88\xe8\x8c\x83\xe5\xa4\xa7\xe5\xad\xa6\xe9,higher,330702\r\n"
      b"S8,\xe9\x87\x91\xe5\x8d\x8e,higher,330702\r\n"}, [], 1,
     ["schools.csv row 2 column name: the cell 浙江师范大学\\xE9 holds \\xE9, "
      "which is not valid UTF-8: retype the cell",
      "schools.csv: the file is UTF-8 but for 1 byte in 1 cell (above): nothing "
      "is imported, and the file is not read as GB18030, which would garble "
      "every Chinese character; retype those cells, or save the file again as "
      "CSV UTF-8 (%s)" % RESAVE, NOTHING], "", None),
    ("utf8_cell_in_a_gb18030_file", "school",
     {"schools.csv": "id,name,level,region\r\nS9,金华职业技术学院,higher,330702\r\n"
      .encode("gb18030") + "S8,浙江师范,higher,330702\r\n".encode()}, [], 1,
     ["schools.csv row 3 column name: the cell 娴欐睙甯堣寖 is UTF-8 text "
      "(浙江师范) in a GB18030 file: retype the cell, or save the file again "
      "as CSV UTF-8 (%s)" % RESAVE], "", None),
    ("nul_in_a_cell", "school",
     {"schools.csv": b"id,name,level,region\nS9,ab\0cd,higher,330702\n"}, [], 1,
     ["schools.csv row 2 column name: the cell ab\\x00cd holds a NUL byte "
      "(\\x00), which would cut it to ab: delete the byte", NOTHING], "", None),
    ("chinese_numeral_for_a_count", "posting",
     {"postings.csv": "编号,企业编号,岗位名称,类型,招聘人数,专业\nP9,E1,电工,全职,十,46\n"
      .encode()}, [], 1,
     ["postings.csv row 2 column 招聘人数: headcount must be an integer: write "
      "10, not 十", NOTHING], "", None),
    ("every_mistake_of_a_row", "posting",
     {"postings.csv": ("编号,企业编号,岗位名称,类型,招聘人数（人）,专业,层次,地区,"
                       "开始日期,截止日期,最低月薪,最高月薪\n"
                       "P9,E1,电工,Job,１０,46;4x;数控技术,大学,婺城区,2026/2/30,"
                       "46162,5千,8000\n").encode("gb18030")}, [], 1,
     ["postings.csv row 2 column 类型: kind must be job, not Job (lower case)",
      "postings.csv row 2 column 招聘人数（人）: headcount must be an integer: "
      "write 10, not １０",
      "postings.csv row 2 column 专业: majors[1] must be a major prefix of 2, 4 "
      "or 6 digits, not 4x",
      "postings.csv row 2 column 专业: majors[2] must be a major prefix of 2, 4 "
      "or 6 digits, not the name 数控技术: write 260103 (数控技术, 职业本科) or "
      "460103 (数控技术, 高职专科)",
      "postings.csv row 2 column 层次: level must be one of secondary, "
      "technician, higher, bachelor (or 中职, 技工, 高职, 本科), not 大学",
      "postings.csv row 2 column 地区: region must be a 6-digit GB/T 2260 "
      "region code, not the name 婺城区: write 330702 (浙江省金华市婺城区)",
      "postings.csv row 2 column 开始日期: start must be a valid date "
      "YYYY-MM-DD (or 2026/5/20), not 2026/2/30: there is no 30 February 2026 "
      "(it has 28 days)",
      "postings.csv row 2 column 截止日期: until must be a valid date "
      "YYYY-MM-DD (or 2026/5/20), not 46162, which looks like Excel's day "
      "number of 2026-05-20: format the column as a date and save again",
      "postings.csv row 2 column 最低月薪: salary_min must be an integer: write "
      "5000, not 5千", NOTHING], "", None),
    ("unknown_region_is_a_warning", "school",
     {"schools.csv": b"id,name,level,region\nS9,a,higher,339999\nS8,b,higher,330701\n"},
     [], 0,
     ["warning: schools.csv row 2 column region: region 339999 is not in the "
      "GB/T 2260 table (data/regions_*.csv): did you mean 331181 龙泉市 "
      "(浙江省丽水市)?",
      "warning: schools.csv row 3 column region: region 330701 is not in the "
      "GB/T 2260 table (data/regions_*.csv): did you mean 330702 婺城区 "
      "(浙江省金华市)?",
      "warning: 2 warnings above: the rows are imported as written (--strict "
      "refuses them)"],
     "imported 2 schools",
     {"school": BASE["school"] + [
         {"id": "S8", "name": "b", "level": "higher", "region": "330701"},
         {"id": "S9", "name": "a", "level": "higher", "region": "339999"}]}),
    ("unknown_region_strict", "school",
     {"schools.csv": b"id,name,level,region\nS9,a,higher,339999\n"}, ["--strict"], 1,
     ["schools.csv row 2 column region: region 339999 is not in the GB/T 2260 "
      "table (data/regions_*.csv): did you mean 331181 龙泉市 (浙江省丽水市)?",
      "nothing imported: fix the rows above and run again (--strict refuses "
      "the 1 code the shipped tables lack)"], "", None),
    ("unknown_and_2015_major_codes_warn", "specialty",
     {"specialties.csv": "编号,学校,专业代码,专业名称,2026届\n"
      "SP8,S1,560199,新媒体,40\nSP9,S1,560103,数控技术,30\n".encode()}, [], 0,
     ["warning: specialties.csv row 2 column 专业代码: major_code 560199 is not "
      "in the 2021 major catalog (data/major_catalog_2021.csv): did you mean "
      "560106 数字媒体设备应用与管理 (高职专科)?",
      "warning: specialties.csv row 3 column 专业代码: major_code 560103 is "
      "出版策划与编辑 in the 2021 catalog, not 数控技术: a code of an older "
      "catalog? 数控技术 is 460103 (高职专科)"],
     "imported 2 specialties",
     {"specialty": [
         {"id": "SP8", "school_id": "S1", "major_code": "560199", "name": "新媒体",
          "cohorts": {"2026": 40}},
         {"id": "SP9", "school_id": "S1", "major_code": "560103", "name": "数控技术",
          "cohorts": {"2026": 30}}]}),
    ("unknown_major_code_strict", "specialty",
     {"specialties.csv": "编号,学校,专业代码,专业名称\nSP8,S1,560199,新媒体\n"
      .encode()}, ["--strict"], 1,
     ["specialties.csv row 2 column 专业代码: major_code 560199 is not in the "
      "2021 major catalog (data/major_catalog_2021.csv): did you mean 560106 "
      "数字媒体设备应用与管理 (高职专科)?"], "", None),
    ("daemon_refusal_names_the_chinese_column", "specialty",
     {"specialties.csv": "编号,学校编号,专业代码,专业名称\nSP8,S404,460103,数控技术\n"
      .encode()}, [], 1,
     ["specialties.csv row 2 column 学校编号: school S404 not found (code 1004)"],
     "", None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_csv_file(daemon, tmp_path, case):
    _, kind, files, args, rc, lines, out, after = case
    c = daemon.connect()
    for k, recs in BASE.items():
        c.call(k + ".put", {"records": recs})
    before = dump(c)
    d = tmp_path / "in"
    d.mkdir()
    for name, data in files.items():
        (d / name).write_bytes(data)
    main = {"fair": "fairs.csv"}.get(kind, next(iter(files)))
    p = run(daemon, *args, "import", kind, d / main)
    assert p.returncode == rc, p.stderr
    got = [l[len("chanjiao: "):] for l in p.stderr.splitlines()]
    for line in lines:
        assert line in got, "missing line:\n%s\nstderr:\n%s" % (line, p.stderr)
    assert out.format(dir=d) in p.stdout, p.stdout
    want = dict(before)
    want.update(after or {})
    assert dump(c) == want


def test_problems_stop_at_100_per_file_then_count(daemon, tmp_path):
    rows = "".join("S%d,a,x,330702\n" % i for i in range(150))
    f = tmp_path / "schools.csv"
    f.write_text("id,name,level,region\n" + rows)
    p = run(daemon, "import", "school", f)
    assert p.returncode == 1
    lines = p.stderr.splitlines()
    assert sum("must be one of" in l for l in lines) == 100
    assert "chanjiao: schools.csv: … and 50 more errors" in lines
    assert dump(daemon.connect())["school"] == []


def test_templates_import_cleanly_into_an_empty_store(daemon, tmp_path):
    d = tmp_path / "t"
    d.mkdir()
    for k in ("school", "enterprise", "specialty", "posting", "program",
              "student"):
        p = run(daemon, "template", k, d / ("%s.csv" % k))
        assert p.returncode == 0, p.stderr
    p = run(daemon, "template", "fair", d / "fairs.csv")
    assert p.returncode == 0, p.stderr
    assert sorted(os.listdir(d)) == sorted(
        ["school.csv", "enterprise.csv", "specialty.csv", "posting.csv",
         "program.csv", "student.csv", "fairs.csv", "fair_directions.csv",
         "fair_sessions.csv", "fair_requests.csv"])
    data = (d / "posting.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    head = data[3:].decode().splitlines()
    assert head[0] == ("编号,企业编号,岗位名称,类型,招聘人数,专业,技能,层次,地区,"
                       "开始日期,截止日期,最低月薪,最高月薪")
    for k in ("school", "enterprise", "specialty", "posting"):
        p = run(daemon, "--strict", "import", k, d / ("%s.csv" % k))
        assert p.returncode == 0 and p.stderr == "", p.stderr
    p = run(daemon, "--strict", "import", "fair", d / "fairs.csv")
    assert p.returncode == 0 and p.stderr == "", p.stderr
    for k in ("program", "student"):
        p = run(daemon, "--strict", "import", k, d / ("%s.csv" % k))
        assert p.returncode == 0 and p.stderr == "", p.stderr
    got = dump(daemon.connect())
    assert got["posting"] == [{
        "id": "P001", "enterprise_id": "E001", "title": "数控操作工", "kind": "job",
        "headcount": 5, "majors": ["4601", "6601"], "skills": ["数控车工"],
        "level": "secondary", "region": "330784", "start": "2026-06-01",
        "until": "2026-12-31", "salary": [5000, 8000]}]
    assert got["fair"][0]["sessions"][0]["start"] == "2026-05-20T09:00"
    # stdout, GB18030: no BOM, and it reads back
    p = subprocess.run([CLI, "template", "school", "--encoding", "gb18030"],
                       capture_output=True)
    assert p.returncode == 0
    assert p.stdout.decode("gb18030").startswith("编号,名称,层次,地区\r\n")
    p = subprocess.run([CLI, "template", "school", "--no-bom"], capture_output=True)
    assert p.stdout.startswith("编号".encode())
    p = subprocess.run([CLI, "template", "widget"], capture_output=True)
    assert p.returncode == 2


FORMULAS = ["=HYPERLINK(\"http://x\",\"点我\")", "+1", "-a", "@b", "\tc", "'=d",
            "-", "=1+2"]


def test_export_guards_formulas_and_imports_back(daemon_factory, tmp_path):
    a = daemon_factory()
    ca = a.connect()
    ca.call("enterprise.put", {"records": BASE["enterprise"]})
    ca.call("posting.put", {"records": [
        {"id": "P%d" % i, "enterprise_id": "E1", "title": t, "kind": "job",
         "headcount": 1, "majors": [],
         # list items lose the blanks around them: no tab in a skill
         "skills": [t.strip()]}
        for i, t in enumerate(FORMULAS)]})
    want = dump(ca)
    out = tmp_path / "out"
    p = run(a, "export", "all", "--dir", out)
    assert p.returncode == 0, p.stderr
    data = (out / "postings.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = data[3:].decode().split("\r\n")
    assert rows[1].startswith("P0,E1,\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",job,1")
    assert rows[2].startswith("P1,E1,'+1,job,1,,'+1,")
    assert rows[3].startswith("P2,E1,'-a,job,1,,'-a,")
    assert rows[4].startswith("P3,E1,'@b,")
    assert rows[5].startswith("P4,E1,'\tc,job,1,,c,")
    assert rows[6].startswith("P5,E1,''=d,")
    assert rows[7].startswith("P6,E1,-,")               # no formula
    b = daemon_factory()
    p = run(b, "import", out)
    assert p.returncode == 0, p.stderr
    assert dump(b.connect()) == want
    # GB18030 too
    p = subprocess.run([CLI, "--host", "127.0.0.1:%d" % a.port, "export",
                        "posting", "--encoding", "gb18030"], capture_output=True)
    assert p.returncode == 0
    assert not p.stdout.startswith(b"\xef\xbb\xbf")
    f = tmp_path / "postings.csv"
    f.write_bytes(p.stdout)
    c = daemon_factory()
    c.connect().call("enterprise.put", {"records": BASE["enterprise"]})
    p = run(c, "import", "posting", f)
    assert p.returncode == 0 and "(GB18030)" in p.stdout, p.stderr
    assert dump(c.connect())["posting"] == want["posting"]


def test_encoding_rule_on_the_measured_samples(daemon):
    """The samples docs/csv.md's encoding rule was measured on
    (csvfiles/samples.py): every GB18030 file of simplified Chinese is
    read, every Big5 file and every UTF-8 file spoiled by a few bytes is
    refused, whatever its length; traditional Chinese in GB18030 is read
    but for short files the rule cannot tell from Big5."""
    import sys
    sys.path.insert(0, str(Path(__file__).parent / "csvfiles"))
    import samples
    got = samples.measure(CLI, ["--host", "127.0.0.1:%d" % daemon.port])
    wrong = {k: n for k, n in got.items() if k[1] not in samples.EXPECT[k[0]]}
    assert wrong == {}, got
    assert got[("gb-trad", "unsure")] <= 40, got
