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
