"""system.*, auth.login and method dispatch."""
import numbers

from conftest import (KINDS, METHOD_NOT_FOUND, NOT_FOUND, PLURAL, TOO_LARGE,
                      Client, expect_error, put_all_samples, school)


def test_ping_answers_pong(client):
    assert client.call("system.ping") == "pong"


def test_ping_accepts_bare_empty_params_array(client):
    assert client.call("system.ping", []) == "pong"


def test_info_has_version_uptime_and_zero_counts_for_all_seven_kinds(client):
    info = client.call("system.info")
    assert isinstance(info, dict)
    assert isinstance(info["version"], str) and info["version"]
    assert isinstance(info["uptime_s"], numbers.Real) and not isinstance(info["uptime_s"], bool)
    assert info["uptime_s"] >= 0
    assert info["counts"] == {PLURAL[k]: 0 for k in KINDS}


def test_info_counts_follow_puts_and_deletes(client):
    put_all_samples(client)
    counts = client.call("system.info")["counts"]
    assert counts == {PLURAL[k]: 1 for k in KINDS}
    client.call("school.put", {"records": [school(id="S%d" % i) for i in range(2, 12)]})
    assert client.call("system.info")["counts"]["schools"] == 11
    client.call("student.del", {"id": "ST1"})
    counts = client.call("system.info")["counts"]
    assert counts["students"] == 0 and counts["schools"] == 11


def test_stats_counts_connections_calls_and_errors(daemon):
    a = daemon.connect()
    b = daemon.connect()
    for _ in range(5):
        assert a.call("system.ping") == "pong"
    assert b.call("system.ping") == "pong"
    expect_error(a, "school.get", {"id": "nope"}, NOT_FOUND)
    expect_error(a, "school.get", {"id": "nope2"}, NOT_FOUND)
    a.call("school.put", school())
    a.call("school.get", {"id": "S1"})
    st = b.call("system.stats")
    assert set(st) >= {"connections", "methods", "limits"}
    conn = st["connections"]
    assert conn["current"] >= 2
    assert conn["total"] >= 2
    assert conn["refused"] == 0
    m = st["methods"]
    assert m["system.ping"]["calls"] >= 6
    assert m["system.ping"]["errors"] == 0
    assert m["school.get"]["calls"] >= 3
    assert m["school.get"]["errors"] >= 2
    assert m["school.put"]["calls"] >= 1 and m["school.put"]["errors"] == 0
    for name, v in m.items():
        assert set(v) >= {"calls", "errors", "p50_us", "p99_us"}, name
        assert 0 <= v["p50_us"] <= v["p99_us"], (name, v)
    assert isinstance(st["limits"], dict)
    for k, v in st["limits"].items():
        assert isinstance(v, int) and v >= 0, (k, v)


def test_stats_current_connections_drops_after_close(daemon):
    c1 = daemon.connect()
    c2 = daemon.connect()
    c1.call("system.ping")
    c2.call("system.ping")
    before = c1.call("system.stats")["connections"]
    c2.close()
    import time
    deadline = time.monotonic() + 5
    while True:
        now = c1.call("system.stats")["connections"]
        if now["current"] == before["current"] - 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert now["current"] == before["current"] - 1
    assert now["total"] >= before["total"]


def test_stats_limits_count_batch_limit_hits(daemon_factory):
    d = daemon_factory(config="[server]\nmax_batch = 2\n")
    c = d.connect()
    expect_error(c, "school.put", {"records": [school(id="S%d" % i) for i in range(3)]}, TOO_LARGE)
    lim = c.call("system.stats")["limits"]
    assert lim.get("max_batch", 0) >= 1, lim


def test_auth_login_without_tokens_file_is_admin_for_any_params(client):
    assert client.call("auth.login", {"token": "whatever"}) == {"role": "admin", "owner": None}
    assert client.call("auth.login", {}) == {"role": "admin", "owner": None}
    # still usable for writes afterwards
    assert client.call("school.put", school()) == {"written": 1}


def test_unknown_method_is_method_not_found_and_connection_stays_usable(client):
    err = expect_error(client, "no.such", {}, METHOD_NOT_FOUND)
    assert err.msgid is not None
    expect_error(client, "school.frobnicate", {"id": "S1"}, METHOD_NOT_FOUND)
    expect_error(client, "", {}, METHOD_NOT_FOUND)
    assert client.call("system.ping") == "pong"


def test_two_connections_are_independent(daemon):
    a = daemon.connect()
    b = daemon.connect()
    a.call("school.put", school())
    assert b.call("school.get", {"id": "S1"}) == school()
    a.close()
    assert b.call("system.ping") == "pong"
    with Client.tcp(daemon.port) as c:
        assert c.call("system.ping") == "pong"


def test_every_limit_is_counted_once_per_hit_under_its_config_key(daemon_factory):
    """docs/protocol.md "Limits": each hit adds exactly one under the key's
    name."""
    import socket
    import time
    from conftest import (INVALID_PARAMS, ConnectionClosed, nested_array,
                          put_all_samples, request_bytes)
    d = daemon_factory(config="[server]\nmax_frame = 4096\nmax_batch = 2\n"
                              "max_k = 5\nmax_limit = 10\nmax_connections = 3\n"
                              "idle_timeout_s = 1\nmax_reply_queue = 65536\n")
    # idle_timeout_s = 1 closes any connection kept across triggers: every
    # step opens its own.
    with d.connect() as c:
        put_all_samples(c)

    def limits():
        with d.connect() as c:
            return c.call("system.stats")["limits"]

    def hit(name, trigger):
        before = limits()
        trigger()
        deadline = time.monotonic() + 10
        while limits().get(name, 0) != before.get(name, 0) + 1:
            assert time.monotonic() < deadline, (name, before, limits())
            time.sleep(0.05)
        after = limits()
        for k in after:
            if k != name:
                assert after[k] == before.get(k, 0), (name, k, before, after)

    def frame():
        with d.connect() as c:
            c.send_raw(request_bytes(1, "school.get", {"id": "x" * 5000}))
            assert c.recv_response()[2]["code"] == TOO_LARGE
            c.expect_closed()

    def depth():
        with d.connect() as c:
            c.send_raw(request_bytes(1, "system.ping", nested_array(40)))
            assert c.recv_response()[2]["code"] == TOO_LARGE

    def batch():
        with d.connect() as c:
            expect_error(c, "school.put",
                         {"records": [school(id="B%d" % i) for i in range(3)]}, TOO_LARGE)

    def k():
        with d.connect() as c:
            expect_error(c, "match.candidates", {"posting_id": "P1", "k": 6},
                         INVALID_PARAMS, "k")

    def limit():
        with d.connect() as c:
            expect_error(c, "school.list", {"limit": 11}, INVALID_PARAMS, "limit")

    def connections():
        extra = [d.connect() for _ in range(3)]
        s = socket.create_connection(("127.0.0.1", d.port), timeout=5)
        s.settimeout(5)
        try:
            assert s.recv(1) == b""
        except ConnectionResetError:
            pass
        s.close()
        # before the next step connects, the daemon must have seen these go
        # (else it refuses that one too, a second hit): ask the last one
        for c in extra[1:]:
            c.close()
        deadline = time.monotonic() + 10
        while extra[0].call("system.stats")["connections"]["current"] > 1:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        extra[0].close()

    def idle():
        with d.connect() as c:
            c.expect_closed(timeout=5)

    def reply_queue():
        with d.connect() as c:
            c.call("school.put", {"records": [school(id="Q%d" % i, name="n" * 500)
                                              for i in range(2)]})
        hog = socket.create_connection(("127.0.0.1", d.port), timeout=5)
        hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        req = request_bytes(1, "school.list", {"limit": 10})
        try:
            for _ in range(2000):
                hog.sendall(req * 10)
        except OSError:
            pass
        time.sleep(0.5)
        hog.close()

    for name, trigger in [("max_frame", frame), ("max_depth", depth), ("max_batch", batch),
                          ("max_k", k), ("max_limit", limit),
                          ("max_connections", connections), ("idle_timeout_s", idle)]:
        hit(name, trigger)
    # a non-reading client is throttled every time its queue refills, so
    # this one may count more than once; it must count.
    before = limits().get("max_reply_queue", 0)
    reply_queue()
    assert limits().get("max_reply_queue", 0) > before
    assert set(limits()) >= {"max_frame", "max_depth", "max_batch", "max_k", "max_limit",
                             "max_connections", "idle_timeout_s", "max_reply_queue"}


def test_quiet_connections_give_their_buffers_back(daemon):
    """A connection's buffers grow to its biggest frame; a second after it
    goes quiet they are freed (system.stats counts them), and it works on."""
    import time
    from conftest import school, specialty
    a, b = daemon.connect(), daemon.connect()
    a.call("school.put", school(id="S1", level="higher"))
    batch = {"records": [specialty(id="B%05d" % i, school_id="S1",
                                   major_code="460103", name="x" * 200)
                         for i in range(8000)]}
    a.call("specialty.put", batch, timeout=60)
    big = b.call("system.stats")["connections"]["buffer_bytes"]
    assert big >= 2_000_000, big               # the batch's frame, ~2.3 MB
    deadline = time.monotonic() + 10
    while True:
        time.sleep(0.3)
        n = b.call("system.stats")["connections"]["buffer_bytes"]
        if n < 300_000:                        # b's own, in use, and a's freed
            break
        assert time.monotonic() < deadline, n
    assert a.call("specialty.get", {"id": "B07999"})["name"] == "x" * 200
    assert a.call("system.ping") == "pong"


def test_a_call_is_timed_from_where_the_one_before_it_ended(daemon):
    """Calls pipelined in one read pass are timed back to back: a ping
    after a slow list must not be charged the list's time."""
    from conftest import request_bytes, specialty
    c = daemon.connect()
    c.call("school.put", school(id="S1", level="higher"))
    c.call("specialty.put", {"records": [
        specialty(id="T%05d" % i, school_id="S1", major_code="460103",
                  name="数控" * 80, skills=["技能%d" % j for j in range(20)])
        for i in range(3000)]}, timeout=60)
    burst = b"".join(request_bytes(2 * i, "specialty.list", {"limit": 1000}) +
                     request_bytes(2 * i + 1, "system.ping")
                     for i in range(20))
    c.send_raw(burst)
    for _ in range(40):
        assert c.recv_response(timeout=60)[2] is None
    m = c.call("system.stats")["methods"]
    lst, ping = m["specialty.list"], m["system.ping"]
    assert lst["calls"] == 20 and ping["calls"] >= 20
    # a list of 1,000 such records takes hundreds of microseconds at least
    assert ping["p99_us"] * 4 < lst["p50_us"], (ping, lst)
