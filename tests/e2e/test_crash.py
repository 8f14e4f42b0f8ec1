"""Crash safety: SIGKILL at random moments during mixed batch writes, and a
hot backup taken while writes go on (issue: trust / crash-safe store)."""
import random
import shutil
import threading
import time

from conftest import (NOT_FOUND, ConnectionClosed, RpcError, school,
                      specialty, student, enterprise, posting)

KILLS = 20


def batch_ops(n):
    """The writes of step n: (method, params, [(kind, id, record)...])."""
    s = "S%04d" % n
    sch = [school(id=s, name="校%d" % n)]
    sps = [specialty(id="SP%04d-%d" % (n, j), school_id=s,
                     name="专业%d" % j, cohorts={"2026": n % 50 + j})
           for j in range(8)]
    sts = [student(id="ST%04d-%d" % (n, j), specialty_id=sps[j % 8]["id"],
                   grad_year=2026, grade=j, prefs=[]) for j in range(12)]
    ent = [enterprise(id="E%04d" % n, name="厂%d" % n)]
    pos = [posting(id="P%04d-%d" % (n, j), enterprise_id="E%04d" % n,
                   headcount=j) for j in range(6)]
    ops = []
    for kind, recs in (("school", sch), ("specialty", sps), ("student", sts),
                       ("enterprise", ent), ("posting", pos)):
        ops.append((kind + ".put", {"records": recs},
                    [(kind, r["id"], r) for r in recs]))
    return ops


def present(c, kind, rid):
    try:
        return c.call(kind + ".get", {"id": rid})
    except RpcError as e:
        assert e.code == NOT_FOUND, e
        return None


def check_state(c, acked, inflight):
    """Every acknowledged write is there as written; an unacknowledged batch
    is all there or not at all; the indexes agree with the records."""
    live = {}
    for op, items in acked:
        for kind, rid, rec in items:
            live[(kind, rid)] = rec if op == "put" else None
    for (kind, rid), rec in live.items():
        assert present(c, kind, rid) == rec, (kind, rid)
    if inflight:
        op, items = inflight
        got = [present(c, kind, rid) for kind, rid, _ in items]
        if op == "put":
            applied = [g == rec for g, (_, _, rec) in zip(got, items)]
        else:
            applied = [g is None for g in got]
        assert all(applied) or not any(applied), "half-applied batch %r" % (items,)
    v = c.call("admin.verify")
    assert v["ok"] is True, v


def test_kill9_loop_loses_no_acknowledged_write(daemon):
    rng = random.Random(7411)
    acked = []          # ("put"|"del", [(kind, id, rec)])
    step = 0
    total_acked = 0
    whole = set()       # steps whose every batch was acknowledged
    for kill in range(KILLS):
        c = daemon.connect()
        stop = time.monotonic() + rng.uniform(0.05, 0.4)
        inflight = None
        try:
            while time.monotonic() < stop:
                for method, params, items in batch_ops(step):
                    inflight = ("put", items)
                    c.call(method, params)
                    acked.append(inflight)
                    total_acked += len(items)
                    inflight = None
                whole.add(step)
                if step - 3 in whole and step % 3 == 0:
                    rid = "ST%04d-0" % (step - 3)
                    inflight = ("del", [("student", rid, None)])
                    c.call("student.del", {"id": rid})
                    acked.append(inflight)
                    inflight = None
                step += 1
            # kill with a request on the wire, answered or not
            method, params, items = batch_ops(step)[0]
            inflight = ("put", items)
            c.send_request(method, params)
            step += 1
        except (ConnectionClosed, OSError):
            pass
        daemon.kill9()
        daemon.start()
        check_state(daemon.connect(), acked, inflight)
    assert total_acked > 500, total_acked
    print("kills=%d acknowledged_records=%d steps=%d lost=0" % (KILLS, total_acked, step))


def test_backup_while_writing_restores_a_consistent_snapshot(daemon, daemon_factory,
                                                              tmp_path):
    c = daemon.connect()
    acked = []
    done = threading.Event()
    errors = []

    def writer():
        w = daemon.connect()
        n = 0
        try:
            while not done.is_set() and n < 400:
                for method, params, items in batch_ops(n):
                    w.call(method, params)
                    acked.append((time.monotonic(), items))
                n += 1
        except Exception as e:        # reported below
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    time.sleep(0.3)
    started = time.monotonic()
    r = c.call("admin.backup", {"path": "backup.mdb"}, timeout=60)
    path = tmp_path / "backup.mdb"
    assert r["path"].endswith("/backups/backup.mdb")
    shutil.move(r["path"], path)
    done.set()
    t.join(60)
    assert not errors, errors
    assert r["bytes"] == path.stat().st_size > 0
    before = [items for ts, items in acked if ts < started]
    assert before, "writer made no progress before the backup"

    # restore: a fresh data dir holding the copy as data.mdb
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(path, restored / "data.mdb")
    d2 = daemon_factory(data=restored)
    r2 = d2.connect()
    assert r2.call("admin.verify")["ok"] is True
    for items in before:
        for kind, rid, rec in items:
            assert present(r2, kind, rid) == rec
    for ts, items in acked:
        got = [present(r2, kind, rid) == rec for kind, rid, rec in items]
        assert all(got) or not any(got), "backup holds half a batch"
    # the copy refuses to overwrite, and to leave backup_dir
    from conftest import CONFLICT, INVALID_PARAMS, expect_error
    c.call("admin.backup", {"path": "again.mdb"}, timeout=60)
    expect_error(c, "admin.backup", {"path": "again.mdb"}, CONFLICT, "path")
    expect_error(c, "admin.backup", {"path": str(path)}, INVALID_PARAMS, "path")
