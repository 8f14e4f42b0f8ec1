"""Planner calls on worker threads: replies matched by msgid, 1029 when the
job queue is full, the loop keeps serving, clean shutdown with jobs about."""
import msgpack

from conftest import BUSY, put_all_samples, request_bytes


def test_job_replies_carry_their_msgids_among_inline_replies(daemon):
    c = daemon.connect()
    put_all_samples(c)
    reqs = b"".join(request_bytes(100 + i, "stats.balance" if i % 2 else "system.ping",
                                  {"by": "major_group"} if i % 2 else None)
                    for i in range(40))
    c.send_raw(reqs)
    got = {}
    for _ in range(40):
        r = c.recv_response()
        got[r[1]] = r
    assert sorted(got) == list(range(100, 140))
    for i in range(40):
        r = got[100 + i]
        assert r[2] is None, r
        if i % 2:
            assert "rows" in r[3]
        else:
            assert r[3] == "pong"


def test_full_job_queue_answers_busy_and_recovers(daemon_factory):
    d = daemon_factory(config="[server]\nworkers = 1\nmax_jobs = 1\n")
    c = d.connect()
    put_all_samples(c)
    n = 20
    c.send_raw(b"".join(request_bytes(i, "stats.balance", {"by": "major"})
                        for i in range(n)))
    codes = []
    for _ in range(n):
        r = c.recv_response()
        codes.append(r[2]["code"] if r[2] else 0)
    # one read pass holds all 20 frames and the loop frees a slot only
    # between passes, so most are refused; none is lost
    assert codes.count(BUSY) >= 1 and codes.count(0) >= 1, codes
    assert c.call("stats.balance", {"by": "major"})["rows"]


def test_notification_of_a_job_method_gets_no_reply(daemon):
    c = daemon.connect()
    c.send_raw(msgpack.packb([2, "stats.balance", [{"by": "major"}]]))
    assert c.call("system.ping") == "pong"
    c.send_raw(request_bytes(7, "system.ping"))
    assert c.recv_response()[1] == 7


def test_sigterm_with_jobs_queued_exits_cleanly(daemon_factory):
    d = daemon_factory(config="[server]\nworkers = 1\n")
    c = d.connect()
    put_all_samples(c)
    c.send_raw(b"".join(request_bytes(i, "stats.balance", {"by": "industry"})
                        for i in range(50)))
    assert d.stop() == 0


def test_pipelined_writes_commit_together_yet_fail_alone(client):
    """One read pass of writes shares one commit; a refused batch in the
    middle changes nothing and the reads after them see the rest."""
    from conftest import school, specialty
    reqs = [
        ("school.put", school(id="S1")),
        ("specialty.put", {"records": [specialty(id="X1", school_id="S1"),
                                       specialty(id="X2", school_id="NOPE")]}),
        ("school.put", {"records": [school(id="S2"), school(id="S3")]}),
        ("school.del", {"id": "S3"}),
        ("school.get", {"id": "S2"}),
        ("school.list", {}),
        ("specialty.list", {}),
    ]
    client.send_raw(b"".join(request_bytes(i + 1, m, p) for i, (m, p) in enumerate(reqs)))
    got = {}
    for _ in reqs:
        r = client.recv_response()
        got[r[1]] = r
    assert got[1][3] == {"written": 1}
    assert got[2][2]["code"] == 1004
    assert got[3][3] == {"written": 2}
    assert got[4][3] == {"deleted": 1}
    assert got[5][3]["id"] == "S2"
    assert [s["id"] for s in got[6][3]["items"]] == ["S1", "S2"]
    assert got[7][3]["items"] == []


def test_half_closed_client_gets_every_reply_of_its_pipeline(daemon):
    """A client may send its requests and shut down its sending side: the
    replies of calls waiting behind the per-connection job limit still come."""
    import socket
    c = daemon.connect()
    put_all_samples(c)
    n = 12
    c.send_raw(b"".join(request_bytes(i, "match.candidates", {"posting_id": "P1"})
                        for i in range(n)) + request_bytes(99, "system.ping"))
    c.sock.shutdown(socket.SHUT_WR)
    got = sorted(c.recv_response()[1] for _ in range(n + 1))
    assert got == list(range(n)) + [99]


def test_a_big_batch_is_written_off_the_loop(daemon):
    """While the writer applies a batch, other connections are served (the
    writes in flight show in system.stats), and the writing connection's
    next read waits for the batch and sees it."""
    import select
    from conftest import school, specialty
    a, b = daemon.connect(), daemon.connect()
    a.call("school.put", school(id="S1", level="higher"))
    n = 5000
    batch = {"records": [specialty(id="X%05d" % i, school_id="S1",
                                   major_code="460103") for i in range(n)]}
    a.send_raw(request_bytes(1, "specialty.put", batch) +
               request_bytes(2, "specialty.list", {"limit": 1000}))
    # until a's reply comes, b is answered; some answer catches the batch
    # being written (a loop busy writing would answer only after it)
    seen = []
    while not select.select([a.sock], [], [], 0)[0]:
        seen.append(b.call("system.stats")["jobs"]["writes"])
    assert 1 in seen, seen
    first = a.recv_response()
    assert first[1] == 1 and first[3] == {"written": n}, first
    second = a.recv_response()
    assert second[1] == 2 and len(second[3]["items"]) == 1000, second
    assert b.call("system.stats")["jobs"] == {"writes": 0, "calls": 0}


def test_a_client_gone_with_calls_out_leaves_no_trace(daemon):
    """Calls still running when their client goes (closed, or reset):
    their replies are dropped, the daemon serves the others, and it stops
    cleanly (the ASan daemon reports any use after free or leak)."""
    import socket
    import time
    c = daemon.connect()
    put_all_samples(c)
    for round_ in range(5):
        s = socket.create_connection(("127.0.0.1", daemon.port))
        s.sendall(b"".join(request_bytes(i, "stats.balance" if i % 3 else
                                         "match.candidates",
                                         {"by": "major"} if i % 3 else
                                         {"posting_id": "P1"})
                           for i in range(12)))
        if round_ % 2:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         b"\x01\x00\x00\x00\x00\x00\x00\x00")   # reset
        s.close()
        assert c.call("system.ping") == "pong"
    deadline = time.monotonic() + 10
    while c.call("system.stats")["connections"]["current"] > 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert c.call("stats.balance", {"by": "major"})["rows"]
    assert daemon.stop() == 0


def test_a_reply_never_reaches_a_later_connection_on_the_same_fd(daemon):
    """A client resets with its batches still being written; the daemon
    frees it at once and the next connection it accepts gets the same fd.
    The batches' replies, found by fd when each write is done, must be
    dropped as another connection's, not sent to the newcomer."""
    import select
    import socket
    import time
    from conftest import school, specialty
    ctl = daemon.connect()
    ctl.call("school.put", school(id="S1", level="higher"))
    n = 10000                      # max_batch
    for round_ in range(3):
        a = socket.create_connection(("127.0.0.1", daemon.port))
        for k in range(3):
            a.sendall(request_bytes(7 + k, "specialty.put", {"records": [
                specialty(id="Y%d%d%05d" % (round_, k, i), school_id="S1",
                          major_code="460103") for i in range(n)]}))
        # wait until the write is in hand, then reset
        deadline = time.monotonic() + 10
        while ctl.call("system.stats")["jobs"]["writes"] == 0:
            assert time.monotonic() < deadline
        a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     b"\x01\x00\x00\x00\x00\x00\x00\x00")
        a.close()
        while ctl.call("system.stats")["connections"]["current"] > 1:
            assert time.monotonic() < deadline
        b = daemon.connect()
        assert ctl.call("system.stats")["jobs"]["writes"] >= 1, \
            "the batches finished before the newcomer came: add more"
        b.send_raw(request_bytes(7, "system.ping"))
        assert b.recv_response() == [1, 7, None, "pong"]
        while ctl.call("system.stats")["jobs"]["writes"]:
            assert time.monotonic() < deadline
        assert b.call("system.ping") == "pong"
        assert not select.select([b.sock], [], [], 0.2)[0], \
            "the reset client's reply reached the next connection"
        b.close()
        # what was written before the reset stays written
        assert ctl.call("specialty.get", {"id": "Y%d0%05d" % (round_, n - 1)})
