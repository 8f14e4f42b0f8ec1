"""The `chanjiao` command-line client against a real daemon (docs/csv.md).

The client binary is found next to $CHANJIAOD (the build directory).
Import of every kind from UTF-8 and GB18030 files, quoting and embedded
newlines, BOMs, bad rows located by row and column with the store left
unchanged (the client sends the files to import.csv; its own cases are
test_import_csv.py), export -> import round trips, the table /
CSV / JSON outputs of the queries and the fair report, exit codes.
"""
import csv
import io
import json
import os
import subprocess
import time
import unicodedata

import pytest

from conftest import (CLI, KINDS, PLURAL, RpcError, METHOD_NOT_FOUND, fails,
                      new_token, ok)


# ------------------------------------------------------------------ data

FILES = {
    "schools.csv": (
        "id,name,level,region\n"
        "S1,金华技师学院,technician,330702\n"
        "S2,\"嘉兴职业技术学院, 南湖校区\",higher,330402\n"),
    "enterprises.csv": (
        "id,name,region,industry,chains,size\n"
        "E1,某机床厂,330784,C34,工业机床;智能制造,500\n"
        "E2,\"新能源\"\"汽车\"\"有限公司\",330702,C36,新能源汽车,\n"
        "E3,光伏储能科技,330702,,,\n"),
    "specialties.csv": (
        "id,school_id,major_code,name,direction,cohort_2026,cohort_2027,skills,chains\n"
        "SP1,S1,660103,数控技术应用,,40,38,CNC；钳工,工业机床\n"
        "SP2,S2,460103,数控技术,数控,120,,CNC,工业机床\n"
        "SP3,S1,660702,\"汽车运用\n与维修\",,30,30,;,新能源汽车\n"),
    "postings.csv": (
        "id,enterprise_id,title,kind,headcount,majors,skills,level,region,"
        "start,until,salary_min,salary_max\n"
        "P1,E1,数控操作工,job,5,4601;66,CNC,secondary,,2026-06-01,2026-12-31,5000,8000\n"
        "P2,E2,汽修学徒,apprenticeship,10,,,,,,,,\n"
        "P3,E2,汽车装配,job,20, 6607 ; 4607 ,,,330702,,,,\n"
        "P4,E3,光伏运维,internship,8,46,,,,,,,\n"),
    "fairs.csv": (
        "id,name,date,region,school_ids,enterprise_ids\n"
        "F1,五月双选会,2026-05-20,330702,S1;S2,E1;E2;E3\n"),
    "fair_directions.csv": (
        "fair_id,id,name,majors\n"
        "F1,D1,数控,6601;4601\n"
        "F1,D2,汽车,6607\n"),
    "fair_sessions.csv": (
        "fair_id,id,start,end,booths,directions\n"
        "F1,AM,2026-05-20T09:00,2026-05-20T12:00,50,D1\n"
        "F1,PM,2026-05-20T13:00,2026-05-20T17:00,40,\n"),
    "fair_requests.csv": (
        "fair_id,enterprise_id,slots\n"
        "F1,E1,2\n"),
    "programs.csv": (
        "id,enterprise_id,title,majors,mentors,per_mentor,region,level\n"
        "G1,E1,数控学徒,6601,3,4,,\n"),
    "students.csv": (
        "id,specialty_id,grad_year,grade,prefs\n"
        "ST1,SP1,2026,88.5,G1\n"
        "ST2,SP1,2026,90,\n"
        "ST3,SP3,2027,,;\n"),
}

EXPECTED = {
    "school": [
        {"id": "S1", "name": "金华技师学院", "level": "technician", "region": "330702"},
        {"id": "S2", "name": "嘉兴职业技术学院, 南湖校区", "level": "higher",
         "region": "330402"},
    ],
    "enterprise": [
        {"id": "E1", "name": "某机床厂", "region": "330784", "industry": "C34",
         "chains": ["工业机床", "智能制造"], "size": 500},
        {"id": "E2", "name": "新能源\"汽车\"有限公司", "region": "330702",
         "industry": "C36", "chains": ["新能源汽车"]},
        {"id": "E3", "name": "光伏储能科技", "region": "330702"},
    ],
    "specialty": [
        {"id": "SP1", "school_id": "S1", "major_code": "660103",
         "name": "数控技术应用", "cohorts": {"2026": 40, "2027": 38},
         "skills": ["CNC", "钳工"], "chains": ["工业机床"]},
        {"id": "SP2", "school_id": "S2", "major_code": "460103", "name": "数控技术",
         "direction": "数控", "cohorts": {"2026": 120}, "skills": ["CNC"],
         "chains": ["工业机床"]},
        {"id": "SP3", "school_id": "S1", "major_code": "660702",
         "name": "汽车运用\n与维修", "cohorts": {"2026": 30, "2027": 30},
         "skills": [], "chains": ["新能源汽车"]},
    ],
    "posting": [
        {"id": "P1", "enterprise_id": "E1", "title": "数控操作工", "kind": "job",
         "headcount": 5, "majors": ["4601", "66"], "skills": ["CNC"],
         "level": "secondary", "start": "2026-06-01", "until": "2026-12-31",
         "salary": [5000, 8000]},
        {"id": "P2", "enterprise_id": "E2", "title": "汽修学徒",
         "kind": "apprenticeship", "headcount": 10, "majors": []},
        {"id": "P3", "enterprise_id": "E2", "title": "汽车装配", "kind": "job",
         "headcount": 20, "majors": ["6607", "4607"], "region": "330702"},
        {"id": "P4", "enterprise_id": "E3", "title": "光伏运维", "kind": "internship",
         "headcount": 8, "majors": ["46"]},
    ],
    "fair": [
        {"id": "F1", "name": "五月双选会", "date": "2026-05-20", "region": "330702",
         "school_ids": ["S1", "S2"], "enterprise_ids": ["E1", "E2", "E3"],
         "directions": [{"id": "D1", "name": "数控", "majors": ["6601", "4601"]},
                        {"id": "D2", "name": "汽车", "majors": ["6607"]}],
         "sessions": [{"id": "AM", "start": "2026-05-20T09:00",
                       "end": "2026-05-20T12:00", "booths": 50, "directions": ["D1"]},
                      {"id": "PM", "start": "2026-05-20T13:00",
                       "end": "2026-05-20T17:00", "booths": 40}],
         "requests": {"E1": 2}},
    ],
    "program": [
        {"id": "G1", "enterprise_id": "E1", "title": "数控学徒", "majors": ["6601"],
         "mentors": 3, "per_mentor": 4},
    ],
    "student": [
        {"id": "ST1", "specialty_id": "SP1", "grad_year": 2026, "grade": 88.5,
         "prefs": ["G1"]},
        {"id": "ST2", "specialty_id": "SP1", "grad_year": 2026, "grade": 90},
        {"id": "ST3", "specialty_id": "SP3", "grad_year": 2027, "prefs": []},
    ],
}

DIR_ORDER = ("school", "enterprise", "specialty", "posting", "fair", "program",
             "student")


# --------------------------------------------------------------- helpers

@pytest.fixture(scope="module", autouse=True)
def _cli_binary():
    if not os.path.exists(CLI):
        pytest.fail("chanjiao client not found at %s (next to $CHANJIAOD)" % CLI)





def write_files(dirpath, files, encoding="utf-8", bom=False):
    dirpath.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        data = text.encode(encoding)
        if bom:
            data = b"\xef\xbb\xbf" + data
        (dirpath / name).write_bytes(data)
    return dirpath


def dump(c):
    """Every record of every kind, {kind: [records in id order]}."""
    out = {}
    for k in KINDS:
        items, after = [], None
        while True:
            params = {"limit": 1000}
            if after:
                params["after"] = after
            r = c.call(k + ".list", params)
            items += r["items"]
            after = r["next"]
            if after is None:
                break
        out[k] = items
    return out


def import_all(d, tmp_path):
    write_files(tmp_path / "in", FILES)
    return ok(d, "import", tmp_path / "in")


def parse_csv(text):
    """Rows of CSV text; the BOM the client writes before UTF-8 is dropped."""
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def display_width(s):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


# ---------------------------------------------------------------- import

def test_import_dir_every_kind_utf8(daemon, tmp_path):
    p = import_all(daemon, tmp_path)
    lines = p.stdout.splitlines()
    expect = ["imported %d %s from %s: new %d, updated 0, unchanged 0, "
              "deleted 0" % (
                  len(EXPECTED[k]), PLURAL[k] if len(EXPECTED[k]) != 1 else k,
                  tmp_path / "in" / (PLURAL[k] + ".csv"), len(EXPECTED[k]))
              for k in DIR_ORDER]
    assert lines == expect
    got = dump(daemon.connect())
    for k in KINDS:
        assert got[k] == EXPECTED[k], k


@pytest.mark.parametrize("kind", DIR_ORDER)
def test_import_each_kind_gb18030(daemon_factory, tmp_path, kind):
    """Every kind from a GB18030 file (what Excel in China saves)."""
    d = daemon_factory()
    src = write_files(tmp_path / "gb", FILES, encoding="gb18030")
    c = d.connect()
    for k in DIR_ORDER:
        if k == kind:
            break
        ok(d, "import", k, src / (PLURAL[k] + ".csv"))
    p = ok(d, "import", kind, src / (PLURAL[kind] + ".csv"))
    assert p.stdout.startswith("imported %d " % len(EXPECTED[kind]))
    assert dump(c)[kind] == EXPECTED[kind]


def test_gb18030_auto_and_forced(daemon, tmp_path):
    f = tmp_path / "schools.csv"
    f.write_bytes(FILES["schools.csv"].encode("gb18030"))
    p = fails(daemon, 1, "--encoding", "utf-8", "import", "school", f)
    assert "schools.csv row 2 column name" in p.stderr and "not valid UTF-8" in p.stderr
    assert dump(daemon.connect())["school"] == []
    ok(daemon, "--encoding", "gb18030", "import", "school", f)
    assert dump(daemon.connect())["school"] == EXPECTED["school"]
    fails(daemon, 2, "--encoding", "latin1", "import", "school", f)


def test_utf8_bom_and_crlf(daemon, tmp_path):
    text = FILES["schools.csv"].replace("\n", "\r\n")
    src = write_files(tmp_path / "b", {"schools.csv": text}, bom=True)
    ok(daemon, "import", "school", src / "schools.csv")
    assert dump(daemon.connect())["school"] == EXPECTED["school"]


def test_quoting_embedded_newlines_and_row_numbers(daemon, tmp_path):
    """A quoted cell spanning lines is one row; blank rows count; the
    row number of an error is the spreadsheet's."""
    text = ("id,name,level,region\r\n"
            "S1,\"第一\n第二\r\n第三\",higher,330702\r\n"
            "\r\n"
            "S2,\"逗号,和\"\"引号\"\"\",higher,330702\r\n"
            "S3,坏的,higher,33070\r\n")
    f = tmp_path / "schools.csv"
    f.write_text(text, encoding="utf-8", newline="")
    p = fails(daemon, 1, "import", "school", f)
    assert ("schools.csv row 5 column region: region must be a 6-digit "
            "GB/T 2260 region code") in p.stderr
    assert dump(daemon.connect())["school"] == []
    f.write_text(text.replace("33070\r", "330702\r"), encoding="utf-8", newline="")
    ok(daemon, "import", "school", f)
    got = {r["id"]: r["name"] for r in dump(daemon.connect())["school"]}
    assert got == {"S1": "第一\n第二\r\n第三", "S2": "逗号,和\"引号\"", "S3": "坏的"}


def test_malformed_quotes(daemon, tmp_path):
    f = tmp_path / "schools.csv"
    f.write_text("id,name,level,region\nS1,a\"b\"c,higher,330702\n")
    p = fails(daemon, 1, "import", "school", f)
    assert "schools.csv row 2: malformed CSV" in p.stderr
    f.write_text("id,name,level,region\nS1,\"never closed,higher,330702\n")
    p = fails(daemon, 1, "import", "school", f)
    assert "malformed CSV" in p.stderr and "not closed" in p.stderr


BAD_ROWS = [
    # (file, text, expected message)
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors\n"
     "P7,E1,a,job,5,46\nP8,E1,b,job,2000000000,46\n",
     "postings.csv row 3 column headcount: headcount must be in 0..1000000000"),
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors\nP7,E1,a,jobs,5,46\n",
     "postings.csv row 2 column kind: kind must be one of job, internship, "
     "apprenticeship, order_class"),
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors\nP7,E1,a,job,五,46\n",
     "postings.csv row 2 column headcount: headcount must be an integer"),
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors,salary_min,salary_max\n"
     "P7,E1,a,job,5,46,5000,\n",
     "postings.csv row 2 column salary_max: salary needs both salary_min and "
     "salary_max"),
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors,salary_min,salary_max\n"
     "P7,E1,a,job,5,46,9000,5000\n",
     "postings.csv row 2 column salary_max: salary[1] must not be below the minimum"),
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors\nP7,E1,a,job,5,46;4x\n",
     "postings.csv row 2 column majors: majors[1] must be a major prefix"),
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors,colour\nP7,E1,a,job,5,46,red\n",
     "postings.csv row 1 column colour: not a column of postings.csv"),
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors\nP7,E1,,job,5,46\n",
     "postings.csv row 2 column title: title is required"),
    ("postings.csv",
     "id,enterprise_id,title,kind,headcount,majors\nP7,E1,a,job,5,46\n"
     "P8,E1,a,job,5,46\nP7,E1,b,job,5,46\n",
     "postings.csv row 4 column id: id P7 repeats row 2"),
    ("schools.csv",
     "id,name,level,region\nS7,嘉兴学院, 南湖,higher,330402\n",
     "schools.csv row 2: 5 cells but 4 columns in the header"),
    ("schools.csv",
     "id,name,level,region,\nS7,嘉兴学院,higher,330402,\nS8,宁波,higher,330402,x\n",
     "schools.csv row 1 column 5: the column has cells but no name"),
    ("specialties.csv",
     "id,school_id,major_code,name,cohort_2026,cohort_2027\n"
     "SP7,S1,660103,a,10,-1\n",
     "specialties.csv row 2 column cohort_2027: cohorts.2027 must be in 0..1000000000"),
    ("students.csv",
     "id,specialty_id,grad_year,grade\nST7,SP1,2026,100.5\n",
     "students.csv row 2 column grade: grade must be in 0..100"),
    ("fairs.csv",
     "id,name,date,school_ids,enterprise_ids\nF7,a,2026-02-30,S1,E1\n",
     "fairs.csv row 2 column date: date must be a valid date YYYY-MM-DD"),
]


@pytest.mark.parametrize("name,text,message", BAD_ROWS,
                         ids=[m.split(": ", 1)[0] for _, _, m in BAD_ROWS])
def test_bad_row_rejected_store_unchanged(daemon, tmp_path, name, text, message):
    import_all(daemon, tmp_path)
    c = daemon.connect()
    before = dump(c)
    kind = {v + ".csv": k for k, v in PLURAL.items()}[name]
    f = write_files(tmp_path / "bad", {name: text}) / name
    p = fails(daemon, 1, "import", kind, f)
    assert message in p.stderr, p.stderr
    assert "nothing imported" in p.stderr
    assert p.stdout == ""
    assert dump(c) == before


def test_repeated_ids_found_across_a_large_file(daemon, tmp_path):
    """Ids are checked for repeats as rows are read, in a table that grows
    as it fills: repeats on either side of each growth are all found, and
    ids that only share a prefix are not repeats."""
    rows = ["P%d,E1,t,job,1,46" % i for i in range(1, 5001)]
    rows[3999] = "P3,E1,t,job,1,46"        # row 4001 repeats row 4
    rows[4499] = "P2000,E1,t,job,1,46"     # row 4501 repeats row 2001
    rows[999] = "P3,E1,t,job,1,46"         # row 1001 repeats row 4 too
    text = "id,enterprise_id,title,kind,headcount,majors\n" + "\n".join(rows) + "\n"
    f = write_files(tmp_path / "dup", {"postings.csv": text}) / "postings.csv"
    p = fails(daemon, 1, "import", "posting", f)
    got = [l for l in p.stderr.splitlines() if "repeats" in l]
    assert got == ["chanjiao: postings.csv row 1001 column id: id P3 repeats row 4",
                   "chanjiao: postings.csv row 4001 column id: id P3 repeats row 4",
                   "chanjiao: postings.csv row 4501 column id: id P2000 repeats "
                   "row 2001"], p.stderr


def test_fair_part_files_errors_located(daemon, tmp_path):
    import_all(daemon, tmp_path)
    c = daemon.connect()
    before = dump(c)
    files = dict((k, FILES[k]) for k in ("fairs.csv", "fair_directions.csv",
                                         "fair_sessions.csv", "fair_requests.csv"))
    cases = [
        ("fair_sessions.csv", FILES["fair_sessions.csv"] +
         "F1,EV,2026-05-20T18:00,2026-05-20T17:00,10,\n",
         "fair_sessions.csv row 4 column end: sessions[2].end must be after start"),
        ("fair_sessions.csv", FILES["fair_sessions.csv"] +
         "F1,EV,2026-05-20T18:00,2026-05-20T19:00,10,D9\n",
         "fair_sessions.csv row 4 column directions: sessions[2].directions[0] "
         "is not one of the fair's directions"),
        ("fair_directions.csv", FILES["fair_directions.csv"] + "F1,D1,again,66\n",
         "fair_directions.csv row 4 column id: directions[2].id repeats an "
         "earlier item"),
        ("fair_directions.csv", FILES["fair_directions.csv"] + "F9,D3,x,66\n",
         "fair_directions.csv row 4 column fair_id: fair F9 is not in fairs.csv"),
        ("fair_requests.csv", FILES["fair_requests.csv"] + "F1,E9,1\n",
         "fair_requests.csv row 3 column enterprise_id: requests.E9 is not one "
         "of the fair's enterprise_ids"),
        ("fair_requests.csv", FILES["fair_requests.csv"] + "F1,E2,-1\n",
         "fair_requests.csv row 3 column slots: requests.E2 must be in "
         "0..1000000000"),
    ]
    for i, (name, text, message) in enumerate(cases):
        d = write_files(tmp_path / ("f%d" % i), dict(files, **{name: text}))
        p = fails(daemon, 1, "import", "fair", d / "fairs.csv")
        assert message in p.stderr, p.stderr
    assert dump(c) == before


def test_daemon_refusal_located_nothing_imported(daemon, tmp_path):
    """What only the store can check (references, levels) comes back from
    the daemon, located at its row and column; the batch is atomic."""
    import_all(daemon, tmp_path)
    c = daemon.connect()
    before = dump(c)
    f = write_files(tmp_path / "r", {"specialties.csv":
                    "id,school_id,major_code,name,cohort_2026\n"
                    "SP7,S1,660103,a,1\nSP8,S404,660103,b,1\n"}) / "specialties.csv"
    p = fails(daemon, 1, "import", "specialty", f)
    assert ("specialties.csv row 3 column school_id: school S404 not found "
            "(code 1004)") in p.stderr
    assert dump(c) == before


# ------------------------------------------------- files over max_batch

def postings_csv(n, bad_row=None, title="t"):
    rows = ["id,enterprise_id,title,kind,headcount,majors"]
    for i in range(1, n + 1):
        ent = "E404" if i + 1 == bad_row else "E1"
        rows.append("P%d,%s,%s%d,job,%d,46" % (i, ent, title, i, i))
    return "\n".join(rows) + "\n"


def put_calls(c):
    m = c.call("system.stats")["methods"]
    return m.get("posting.put", {}).get("calls", 0)


def test_large_file_bad_cell_sends_nothing(daemon_factory, tmp_path):
    d = daemon_factory(config="[server]\nmax_batch = 20\n")
    import_all(d, tmp_path)
    c = d.connect()
    before, calls = dump(c), put_calls(c)
    text = postings_csv(40).replace("P33,E1,t33,job,33,46", "P33,E1,t33,job,-33,46")
    f = write_files(tmp_path / "big", {"postings.csv": text})
    p = fails(d, 1, "import", "posting", f / "postings.csv")
    assert "postings.csv row 34 column headcount: headcount must be in" in p.stderr
    assert put_calls(c) == calls
    assert dump(c) == before


def test_a_file_over_max_batch_is_refused_whole(daemon_factory, tmp_path):
    """An import is one write: a file of more records than max_batch is
    1013, nothing written (docs/csv.md "Guarantees")."""
    d = daemon_factory(config="[server]\nmax_batch = 20\n")
    import_all(d, tmp_path)
    c = d.connect()
    before = dump(c)
    f = write_files(tmp_path / "big", {"postings.csv": postings_csv(30)})
    p = fails(d, 1, "import", "posting", f / "postings.csv")
    assert "30 records is over max_batch (20)" in p.stderr
    assert "(code 1013, field data)" in p.stderr
    assert dump(c) == before


def test_moving_records_needs_allow_move(daemon, tmp_path):
    """postings_csv gives every posting to E1: those of E2 and E3 would
    move, refused without --allow-move."""
    c = daemon.connect()
    import_all(daemon, tmp_path)
    f = write_files(tmp_path / "b", {"postings.csv": postings_csv(30)})
    p = fails(daemon, 1, "import", "posting", f / "postings.csv")
    assert "would move it to E1" in p.stderr
    before = dump(c)
    assert before["posting"] != []
    ok(daemon, "import", "posting", f / "postings.csv", "--allow-move")
    assert len(c.call("posting.list", {})["items"]) == 30


def test_import_file_by_name_and_orphan_parts(daemon, tmp_path):
    src = write_files(tmp_path / "in", FILES)
    p = ok(daemon, "import", src / "schools.csv")
    assert p.stdout == ("imported 2 schools from %s: new 2, updated 0, "
                        "unchanged 0, deleted 0\n" % (src / "schools.csv"))
    fails(daemon, 2, "import", src / "fair_sessions.csv")
    only = write_files(tmp_path / "parts", {"enterprises.csv": FILES["enterprises.csv"],
                                            "fair_sessions.csv": FILES["fair_sessions.csv"]})
    p = ok(daemon, "import", only)
    assert "fair_sessions.csv is not read without fairs.csv" in p.stderr
    assert p.stdout.startswith("imported 3 enterprises")


def test_dry_run_writes_nothing(daemon, tmp_path):
    write_files(tmp_path / "in", FILES)
    p = ok(daemon, "--dry-run", "import", tmp_path / "in")
    assert "checked 4 postings in %s: new 4, updated 0, unchanged 0, " \
        "deleted 0 (dry run: nothing written)" % (
            tmp_path / "in" / "postings.csv") in p.stdout
    assert all(v == [] for v in dump(daemon.connect()).values())


# ------------------------------------------------------------ round trip

def test_export_import_round_trip(daemon_factory, tmp_path):
    a = daemon_factory()
    import_all(a, tmp_path)
    ca = a.connect()
    # odd values: quotes, commas, newlines, a float grade that is whole,
    # an empty optional list, empty majors, an empty cohort map
    ca.call("posting.put", {"id": "P9", "enterprise_id": "E1",
                            "title": " 空格, \"引号\"\n换行 ", "kind": "job",
                            "headcount": 0, "majors": [], "skills": []})
    ca.call("student.put", {"id": "ST9", "specialty_id": "SP1", "grad_year": 2026,
                            "grade": 75.0})
    ca.call("specialty.put", {"id": "SP9", "school_id": "S2", "major_code": "460104",
                              "name": "新", "cohorts": {}})
    want = dump(ca)
    out = tmp_path / "out"
    p = ok(a, "export", "all", "--dir", out)
    assert "exported 5 postings to %s" % (out / "postings.csv") in p.stdout
    assert sorted(os.listdir(out)) == sorted(list(FILES))
    b = daemon_factory()
    ok(b, "import", out)
    assert dump(b.connect()) == want
    # single kinds on stdout, GB18030 and BOM variants read back the same
    c = daemon_factory()
    for k in DIR_ORDER:
        if k == "fair":
            ok(a, "export", "fair", "--dir", tmp_path / "gbf", "--encoding", "gb18030")
            ok(c, "import", "fair", tmp_path / "gbf" / "fairs.csv")
            continue
        enc = "gb18030" if k in ("school", "posting") else "utf-8"
        extra = ["--bom"] if k == "specialty" else []
        p = subprocess.run([CLI, "--host", "127.0.0.1:%d" % a.port, "export", k,
                            "--encoding", enc] + extra, capture_output=True)
        assert p.returncode == 0, p.stderr
        if extra:
            assert p.stdout.startswith(b"\xef\xbb\xbf")
        f = tmp_path / ("%s.csv" % k)
        f.write_bytes(p.stdout)
        ok(c, "import", k, f)
    assert dump(c.connect()) == want


def test_export_json_and_csv_forms(daemon, tmp_path):
    import_all(daemon, tmp_path)
    p = ok(daemon, "export", "posting", "--json")
    assert json.loads(p.stdout) == EXPECTED["posting"]
    p = ok(daemon, "export", "posting")
    rows = parse_csv(p.stdout)
    assert rows[0] == ["id", "enterprise_id", "title", "kind", "headcount", "majors",
                       "skills", "level", "region", "start", "until", "salary_min",
                       "salary_max"]
    assert rows[1] == ["P1", "E1", "数控操作工", "job", "5", "4601;66", "CNC",
                       "secondary", "", "2026-06-01", "2026-12-31", "5000", "8000"]
    assert p.stdout.endswith("\r\n")
    fails(daemon, 2, "export", "fair")
    fails(daemon, 2, "export", "all")
    fails(daemon, 2, "export", "widget")


# --------------------------------------------------------------- queries

def check_table(text, ncols=None):
    """An aligned table: header, dashes, rows; every column starts at the
    same display column in every line.  Returns rows of cells."""
    lines = text.rstrip("\n").split("\n")
    dashes = lines[1]
    assert set(dashes) <= {"-", " "}, dashes
    # column spans from the dash line
    spans, i = [], 0
    while i < len(dashes):
        if dashes[i] == "-":
            j = i
            while j < len(dashes) and dashes[j] == "-":
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    if ncols is not None:
        assert len(spans) == ncols
    rows = []
    for line in [lines[0]] + lines[2:]:
        starts, w = [], 0          # display column of every character
        for ch in line:
            starts.append(w)
            w += display_width(ch)
        # every character sits inside its column's span: aligned
        for ch, s in zip(line, starts):
            if ch != " ":
                assert any(a <= s < b for a, b in spans), (line, ch)
        rows.append(["".join(ch for ch, s in zip(line, starts) if a <= s < b).strip()
                     for a, b in spans])
    return rows


def csv_dicts(text):
    """CSV text as a list of {heading: cell}."""
    rows = parse_csv(text)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def header_and_table(text):
    """(the header lines, the text after the first blank line)."""
    head, _, rest = text.partition("\n\n")
    return head.split("\n"), rest


def test_list_outputs(daemon, tmp_path):
    import_all(daemon, tmp_path)
    c = daemon.connect()
    raw = c.call("specialty.list", {})
    p = ok(daemon, "list", "specialty", "--json")
    assert json.loads(p.stdout) == raw
    # --csv: export's columns exactly, so it imports back
    p = ok(daemon, "list", "specialty", "--csv")
    rows = parse_csv(p.stdout)
    assert rows[0] == ["id", "school_id", "major_code", "name", "direction",
                       "cohort_2026", "cohort_2027", "skills", "chains"]
    assert rows[3] == ["SP3", "S1", "660702", "汽车运用\n与维修", "", "30", "30", ";",
                       "新能源汽车"]
    # the table: the school and the catalog's major beside their codes
    p = ok(daemon, "list", "specialty", "--lang", "en")
    rows = check_table(p.stdout, 9)
    assert rows[0][:4] == ["id", "school", "major_code", "name"]
    assert rows[1][:4] == ["SP1", "S1 金华技师学院", "660103 数控技术应用", "数控技术应用"]
    assert rows[3][3] == "汽车运用 与维修"
    p = ok(daemon, "list", "posting", "--limit", "2")
    assert len(check_table(p.stdout)) == 3
    assert "--after P2" in p.stderr
    p = ok(daemon, "list", "posting", "--after", "P2", "--csv")
    assert [r[0] for r in parse_csv(p.stdout)[1:]] == ["P3", "P4"]
    p = ok(daemon, "list", "posting", "--filter", "enterprise_id=E2",
           "--filter", "headcount=20", "--json")
    assert [r["id"] for r in json.loads(p.stdout)["items"]] == ["P3"]
    p = ok(daemon, "list", "school", "--filter", "region=3304", "--csv")
    assert [r[0] for r in parse_csv(p.stdout)[1:]] == ["S2"]


def test_candidates_outputs(daemon, tmp_path):
    import_all(daemon, tmp_path)
    c = daemon.connect()
    raw = c.call("match.candidates", {"posting_id": "P1", "k": 2,
                                      "grad_year": 2026})
    p = ok(daemon, "candidates", "P1", "--k", "2", "--grad-year", "2026", "--json")
    assert json.loads(p.stdout) == raw
    p = ok(daemon, "candidates", "P1", "--k", "2", "--grad-year", "2026", "--csv")
    rows = parse_csv(p.stdout)
    assert rows[0] == ["#", "specialty_id", "specialty", "school_id", "school",
                       "level", "region", "region_name", "major_code", "major_name",
                       "available", "score", "why.major", "why.skills",
                       "why.region", "why.level", "why.capacity", "why.chain"]
    assert len(rows) == 1 + len(raw["items"])
    names = {"SP1": "数控技术应用", "SP2": "数控技术", "SP3": "汽车运用\n与维修"}
    for row, item in zip(csv_dicts(p.stdout), raw["items"]):
        assert row["specialty_id"] == item["specialty_id"]
        assert row["school_id"] == item["school_id"]
        assert row["specialty"] == names[item["specialty_id"]]
        assert int(row["available"]) == item["available"]
        assert float(row["score"]) == item["score"]
        for f, v in item["why"].items():
            assert float(row["why." + f]) == v
    p = ok(daemon, "candidates", "P1", "--region", "3307", "--min-available", "1",
           "--lang", "en")
    head, table = header_and_table(p.stdout)
    assert head == ["Posting P1 数控操作工 (E1 某机床厂)",
                    "Graduation year %d" % grad_year_today(),
                    "Schools in 3307 金华市", "At least available 1"]
    rows = check_table(table.split("\n\n")[0], 14)
    raw = c.call("match.candidates", {"posting_id": "P1", "region_prefix": "3307",
                                      "min_available": 1})
    assert [r[1].split()[0] for r in rows[1:]] == [
        i["specialty_id"] for i in raw["items"]]
    assert "considered: %d" % raw["considered"] in p.stdout
    assert "金华技师学院" in p.stdout


def test_openings_outputs(daemon, tmp_path):
    import_all(daemon, tmp_path)
    c = daemon.connect()
    raw = c.call("match.openings", {"specialty_id": "SP1", "kind": "job"})
    p = ok(daemon, "openings", "SP1", "--kind", "job", "--json")
    assert json.loads(p.stdout) == raw
    p = ok(daemon, "openings", "SP1", "--kind", "job", "--csv")
    rows = csv_dicts(p.stdout)
    assert [r["posting_id"] for r in rows] == [i["posting_id"] for i in raw["items"]]
    titles = {r["id"]: r["title"] for r in EXPECTED["posting"]}
    for row, item in zip(rows, raw["items"]):
        assert row["title"] == titles[item["posting_id"]]
        assert row["kind"] == "job"
        assert float(row["score"]) == item["score"]
    p = ok(daemon, "openings", "SP1", "--k", "1", "--region", "33", "--lang", "en")
    rows = check_table(header_and_table(p.stdout)[1].split("\n\n")[0], 13)
    assert len(rows) == 2


def test_balance_outputs(daemon, tmp_path):
    import_all(daemon, tmp_path)
    c = daemon.connect()
    for by in ("major", "major_class", "major_group", "industry"):
        raw = c.call("stats.balance", {"by": by, "grad_year": 2026})
        p = ok(daemon, "balance", "--by", by, "--grad-year", "2026", "--json")
        assert json.loads(p.stdout) == raw
        p = ok(daemon, "balance", "--by", by, "--grad-year", "2026", "--csv")
        rows = parse_csv(p.stdout)
        major = by != "industry"
        assert rows[0] == ["key", "name"] + (["level"] if major else []) + [
            "supply", "demand", "ratio"]
        assert len(rows) == 1 + len(raw["rows"])
        for row, r in zip(csv_dicts(p.stdout), raw["rows"]):
            assert row["key"] == r["key"] and int(row["supply"]) == r["supply"]
            assert float(row["demand"]) == r["demand"]
            assert (row["ratio"] == "") == (r["ratio"] is None)
    p = ok(daemon, "balance", "--by", "major_class", "--lang", "en")
    rows = check_table(header_and_table(p.stdout)[1], 5)
    assert ["6601 机械设计制造类", "secondary"] in [r[:2] for r in rows]
    p = ok(daemon, "balance", "--by", "major_group", "--region", "3307")
    assert "装备制造大类" in p.stdout
    fails(daemon, 2, "balance")
    fails(daemon, 2, "balance", "--by", "colour")


def grad_year_today():
    """docs/protocol.md: this year until 31 August, then the next."""
    t = time.localtime()
    return t.tm_year if t.tm_mon <= 8 else t.tm_year + 1


# ------------------------------------------------------------------ fairs

def planners_or_skip(c):
    try:
        c.call("fair.schedule", {"fair_id": "F1"})
    except RpcError as e:
        if e.code == METHOD_NOT_FOUND:
            pytest.skip("the daemon has no fair.schedule yet")


def first_chain(ent):
    chains = sorted(ent.get("chains", []), key=lambda s: s.encode())
    return chains[0] if chains else ""


def csv_sections(text):
    """{title: rows} of a sectioned CSV output ("# title" over each block)."""
    out = {}
    for block in text.removeprefix("\ufeff").split("\r\n\r\n"):
        lines = block.split("\r\n", 1)
        if lines[0].startswith("# ") and len(lines) == 2:
            out[lines[0][2:]] = parse_csv(lines[1])
    return out


def test_fair_allocate_and_schedule_outputs(daemon, tmp_path):
    import_all(daemon, tmp_path)
    c = daemon.connect()
    planners_or_skip(c)
    raw = c.call("fair.allocate", {"fair_id": "F1", "min_score": 0.1,
                                   "explain": True})
    p = ok(daemon, "fair", "allocate", "F1", "--min-score", "0.1", "--explain",
           "--json")
    got = json.loads(p.stdout)
    raw.pop("solve_ms"), got.pop("solve_ms")
    assert got == raw
    p = ok(daemon, "fair", "allocate", "F1", "--csv")
    assert "# directions\r\n" in p.stdout and "# allocations\r\n" in p.stdout
    secs = csv_sections(p.stdout)
    assert [r[0] for r in secs["directions"][1:]] == ["D1", "D2"]
    assert secs["directions"][1][1] == "数控"
    p = ok(daemon, "fair", "allocate", "F1", "--lang", "en")
    assert p.stdout.startswith("Fair F1 五月双选会 (2026-05-20)\n"
                               "Graduation year 2026\nPlaced %d\n" % raw["placed"])
    raw = c.call("fair.schedule", {"fair_id": "F1"})
    p = ok(daemon, "fair", "schedule", "F1", "--json")
    assert json.loads(p.stdout) == raw
    p = ok(daemon, "fair", "schedule", "F1", "--csv")
    rows = csv_sections(p.stdout)["slots"]
    assert rows[0] == ["session_id", "start", "end", "booth", "enterprise_id",
                       "enterprise", "chain"]
    assert sorted((r[0], r[3], r[4]) for r in rows[1:]) == sorted(
        (s["session_id"], str(s["booth"]), s["enterprise_id"]) for s in raw["slots"])


def test_fair_report(daemon, tmp_path):
    import_all(daemon, tmp_path)
    c = daemon.connect()
    planners_or_skip(c)
    fair = c.call("fair.get", {"id": "F1"})
    alloc = c.call("fair.allocate", {"fair_id": "F1"})
    sched = c.call("fair.schedule", {"fair_id": "F1"})
    posts = {r["id"]: r for r in dump(c)["posting"]}
    ents = {r["id"]: r for r in dump(c)["enterprise"]}
    dirname = {d["id"]: d["name"] for d in fair["directions"]}

    p = ok(daemon, "fair", "report", "F1", "--json", "--top", "2")
    rep = json.loads(p.stdout)
    assert rep["fair_id"] == "F1" and rep["fair_name"] == "五月双选会"
    assert rep["grad_year"] == 2026
    assert rep["placed"] == alloc["placed"]
    assert [d["direction_id"] for d in rep["directions"]] == [
        d["direction_id"] for d in alloc["directions"]]
    for d, a in zip(rep["directions"], alloc["directions"]):
        for key in ("supply", "demand", "allocated", "positions_per_graduate"):
            assert d[key] == a[key]
        assert d["name"] == dirname[a["direction_id"]]
        totals = {}
        for x in alloc["allocations"]:
            if x["direction_id"] == a["direction_id"]:
                e = posts[x["posting_id"]]["enterprise_id"]
                totals[e] = totals.get(e, 0) + x["count"]
        top = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        assert [(t["enterprise_id"], t["allocated"]) for t in d["top_enterprises"]] == top
        assert all(t["name"] == ents[t["enterprise_id"]]["name"]
                   for t in d["top_enterprises"])
    unf = sorted(alloc["unfilled"], key=lambda u: (-u["open"], u["posting_id"]))
    assert rep["unfilled"]["postings"] == len(unf)
    assert rep["unfilled"]["open"] == sum(u["open"] for u in unf)
    assert [(u["posting_id"], u["open"], u["title"], u["enterprise"])
            for u in rep["unfilled"]["top"]] == [
        (u["posting_id"], u["open"], posts[u["posting_id"]]["title"],
         ents[posts[u["posting_id"]]["enterprise_id"]]["name"]) for u in unf[:2]]
    order = {s["id"]: i for i, s in enumerate(fair["sessions"])}
    slots = sorted(sched["slots"], key=lambda s: (order[s["session_id"]], s["booth"]))
    assert [(b["session_id"], b["booth"], b["enterprise_id"], b["enterprise"],
             b["chain"] or "") for b in rep["booths"]] == [
        (s["session_id"], s["booth"], s["enterprise_id"],
         ents[s["enterprise_id"]]["name"], first_chain(ents[s["enterprise_id"]]))
        for s in slots]

    p = ok(daemon, "fair", "report", "F1", "--lang", "en")
    text = p.stdout
    assert text.startswith("Fair F1 五月双选会 (2026-05-20)\n"
                           "Graduation year 2026\n"
                           "Region 330702 金华市婺城区\n"
                           "Taking part 2 schools, 3 enterprises\n")
    assert "Placed %d graduates" % alloc["placed"] in text
    for title in ("Directions:", "Top enterprises per direction",
                  "Unfilled postings: %d postings" % len(unf), "Booth plan",
                  "Unscheduled enterprises"):
        assert title in text
    booth_block = text.split("Booth plan")[1].split("\n", 1)[1].split("\n\n")[0]
    rows = check_table(booth_block, 6)
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [
        (s["session_id"], str(s["booth"]),
         "%s %s" % (s["enterprise_id"], ents[s["enterprise_id"]]["name"]))
        for s in slots]
    p = ok(daemon, "fair", "report", "F1", "--csv")
    assert p.stdout.startswith("\ufeff# Fair F1 五月双选会 (2026-05-20)\r\n"
                               "# Graduation year 2026\r\n")
    rows = csv_sections(p.stdout)["Directions: supply, demand, allocated graduates"]
    reach = ["reachable"] if "reachable" in alloc["directions"][0] else []
    assert rows[0] == ["direction_id", "name", "supply", "demand"] + reach + [
        "allocated", "positions_per_graduate"]
    assert [r[0] for r in rows[1:]] == [d["direction_id"] for d in alloc["directions"]]
    p = fails(daemon, 1, "fair", "report", "F404")
    assert "not found" in p.stderr


# ------------------------------------------------------------ exit codes

def test_exit_codes(daemon_factory, tmp_path):
    d = daemon_factory()
    # bad arguments: 2
    for args in (["frobnicate"], [], ["get", "school"], ["get", "widget", "X"],
                 ["candidates"], ["--k", "many", "candidates", "P1"],
                 ["--min-score", "high", "fair", "allocate", "F1"],
                 ["import", "school"], ["import", tmp_path / "missing"],
                 ["fair", "report"], ["fair", "dance", "F1"],
                 ["--no-such-flag", "ping"], ["token", "new", "--role", "king"]):
        p = fails(d, 2, *args)
        assert p.stderr.startswith("chanjiao: ") or p.stderr.startswith("usage:"), args
    # the daemon refuses: 1, with its message and code
    p = fails(d, 1, "get", "school", "S404")
    assert p.stderr == "chanjiao: school.get: school S404 not found (code 1004, field id)\n"
    p = fails(d, 1, "candidates", "P404")
    assert "match.candidates" in p.stderr and "1004" in p.stderr
    p = fails(d, 1, "list", "posting", "--filter", "colour=red")
    assert "filter.colour" in p.stderr
    p = fails(d, 1, "import", "school", tmp_path / "nope.csv")
    assert "nope.csv: No such file" in p.stderr
    # unreachable daemon: 3
    port = d.port
    d.stop()
    p = fails(None, 3, "--host", "127.0.0.1:%d" % port, "ping")
    assert "cannot connect to 127.0.0.1:%d" % port in p.stderr
    p = fails(None, 3, "--unix", tmp_path / "no.sock", "info")
    assert "cannot connect" in p.stderr
    write_files(tmp_path / "in", FILES)
    p = fails(None, 3, "--host", "127.0.0.1:%d" % port, "import", tmp_path / "in")
    assert "cannot connect" in p.stderr


def test_unix_socket_and_tokens(daemon_factory, tmp_path):
    admin, aline = new_token("admin")
    reader, rline = new_token("reader")
    tokens = tmp_path / "tokens"
    tokens.write_text(aline + "\n" + rline + "\n")
    sock = tmp_path / "cj.sock"
    d = daemon_factory(args=["--tokens", str(tokens)], unix=sock)
    write_files(tmp_path / "in", FILES)
    p = fails(d, 1, "info")
    assert "1001" in p.stderr
    p = fails(d, 1, "--token", reader, "import", "school",
              tmp_path / "in" / "schools.csv")
    assert "schools.csv row 2" in p.stderr and "(code 1003)" in p.stderr
    p = fails(d, 1, "--token", "wrong", "ping")
    assert "auth.login" in p.stderr
    ok(d, "import", tmp_path / "in", env={"CHANJIAO_TOKEN": admin})
    p = ok(None, "--unix", sock, "--token", reader, "list", "school", "--csv")
    assert [r[0] for r in parse_csv(p.stdout)[1:]] == ["S1", "S2"]
