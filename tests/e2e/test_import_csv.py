"""import.csv (docs/protocol.md "import.csv", docs/csv.md "Guarantees"):
spreadsheet files applied all or nothing, over RPC and through
`chanjiao import`.  Counts are worked out by hand beside each file."""
import pytest

from conftest import INVALID_PARAMS, FORBIDDEN, expect_error, fails, ok
from test_auth import login, tokens_file
from test_cli import dump, write_files  # noqa: F401

SCHOOLS = ("id,name,level,region\n"
           "S1,一校,higher,330702\n"
           "S2,二校,secondary,330702\n")
ENTERPRISES = ("id,name,region\n"
               "E1,一厂,330784\n"
               "E2,二厂,330784\n")
POSTINGS = ("id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,5,4601\n"
            "P2,E1,钳工,job,3,4601\n"
            "P3,E2,电工,job,2,4601\n")
SPECIALTIES = ("id,school_id,major_code,name,2026届\n"
               "SP1,S1,460103,数控技术,40\n")


def imp(c, kind, text, **kw):
    params = {"kind": kind, "data": text.encode() if isinstance(text, str)
              else text}
    params.update(kw)
    return c.call("import.csv", params)


def counts(r):
    return (r["new"], r["updated"], r["unchanged"], r["deleted"])


def base(c):
    assert counts(imp(c, "school", SCHOOLS)) == (2, 0, 0, 0)
    assert counts(imp(c, "enterprise", ENTERPRISES)) == (2, 0, 0, 0)
    assert counts(imp(c, "posting", POSTINGS)) == (3, 0, 0, 0)


# ------------------------------------------------------------ counts

def test_counts_new_updated_unchanged(client):
    base(client)
    # P1 unchanged, P2 headcount 3 -> 4 (updated), P4 new; P3 not in the
    # file and no sync: kept.
    r = imp(client, "posting", "id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,5,4601\n"
            "P2,E1,钳工,job,4,4601\n"
            "P4,E2,焊工,job,1,4601\n")
    assert counts(r) == (1, 1, 1, 0)
    assert r["errors"] == [] and r["dry_run"] is False
    assert client.call("posting.get", {"id": "P2"})["headcount"] == 4
    assert client.call("posting.get", {"id": "P3"})["title"] == "电工"


def test_reimporting_the_same_file_changes_nothing(client):
    base(client)
    assert counts(imp(client, "posting", POSTINGS)) == (0, 0, 3, 0)


# ------------------------------------------------------- all or nothing

def test_every_error_is_reported_and_nothing_is_written(client):
    base(client)
    before = dump(client)
    r = imp(client, "posting", "id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,6,4601\n"     # fine (would update)
            "P5,E9,钳工,job,3,4601\n"           # E9 unknown: 1004
            "P6,E1,电工,job,十,4601\n")          # 十: a cell error
    # A cell error stops before the store is asked.
    assert [(e["row"], e["column"], e["value"]) for e in r["errors"]] == [
        (4, "headcount", "十")]
    assert "write 10, not 十" in r["errors"][0]["message"]
    assert dump(client) == before
    r = imp(client, "posting", "id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,6,4601\n"
            "P5,E9,钳工,job,3,4601\n"
            "P6,E8,电工,job,1,4601\n")
    errs = [(e["row"], e["column"], e["value"], e.get("code"))
            for e in r["errors"]]
    assert errs == [(3, "enterprise_id", "E9", 1004),
                    (4, "enterprise_id", "E8", 1004)]
    assert "enterprise E9 not found" in r["errors"][0]["message"]
    assert dump(client) == before


def test_a_specialty_not_fitting_its_schools_level_is_located(client):
    base(client)
    r = imp(client, "specialty", "id,school_id,major_code,name\n"
            "SP1,S1,460103,数控技术\n"
            "SP2,S2,460103,数控技术\n")      # S2 is secondary: 46 is higher
    assert [(e["row"], e["column"], e["value"]) for e in r["errors"]] == [
        (3, "major_code", "460103")]
    assert client.call("system.info")["counts"]["specialties"] == 0


def test_warnings_do_not_block_and_strict_refuses(client):
    text = "id,name,level,region\nS1,一校,higher,339999\n"
    r = imp(client, "school", text, dry_run=True)
    assert r["errors"][0]["warning"] is True and counts(r) == (1, 0, 0, 0)
    r = imp(client, "school", text, strict=True)
    assert r["errors"] and not r["errors"][0].get("warning")
    assert client.call("system.info")["counts"]["schools"] == 0
    r = imp(client, "school", text)
    assert counts(r) == (1, 0, 0, 0) and r["warnings_total"] == 1


# ------------------------------------------------------------ dry run

def test_dry_run_reports_what_the_real_run_does_and_writes_nothing(client):
    base(client)
    text = ("id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,5,4601\n"
            "P2,E1,钳工,job,9,4601\n"
            "P7,E2,焊工,job,1,4601\n")
    before = dump(client)
    dry = imp(client, "posting", text, dry_run=True, sync=True)
    assert dump(client) == before
    real = imp(client, "posting", text, sync=True)
    assert dry["dry_run"] is True and real["dry_run"] is False
    dry.pop("dry_run"), real.pop("dry_run")
    assert dry == real
    assert counts(real) == (1, 1, 1, 1)      # P3 of E2 deleted


def test_dry_run_sees_the_store_a_real_import_would_fail_on(client):
    # The old client's dry run checked the file alone: a missing school
    # passed it, then failed the real import.
    r = imp(client, "specialty", SPECIALTIES, dry_run=True)
    assert [e.get("code") for e in r["errors"]] == [1004]


# ----------------------------------------------------------- allow_move

def test_a_move_to_another_owner_needs_allow_move(client):
    base(client)
    moved = POSTINGS.replace("P1,E1", "P1,E2")
    r = imp(client, "posting", moved)
    assert [(e["row"], e["column"], e["value"], e.get("code"))
            for e in r["errors"]] == [(2, "enterprise_id", "E2", 1009)]
    assert "allow_move" in r["errors"][0]["message"]
    assert client.call("posting.get", {"id": "P1"})["enterprise_id"] == "E1"
    r = imp(client, "posting", moved, allow_move=True)
    assert counts(r) == (0, 1, 2, 0) and r["errors"] == []
    assert client.call("posting.get", {"id": "P1"})["enterprise_id"] == "E2"


# ----------------------------------------------------------------- sync

def test_sync_deletes_only_within_the_owners_the_file_names(client):
    base(client)
    # Only E1's postings are named: P2 (E1) goes, P3 (E2) stays.
    r = imp(client, "posting", "id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,5,4601\n", sync=True)
    assert counts(r) == (0, 0, 1, 1)
    ids = [p["id"] for p in client.call("posting.list", {})["items"]]
    assert ids == ["P1", "P3"]


def test_a_sync_delete_refused_as_still_named_refuses_everything(client):
    base(client)
    before = dump(client)
    # E2 still has P3: deleting it is 1009, and S1 -> 一校改 is not written.
    r = imp(client, "enterprise", "id,name,region\nE1,一厂改,330784\n",
            sync=True)
    assert [(e["value"], e.get("code")) for e in r["errors"]] == [("E2", 1009)]
    assert "still named by posting P3" in r["errors"][0]["message"]
    assert dump(client) == before


# ---------------------------------------------------------- several files

def test_files_in_one_call_are_one_unit_in_dependency_order(client):
    files = [{"kind": "posting", "data": POSTINGS.encode()},
             {"kind": "school", "data": SCHOOLS.encode()},
             {"kind": "enterprise", "data": ENTERPRISES.encode()}]
    r = client.call("import.csv", {"files": files})
    assert counts(r) == (7, 0, 0, 0)
    assert [f["kind"] for f in r["files"]] == ["school", "enterprise",
                                                "posting"]
    # A bad last file: nothing of the others.
    before = dump(client)
    files = [{"kind": "school", "data": (SCHOOLS + "S3,三校,higher,330702\n")
              .encode()},
             {"kind": "specialty", "data": b"id,school_id,major_code,name\n"
              b"SP1,S9,460103,x\n"}]  # noqa: E127
    r = client.call("import.csv", {"files": files})
    assert [e.get("code") for e in r["errors"]] == [1004]
    assert dump(client) == before


def test_a_fair_with_its_part_files(client):
    base(client)
    fair = ("id,name,date,school_ids,enterprise_ids\n"
            "F1,五月双选会,2026/5/20,S1,E1;E2\n")
    parts = {"directions": "fair_id,id,name,majors\nF1,D1,数控,4601\n".encode(),
             "sessions": ("fair_id,id,start,end,booths\n"
                          "F1,AM,2026/5/20 9:00,2026/5/20 12:00,50\n").encode(),
             "requests": "fair_id,enterprise_id,slots\nF1,E1,2\n".encode()}
    r = imp(client, "fair", fair, parts=parts)
    assert counts(r) == (1, 0, 0, 0), r
    f = client.call("fair.get", {"id": "F1"})
    assert f["directions"] == [{"id": "D1", "name": "数控", "majors": ["4601"]}]
    assert f["sessions"][0]["booths"] == 50 and f["requests"] == {"E1": 2}
    bad = dict(parts, sessions=("fair_id,id,start,end,booths\n"
                                "F1,AM,2026/5/20 9:00,2026/5/20 8:00,50\n")
               .encode())
    r = imp(client, "fair", fair, parts=bad)
    assert r["errors"][0]["file"] == "fair_sessions.csv"
    assert r["errors"][0]["row"] == 2


# ------------------------------------------------------------- roles

def test_roles_are_the_puts(daemon_factory, tmp_path):
    d = daemon_factory(args=["--tokens", str(tokens_file(tmp_path / "t"))])
    admin = login(d, "admin")
    base(admin)
    ent = login(d, "enterprise")           # owner E1
    r = imp(ent, "posting", "id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,6,4601\n")
    assert counts(r) == (0, 1, 0, 0) and r["errors"] == []
    before = dump(admin)
    r = imp(ent, "posting", "id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,7,4601\n"
            "P3,E2,电工,job,2,4601\n")     # E2's, unchanged: still refused
    assert [(e["row"], e.get("code")) for e in r["errors"]] == [(3, FORBIDDEN)]
    assert dump(admin) == before
    r = imp(ent, "school", SCHOOLS)          # not an enterprise's kind
    assert [(e["row"], e.get("code")) for e in r["errors"]] == [
        (2, FORBIDDEN), (3, FORBIDDEN)]
    r = imp(login(d, "reader"), "posting", POSTINGS, dry_run=True)
    assert [e.get("code") for e in r["errors"]] == [FORBIDDEN] * 3
    assert dump(admin) == before
    # sync as E1 deletes only what E1 may write, among E1's postings.
    r = imp(ent, "posting", "id,enterprise_id,title,kind,headcount,majors\n"
            "P1,E1,数控操作工,job,6,4601\n", sync=True)
    assert counts(r) == (0, 0, 1, 1)
    assert admin.call("posting.get", {"id": "P3"})["enterprise_id"] == "E2"


# ------------------------------------------------------- hostile params

@pytest.mark.parametrize("params,field", [
    ({"data": b"x"}, "kind"),
    ({"kind": "school"}, "data"),
    ({"kind": "schools!", "data": b"x"}, "kind"),
    ({"kind": 7, "data": b"x"}, "kind"),
    ({"kind": "school", "data": "id,name"}, "data"),
    ({"kind": "school", "data": b"x", "dry_run": 1}, "dry_run"),
    ({"kind": "school", "data": b"x", "allow_move": "yes"}, "allow_move"),
    ({"kind": "school", "data": b"x", "sync": []}, "sync"),
    ({"kind": "school", "data": b"x", "encoding": "big5"}, "encoding"),
    ({"kind": "school", "data": b"x", "bogus": 1}, "bogus"),
    ({"kind": "school", "data": b"x", "parts": {}}, "parts"),
    ({"kind": "fair", "data": b"x", "parts": {"rooms": b""}}, "parts[0]"),
    ({"kind": "fair", "data": b"x", "parts": {"sessions": "x"}},
     "parts.sessions"),
    ({"files": []}, "files"),
    ({"files": [{"kind": "school"}]}, "files[0].data"),
    ({"files": [{"kind": "school", "data": b"x"},
                {"kind": "schools", "data": b"x"}]}, "files[1].kind"),
    ({"files": [{"kind": "school", "data": b"x"}], "kind": "school"},
     "files"),
])
def test_hostile_params_are_refused_naming_the_field(client, params, field):
    expect_error(client, "import.csv", params, INVALID_PARAMS, field)
    assert client.call("system.ping") == "pong"


def test_rows_over_max_batch_are_1013(daemon_factory):
    d = daemon_factory(config="[server]\nmax_batch = 2\n")
    c = d.connect()
    three = (SCHOOLS + "S3,三校,higher,330702\n").encode()
    expect_error(c, "import.csv", {"kind": "school", "data": three}, 1013,
                 "data")
    assert counts(imp(c, "school", SCHOOLS)) == (2, 0, 0, 0)


# ------------------------------------------------------------------ CLI

def test_cli_import_prints_counts_and_dry_run(daemon, tmp_path):
    src = write_files(tmp_path / "in", {"schools.csv": SCHOOLS,
                                        "enterprises.csv": ENTERPRISES,
                                        "postings.csv": POSTINGS})
    p = ok(daemon, "import", src, "--dry-run")
    assert p.stdout.splitlines()[0] == (
        "checked 2 schools in %s/schools.csv: new 2, updated 0, unchanged 0, "
        "deleted 0 (dry run: nothing written)" % src)
    c = daemon.connect()
    assert c.call("system.info")["counts"]["schools"] == 0
    p = ok(daemon, "import", src)
    assert p.stdout.splitlines()[2] == (
        "imported 3 postings from %s/postings.csv: new 3, updated 0, "
        "unchanged 0, deleted 0" % src)
    (src / "postings.csv").write_text(POSTINGS.replace("P1,E1", "P1,E2"))
    p = fails(daemon, 1, "import", "posting", src / "postings.csv")
    assert "postings.csv row 2 column enterprise_id: posting P1 belongs" in p.stderr
    assert "nothing imported" in p.stderr
    p = ok(daemon, "import", "posting", src / "postings.csv", "--allow-move",
           "--sync")
    assert "new 0, updated 1, unchanged 2, deleted 0" in p.stdout


def test_cli_directory_with_a_bad_last_file_imports_nothing(daemon, tmp_path):
    src = write_files(tmp_path / "in", {
        "schools.csv": SCHOOLS, "enterprises.csv": ENTERPRISES,
        "postings.csv": POSTINGS,
        "students.csv": "id,specialty_id,grad_year\nST1,SP9,2026\n"})
    p = fails(daemon, 1, "import", src)
    assert "students.csv row 2 column specialty_id: specialty SP9 not found " \
        "(code 1004)" in p.stderr
    c = daemon.connect()
    assert all(v == 0 for v in c.call("system.info")["counts"].values())


def test_cli_fair_directory_imports_with_its_parts(daemon, tmp_path):
    src = write_files(tmp_path / "in", {
        "schools.csv": SCHOOLS, "enterprises.csv": ENTERPRISES,
        "fairs.csv": "id,name,date,school_ids,enterprise_ids\n"
                     "F1,五月双选会,2026/5/20,S1,E1\n",
        "fair_directions.csv": "fair_id,id,name,majors\nF1,D1,数控,4601\n",
        "fair_sessions.csv": "fair_id,id,start,end,booths\n"
                             "F1,AM,2026/5/20 9:00,2026/5/20 12:00,50\n"})
    ok(daemon, "import", src)
    f = daemon.connect().call("fair.get", {"id": "F1"})
    assert f["directions"][0]["id"] == "D1" and f["sessions"][0]["id"] == "AM"


def test_cli_export_xlsx_writes_a_workbook(daemon, tmp_path):
    c = daemon.connect()
    base(c)
    out = tmp_path / "p.xlsx"
    ok(daemon, "export", "posting", "--xlsx", out)
    assert out.read_bytes()[:2] == b"PK"
