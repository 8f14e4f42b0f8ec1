"""Process lifecycle: restart persistence, kill -9, Unix socket, backup,
config file, slow and non-reading clients, connection limits."""
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import (BINARY, CONFLICT, INVALID_PARAMS, NOT_FOUND,
                      Client, ConnectionClosed, expect_error, put_all_samples,
                      request_bytes, school)


# ------------------------------------------------------------ persistence

def test_records_survive_sigterm_restart_and_exit_code_is_zero(daemon):
    c = daemon.connect()
    stored = put_all_samples(c)
    c.call("school.put", {"records": [school(id="S%03d" % i) for i in range(300)]})
    rc = daemon.stop()
    assert rc == 0, daemon.stderr_text()
    assert not any("Sanitizer" in l for l in daemon.stderr_lines), daemon.stderr_text()
    daemon.start()
    c = daemon.connect()
    for k, rec in stored.items():
        assert c.call(k + ".get", {"id": rec["id"]}) == rec
    assert c.call("school.get", {"id": "S299"}) == school(id="S299")
    counts = c.call("system.info")["counts"]
    assert counts["schools"] == 301 and counts["students"] == 1
    # deletes persist too
    c.call("student.del", {"id": "ST1"})
    daemon.restart()
    c = daemon.connect()
    expect_error(c, "student.get", {"id": "ST1"}, NOT_FOUND)
    # and the references still hold after restart
    expect_error(c, "school.del", {"id": "S1"}, CONFLICT)


def test_sigint_also_exits_zero(daemon):
    daemon.connect().call("school.put", school())
    assert daemon.stop(signal.SIGINT) == 0
    daemon.start()
    assert daemon.connect().call("school.get", {"id": "S1"}) == school()


def test_sigterm_with_open_idle_connections_exits_zero(daemon):
    cs = [daemon.connect() for _ in range(5)]
    for c in cs:
        c.call("system.ping")
    half = request_bytes(1, "school.put", school())
    cs[0].send_raw(half[:10])
    assert daemon.stop() == 0


def writer_until_killed(port, acked, prefix, stop):
    try:
        c = Client.tcp(port, 5)
        i = 0
        while not stop.is_set():
            rid = "%s-%06d" % (prefix, i)
            c.call("school.put", school(id=rid, name="n%d" % i))
            acked.append(rid)
            i += 1
    except (ConnectionClosed, OSError, TimeoutError, AssertionError):
        pass


def test_acknowledged_writes_survive_kill_9_three_times(daemon):
    all_acked = []
    for r in range(3):
        acked = []
        stop = threading.Event()
        t = threading.Thread(target=writer_until_killed,
                             args=(daemon.port, acked, "R%d" % r, stop))
        t.start()
        time.sleep(0.5)
        daemon.kill9()
        stop.set()
        t.join(10)
        assert acked, "no write acknowledged in 0.5 s"
        all_acked += acked
        daemon.start()
        with Client.tcp(daemon.port) as c:
            for rid in all_acked:
                got = c.call("school.get", {"id": rid})
                assert got["id"] == rid
            assert c.call("system.info")["counts"]["schools"] >= len(all_acked)


def test_kill_9_during_batches_keeps_batches_whole(daemon):
    acked = []
    done = threading.Event()

    def run():
        try:
            c = Client.tcp(daemon.port, 5)
            i = 0
            while True:
                c.call("school.put", {"records": [school(id="B%04d-%03d" % (i, j))
                                                  for j in range(50)]})
                acked.append(i)
                i += 1
        except Exception:
            pass
        done.set()

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.5)
    daemon.kill9()
    t.join(10)
    daemon.start()
    c = daemon.connect()
    n = c.call("system.info")["counts"]["schools"]
    assert n % 50 == 0, "a batch was half-written: %d schools" % n
    assert n >= 50 * len(acked)
    for i in acked:
        c.call("school.get", {"id": "B%04d-000" % i})
        c.call("school.get", {"id": "B%04d-049" % i})


# ------------------------------------------------------------ Unix socket

def test_unix_socket_serves_the_same_protocol(daemon_factory, tmp_path):
    path = tmp_path / "cj.sock"
    d = daemon_factory(unix=path)
    assert path.exists()
    u = d.connect_unix()
    assert u.call("system.ping") == "pong"
    assert u.call("school.put", school()) == {"written": 1}
    t = d.connect()
    assert t.call("school.get", {"id": "S1"}) == school()
    t.call("school.put", school(id="S2"))
    assert u.call("school.get", {"id": "S2"}) == school(id="S2")
    ids, resps = u.pipeline([("system.ping", None)] * 50)
    assert sorted(r[1] for r in resps) == sorted(ids)
    expect_error(u, "no.such", None, -32601)
    u.send_raw(b"\xc1")
    r = u.recv_response()
    assert r[1] is None and r[2]["code"] == -32700
    assert u.expect_closed()
    assert d.stop() == 0


def test_unix_socket_path_from_config_file(daemon_factory, tmp_path):
    path = tmp_path / "conf.sock"
    d = daemon_factory(config="[server]\nunix = %s\n" % path)
    with Client.unix(path) as u:
        assert u.call("system.ping") == "pong"


# ------------------------------------------------------------ backup

def test_admin_backup_makes_a_copy_a_new_daemon_can_serve(daemon_factory, tmp_path):
    d = daemon_factory()
    c = d.connect()
    stored = put_all_samples(c)
    c.call("school.put", {"records": [school(id="S%03d" % i) for i in range(200)]})
    r = c.call("admin.backup", {"path": "backup.mdb"})
    dest = Path(os.path.realpath(d.data)) / "backups" / "backup.mdb"
    assert r == {"path": str(dest), "bytes": dest.stat().st_size}
    assert r["bytes"] > 0
    # the live daemon keeps serving and writing
    c.call("school.put", school(id="AFTER"))
    newdata = tmp_path / "restored"
    newdata.mkdir()
    shutil.copy(dest, newdata / "data.mdb")
    d2 = daemon_factory(data=newdata)
    c2 = d2.connect()
    for k, rec in stored.items():
        assert c2.call(k + ".get", {"id": rec["id"]}) == rec
    assert c2.call("school.get", {"id": "S199"}) == school(id="S199")
    assert c2.call("system.info")["counts"]["schools"] == 201
    expect_error(c2, "school.get", {"id": "AFTER"}, NOT_FOUND)
    # indexes came along: filters and conflicts still work
    assert [x["id"] for x in c2.call("specialty.list",
                                     {"filter": {"school_id": "S1"}})["items"]] == ["SP1"]
    expect_error(c2, "school.del", {"id": "S1"}, CONFLICT)


def test_admin_backup_path_outside_backup_dir_is_invalid_params(client, tmp_path):
    expect_error(client, "admin.backup", {"path": str(tmp_path / "b.mdb")},
                 INVALID_PARAMS, "path")
    expect_error(client, "admin.backup", {"path": "../b.mdb"}, INVALID_PARAMS, "path")
    expect_error(client, "admin.backup", {}, INVALID_PARAMS, "path")
    expect_error(client, "admin.backup", {"path": 5}, INVALID_PARAMS, "path")


def test_admin_backup_onto_existing_file_is_conflict_and_leaves_it(daemon_factory):
    d = daemon_factory()
    client = d.connect()
    (d.data / "backups").mkdir()
    f = d.data / "backups" / "exists.mdb"
    f.write_bytes(b"keep me")
    expect_error(client, "admin.backup", {"path": "exists.mdb"}, CONFLICT)
    assert f.read_bytes() == b"keep me"
    assert client.call("system.ping") == "pong"


# ------------------------------------------------------------ config

def run_check(tmp_path, text):
    p = tmp_path / "check.conf"
    p.write_text(text)
    return subprocess.run([BINARY, "-c", str(p), "--check-config"], capture_output=True,
                          timeout=20, stdin=subprocess.DEVNULL)


GOOD_CONFIG = """\
# a full config
[server]
listen = 127.0.0.1:7411
data = /tmp/cj-check-data
log_level = info
allow_public = no
max_frame = 1048576
max_depth = 16
max_batch = 100
max_k = 500
max_limit = 200
max_connections = 100
idle_timeout_s = 60
max_reply_queue = 1048576

[match]
major = 0.4
skills = 0.15
region = 0.15
level = 0.1
capacity = 0.1
chain = 0.1
"""


def test_check_config_accepts_a_good_file(tmp_path):
    r = run_check(tmp_path, GOOD_CONFIG)
    assert r.returncode == 0, r.stderr.decode(errors="replace")


@pytest.mark.parametrize("text,name", [
    ("[server]\nbogus_key = 1\n", "bogus_key"),
    ("[server]\nmax_frame = 65536\n[nosuch_section]\nx = 1\n", "nosuch_section"),
    ("[match]\nmajorr = 0.4\n", "majorr"),
    ("[server]\nlisten = 127.0.0.1:7411\nmax_fram = 5\n", "max_fram"),
], ids=["server_key", "section", "match_key", "typo_after_good_key"])
def test_check_config_names_the_bad_key_and_fails(tmp_path, text, name):
    r = run_check(tmp_path, text)
    assert r.returncode != 0
    assert name in r.stderr.decode(errors="replace"), r.stderr


@pytest.mark.parametrize("text,name", [
    ("[server]\nmax_frame = lots\n", "max_frame"),
    ("[server]\nmax_batch = -5\n", "max_batch"),
    ("[server]\nlog_level = chatty\n", "log_level"),
], ids=["non_numeric", "negative", "bad_enum"])
def test_check_config_rejects_bad_values_naming_the_key(tmp_path, text, name):
    r = run_check(tmp_path, text)
    assert r.returncode != 0
    assert name in r.stderr.decode(errors="replace"), r.stderr


def test_daemon_refuses_to_start_with_a_bad_config_key(tmp_path):
    p = tmp_path / "bad.conf"
    p.write_text("[server]\nwhatever = 1\n")
    r = subprocess.run([BINARY, "-c", str(p), "--listen", "127.0.0.1:0", "--data",
                        str(tmp_path / "data")], capture_output=True, timeout=20,
                       stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    assert b"whatever" in r.stderr


def test_listen_flag_overrides_config_file(daemon_factory):
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    taken = blocker.getsockname()[1]
    try:
        d = daemon_factory(config="[server]\nlisten = 127.0.0.1:%d\n" % taken)
        assert d.port != taken
        assert d.ping() == "pong"
    finally:
        blocker.close()


def test_listen_from_config_file_is_used_without_flag(daemon_factory):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    d = daemon_factory(config="[server]\nlisten = 127.0.0.1:%d\n" % port, listen=None)
    assert d.port == port
    assert d.ping() == "pong"


def test_data_dir_from_config_and_flag_override(daemon_factory, tmp_path):
    a = tmp_path / "from_conf"
    b = tmp_path / "from_flag"
    a.mkdir()
    b.mkdir()
    d = daemon_factory(config="[server]\ndata = %s\n" % a, use_data_flag=False)
    d.connect().call("school.put", school(id="CONF"))
    assert d.stop() == 0
    d2 = daemon_factory(config="[server]\ndata = %s\n" % a, data=b)
    c = d2.connect()
    expect_error(c, "school.get", {"id": "CONF"}, NOT_FOUND)
    c.call("school.put", school(id="FLAG"))
    assert d2.stop() == 0
    d3 = daemon_factory(config="[server]\ndata = %s\n" % a, use_data_flag=False)
    c = d3.connect()
    assert c.call("school.get", {"id": "CONF"}) == school(id="CONF")
    expect_error(c, "school.get", {"id": "FLAG"}, NOT_FOUND)


def test_protected_mode_refuses_public_listen_without_tokens(tmp_path):
    r = subprocess.run([BINARY, "--listen", "0.0.0.0:0", "--data", str(tmp_path / "d")],
                       capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    assert b"listening on" not in r.stderr


def test_allow_public_yes_permits_public_listen(daemon_factory):
    d = daemon_factory(config="[server]\nallow_public = yes\n", listen="0.0.0.0:0",
                       start=False)
    d.ready_re = re.compile(r"chanjiaod: listening on [0-9.]+:(\d+)")
    d.start()
    assert d.ping() == "pong"


# ------------------------------------------------------------ slow clients

def test_stalled_half_frame_does_not_block_other_connections(daemon):
    slow = daemon.connect()
    frame = request_bytes(1, "school.put", school())
    slow.send_raw(frame[: len(frame) // 2])
    fast = daemon.connect()
    t0 = time.monotonic()
    assert fast.call("system.ping", timeout=2) == "pong"
    assert time.monotonic() - t0 < 1.0
    assert fast.call("school.put", school(id="S2")) == {"written": 1}
    # the slow one can still complete its frame
    slow.send_raw(frame[len(frame) // 2:])
    assert slow.recv_response() == [1, 1, None, {"written": 1}]


def test_client_that_never_reads_does_not_blow_up_memory(daemon_factory):
    d = daemon_factory(config="[server]\nmax_reply_queue = 1048576\n")
    c = d.connect()
    c.call("school.put", {"records": [school(id="S%04d" % i, name="n" * 200)
                                      for i in range(1000)]})
    rss0 = d.rss_kb()
    hog = socket.create_connection(("127.0.0.1", d.port), timeout=5)
    hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    req = request_bytes(1, "school.list", {"limit": 1000})   # ~250 KB reply each
    sent = [0]
    stop = threading.Event()

    def flood():
        try:
            while not stop.is_set() and sent[0] < 3000:
                hog.sendall(req * 10)
                sent[0] += 10
        except OSError:
            pass

    t = threading.Thread(target=flood, daemon=True)
    t.start()
    time.sleep(2.0)
    # others are still served promptly
    other = d.connect()
    for _ in range(5):
        t0 = time.monotonic()
        assert other.call("system.ping", timeout=5) == "pong"
        assert time.monotonic() - t0 < 1.0
    assert other.call("school.get", {"id": "S0999"})["id"] == "S0999"
    rss1 = d.rss_kb()
    stop.set()
    assert d.alive()
    # 3000 unread list replies would be ~750 MB; the queue is capped at 1 MiB
    assert rss1 - rss0 < 200 * 1024, "RSS grew from %d kB to %d kB" % (rss0, rss1)
    assert other.call("system.stats")["limits"].get("max_reply_queue", 0) >= 1
    hog.close()
    t.join(10)
    assert other.call("system.ping") == "pong"


def test_connection_limit_refuses_and_counts(daemon_factory):
    d = daemon_factory(config="[server]\nmax_connections = 2\n")
    a = d.connect()
    b = d.connect()
    assert a.call("system.ping") == "pong"
    assert b.call("system.ping") == "pong"
    c = d.connect()
    try:
        c.send_raw(request_bytes(1, "system.ping"))
    except OSError:
        pass
    with pytest.raises((ConnectionClosed, )):
        c.recv_msg(timeout=5)
    st = a.call("system.stats")
    assert st["connections"]["refused"] >= 1
    assert st["limits"].get("max_connections", 0) >= 1
    b.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            with Client.tcp(d.port, 2) as e:
                assert e.call("system.ping") == "pong"
            break
        except (ConnectionClosed, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def sleep_until_frac(fracs):
    """Sleep until the wall clock's fractional second is one of fracs."""
    now = time.time()
    frac = now % 1.0
    waits = [(f - frac) % 1.0 or 1.0 for f in fracs]
    time.sleep(min(waits))


def test_idle_connection_is_closed_after_idle_timeout(daemon_factory):
    d = daemon_factory(config="[server]\nidle_timeout_s = 1\n")
    idle = d.connect()
    idle.call("system.ping")
    t0 = time.monotonic()
    assert idle.expect_closed(timeout=4)
    waited = time.monotonic() - t0
    assert waited >= 0.9, "idle connection closed after only %.2f s" % waited
    # The close reveals when the daemon's idle check runs (phase within the
    # second).  Now keep a connection busy: never idle for 1 s, but with its
    # last activity before a wall-clock second boundary and the check just
    # after it.  A daemon measuring idleness in whole seconds of time()
    # would close it; a correct one must not.
    phase = time.time() % 1.0
    busy = d.connect()
    busy.call("system.ping")
    fracs = [0.99] if phase >= 0.93 else [0.99, phase + 0.05]
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3.5:
        sleep_until_frac(fracs)
        assert busy.call("system.ping") == "pong"
    assert busy.call("system.ping") == "pong"


def test_a_paused_connection_resumes_when_its_replies_go_at_once(daemon_factory):
    """Reading stops when the reply queue passes max_reply_queue; if the
    socket then takes the whole queue in one send (a reading client), no
    write event ever fires, and reading must resume all the same."""
    d = daemon_factory(config="[server]\nmax_reply_queue = 4096\n")
    c = d.connect()
    put_all_samples(c)
    for burst in (20, 50):
        c.send_raw(b"".join(request_bytes(i, "system.stats")
                            for i in range(burst)))
        got = sorted(c.recv_response(timeout=5)[1] for _ in range(burst))
        assert got == list(range(burst))
    assert c.call("system.stats")["limits"].get("max_reply_queue", 0) >= 1
