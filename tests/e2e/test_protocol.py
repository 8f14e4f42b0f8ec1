"""Framing, malformed requests, limits, pipelining, notifications."""
import threading
import time

import pytest

from conftest import (INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, NOT_FOUND,
                      PARSE_ERROR, TOO_LARGE, Client, ConnectionClosed, error_of,
                      expect_error, nested_array, pack, request_bytes, school)


def assert_error_reply(resp, code, msgid):
    err = error_of(resp)
    assert err is not None, "expected error %d, got success %r" % (code, resp)
    assert err.code == code, "expected code %d, got %r (%s)" % (code, err.code, err.message)
    assert resp[1] == msgid, "expected msgid %r, got %r" % (msgid, resp[1])
    return err


# ------------------------------------------------------------ -32700

def test_garbage_byte_is_parse_error_with_nil_msgid_then_close(client):
    client.send_raw(b"\xc1")
    assert_error_reply(client.recv_response(), PARSE_ERROR, None)
    assert client.expect_closed()


def test_garbage_after_a_good_request_answers_the_request_then_parse_error(client):
    client.send_raw(request_bytes(5, "system.ping") + b"\xc1garbage")
    r = client.recv_response()
    assert r == [1, 5, None, "pong"]
    assert_error_reply(client.recv_response(), PARSE_ERROR, None)
    assert client.expect_closed()


def test_parse_error_does_not_disturb_other_connections(daemon):
    a = daemon.connect()
    b = daemon.connect()
    a.send_raw(b"\xc1")
    assert_error_reply(a.recv_response(), PARSE_ERROR, None)
    assert b.call("system.ping") == "pong"


# ------------------------------------------------------------ -32600

INVALID_REQUESTS = [
    ("map_instead_of_array", {"a": 1}, None),
    ("string_value", "system.ping", None),
    ("integer_value", 0, None),
    ("wrong_length_3", [0, 1, "system.ping"], 1),
    ("wrong_length_5", [0, 2, "system.ping", [{}], 1], 2),
    ("response_type_from_client", [1, 1, None, None], None),
    ("unknown_type_3", [3, 1, "system.ping", [{}]], None),
    ("method_not_a_string", [0, 3, 5, [{}]], 3),
    ("method_is_binary", [0, 4, b"system.ping", [{}]], 4),
    ("params_not_an_array", [0, 1, "system.ping", 5], 1),
    ("params_a_map", [0, 6, "system.ping", {}], 6),
    ("params_nil", [0, 7, "system.ping", None], 7),
    ("msgid_negative", [0, -1, "system.ping", [{}]], None),
    ("msgid_over_uint32", [0, 2 ** 32, "system.ping", [{}]], None),
    ("msgid_string", [0, "1", "system.ping", [{}]], None),
    ("empty_array", [], None),
    ("notification_method_not_string", [2, 5, [{}]], None),
    ("notification_wrong_length", [2, "system.ping"], None),
]


@pytest.mark.parametrize("name,value,msgid", INVALID_REQUESTS, ids=[x[0] for x in INVALID_REQUESTS])
def test_invalid_request_is_answered_then_connection_closed(daemon, name, value, msgid):
    c = daemon.connect()
    c.send_raw(pack(value))
    assert_error_reply(c.recv_response(), INVALID_REQUEST, msgid)
    assert c.expect_closed()
    assert daemon.ping() == "pong"


def test_msgid_max_uint32_is_echoed(client):
    client.send_raw(request_bytes(2 ** 32 - 1, "system.ping"))
    assert client.recv_response() == [1, 2 ** 32 - 1, None, "pong"]
    client.send_raw(request_bytes(0, "system.ping"))
    assert client.recv_response() == [1, 0, None, "pong"]


# ------------------------------------------------------------ -32601 / -32602

def test_unknown_method_keeps_connection(client):
    expect_error(client, "no.such", None, METHOD_NOT_FOUND)
    assert client.call("system.ping") == "pong"


@pytest.mark.parametrize("params", [[5], [{}, {}], ["x"], [None], [[]], [{"id": "S1"}, 1]],
                         ids=["int", "two_maps", "string", "nil", "array", "map_then_int"])
def test_params_array_not_holding_exactly_one_map_is_invalid_params(client, params):
    resp = client.call_full("system.ping", params)
    err = error_of(resp)
    assert err is not None and err.code == INVALID_PARAMS, resp
    assert err.field == "params"
    assert client.call("system.ping") == "pong"


def test_bare_empty_params_array_is_accepted_as_empty_map(client):
    assert client.call("system.ping", []) == "pong"
    assert client.call("system.info", [])["counts"]["schools"] == 0
    assert client.call("school.list", []) == {"items": [], "next": None}


# ------------------------------------------------------------ 1013 frame

def big_put(msgid, nbytes):
    return request_bytes(msgid, "school.put", school(name="x" * nbytes))


def test_frame_over_max_frame_is_too_large_and_closes(daemon_factory):
    d = daemon_factory(config="[server]\nmax_frame = 65536\n")
    c = d.connect()
    assert c.call("system.ping") == "pong"
    frame = big_put(7, 100000)
    try:
        c.send_raw(frame)
    except (BrokenPipeError, ConnectionResetError):
        pass
    resp = c.recv_response()
    err = error_of(resp)
    assert err is not None and err.code == TOO_LARGE, resp
    assert resp[1] in (7, None)
    assert c.expect_closed()
    c2 = d.connect()
    assert c2.call("system.ping") == "pong"
    expect_error(c2, "school.get", {"id": "S1"}, NOT_FOUND)
    assert c2.call("system.stats")["limits"].get("max_frame", 0) >= 1


def test_frame_just_under_max_frame_is_served(daemon_factory):
    d = daemon_factory(config="[server]\nmax_frame = 65536\n")
    c = d.connect()
    frame = request_bytes(9, "school.list", {"limit": 10, "after": "x" * 60})
    assert len(frame) < 65536
    c.send_raw(frame)
    assert c.recv_response()[1] == 9
    # 60 KB frame: a batch of schools
    recs = [school(id="S%04d" % i, name="n" * 400) for i in range(140)]
    frame = request_bytes(10, "school.put", {"records": recs})
    assert 50000 < len(frame) < 65536, len(frame)
    c.send_raw(frame)
    resp = c.recv_response()
    assert resp == [1, 10, None, {"written": 140}], resp
    assert c.call("school.get", {"id": "S0000"}) == school(id="S0000", name="n" * 400)


def test_declared_huge_string_length_is_too_large_without_sending_it(daemon):
    c = daemon.connect()
    # [0, 11, "school.put", [{"id": <str32 of 4 GiB>
    frame = (b"\x94\x00\x0b" + pack("school.put") + b"\x91\x81" + pack("id")
             + b"\xdb\xff\xff\xff\xff" + b"abc")
    c.send_raw(frame)
    resp = c.recv_response(timeout=5)
    err = error_of(resp)
    assert err is not None and err.code == TOO_LARGE, resp
    assert c.expect_closed()
    assert daemon.ping() == "pong"


# ------------------------------------------------------------ 1013 depth

def test_depth_33_nested_arrays_inside_params_is_too_large_and_connection_kept(client):
    client.send_raw(pack([0, 21, "system.ping", nested_array(33)]))
    resp = client.recv_response()
    assert_error_reply(resp, TOO_LARGE, 21)
    assert client.call("system.ping") == "pong"


def test_depth_limit_boundary_32_is_parsed_33_is_too_large(client):
    # request array is depth 1, params depth 2: 31 arrays in params -> depth 32
    client.send_raw(pack([0, 22, "system.ping", nested_array(31)]))
    resp = client.recv_response()
    err = assert_error_reply(resp, INVALID_PARAMS, 22)
    assert err.field == "params"
    client.send_raw(pack([0, 23, "system.ping", nested_array(32)]))
    assert_error_reply(client.recv_response(), TOO_LARGE, 23)
    assert client.call("system.ping") == "pong"


def test_deep_value_inside_a_record_field_is_too_large_and_nothing_written(client):
    client.send_raw(pack([0, 24, "school.put", [school(name=nested_array(40))]]))
    assert_error_reply(client.recv_response(), TOO_LARGE, 24)
    expect_error(client, "school.get", {"id": "S1"}, NOT_FOUND)
    assert client.call("system.ping") == "pong"


def test_configured_max_depth_is_honoured(daemon_factory):
    d = daemon_factory(config="[server]\nmax_depth = 4\n")
    c = d.connect()
    # [0, id, m, [ {"id": ...} ]] is depth 3 -> fine
    assert c.call("school.put", school()) == {"written": 1}
    c.send_raw(pack([0, 30, "system.ping", nested_array(3)]))   # depth 4: parsed
    err = assert_error_reply(c.recv_response(), INVALID_PARAMS, 30)
    assert err.field == "params"
    c.send_raw(pack([0, 31, "system.ping", nested_array(4)]))   # depth 5
    assert_error_reply(c.recv_response(), TOO_LARGE, 31)
    assert c.call("system.ping") == "pong"
    assert c.call("system.stats")["limits"].get("max_depth", 0) >= 1


# ------------------------------------------------------------ pipelining

def test_pipeline_1000_mixed_requests_in_one_write(client):
    client.call("school.put", school(id="BASE"))
    reqs = []
    expect = {}
    buf = bytearray()
    for i in range(1000):
        msgid = 100000 + i
        if i % 3 == 0:
            m, p, e = "system.ping", None, "pong"
        elif i % 3 == 1:
            m, p, e = "school.put", school(id="PL%04d" % i), {"written": 1}
        else:
            m, p, e = "school.get", {"id": "BASE"}, school(id="BASE")
        reqs.append(msgid)
        expect[msgid] = e
        buf += request_bytes(msgid, m, p)
    sender = threading.Thread(target=client.send_raw, args=(bytes(buf),))
    sender.start()
    seen = {}
    deadline = time.monotonic() + 60
    for _ in range(1000):
        r = client.recv_response(timeout=max(0.1, deadline - time.monotonic()))
        assert r[2] is None, r
        assert r[1] not in seen, "msgid %r answered twice" % r[1]
        seen[r[1]] = r[3]
    sender.join(10)
    assert seen == expect
    assert client.call("system.info")["counts"]["schools"] == 1 + 333
    # nothing more arrives
    with pytest.raises(TimeoutError):
        client.recv_msg(timeout=0.3)


def test_pipelined_errors_and_successes_interleave_with_right_msgids(client):
    ids, resps = client.pipeline([("system.ping", None), ("no.such", None),
                                  ("school.get", {"id": "X"}), ("school.put", school()),
                                  ("school.get", {"id": "S1"})])
    byid = {r[1]: r for r in resps}
    assert set(byid) == set(ids)
    assert byid[ids[0]][3] == "pong"
    assert byid[ids[1]][2]["code"] == METHOD_NOT_FOUND
    assert byid[ids[2]][2]["code"] == NOT_FOUND
    assert byid[ids[3]][3] == {"written": 1}
    assert byid[ids[4]][3] == school()


def test_requests_split_across_many_small_writes(client):
    data = b"".join(request_bytes(i, "system.ping") for i in range(1, 21))
    for i in range(0, len(data), 3):
        client.send_raw(data[i:i + 3])
    got = [client.recv_response() for _ in range(20)]
    assert sorted(r[1] for r in got) == list(range(1, 21))
    assert all(r[3] == "pong" for r in got)


# ------------------------------------------------------------ notifications

def test_notification_is_executed_and_never_answered(client):
    client.notify("school.put", school(id="N1"))
    client.send_raw(request_bytes(42, "school.get", {"id": "N1"}))
    assert client.recv_response() == [1, 42, None, school(id="N1")]


def test_failing_notifications_are_not_answered(client):
    client.notify("no.such", {})
    client.notify("school.put", {"id": 5})
    client.notify("school.get", {"id": "missing"})
    client.notify("system.ping", [5])
    client.send_raw(request_bytes(43, "system.ping"))
    assert client.recv_response() == [1, 43, None, "pong"]
    with pytest.raises(TimeoutError):
        client.recv_msg(timeout=0.3)


def test_many_notifications_then_a_request(client):
    buf = b"".join(pack([2, "school.put", [school(id="NN%03d" % i)]]) for i in range(200))
    client.send_raw(buf + request_bytes(44, "system.info"))
    r = client.recv_response()
    assert r[1] == 44
    assert r[3]["counts"]["schools"] == 200


# ------------------------------------------------------------ misc framing

def test_truncated_frame_then_close_does_not_hurt_the_daemon(daemon):
    c = daemon.connect()
    frame = request_bytes(1, "school.put", school())
    c.send_raw(frame[: len(frame) // 2])
    c.close()
    with Client.tcp(daemon.port) as c2:
        assert c2.call("system.ping") == "pong"
        expect_error(c2, "school.get", {"id": "S1"}, NOT_FOUND)


def test_client_closing_with_pending_replies_does_not_hurt_the_daemon(daemon):
    c = daemon.connect()
    c.send_raw(b"".join(request_bytes(i, "system.info") for i in range(500)))
    c.close()
    with Client.tcp(daemon.port) as c2:
        assert c2.call("system.ping") == "pong"


def test_unicode_method_name_is_method_not_found(client):
    expect_error(client, "系统.ping", None, METHOD_NOT_FOUND)
    assert client.call("system.ping") == "pong"


def test_response_has_exactly_four_elements_and_type_one(client):
    client.send_raw(request_bytes(99, "system.ping"))
    r = client.recv_msg()
    assert r == [1, 99, None, "pong"]
    client.send_raw(request_bytes(100, "no.such"))
    r = client.recv_msg()
    assert isinstance(r, list) and len(r) == 4 and r[0] == 1 and r[1] == 100 and r[3] is None
    assert set(r[2]) <= {"code", "message", "data"}


def test_connection_closed_by_peer_after_parse_error_is_reported(client):
    client.send_raw(b"\xc1")
    client.recv_response()
    with pytest.raises(ConnectionClosed):
        for _ in range(3):
            client.recv_msg(timeout=5)
