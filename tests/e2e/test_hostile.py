"""Hostile input table.  One daemon serves the whole module (it must survive
everything); after EACH case a fresh connection must get "pong" and every
record stored before the case must come back intact."""
import random
import socket
import time

import pytest

from conftest import (INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, NOT_FOUND,
                      PARSE_ERROR, PUT_ORDER, TOO_LARGE, Client, ConnectionClosed, Daemon,
                      error_of, pack, request_bytes, sample)

MAX_FRAME = 262144


@pytest.fixture(scope="module")
def hostile_daemon(tmp_path_factory):
    d = Daemon(tmp_path_factory.mktemp("hostile"),
               config="[server]\nmax_frame = %d\n" % MAX_FRAME)
    d.start()
    d.checked_lines = 0
    seed(d)
    yield d
    rc = d.stop()
    assert rc == 0, "SIGTERM exit code %r\n%s" % (rc, d.stderr_text())
    assert not d.sanitizer_lines(), d.stderr_text()


def seed(d):
    with Client.tcp(d.port) as c:
        for k in PUT_ORDER:
            c.call(k + ".put", sample(k))


@pytest.fixture
def hd(hostile_daemon):
    d = hostile_daemon
    if not d.alive():
        # a previous case killed it: that case failed already; carry on
        d.start()
        seed(d)
    yield d


def check_intact(d):
    """The daemon is alive, answers a new connection, the store is intact
    and no sanitizer report appeared."""
    time.sleep(0.01)
    assert d.alive(), "daemon died; stderr:\n%s" % d.stderr_text()[-5000:]
    with Client.tcp(d.port, 10) as c:
        assert c.call("system.ping") == "pong"
        for k in PUT_ORDER:
            rec = sample(k)
            assert c.call(k + ".get", {"id": rec["id"]}) == rec, k
        counts = c.call("system.info")["counts"]
        assert all(v == 1 for v in counts.values()), counts
    new = d.sanitizer_lines()
    assert not new, "sanitizer report:\n%s" % d.stderr_text()[-5000:]


def drain_replies(c, timeout=5.0):
    """Read replies until the daemon closes the connection or timeout;
    returns (replies, closed)."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            out.append(c.recv_msg(timeout=max(0.01, deadline - time.monotonic())))
        except ConnectionClosed:
            return out, True
        except TimeoutError:
            return out, False


def send_tolerant(c, data):
    try:
        c.send_raw(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


HDR = b"\x94\x00\x01"   # [0, 1, ...


def req_prefix(method):
    return HDR + pack(method)


# ------------------------------------------------------------------------
# Raw frames.  expect:
#   ("close", codes)  every reply is an error with a code in codes (nil or
#                     msgid 1), at least one reply arrives, then the daemon
#                     closes the connection.
#   ("keep", code)    exactly one error reply `code`, connection still usable.
#   ("either",)       a 1013 reply or a clean close; never a hang or a crash.
#   ("eof",)          we half-close after sending; any replies are errors and
#                     the daemon closes.

RAW_CASES = [
    ("garbage_c1", b"\xc1", ("close", {PARSE_ERROR})),
    ("garbage_c1_after_header", HDR + b"\xc1", ("close", {PARSE_ERROR})),
    ("http_request", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", ("close", {PARSE_ERROR, INVALID_REQUEST})),
    ("zero_bytes", b"\x00" * 100, ("close", {INVALID_REQUEST})),
    ("random_bytes", bytes(random.Random(1).randrange(256) for _ in range(4096)), ("eof",)),
    ("random_bytes_2", bytes(random.Random(2).randrange(256) for _ in range(65536)), ("eof",)),
    ("str32_4gib_id", req_prefix("school.put") + b"\x91\x81" + pack("id")
     + b"\xdb\xff\xff\xff\xff" + b"abc", ("close", {TOO_LARGE})),
    ("bin32_4gib_id", req_prefix("school.put") + b"\x91\x81" + pack("id")
     + b"\xc6\xff\xff\xff\xff" + b"abc", ("close", {TOO_LARGE})),
    ("str32_4gib_method", HDR + b"\xdb\xff\xff\xff\xff" + b"system.ping", ("close", {TOO_LARGE})),
    ("array32_4g_params", req_prefix("system.ping") + b"\xdd\xff\xff\xff\xff" + b"\xc0" * 10,
     ("close", {TOO_LARGE})),
    ("map32_4g_params", req_prefix("school.get") + b"\x91\xdf\xff\xff\xff\xff" + b"\xc0" * 10,
     ("close", {TOO_LARGE})),
    ("array32_4g_frame", b"\xdd\xff\xff\xff\xff" + b"\x00\x01", ("close", {TOO_LARGE})),
    ("ext32_4gib", req_prefix("system.ping") + b"\x91\xc9\xff\xff\xff\xff\x01" + b"x" * 10,
     ("close", {TOO_LARGE})),
    ("nested_100k_whole_frame", b"\x91" * 100000 + b"\xc0", ("either",)),
    ("nested_100k_in_params", req_prefix("system.ping") + b"\x91" * 100000 + b"\xc0", ("either",)),
    ("nested_100k_maps_in_params", req_prefix("school.put") + b"\x91"
     + b"\x81\xa1k" * 100000 + b"\xc0", ("either",)),
    ("nested_40_in_params", req_prefix("system.ping") + b"\x91" * 40 + b"\xc0", ("keep", TOO_LARGE)),
    ("oversized_frame", request_bytes(1, "school.put", sample("school", name="x" * (MAX_FRAME + 10))),
     ("close", {TOO_LARGE})),
    ("oversized_batch_frame", request_bytes(1, "school.put", {"records": [
        sample("school", id="H%05d" % i) for i in range(6000)]}), ("close", {TOO_LARGE})),
    ("msgid_int64_min", pack([0, -2 ** 63, "system.ping", [{}]]), ("close", {INVALID_REQUEST})),
    ("msgid_float", pack([0, 1.0, "system.ping", [{}]]), ("close", {INVALID_REQUEST})),
    ("method_nil", pack([0, 1, None, None]), ("close", {INVALID_REQUEST})),
    ("huge_declared_str_in_notification", b"\x93\x02" + pack("school.put") + b"\x91\x81"
     + pack("id") + b"\xdb\xff\xff\xff\xff", ("close", {TOO_LARGE})),
    ("ext_type_name", req_prefix("school.put") + b"\x91"
     + pack(sample("school", name="PLACEHOLDER")).replace(b"\xabPLACEHOLDER", b"\xd4\x05\x01"),
     ("keep", INVALID_PARAMS, "name")),
    ("timestamp_ext_date", req_prefix("posting.put") + b"\x91"
     + pack(sample("posting", start="2026-06-01")).replace(b"\xaa2026-06-01",
                                                           b"\xd6\xff\x00\x00\x00\x01"),
     ("keep", INVALID_PARAMS, "start")),
    ("params_with_20k_unknown_keys", request_bytes(1, "school.get", {"k%05d" % i: i for i in range(20000)}),
     ("keep", INVALID_PARAMS)),
    ("tags_array_of_30k_items", request_bytes(1, "specialty.put",
                                              sample("specialty", skills=["s"] * 30000)),
     ("keep", INVALID_PARAMS, "skills")),
]


@pytest.mark.parametrize("name,data,expect", RAW_CASES, ids=[c[0] for c in RAW_CASES])
def test_hostile_frame_never_hurts_daemon_or_store(hd, name, data, expect):
    c = Client.tcp(hd.port, 10)
    try:
        if expect[0] == "eof":
            send_tolerant(c, data)
            try:
                c.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            replies, closed = drain_replies(c, 10)
            assert closed, "daemon did not close after EOF; replies %r" % replies
            for r in replies:
                assert isinstance(r, list) and len(r) == 4 and r[0] == 1, r
                assert r[2] is not None, "random bytes produced a success reply %r" % (r,)
        elif expect[0] == "close":
            send_tolerant(c, data)
            replies, closed = drain_replies(c, 10)
            assert replies, "no reply before close (closed=%r)" % closed
            for r in replies:
                err = error_of(r)
                assert err is not None and err.code in expect[1], \
                    "expected an error in %r, got %r" % (expect[1], r)
                assert r[1] in (None, 1), r
            assert closed, "connection not closed after %r" % replies
        elif expect[0] == "keep":
            send_tolerant(c, data)
            r = c.recv_response(timeout=10)
            err = error_of(r)
            assert err is not None and err.code == expect[1], r
            assert r[1] == 1
            if len(expect) > 2:
                assert err.field == expect[2], (err.field, err.message)
            assert c.call("system.ping") == "pong"
        elif expect[0] == "either":
            send_tolerant(c, data)
            try:
                r = c.recv_msg(timeout=10)
            except ConnectionClosed:
                r = None      # closed cleanly without a reply: allowed
            except TimeoutError:
                raise AssertionError("neither a 1013 reply nor a close within 10 s")
            if r is not None:
                err = error_of(r)
                assert err is not None and err.code == TOO_LARGE, r
                try:
                    assert c.call("system.ping") == "pong"
                except ConnectionClosed:
                    pass      # closed after the reply: allowed
    finally:
        c.close()
    check_intact(hd)


def test_truncated_frame_then_close(hd):
    frame = request_bytes(1, "school.put", sample("school", name="changed"))
    for cut in (1, 5, len(frame) // 2, len(frame) - 1):
        with Client.tcp(hd.port) as c:
            c.send_raw(frame[:cut])
    check_intact(hd)


def test_truncated_frame_then_half_close_gets_no_success(hd):
    frame = request_bytes(1, "school.put", sample("school", name="changed"))
    with Client.tcp(hd.port) as c:
        c.send_raw(frame[:-3])
        c.sock.shutdown(socket.SHUT_WR)
        replies, closed = drain_replies(c, 10)
        assert closed
        assert all(r[2] is not None for r in replies), replies
    check_intact(hd)


def test_slowloris_byte_by_byte_frame_is_served(hd):
    frame = request_bytes(5, "school.get", {"id": "S1"})
    with Client.tcp(hd.port) as c:
        for b in frame:
            c.send_raw(bytes([b]))
            time.sleep(0.002)
        assert c.recv_response() == [1, 5, None, sample("school")]
    check_intact(hd)


# ------------------------------------------------------------ invalid UTF-8

BAD_UTF8 = {
    "ff": b"\xff",
    "overlong_slash": b"\xc0\xaf",
    "surrogate": b"\xed\xa0\x80",
    "truncated_3byte": b"\xe4\xb8",
    "above_10ffff": b"\xf4\x90\x80\x80",
    "lone_continuation": b"\x80abc",
}


def with_raw_str(obj_bytes, placeholder, raw):
    """Replace the packed str `placeholder` by a str holding raw bytes."""
    p = pack(placeholder)
    assert len(placeholder) < 32 and len(raw) < 32
    i = obj_bytes.index(p)
    return obj_bytes[:i] + bytes([0xa0 | len(raw)]) + raw + obj_bytes[i + len(p):]


@pytest.mark.parametrize("bad", list(BAD_UTF8), ids=list(BAD_UTF8))
def test_invalid_utf8_in_record_value_is_invalid_params_naming_field(hd, bad):
    data = request_bytes(1, "school.put", sample("school", name="QQQQQQ"))
    data = with_raw_str(data, "QQQQQQ", BAD_UTF8[bad])
    with Client.tcp(hd.port) as c:
        c.send_raw(data)
        r = c.recv_response()
        err = error_of(r)
        assert err is not None and err.code == INVALID_PARAMS, r
        assert err.field == "name"
        assert c.call("system.ping") == "pong"
    check_intact(hd)


@pytest.mark.parametrize("kind,field", [("specialty", "skills[0]"), ("enterprise", "chains[0]"),
                                        ("specialty", "id"), ("posting", "title"),
                                        ("fair", "directions[0].name")])
def test_invalid_utf8_in_nested_values_names_the_path(hd, kind, field):
    rec = sample(kind)
    if field == "skills[0]":
        rec["skills"] = ["QQQQQQ"]
    elif field == "chains[0]":
        rec["chains"] = ["QQQQQQ"]
    elif field == "directions[0].name":
        rec["directions"][0]["name"] = "QQQQQQ"
    else:
        rec[field] = "QQQQQQ"
    data = with_raw_str(request_bytes(1, kind + ".put", rec), "QQQQQQ", b"ab\xff")
    with Client.tcp(hd.port) as c:
        c.send_raw(data)
        err = error_of(c.recv_response())
        assert err is not None and err.code == INVALID_PARAMS
        assert err.field == field
    check_intact(hd)


def test_invalid_utf8_in_record_map_key_is_invalid_params(hd):
    rec = sample("school")
    rec["QQQQ"] = "x"
    data = with_raw_str(request_bytes(1, "school.put", rec), "QQQQ", b"\xff\xfe")
    with Client.tcp(hd.port) as c:
        c.send_raw(data)
        err = error_of(c.recv_response())
        assert err is not None and err.code == INVALID_PARAMS
        assert err.field is not None
        assert c.call("system.ping") == "pong"
    check_intact(hd)


@pytest.mark.parametrize("method,batch,key,field", [
    ("school.put", False, b"\x00x", "\\x00x"),
    ("school.put", True, b"re\x00gion", "records[0].re\\x00gion"),
    ("school.get", False, b"i\x00d", "i\\x00d"),
])
def test_nul_in_key_is_named_escaped_in_data_field(hd, method, batch, key, field):
    """A NUL inside a key must not cut the path in data.field."""
    if method == "school.get":
        params = {"QQQQ": "S1"}
    else:
        rec = sample("school")
        rec["QQQQ"] = 1
        params = {"records": [rec]} if batch else rec
    data = with_raw_str(request_bytes(1, method, params), "QQQQ", key)
    with Client.tcp(hd.port) as c:
        c.send_raw(data)
        err = error_of(c.recv_response())
        assert err is not None and err.code == INVALID_PARAMS, err
        assert err.field == field, err
        assert c.call("system.ping") == "pong"
    check_intact(hd)


def test_invalid_utf8_in_params_key_is_invalid_params(hd):
    data = with_raw_str(request_bytes(1, "school.get", {"QQQQ": "S1"}), "QQQQ", b"i\xffd")
    with Client.tcp(hd.port) as c:
        c.send_raw(data)
        err = error_of(c.recv_response())
        assert err is not None and err.code == INVALID_PARAMS
        assert c.call("system.ping") == "pong"
    check_intact(hd)


def test_invalid_utf8_in_get_id_is_invalid_params_on_id(hd):
    data = with_raw_str(request_bytes(1, "school.get", {"id": "QQQQ"}), "QQQQ", b"S\xff")
    with Client.tcp(hd.port) as c:
        c.send_raw(data)
        err = error_of(c.recv_response())
        assert err is not None and err.code == INVALID_PARAMS and err.field == "id"
    check_intact(hd)


def test_invalid_utf8_in_method_name_is_rejected(hd):
    data = with_raw_str(request_bytes(1, "QQQQQQQQQQQ", None), "QQQQQQQQQQQ", b"system.pin\xff")
    with Client.tcp(hd.port) as c:
        c.send_raw(data)
        err = error_of(c.recv_response())
        assert err is not None and err.code in (METHOD_NOT_FOUND, INVALID_REQUEST), err
    check_intact(hd)


def test_duplicate_key_in_record_is_invalid_params(hd):
    rec = {"id": "S1", "name": "dup", "level": "higher", "region": "110101", "QQ": "S2"}
    data = request_bytes(1, "school.put", rec).replace(pack("QQ"), pack("id"))
    with Client.tcp(hd.port) as c:
        c.send_raw(data)
        err = error_of(c.recv_response())
        assert err is not None and err.code == INVALID_PARAMS, err
    check_intact(hd)


def test_non_string_record_keys_are_invalid_params(hd):
    with Client.tcp(hd.port) as c:
        for key in (1, None, b"id", 1.5):
            rec = sample("school")
            data = request_bytes(1, "school.put", rec).replace(pack("region"), pack(key))
            c.send_raw(data)
            err = error_of(c.recv_response())
            assert err is not None and err.code == INVALID_PARAMS, (key, err)
    check_intact(hd)


# ------------------------------------------------------------ wrong types

def wrong_values(v, required):
    if isinstance(v, bool):
        out = ["x", 7]
    elif isinstance(v, str):
        out = [7, True, ["x"], {"k": "v"}, 1.5, b"bin"]
    elif isinstance(v, int):
        out = ["7", True, [7], {"k": 7}, 7.5, b"\x07"]
    elif isinstance(v, float):
        out = ["88.5", True, [88.5], {"k": 1}]
    elif isinstance(v, list):
        out = ["x", 7, {"k": "v"}, True]
    elif isinstance(v, dict):
        out = ["x", 7, ["x"], True]
    else:
        raise AssertionError(v)
    if required:
        out.append(None)
    return out


def set_path(rec, path, value):
    """path: list of keys/indexes."""
    cur = rec
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value


def path_str(path):
    s = ""
    for p in path:
        if isinstance(p, int):
            s += "[%d]" % p
        else:
            s += ("." if s else "") + p
    return s


REQUIRED = {
    "school": {"id", "name", "level", "region"},
    "specialty": {"id", "school_id", "major_code", "name", "cohorts"},
    "enterprise": {"id", "name", "region"},
    "posting": {"id", "enterprise_id", "title", "kind", "headcount", "majors"},
    "fair": {"id", "name", "date", "school_ids", "enterprise_ids", "directions", "sessions"},
    "program": {"id", "enterprise_id", "title", "majors", "mentors", "per_mentor"},
    "student": {"id", "specialty_id", "grad_year"},
    "direction": {"id", "name", "majors"},
    "session": {"id", "start", "end", "booths"},
}


def wrong_type_cases():
    cases = []
    for kind in PUT_ORDER:
        rec = sample(kind)
        for key, v in rec.items():
            for w in wrong_values(v, key in REQUIRED[kind]):
                cases.append((kind, [key], w))
            if isinstance(v, list) and v:
                item = v[0]
                if isinstance(item, dict):
                    sub = "direction" if key == "directions" else "session"
                    for w in ("x", 7, ["x"]):
                        cases.append((kind, [key, 0], w))
                    for sk, sv in item.items():
                        for w in wrong_values(sv, sk in REQUIRED[sub]):
                            cases.append((kind, [key, 0, sk], w))
                        if isinstance(sv, list) and sv:
                            for w in (7, ["x"], {"k": "v"}):
                                cases.append((kind, [key, 0, sk, 0], w))
                else:
                    for w in wrong_values(item, True):
                        cases.append((kind, [key, 0], w))
            if isinstance(v, dict) and v:
                k0 = next(iter(v))
                for w in wrong_values(v[k0], True):
                    cases.append((kind, [key, k0], w))
    return cases


WRONG = wrong_type_cases()


def _case_id(c):
    kind, path, w = c
    t = "nil" if w is None else type(w).__name__
    return "%s-%s-%s" % (kind, path_str(path), t)


@pytest.mark.parametrize("kind,path,value", WRONG, ids=[_case_id(c) for c in WRONG])
def test_wrong_type_in_every_field_is_invalid_params_naming_it(hd, kind, path, value):
    rec = sample(kind)
    set_path(rec, path, value)
    want = path_str(path)
    with Client.tcp(hd.port) as c:
        r = c.call_full(kind + ".put", rec)
        err = error_of(r)
        assert err is not None, "put with %s = %r succeeded" % (want, value)
        assert err.code == INVALID_PARAMS, (err.code, err.message)
        assert err.field == want, "data.field %r, expected %r (%s)" % (err.field, want, err.message)
        # the same inside a batch
        r = c.call_full(kind + ".put", {"records": [sample(kind, id="OTHER"), rec]})
        err = error_of(r)
        assert err is not None and err.code == INVALID_PARAMS
        assert err.field == "records[1]." + want, err.field
    check_intact(hd)


def test_wrong_type_table_covers_every_field_of_every_kind():
    covered = {(k, p[0]) for k, p, _ in WRONG}
    for k in PUT_ORDER:
        for f in sample(k):
            assert (k, f) in covered
    assert len(WRONG) > 250


# Every parameter of the query and planner methods, fed garbage: a wrong
# type, a negative or huge number, a 70 kB string, a 100,000-item array,
# a nested map, bytes.  Each is -32602 naming the parameter, the
# connection stays usable and the store intact.
QUERY_METHODS = {
    "match.candidates": ({"posting_id": "P1"},
                         ["posting_id", "query", "k", "grad_year", "region_prefix",
                          "min_available"]),
    "match.openings": ({"specialty_id": "SP1"},
                       ["specialty_id", "k", "kind", "region_prefix", "grad_year"]),
    "stats.balance": ({"by": "major"}, ["by", "region_prefix", "grad_year", "fair_id"]),
    "fair.allocate": ({"fair_id": "F1"},
                      ["fair_id", "grad_year", "min_score", "kinds", "explain"]),
    "fair.schedule": ({"fair_id": "F1"}, ["fair_id"]),
    "orderclass.plan": ({}, ["school_id", "region_prefix", "min_size", "max_size",
                             "grad_year", "min_score", "kinds", "time_limit_ms",
                             "explain"]),
    "apprenticeship.match": ({}, ["program_ids", "region_prefix", "grad_year", "explain"]),
}
GARBAGE = {
    "float": 1.5, "negative": -1, "huge_int": 2 ** 64 - 1, "long_str": "x" * 70000,
    "big_array": [0] * 100000, "nested_map": {"a": {"b": [1, {"c": None}]}},
    "bytes": b"\xff\x00", "true": True,
}
GARBAGE_CASES = [(m, p, g) for m, (_, ps) in QUERY_METHODS.items() for p in ps
                 for g in GARBAGE if not (p == "explain" and g == "true")]


@pytest.mark.parametrize("method,param,garbage", GARBAGE_CASES,
                         ids=["%s-%s-%s" % c for c in GARBAGE_CASES])
def test_query_and_planner_params_reject_garbage(hd, method, param, garbage):
    base, _ = QUERY_METHODS[method]
    params = dict(base)
    if param == "query":
        params.pop("posting_id")
    params[param] = GARBAGE[garbage]
    with Client.tcp(hd.port) as c:
        err = c.call_err(method, params)
        assert err is not None and err.code == INVALID_PARAMS, (params.keys(), err)
        assert (err.field or "").startswith(param), err
        assert c.call("system.ping") == "pong"
    check_intact(hd)


# The two school planners' parameters, value by value (docs/protocol.md
# "orderclass.plan", "apprenticeship.match"): (method, params, code, field).
# Each is answered with that error, the connection stays usable and the
# store intact.
OC = "orderclass.plan"
AM = "apprenticeship.match"
PLANNER_CASES = [
    (OC, {"min_size": "20"}, INVALID_PARAMS, "min_size"),
    (OC, {"min_size": 0}, INVALID_PARAMS, "min_size"),
    (OC, {"min_size": 10001, "max_size": 10000}, INVALID_PARAMS, "min_size"),
    (OC, {"min_size": -5}, INVALID_PARAMS, "min_size"),
    (OC, {"min_size": 20.0}, INVALID_PARAMS, "min_size"),
    (OC, {"min_size": None, "max_size": [40]}, INVALID_PARAMS, "max_size"),
    (OC, {"max_size": 0}, INVALID_PARAMS, "max_size"),
    (OC, {"max_size": 10001}, INVALID_PARAMS, "max_size"),
    (OC, {"max_size": -40}, INVALID_PARAMS, "max_size"),
    (OC, {"max_size": 40.5}, INVALID_PARAMS, "max_size"),
    (OC, {"max_size": True}, INVALID_PARAMS, "max_size"),
    (OC, {"min_size": 30, "max_size": 29}, INVALID_PARAMS, "min_size"),
    (OC, {"min_size": 41}, INVALID_PARAMS, "min_size"),
    (OC, {"max_size": 19}, INVALID_PARAMS, "min_size"),
    (OC, {"time_limit_ms": 0}, INVALID_PARAMS, "time_limit_ms"),
    (OC, {"time_limit_ms": 600001}, INVALID_PARAMS, "time_limit_ms"),
    (OC, {"time_limit_ms": "1000"}, INVALID_PARAMS, "time_limit_ms"),
    (OC, {"time_limit_ms": 100.0}, INVALID_PARAMS, "time_limit_ms"),
    (OC, {"kinds": []}, INVALID_PARAMS, "kinds"),
    (OC, {"kinds": "job"}, INVALID_PARAMS, "kinds"),
    (OC, {"kinds": ["job", "gig"]}, INVALID_PARAMS, "kinds[1]"),
    (OC, {"kinds": [None]}, INVALID_PARAMS, "kinds[0]"),
    (OC, {"min_score": -0.01}, INVALID_PARAMS, "min_score"),
    (OC, {"min_score": 1.01}, INVALID_PARAMS, "min_score"),
    (OC, {"min_score": 2}, INVALID_PARAMS, "min_score"),
    (OC, {"min_score": "0.5"}, INVALID_PARAMS, "min_score"),
    (OC, {"region_prefix": "3"}, INVALID_PARAMS, "region_prefix"),
    (OC, {"region_prefix": "330"}, INVALID_PARAMS, "region_prefix"),
    (OC, {"region_prefix": "3307021"}, INVALID_PARAMS, "region_prefix"),
    (OC, {"region_prefix": "33a7"}, INVALID_PARAMS, "region_prefix"),
    (OC, {"region_prefix": ""}, INVALID_PARAMS, "region_prefix"),
    (OC, {"region_prefix": 3307}, INVALID_PARAMS, "region_prefix"),
    (OC, {"school_id": "S9"}, NOT_FOUND, "school_id"),
    (OC, {"school_id": ""}, INVALID_PARAMS, "school_id"),
    (OC, {"school_id": "x" * 65}, INVALID_PARAMS, "school_id"),
    (OC, {"grad_year": 999}, INVALID_PARAMS, "grad_year"),
    (OC, {"grad_year": 10000}, INVALID_PARAMS, "grad_year"),
    (OC, {"grad_year": "2026"}, INVALID_PARAMS, "grad_year"),
    (OC, {"explain": 1}, INVALID_PARAMS, "explain"),
    (OC, {"explain": "true"}, INVALID_PARAMS, "explain"),
    (OC, {"fair_id": "F1"}, INVALID_PARAMS, "fair_id"),
    (OC, {"min_size": 5, "maxsize": 9}, INVALID_PARAMS, "maxsize"),
    (AM, {"program_ids": "G1"}, INVALID_PARAMS, "program_ids"),
    (AM, {"program_ids": {"G1": 1}}, INVALID_PARAMS, "program_ids"),
    (AM, {"program_ids": []}, INVALID_PARAMS, "program_ids"),
    (AM, {"program_ids": ["X%05d" % i for i in range(10001)]}, INVALID_PARAMS, "program_ids"),
    (AM, {"program_ids": ["G1", 5]}, INVALID_PARAMS, "program_ids[1]"),
    (AM, {"program_ids": [None]}, INVALID_PARAMS, "program_ids[0]"),
    (AM, {"program_ids": ["G1", "x" * 65]}, INVALID_PARAMS, "program_ids[1]"),
    (AM, {"program_ids": ["G1", ""]}, INVALID_PARAMS, "program_ids[1]"),
    (AM, {"program_ids": ["G1", "G9"]}, NOT_FOUND, "program_ids[1]"),
    (AM, {"program_ids": ["G1", "G1"]}, INVALID_PARAMS, "program_ids[1]"),
    (AM, {"grad_year": 999}, INVALID_PARAMS, "grad_year"),
    (AM, {"grad_year": 2026.0}, INVALID_PARAMS, "grad_year"),
    (AM, {"grad_year": "2026"}, INVALID_PARAMS, "grad_year"),
    (AM, {"region_prefix": "3307x"}, INVALID_PARAMS, "region_prefix"),
    (AM, {"explain": 0}, INVALID_PARAMS, "explain"),
    (AM, {"time_limit_ms": 100}, INVALID_PARAMS, "time_limit_ms"),
]


def _planner_case_id(c):
    method, params, code, field = c
    v = next(reversed(params.values()))
    v = repr(v) if not isinstance(v, (list, str)) or len(v) < 20 else \
        "%s[%d]" % (type(v).__name__, len(v))
    return "%s-%s-%s" % (method.split(".")[0], field, v)


@pytest.mark.parametrize("method,params,code,field", PLANNER_CASES,
                         ids=[_planner_case_id(c) for c in PLANNER_CASES])
def test_school_planner_params_table(hd, method, params, code, field):
    with Client.tcp(hd.port) as c:
        err = c.call_err(method, params, timeout=30)
        assert err.code == code and err.field == field, (err.code, err.field, err.message)
        assert c.call("system.ping") == "pong"
    check_intact(hd)
