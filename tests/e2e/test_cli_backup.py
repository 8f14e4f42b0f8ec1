"""`chanjiao backup` (admin.backup) and the restore steps of README.md
"Backups" and docs/protocol.md "admin.backup", carried out: back up, change
the store, stop the daemon, copy the backup over data.mdb, start a new
daemon on that data dir and find the store as it was at backup time.
Also: the default name, an existing name, `..`, a non-admin token, the
usage errors and exit codes.

The client binary is found next to $CHANJIAOD (the build directory).
"""
import datetime
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import CLI, RpcError, NOT_FOUND, fails, new_token, ok


FILES = {
    "schools.csv": (
        "id,name,level,region\n"
        "S1,金华技师学院,technician,330702\n"
        "S2,嘉兴职业技术学院,higher,330402\n"),
    "enterprises.csv": (
        "id,name,region,industry,chains,size\n"
        "E1,某机床厂,330784,C34,工业机床,500\n"),
    "postings.csv": (
        "id,enterprise_id,title,kind,headcount,majors\n"
        "P1,E1,数控操作工,job,5,4601;66\n"
        "P2,E1,装配钳工,job,3,66\n"),
}


@pytest.fixture(scope="module", autouse=True)
def _cli_binary():
    if not os.path.exists(CLI):
        pytest.fail("chanjiao client not found at %s (next to $CHANJIAOD)" % CLI)





def write_files(dirpath, files):
    dirpath.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (dirpath / name).write_text(text, encoding="utf-8")
    return dirpath


def backups(d):
    return Path(os.path.realpath(d.data)) / "backups"


def said(p, zh=True):
    """The path and size a successful text backup printed."""
    if zh:
        m = re.fullmatch(r"已备份\n文件  (/\S+)\n大小  (\d+\.\d\d) MB（(\d+) 字节）\n",
                         p.stdout)
    else:
        m = re.fullmatch(r"backup written\nfile  (/\S+)\nsize  (\d+\.\d\d) MB "
                         r"\((\d+) bytes\)\n", p.stdout)
    assert m, p.stdout
    path, mb, size = Path(m.group(1)), float(m.group(2)), int(m.group(3))
    assert path.is_absolute() and path.is_file()
    assert path.stat().st_size == size > 0
    assert abs(mb - size / 1048576) <= 0.0051
    return path, size


def get(c, kind, rid):
    try:
        return c.call(kind + ".get", {"id": rid})
    except RpcError as e:
        assert e.code == NOT_FOUND, e
        return None


# ------------------------------------------------------ backup, restore

def test_backup_then_restore_as_documented(daemon_factory, tmp_path):
    d = daemon_factory()
    ok(d, "import", write_files(tmp_path / "in", FILES))
    c = d.connect()
    at_backup = {(k, i): get(c, k, i) for k, i in (
        ("school", "S1"), ("school", "S2"), ("school", "S3"),
        ("enterprise", "E1"), ("posting", "P1"), ("posting", "P2"))}
    assert at_backup[("posting", "P2")] and at_backup[("school", "S3")] is None

    path, size = said(ok(d, "backup", "x.mdb"))
    assert path == backups(d) / "x.mdb"

    # English and JSON say the same of other copies
    path_en, _ = said(ok(d, "backup", "x-en.mdb", "--lang", "en"), zh=False)
    assert path_en == backups(d) / "x-en.mdb"
    r = json.loads(ok(d, "backup", "sub/x.mdb", "--json").stdout)
    assert set(r) == {"path", "bytes"}
    assert r["path"] == str(backups(d) / "sub" / "x.mdb")
    assert r["bytes"] == os.path.getsize(r["path"]) > 0

    # change the store after the backup: a deletion, an update, a new record
    ok(d, "del", "posting", "P2")
    changed = dict(FILES)
    changed["schools.csv"] = FILES["schools.csv"].replace(
        "金华技师学院", "金华技师学院（新校区）") + "S3,新学校,secondary,330702\n"
    ok(d, "import", write_files(tmp_path / "in2", {"schools.csv": changed["schools.csv"]}))
    assert get(c, "posting", "P2") is None
    assert get(c, "school", "S1")["name"] == "金华技师学院（新校区）"
    assert get(c, "school", "S3") is not None

    # 1. stop the daemon (SIGTERM)
    assert d.stop() == 0
    # 2. copy the backup over the data dir's data.mdb; lock.mdb stays
    data = Path(d.data)
    assert (data / "lock.mdb").exists()
    shutil.copyfile(path, data / "data.mdb")
    # 3. start a daemon on that data dir
    d2 = daemon_factory(data=data)
    # 4. admin.verify through the client
    v = json.loads(ok(d2, "check").stdout)
    assert v["ok"] is True and v["problems_total"] == 0, v
    c2 = d2.connect()
    for (k, i), rec in at_backup.items():
        assert get(c2, k, i) == rec, (k, i)
    # the restored store takes writes and backups again
    ok(d2, "del", "posting", "P2")
    said(ok(d2, "backup", "after-restore.mdb"))


def test_default_name_is_the_local_time(daemon):
    before = datetime.datetime.now().replace(microsecond=0)
    path, _ = said(ok(daemon, "backup"))
    after = datetime.datetime.now()
    assert path.parent == backups(daemon)
    m = re.fullmatch(r"chanjiao-(\d{8}-\d{6})\.mdb", path.name)
    assert m, path.name
    when = datetime.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
    assert before <= when <= after


def test_an_existing_name_is_refused_and_kept(daemon):
    path, size = said(ok(daemon, "backup", "x.mdb"))
    before = path.stat()
    daemon.connect().call("school.put", {"id": "S9", "name": "后来的学校",
                                         "level": "higher", "region": "330702"})
    p = fails(daemon, 1, "backup", "x.mdb")
    assert p.stdout == ""
    assert "admin.backup" in p.stderr and "(code 1009, field path)" in p.stderr
    assert "x.mdb" in p.stderr and "已有" in p.stderr and "请换一个名字" in p.stderr
    p = fails(daemon, 1, "backup", "x.mdb", "--lang", "en")
    assert "already exists" in p.stderr and "choose another name" in p.stderr
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ino)


def test_a_name_outside_backup_dir_is_refused(daemon):
    for name in ("../x", "../x.mdb", "a/../../x.mdb", "/tmp/x.mdb"):
        p = fails(daemon, 1, "backup", name)
        assert "(code -32602, field path)" in p.stderr, p.stderr
        assert "backup_dir" in p.stderr
    assert not (Path(daemon.data) / "x").exists()
    assert not (Path(daemon.data) / "x.mdb").exists()
    p = fails(daemon, 1, "backup", "../x", "--lang", "en")
    assert "without .." in p.stderr


def test_only_an_admin_token_may_back_up(daemon_factory, tmp_path):
    admin, aline = new_token("admin")
    reader, rline = new_token("reader")
    organizer, oline = new_token("organizer")
    tokens = tmp_path / "tokens"
    tokens.write_text("\n".join((aline, rline, oline)) + "\n")
    d = daemon_factory(args=["--tokens", str(tokens)])
    p = fails(d, 1, "backup", "none.mdb")
    assert "(code 1001)" in p.stderr and "--token" in p.stderr
    for tok in (reader, organizer):
        p = fails(d, 1, "--token", tok, "backup", "r.mdb")
        assert "(code 1003)" in p.stderr and "admin" in p.stderr
    assert not (backups(d) / "r.mdb").exists()
    path, _ = said(ok(d, "backup", "a.mdb", env={"CHANJIAO_TOKEN": admin}))
    assert path == backups(d) / "a.mdb"


def test_help_usage_and_exit_codes(daemon, tmp_path):
    for args in (("backup", "--help"), ("help", "backup")):
        p = ok(None, *args)
        assert p.stdout.startswith("usage: chanjiao backup [NAME]")
        assert "data.mdb" in p.stdout and "chanjiao check" in p.stdout
    assert "backup [NAME]" in ok(None, "--help").stdout
    p = fails(daemon, 2, "backup", "a.mdb", "b.mdb")
    assert "usage: chanjiao backup [NAME]" in p.stderr
    fails(daemon, 2, "backup", "")
    p = fails(daemon, 2, "backup", "a.mdb", "--csv")
    assert "backup does not take --csv" in p.stderr
    p = fails(daemon, 2, "backup", "a.mdb", "--json", "--lang", "en")
    assert "--lang" in p.stderr
    assert not backups(daemon).exists() or not any(backups(daemon).iterdir())
    # a daemon that cannot be reached
    s = __import__("socket").socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = fails(None, 3, "--host", "127.0.0.1:%d" % port, "backup", "a.mdb")
    assert "cannot connect" in p.stderr
