"""Tokens, roles and protected mode (docs/protocol.md "Roles and
authentication")."""
import hashlib
import re
import signal
import subprocess
import time

import pytest

from conftest import (FORBIDDEN, UNAUTHENTICATED, INVALID_PARAMS, BINARY,
                      enterprise, fair, posting, program, school, specialty,
                      student, expect_error)

TOKENS = {
    "admin": ("tok-admin-0123456789", "admin", "-"),
    "organizer": ("tok-organizer-abcdef", "organizer", "-"),
    "school": ("tok-school-S1-xyz", "school", "S1"),
    "enterprise": ("tok-enterprise-E1-q", "enterprise", "E1"),
    "reader": ("tok-reader-000000000", "reader", "-"),
}


def tokens_file(path, names=TOKENS):
    lines = ["# chanjiao tokens: SHA256HEX ROLE OWNER", ""]
    for tok, role, owner in (TOKENS[n] for n in names):
        lines.append("%s %s %s" % (hashlib.sha256(tok.encode()).hexdigest(),
                                   role, owner))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def authd(daemon_factory, tmp_path):
    tf = tokens_file(tmp_path / "tokens")
    d = daemon_factory(args=["--tokens", str(tf)])
    d.tokens_path = tf
    admin = login(d, "admin")
    # S1, S2 with a specialty each; E1, E2 with a posting and a program each.
    for rec in (school(), school(id="S2", name="二校")):
        admin.call("school.put", rec)
    for rec in (enterprise(), enterprise(id="E2", name="二厂")):
        admin.call("enterprise.put", rec)
    admin.call("specialty.put", specialty())
    admin.call("specialty.put", specialty(id="SP2", school_id="S2"))
    admin.call("posting.put", posting())
    admin.call("posting.put", posting(id="P2", enterprise_id="E2"))
    admin.call("program.put", program())
    admin.call("program.put", program(id="G2", enterprise_id="E2"))
    admin.call("student.put", student())
    admin.call("student.put", student(id="ST2", specialty_id="SP2", prefs=[]))
    admin.call("fair.put", fair())
    return d


def login(d, name):
    c = d.connect()
    r = c.call("auth.login", {"token": TOKENS[name][0]})
    owner = TOKENS[name][2]
    assert r == {"role": TOKENS[name][1], "owner": None if owner == "-" else owner}
    return c


def test_only_ping_and_login_before_login(authd):
    c = authd.connect()
    assert c.call("system.ping") == "pong"
    for method, params in (("system.info", {}), ("school.get", {"id": "S1"}),
                           ("school.list", {}), ("system.stats", {}),
                           ("school.put", school(id="S9")),
                           ("admin.verify", {})):
        expect_error(c, method, params, UNAUTHENTICATED)
    expect_error(c, "auth.login", {"token": "wrong"}, UNAUTHENTICATED, "token")
    expect_error(c, "auth.login", {}, INVALID_PARAMS, "token")
    expect_error(c, "auth.login", {"token": 5}, INVALID_PARAMS, "token")
    expect_error(c, "system.info", {}, UNAUTHENTICATED)
    assert c.call("auth.login", {"token": TOKENS["reader"][0]})["role"] == "reader"
    assert c.call("system.info")["counts"]["schools"] == 2


def test_tokens_never_logged(authd):
    login(authd, "enterprise")
    c = authd.connect()
    expect_error(c, "auth.login", {"token": "not-a-real-token-zzz"}, UNAUTHENTICATED)
    text = authd.stderr_text()
    for tok, _, _ in TOKENS.values():
        assert tok not in text
    assert "not-a-real-token-zzz" not in text


# (role, method, record, allowed)
CASES = [
    ("admin", "school.put", school(name="改名"), True),
    ("admin", "fair.put", fair(name="改名"), True),
    ("organizer", "fair.put", fair(name="改名"), True),
    ("organizer", "school.put", school(name="改名"), False),
    ("organizer", "posting.put", posting(title="改"), False),
    ("school", "school.put", school(name="改名"), True),
    ("school", "school.put", school(id="S2", name="改名"), False),
    ("school", "specialty.put", specialty(name="改"), True),
    ("school", "specialty.put", specialty(id="SP2", school_id="S2"), False),
    ("school", "specialty.put", specialty(id="SP9", school_id="S2"), False),
    ("school", "student.put", student(grade=90), True),
    ("school", "student.put", student(id="ST2", specialty_id="SP2", prefs=[]), False),
    ("school", "enterprise.put", enterprise(name="改"), False),
    ("school", "posting.put", posting(title="改"), False),
    ("school", "fair.put", fair(name="改"), False),
    ("school", "program.put", program(title="改"), False),
    ("enterprise", "enterprise.put", enterprise(name="改"), True),
    ("enterprise", "enterprise.put", enterprise(id="E2", name="改"), False),
    ("enterprise", "posting.put", posting(title="改"), True),
    ("enterprise", "posting.put", posting(id="P9", enterprise_id="E2"), False),
    ("enterprise", "program.put", program(title="改"), True),
    ("enterprise", "program.put", program(id="G2", enterprise_id="E2"), False),
    ("enterprise", "school.put", school(name="改"), False),
    ("enterprise", "specialty.put", specialty(name="改"), False),
    ("enterprise", "student.put", student(grade=1), False),
    ("enterprise", "fair.put", fair(name="改"), False),
    ("reader", "school.put", school(name="改"), False),
    ("reader", "posting.put", posting(title="改"), False),
    ("reader", "fair.put", fair(name="改"), False),
]


@pytest.mark.parametrize("role,method,rec,allowed", CASES,
                         ids=["%s-%s-%s" % (c[0], c[1], c[2]["id"]) for c in CASES])
def test_role_may_write(authd, role, method, rec, allowed):
    c = login(authd, role)
    kind = method.split(".")[0]
    if allowed:
        assert c.call(method, rec) == {"written": 1}
        assert c.call(kind + ".get", {"id": rec["id"]}) == rec
    else:
        before = c.call("system.info")["counts"]
        expect_error(c, method, rec, FORBIDDEN)
        assert c.call("system.info")["counts"] == before


# (role, kind, id, allowed): deletes of records nothing else names
DELETES = [
    ("enterprise", "posting", "P1", True),
    ("enterprise", "posting", "P2", False),
    ("enterprise", "program", "G2", False),
    ("school", "student", "ST1", True),
    ("school", "student", "ST2", False),
    ("school", "posting", "P1", False),
    ("organizer", "fair", "F1", True),
    ("organizer", "posting", "P1", False),
    ("reader", "posting", "P1", False),
    ("admin", "posting", "P2", True),
]


@pytest.mark.parametrize("role,kind,rid,allowed", DELETES,
                         ids=["%s-%s-%s" % d[:3] for d in DELETES])
def test_role_may_delete(authd, role, kind, rid, allowed):
    c = login(authd, role)
    if allowed:
        assert c.call(kind + ".del", {"id": rid}) == {"deleted": 1}
    else:
        expect_error(c, kind + ".del", {"id": rid}, FORBIDDEN)
        assert c.call(kind + ".get", {"id": rid})["id"] == rid


def test_no_takeover_by_changing_owner(authd):
    c = login(authd, "enterprise")
    # another's posting, relabelled as ours
    expect_error(c, "posting.put", posting(id="P2", enterprise_id="E1"), FORBIDDEN)
    assert c.call("posting.get", {"id": "P2"})["enterprise_id"] == "E2"
    # our posting, given away
    expect_error(c, "posting.put", posting(id="P1", enterprise_id="E2"), FORBIDDEN)
    assert c.call("posting.get", {"id": "P1"})["enterprise_id"] == "E1"
    s = login(authd, "school")
    expect_error(s, "specialty.put", specialty(id="SP2", school_id="S1"), FORBIDDEN)
    expect_error(s, "student.put", student(id="ST2", specialty_id="SP1"), FORBIDDEN)


def test_batch_with_one_forbidden_record_is_refused_whole(authd):
    c = login(authd, "enterprise")
    recs = [posting(id="P1", title="新标题"), posting(id="P7"),
            posting(id="P8", enterprise_id="E2")]
    err = expect_error(c, "posting.put", {"records": recs}, FORBIDDEN)
    assert err.field == "records[2]"
    assert c.call("posting.get", {"id": "P1"})["title"] == posting()["title"]
    for rid in ("P7", "P8"):
        expect_error(c, "posting.get", {"id": rid}, 1004)


def test_backup_and_verify_are_admin_only(authd, tmp_path):
    for role in ("organizer", "school", "enterprise", "reader"):
        c = login(authd, role)
        expect_error(c, "admin.backup", {"path": str(tmp_path / role)}, FORBIDDEN)
        expect_error(c, "admin.verify", {}, FORBIDDEN)
        assert not (tmp_path / role).exists()
    a = login(authd, "admin")
    assert a.call("admin.verify")["ok"] is True


def test_sighup_rereads_tokens(authd):
    ent = login(authd, "enterprise")
    rd = login(authd, "reader")
    # drop the enterprise token, keep the reader
    tokens_file(authd.tokens_path, names=["admin", "reader"])
    authd.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while "SIGHUP: loaded 2 tokens" not in authd.stderr_text():
        assert time.time() < deadline, authd.stderr_text()
        time.sleep(0.05)
    expect_error(ent, "posting.get", {"id": "P1"}, UNAUTHENTICATED)
    expect_error(ent, "auth.login", {"token": TOKENS["enterprise"][0]}, UNAUTHENTICATED)
    assert rd.call("posting.get", {"id": "P1"})["id"] == "P1"
    # a broken file keeps the tokens loaded before
    authd.tokens_path.write_text("nonsense line\n")
    authd.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while "keeping the 2 tokens" not in authd.stderr_text():
        assert time.time() < deadline, authd.stderr_text()
        time.sleep(0.05)
    assert rd.call("system.ping") == "pong"
    assert login(authd, "admin").call("system.info")["counts"]["postings"] == 2


@pytest.mark.parametrize("line,why", [
    ("abc admin -", "64 lower-case hex"),
    ("%s boss -" % ("a" * 64), "role 'boss'"),
    ("%s school -" % ("a" * 64), "needs the school id"),
    ("%s admin S1" % ("a" * 64), "owner must be -"),
    ("%s admin" % ("a" * 64), "SHA256HEX ROLE OWNER"),
])
def test_bad_tokens_file_refuses_to_start(tmp_path, line, why):
    tf = tmp_path / "tokens"
    tf.write_text("# ok\n" + line + "\n")
    p = subprocess.run([BINARY, "--listen", "127.0.0.1:0", "--data",
                        str(tmp_path / "d"), "--tokens", str(tf)],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode != 0
    assert why in p.stderr and ":2:" in p.stderr, p.stderr


def test_protected_mode_refuses_public_listen(tmp_path):
    p = subprocess.run([BINARY, "--listen", "0.0.0.0:0", "--data",
                        str(tmp_path / "d")], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode != 0
    assert "protected mode" in p.stderr and "allow_public" in p.stderr


def public_daemon(daemon_factory, **kw):
    d = daemon_factory(start=False, listen="0.0.0.0:0", **kw)
    d.ready_re = re.compile(r"chanjiaod: listening on 0\.0\.0\.0:(\d+)")
    return d.start()


def test_allow_public_serves_any_address(daemon_factory):
    d = public_daemon(daemon_factory, config="[server]\nallow_public = yes\n")
    assert d.ping() == "pong"
    assert "anyone who can reach" in d.stderr_text()


def test_public_listen_with_tokens_needs_login(daemon_factory, tmp_path):
    tf = tokens_file(tmp_path / "tokens")
    d = public_daemon(daemon_factory, args=["--tokens", str(tf)])
    c = d.connect()
    expect_error(c, "system.info", {}, UNAUTHENTICATED)
    assert login(d, "reader").call("system.info")["counts"]["schools"] == 0


def test_loopback_without_tokens_is_admin_and_says_so(daemon):
    c = daemon.connect()
    assert c.call("auth.login", {"token": "anything"}) == {"role": "admin", "owner": None}
    assert "protected mode" in daemon.stderr_text()
