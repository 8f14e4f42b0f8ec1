"""The web console's HTTP side (docs/protocol.md "The web console
(HTTP)"; daemon/http.c): the JSON bridge gives the RPC's answers, its
status codes and headers, the paths it serves and refuses, Host and
Origin, sessions with a tokens file, the HTTP limits, import.csv over
HTTP, and how the listener starts.

Only the standard library speaks HTTP here (http.client, socket).
"""
import hashlib
import http.client
import json
import re
import signal
import socket
import subprocess
import time

import pytest

from conftest import (BINARY, CONFLICT, FORBIDDEN, INVALID_PARAMS,
                      METHOD_NOT_FOUND, NOT_FOUND, PARSE_ERROR, REPO,
                      UNAUTHENTICATED, BUSY, TOO_LARGE, enterprise,
                      fair, posting, put_all_samples, school, specialty)

WEB = REPO / "web"
HAS_PAGES = (WEB / "index.html").exists()
PAGES = ("/", "/fair/F1", "/fair/F1/booths", "/posting/P1/candidates",
         "/specialty/S1/openings", "/balance", "/import", "/orderclass",
         "/apprenticeship")
NOT_PATHS = ("/etc/passwd", "/static/../daemon.h", "/static/%2e%2e/x",
             "/static/%2e%2e/daemon/http.c", "/fair", "/fair/", "/fair/F1/x",
             "/posting/P1", "/static/", "/static/nope.js", "/index.html/",
             "/../../etc/passwd")
JSON_CT = {"Content-Type": "application/json"}


# ---------------------------------------------------------------- client

class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_named(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %r %r>" % (self.status, self.headers, self.body[:300])


def request(port, method, path, body=None, headers=None, timeout=10,
            conn=None):
    """One HTTP request; a new connection unless conn (kept alive) given."""
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode()
        c.request(method, path, body=body, headers=dict(headers or {}))
        r = c.getresponse()
        return Resp(r.status, r.getheaders(), r.read())
    finally:
        if conn is None:
            c.close()


def api(port, method, params=None, raw=None, headers=None, cookie=None,
        csrf=None, conn=None):
    """POST /api/<method>; params as JSON unless raw bytes are given."""
    h = dict(JSON_CT)
    if cookie:
        h["Cookie"] = cookie
    if csrf is not None:
        h["X-CSRF-Token"] = csrf
    h.update(headers or {})
    body = raw if raw is not None else json.dumps(params if params is not None
                                                   else {})
    return request(port, "POST", "/api/" + method, body, h, conn=conn)


def ok(r):
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("application/json"), r
    return r.json["result"]


def err(r, status, code, field=Ellipsis):
    assert r.status == status, r
    e = r.json["error"]
    assert e["code"] == code, r
    assert isinstance(e["message"], str) and e["message"], r
    if field is not Ellipsis:
        assert (e.get("data") or {}).get("field") == field, r
    return e


def assert_security_headers(r):
    csp = r.header("Content-Security-Policy")
    assert csp and "default-src 'self'" in csp, r
    assert r.header("X-Content-Type-Options") == "nosniff", r


def http_daemon(daemon_factory, config=None, args=(), **kw):
    d = daemon_factory(http="127.0.0.1:0", config=config, args=list(args), **kw)
    assert d.http_port, d.stderr_text()
    return d


def raw_exchange(port, data, timeout=5.0):
    """Send bytes on a new socket and read until EOF (or timeout): the
    bytes read and whether the daemon closed the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out, False
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return out, False
            except ConnectionResetError:
                return out, True
            if not chunk:
                return out, True
            out += chunk
    finally:
        s.close()


# ---------------------------------------------------------------- tokens

TOKENS = {
    "admin": ("http-admin-0123456789", "admin", "-"),
    "organizer": ("http-organizer-abcdef", "organizer", "-"),
    "school": ("http-school-S1-xyzxyz", "school", "S1"),
    "enterprise": ("http-enterprise-E1-qq", "enterprise", "E1"),
}


def tokens_file(path, names=tuple(TOKENS)):
    lines = ["# SHA256HEX ROLE OWNER"]
    for n in names:
        tok, role, owner = TOKENS[n]
        lines.append("%s %s %s" % (hashlib.sha256(tok.encode()).hexdigest(),
                                   role, owner))
    path.write_text("\n".join(lines) + "\n")
    return path


class Session:
    """A browser's session: the cookie and the CSRF token of a login."""

    def __init__(self, port, name):
        self.port = port
        r = api(port, "auth.login", {"token": TOKENS[name][0]})
        res = ok(r)
        owner = TOKENS[name][2]
        assert res["role"] == TOKENS[name][1], res
        assert res["owner"] == (None if owner == "-" else owner), res
        assert isinstance(res["csrf"], str) and len(res["csrf"]) >= 32, res
        self.csrf = res["csrf"]
        sc = r.header("Set-Cookie")
        assert sc, r
        self.set_cookie = sc
        self.cookie = sc.split(";", 1)[0].strip()
        assert re.fullmatch(r"cj_session=[A-Za-z0-9_-]{32}", self.cookie), sc

    def call(self, method, params=None, csrf=True):
        return api(self.port, method, params, cookie=self.cookie,
                   csrf=self.csrf if csrf is True else csrf)

    def session(self):
        return request(self.port, "GET", "/api/session",
                       headers={"Cookie": self.cookie})


@pytest.fixture
def authd(daemon_factory, tmp_path):
    tf = tokens_file(tmp_path / "tokens")
    d = http_daemon(daemon_factory, args=["--tokens", str(tf)])
    d.tokens_path = tf
    c = d.connect()
    assert c.call("auth.login", {"token": TOKENS["admin"][0]})["role"] == "admin"
    for rec in (school(), school(id="S2", name="二校")):
        c.call("school.put", rec)
    for rec in (enterprise(), enterprise(id="E2", name="二厂")):
        c.call("enterprise.put", rec)
    c.call("specialty.put", specialty())
    c.call("posting.put", posting())
    c.call("posting.put", posting(id="P2", enterprise_id="E2"))
    c.call("fair.put", fair())
    d.admin = c
    return d


# ---------------------------------------------------------------- the bridge

def test_bridge_answers_as_the_rpc(daemon_factory):
    d = http_daemon(daemon_factory)
    p = d.http_port
    c = d.connect()
    # a write through the bridge (writer thread), read back both ways
    assert ok(api(p, "school.put", school())) == {"written": 1}
    assert ok(api(p, "school.get", {"id": "S1"})) == c.call("school.get", {"id": "S1"})
    assert ok(api(p, "school.get", {"id": "S1"})) == school()
    assert ok(api(p, "school.put", {"records": [school(id="S2"), school(id="S3")]})) \
        == {"written": 2}
    for params in ({}, {"limit": 2}, {"limit": 2, "after": "S1"}):
        assert ok(api(p, "school.list", params)) == c.call("school.list", params)
    # the rest of the samples by RPC; queries on the worker threads
    for kind, rec in (("enterprise", enterprise()), ("specialty", specialty()),
                      ("posting", posting()), ("fair", fair())):
        c.call(kind + ".put", rec)
    for method, params in (
            ("match.candidates", {"posting_id": "P1"}),
            ("match.candidates", {"posting_id": "P1", "k": 1}),
            ("match.openings", {"specialty_id": "SP1"}),
            ("fair.allocate", {"fair_id": "F1"}),
            ("fair.allocate", {"fair_id": "F1", "explain": True}),
            ("fair.schedule", {"fair_id": "F1"}),
            ("stats.balance", {"by": "major_group"}),
            ("posting.list", {"filter": {"enterprise_id": "E1"}}),
            ("system.info", {})):
        via_http = ok(api(p, method, params))
        via_rpc = c.call(method, params)
        for timing in ("uptime_s", "solve_ms"):     # the clock's, not ours
            via_http.pop(timing, None)
            via_rpc.pop(timing, None)
        assert via_http == via_rpc, method
    cands = ok(api(p, "match.candidates", {"posting_id": "P1"}))
    assert cands["items"] and isinstance(cands["items"][0]["score"], float), cands
    # integers stay integers, floats floats
    got = ok(api(p, "posting.get", {"id": "P1"}))
    assert type(got["headcount"]) is int and got["salary"] == [5000, 8000]
    assert all(type(x) is int for x in got["salary"])
    # errors carry the RPC's code and field
    e = err(api(p, "school.get", {}), 400, INVALID_PARAMS)
    assert e == {"code": c.call_err("school.get", {}).code,
                 "message": c.call_err("school.get", {}).message,
                 "data": c.call_err("school.get", {}).data}


def test_integer_and_float_are_told_apart(daemon_factory):
    d = http_daemon(daemon_factory)
    p = d.http_port
    c = d.connect()
    for i in range(3):
        c.call("school.put", school(id="S%d" % i))
    assert len(ok(api(p, "school.list", {"limit": 1}))["items"]) == 1
    rpc = c.call_full("school.list", {"limit": 1.0})
    assert rpc[2] and rpc[2]["code"] == INVALID_PARAMS, \
        "the RPC takes a float limit: this test needs another field"
    for body in ('{"limit": 1.0}', '{"limit": 1e0}', '{"limit": 10E-1}'):
        err(api(p, "school.list", raw=body), 400, INVALID_PARAMS, "limit")


def test_json_body_rules(daemon_factory):
    d = http_daemon(daemon_factory)
    p = d.http_port
    # a key given twice
    err(api(p, "school.get", raw='{"id": "S1", "id": "S2"}'), 400,
        INVALID_PARAMS, "params")
    # an integer outside int64, either side
    for big in ("9223372036854775808", "-9223372036854775809",
                "100000000000000000000000"):
        err(api(p, "school.list", raw='{"limit": %s}' % big), 400,
            INVALID_PARAMS)
    # int64's own ends are integers (out of limit's range: -32602 on limit)
    err(api(p, "school.list", raw='{"limit": 9223372036854775807}'), 400,
        INVALID_PARAMS, "limit")
    # not an object (an array; the other JSON values below)
    for body in ("[1, 2]", "[]", '[{"id": "S1"}]'):
        err(api(p, "system.ping", raw=body), 400, INVALID_PARAMS, "params")
    # an empty body is {}
    assert ok(api(p, "system.ping", raw=b"")) == "pong"
    assert ok(api(p, "school.list", raw=b"")) == {"items": [], "next": None}
    # invalid JSON
    for body in ("{", "{'a': 1}", '{"a": 1,}', "\xff\xfe", '{"a": "\\u0000"}'):
        err(api(p, "system.ping", raw=body.encode("latin-1")), 400, PARSE_ERROR)
    # strings keep their text (non-ASCII both ways)
    assert ok(api(p, "school.put", school(name="金华 \"技师\" 学院\\"))) == {"written": 1}
    assert ok(api(p, "school.get", {"id": "S1"}))["name"] == "金华 \"技师\" 学院\\"


def test_a_json_scalar_body_is_not_an_object(daemon_factory):
    # docs/protocol.md "The web console": "A body that is not JSON is
    # -32700, one that is not an object -32602".  "x", 3, null and true are
    # JSON texts (RFC 8259), so -32602 on params; http.c parses without
    # JSON_DECODE_ANY and answers them -32700.
    d = http_daemon(daemon_factory)
    for body in ('"x"', "3", "null", "true", "1.5"):
        err(api(d.http_port, "system.ping", raw=body), 400, INVALID_PARAMS,
            "params")


def test_bin_values_come_back_as_base64():
    # No v1 method answers a MessagePack bin (grep msgpack_pack_bin in
    # daemon/, store/, matcher/, csv/, model/: only http.c packs one, for
    # import.csv's data), and records take no bin field, so http.c's
    # json_base64 cannot be reached from outside.
    pytest.skip("no method's reply holds a bin value")


# ---------------------------------------------------------------- statuses

def test_status_codes_and_security_headers(daemon_factory):
    d = http_daemon(daemon_factory,
                    config="[server]\nmax_frame = 64K\nmax_depth = 8\n")
    p = d.http_port
    c = d.connect()
    put_all_samples(c)
    r = api(p, "system.ping")
    assert ok(r) == "pong"
    assert_security_headers(r)
    assert r.header("Cache-Control") == "no-store"
    cases = [
        (api(p, "no.such", {}), 404, METHOD_NOT_FOUND),
        (api(p, "x" * 200, {}), 404, METHOD_NOT_FOUND),
        (api(p, "school.get", {"id": 5}), 400, INVALID_PARAMS),
        (api(p, "school.get", {"id": "NOPE"}), 404, NOT_FOUND),
        (api(p, "school.del", {"id": "S1"}), 409, CONFLICT),
        (api(p, "system.ping", {}, headers={"Content-Type": "text/plain"}),
         415, None),
        (api(p, "system.ping", {}, headers={"Content-Type": "application/jsonx"}),
         415, None),
        (request(p, "GET", "/api/school.list"), 405, None),
        (request(p, "GET", "/api/x"), 405, None),
        (request(p, "POST", "/api/session", "{}", JSON_CT), 405, None),
    ]
    for r, status, code in cases:
        assert r.status == status, r
        assert_security_headers(r)
        assert r.header("Content-Type").startswith("application/json"), r
        if code is not None:
            assert r.json["error"]["code"] == code, r
    assert c.call("school.get", {"id": "S1"})["id"] == "S1"   # not deleted
    # a Content-Type with parameters is JSON still
    assert ok(api(p, "system.ping", {}, headers={
        "Content-Type": "Application/JSON; charset=utf-8"})) == "pong"
    # a request without Content-Type at all
    r = request(p, "POST", "/api/system.ping", b"{}")
    assert r.status == 415, r
    # nesting: the request array is depth 1, params 2, the map 3, ...
    ok(api(p, "system.ping", raw='{"a": [[[[[1]]]]]}'))        # depth 8
    r = api(p, "system.ping", raw='{"a": [[[[[[1]]]]]]}')      # depth 9
    assert r.status == 413 and r.json["error"]["code"] == TOO_LARGE, r
    assert_security_headers(r)
    r = api(p, "system.ping", raw="[" * 1000 + "]" * 1000)
    assert r.status in (400, 413), r
    # 404 of a path, with the headers
    r = request(p, "GET", "/nope")
    assert r.status == 404 and r.header("Content-Type").startswith("text/plain"), r
    assert_security_headers(r)
    # the daemon counted the depth limit like the RPC's
    assert c.call("system.stats")["limits"]["max_depth"] >= 1
    # a body over max_frame is 413 from evhttp itself (libevent 2.1 answers
    # and closes the connection)
    r = api(p, "school.put", raw=b'{"x": "' + b"a" * (70 << 10) + b'"}')
    assert r.status == 413, r
    assert c.call("system.ping") == "pong"


@pytest.mark.xfail(strict=True, reason=(
    "libevent 2.1 answers 413 (body over max_frame), 400 (request line and "
    "headers over max_header) and 501 (a method other than GET/HEAD/POST) "
    "itself, without the console's headers; PROTOCOL.md says every "
    "response carries them"))
def test_evhttp_own_errors_carry_the_security_headers(daemon_factory):
    d = http_daemon(daemon_factory, config="[server]\nmax_frame = 64K\n")
    p = d.http_port
    r = api(p, "school.put", raw=b'{"x": "' + b"a" * (70 << 10) + b'"}')
    assert r.status == 413
    assert_security_headers(r)
    r = request(p, "PUT", "/api/system.ping", b"{}", JSON_CT)
    assert r.status in (405, 501)
    assert_security_headers(r)


def test_busy_when_max_jobs_is_full(daemon_factory):
    d = http_daemon(daemon_factory,
                    config="[server]\nworkers = 1\nmax_jobs = 1\n")
    p = d.http_port
    put_all_samples(d.connect())
    body = json.dumps({"fair_id": "F1"}).encode()
    req = (b"POST /api/fair.allocate HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
           % (p, len(body), body))
    # connect every client first (accepted), then stop the daemon, send
    # all requests and let it go on: one epoll wait finds all 30 and the
    # loop handles them in one pass, so those after the first find
    # max_jobs taken (a slot is freed between passes, as in test_jobs.py)
    socks = [socket.create_connection(("127.0.0.1", p), timeout=10)
             for _ in range(30)]
    time.sleep(0.3)
    d.proc.send_signal(signal.SIGSTOP)
    try:
        for s in socks:
            s.sendall(req)
    finally:
        d.proc.send_signal(signal.SIGCONT)
    statuses = []
    for s in socks:
        r = http.client.HTTPResponse(s)
        r.begin()
        b = json.loads(r.read())
        statuses.append(r.status)
        if r.status == 429:
            assert b["error"]["code"] == BUSY, b
        else:
            assert r.status == 200 and "allocations" in b["result"], b
        s.close()
    assert statuses.count(429) >= 1 and statuses.count(200) >= 1, statuses
    assert d.connect().call("system.stats")["limits"]["max_jobs"] >= 1
    assert ok(api(p, "fair.allocate", {"fair_id": "F1"}))["placed"] >= 0


def test_client_gone_during_a_deferred_call_and_sigterm(daemon_factory):
    d = http_daemon(daemon_factory, config="[server]\nworkers = 1\n")
    p = d.http_port
    put_all_samples(d.connect())
    body = json.dumps({"fair_id": "F1", "explain": True}).encode()
    req = (b"POST /api/fair.allocate HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
           % (p, len(body), body))
    for _ in range(20):                 # the client leaves before the reply
        s = socket.create_connection(("127.0.0.1", p))
        s.sendall(req)
        s.close()
    assert ok(api(p, "fair.allocate", {"fair_id": "F1"}))["placed"] >= 0
    assert d.ping() == "pong"
    # SIGTERM with HTTP calls in flight: a clean exit (ASan: no leak, no
    # use after free of the requests)
    socks = []
    for _ in range(8):
        s = socket.create_connection(("127.0.0.1", p))
        s.sendall(req)
        socks.append(s)
    assert d.stop() == 0
    for s in socks:
        s.close()


# ---------------------------------------------------------------- paths

def test_paths(daemon_factory, tmp_path):
    chart = tmp_path / "chart.min.js"
    chart.write_bytes(b"/* a stand-in for Chart.js */\n")
    d = http_daemon(daemon_factory, config="[http]\nchartjs = %s\n" % chart)
    p = d.http_port
    for path in NOT_PATHS:
        r = request(p, "GET", path)
        assert r.status == 404, (path, r)
        assert b"<" not in r.body and b"#include" not in r.body, (path, r)
        assert_security_headers(r)
    for path in PAGES:
        r = request(p, "GET", path)
        if HAS_PAGES:
            assert r.status == 200, (path, r)
            assert r.header("Content-Type") == "text/html; charset=utf-8", r
            assert r.body == (WEB / "index.html").read_bytes(), path
            assert_security_headers(r)
        else:                           # no web/ in this tree: no pages
            assert r.status == 404, (path, r)
    # POST to a page is 405
    assert request(p, "POST", "/", b"x", JSON_CT).status == 405
    # Chart.js, with its ETag: a revalidation is 304 with no body
    conn = http.client.HTTPConnection("127.0.0.1", p, timeout=10)
    r = request(p, "GET", "/static/chart.min.js", conn=conn)
    assert r.status == 200 and r.body == chart.read_bytes(), r
    assert r.header("Content-Type").startswith("text/javascript"), r
    etag = r.header("ETag")
    assert etag and etag.startswith('"') and etag.endswith('"'), r
    assert r.header("Cache-Control") == "no-cache", r
    assert_security_headers(r)
    r = request(p, "GET", "/static/chart.min.js",
                headers={"If-None-Match": etag}, conn=conn)
    assert r.status == 304 and r.body == b"", r
    assert r.header("ETag") == etag
    assert r.header("Content-Length") in (None, "0"), r
    r = request(p, "GET", "/static/chart.min.js",
                headers={"If-None-Match": '"0000000000000000"'}, conn=conn)
    assert r.status == 200 and r.body == chart.read_bytes()
    # every embedded asset: ETag, 304, HEAD
    for f in sorted(WEB.iterdir()) if WEB.is_dir() else ():
        path = "/static/" + f.name
        r = request(p, "GET", path, conn=conn)
        assert r.status == 200 and r.body == f.read_bytes(), path
        et = r.header("ETag")
        r2 = request(p, "GET", path, headers={"If-None-Match": et}, conn=conn)
        assert r2.status == 304 and r2.body == b"", (path, r2)
        r3 = request(p, "HEAD", path, conn=conn)
        assert r3.status == 200 and r3.body == b"" and r3.header("ETag") == et, r3
    conn.close()
    r = request(p, "HEAD", "/")
    assert r.status == (200 if HAS_PAGES else 404) and r.body == b"", r


def test_big_replies_on_a_kept_alive_connection_do_not_stall(daemon_factory,
                                                            tmp_path):
    # evhttp (libevent 2.1) writes a reply in 16 KiB pieces; without
    # TCP_NODELAY on the console's sockets Nagle holds each later piece
    # until the client ACKs the one before, and the client delays that ACK
    # (40 ms on Linux): every reply over 16 KiB on a kept-alive connection
    # -- codes.js, pages.js, chart.min.js, a fair.allocate -- took ~40 ms
    # instead of well under one.
    chart = tmp_path / "chart.min.js"
    chart.write_bytes(b"/*" + b"x" * (200 << 10) + b"*/\n")
    d = http_daemon(daemon_factory, config="[http]\nchartjs = %s\n" % chart)
    p = d.http_port
    c = d.connect()
    c.call("school.put", {"records": [school(id="S%04d" % i, name="学校" * 20)
                                      for i in range(400)]})
    conn = http.client.HTTPConnection("127.0.0.1", p, timeout=10)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for what in (("GET", "/static/chart.min.js", None, {}),
                 ("POST", "/api/school.list", b'{"limit": 400}', JSON_CT)):
        took = []
        for _ in range(15):
            t = time.monotonic()
            r = request(p, what[0], what[1], what[2], what[3], conn=conn)
            took.append(time.monotonic() - t)
            assert r.status == 200 and len(r.body) > (32 << 10), r
        took.sort()
        assert took[len(took) // 2] < 0.03, (  # Nagle + delayed ACK: >= 40 ms
            "%s: median %.1f ms a reply (%s)" % (
                what[1], took[len(took) // 2] * 1e3,
                " ".join("%.0f" % (x * 1e3) for x in took)))
    conn.close()


def test_no_chart_library_is_404(daemon_factory, tmp_path):
    d = http_daemon(daemon_factory,
                    config="[http]\nchartjs = %s\n" % (tmp_path / "none.js"))
    assert request(d.http_port, "GET", "/static/chart.min.js").status == 404
    assert "Chart.js not found" in d.stderr_text()


# ---------------------------------------------------------------- Host, Origin

def test_host_and_origin(daemon_factory):
    d = http_daemon(daemon_factory, config="[http]\nhosts = console.example\n")
    p = d.http_port

    def ping(**h):
        return api(p, "system.ping", headers=h)

    for host in ("evil.com", "evil.com:%d" % p, "127.0.0.1", "127.0.0.1:1",
                 "localhost", "console.example.evil.com", "127.0.0.2:%d" % p):
        r = ping(Host=host)
        err(r, 403, FORBIDDEN)
        assert_security_headers(r)
        assert request(p, "GET", "/", headers={"Host": host}).status == 403
    for host in ("127.0.0.1:%d" % p, "localhost:%d" % p, "LOCALHOST:%d" % p,
                 "console.example", "console.example:%d" % p):
        assert ok(ping(Host=host)) == "pong", host
    own = "http://127.0.0.1:%d" % p
    assert ok(ping(Origin=own)) == "pong"
    assert ok(ping(Host="console.example", Origin="http://console.example")) == "pong"
    for origin in ("http://evil.com", "http://127.0.0.1:%d.evil.com" % p,
                   "null", "http://localhost:%d" % p, own + "/x",
                   "ftp://127.0.0.1:%d" % p):
        err(ping(Origin=origin), 403, FORBIDDEN)
    # a request without Host (HTTP/1.0) is refused too
    out, _ = raw_exchange(p, b"GET / HTTP/1.0\r\n\r\n")
    assert out.startswith(b"HTTP/1.0 403") or out.startswith(b"HTTP/1.1 403"), out


# ---------------------------------------------------------------- sessions

def test_login_session_csrf_and_logout(authd):
    p = authd.http_port
    # no session: ping works, the rest is 401/1001
    assert ok(api(p, "system.ping")) == "pong"
    err(api(p, "school.list"), 401, UNAUTHENTICATED)
    err(request(p, "GET", "/api/session"), 401, UNAUTHENTICATED)
    err(api(p, "auth.login", {"token": "wrong"}), 401, UNAUTHENTICATED, "token")
    assert api(p, "auth.login", {"token": "wrong"}).header("Set-Cookie") is None
    err(api(p, "auth.login", {}), 400, INVALID_PARAMS, "token")
    # a login
    s = Session(p, "organizer")
    attrs = [a.strip().lower() for a in s.set_cookie.split(";")]
    assert "httponly" in attrs and "samesite=strict" in attrs, s.set_cookie
    assert "path=/" in attrs, s.set_cookie
    r = s.session()
    res = ok(r)
    assert res == {"role": "organizer", "owner": None, "csrf": s.csrf,
                   "tokens": True}, res
    # POSTs need the CSRF token
    err(s.call("school.list", csrf=None), 403, FORBIDDEN)
    err(s.call("school.list", csrf="x" * 32), 403, FORBIDDEN)
    err(s.call("school.list", csrf=s.csrf[:-1]), 403, FORBIDDEN)
    err(s.call("school.list", csrf=s.csrf + "x"), 403, FORBIDDEN)
    assert [x["id"] for x in ok(s.call("school.list"))["items"]] == ["S1", "S2"]
    # the organizer writes fairs, not schools
    assert ok(s.call("fair.put", fair(name="改名"))) == {"written": 1}
    err(s.call("school.put", school(name="改名")), 403, FORBIDDEN)
    # a cookie among others, a bad cookie
    r = api(p, "school.list", cookie="a=b; " + s.cookie + "; c=d", csrf=s.csrf)
    assert ok(r)["items"]
    err(api(p, "school.list", cookie="cj_session=" + "A" * 32, csrf=s.csrf),
        401, UNAUTHENTICATED)
    # logout: the cookie cleared, the old one no longer works
    r = s.call("auth.logout")
    assert ok(r) == {"ended": True}
    sc = r.header("Set-Cookie")
    assert sc and sc.startswith("cj_session=;") and "Max-Age=0" in sc, sc
    err(s.call("school.list"), 401, UNAUTHENTICATED)
    err(s.session(), 401, UNAUTHENTICATED)
    # two sessions are apart; a second login replaces the first
    a, b = Session(p, "school"), Session(p, "school")
    assert a.cookie != b.cookie and a.csrf != b.csrf
    err(api(p, "school.list", cookie=a.cookie, csrf=b.csrf), 403, FORBIDDEN)
    r = api(p, "auth.login", {"token": TOKENS["enterprise"][0]}, cookie=a.cookie)
    assert ok(r)["role"] == "enterprise"
    err(a.call("school.list"), 401, UNAUTHENTICATED)
    assert ok(b.call("school.list"))["items"]


def test_roles_through_the_bridge(authd, tmp_path):
    p = authd.http_port
    ent = Session(p, "enterprise")
    err(ent.call("posting.put", posting(id="P2", enterprise_id="E2",
                                        title="抢来的")), 403, FORBIDDEN)
    err(ent.call("posting.put", posting(id="P9", enterprise_id="E2")), 403,
        FORBIDDEN)
    assert ok(ent.call("posting.put", posting(title="改名"))) == {"written": 1}
    err(ent.call("admin.backup", {"path": "x.mdb"}), 403, FORBIDDEN)
    err(ent.call("admin.verify"), 403, FORBIDDEN)
    assert authd.admin.call("posting.get", {"id": "P2"})["title"] == "数控操作工"
    assert authd.admin.call("posting.get", {"id": "P1"})["title"] == "改名"
    sch = Session(p, "school")
    err(sch.call("school.put", school(id="S2", name="x")), 403, FORBIDDEN)
    assert ok(sch.call("school.put", school(name="一校"))) == {"written": 1}
    adm = Session(p, "admin")
    assert ok(adm.call("admin.verify"))["ok"] is True
    # every role reads and queries
    assert ok(ent.call("fair.allocate", {"fair_id": "F1"}))["placed"] >= 0


def test_max_sessions_drops_the_oldest(daemon_factory, tmp_path):
    tf = tokens_file(tmp_path / "tokens")
    d = http_daemon(daemon_factory, config="[http]\nmax_sessions = 2\n",
                    args=["--tokens", str(tf)])
    p = d.http_port
    s1 = Session(p, "admin")
    time.sleep(0.01)
    s2 = Session(p, "admin")
    time.sleep(0.01)
    s3 = Session(p, "admin")
    err(s1.call("system.info"), 401, UNAUTHENTICATED)
    assert ok(s2.call("system.info"))["counts"]["schools"] == 0
    assert ok(s3.call("system.info"))["counts"]["schools"] == 0


def test_session_timeout_has_a_minimum(tmp_path):
    def check(conf):
        f = tmp_path / "c.conf"
        f.write_text(conf)
        return subprocess.run([BINARY, "-c", str(f), "--data", str(tmp_path / "d"),
                               "--check-config"], capture_output=True, text=True,
                              timeout=20)
    r = check("[http]\nsession_timeout_s = 59\n")
    assert r.returncode == 1 and "session_timeout_s" in r.stderr, r
    r = check("[http]\nsession_timeout_s = 60\n")
    assert r.returncode == 0, r
    for bad in ("timeout_s = 0", "max_header = 1023", "max_sessions = 0",
                "nope = 1"):
        r = check("[http]\n%s\n" % bad)
        assert r.returncode == 1, (bad, r)


def test_sighup_ends_the_sessions_of_a_removed_token(authd):
    p = authd.http_port
    ent = Session(p, "enterprise")
    org = Session(p, "organizer")
    assert ok(ent.call("posting.get", {"id": "P1"}))["id"] == "P1"
    tokens_file(authd.tokens_path, names=("admin", "organizer", "school"))
    authd.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while "SIGHUP: loaded 3 tokens" not in authd.stderr_text():
        assert time.time() < deadline, authd.stderr_text()
        time.sleep(0.05)
    err(ent.call("posting.get", {"id": "P1"}), 401, UNAUTHENTICATED)
    err(ent.session(), 401, UNAUTHENTICATED)
    err(api(p, "auth.login", {"token": TOKENS["enterprise"][0]}), 401,
        UNAUTHENTICATED, "token")
    assert ok(org.call("posting.get", {"id": "P1"}))["id"] == "P1"
    assert ok(org.session())["role"] == "organizer"


def test_sighup_revocation_seen_first_by_get_session(authd):
    p = authd.http_port
    ent = Session(p, "enterprise")
    tokens_file(authd.tokens_path, names=("admin",))
    authd.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while "SIGHUP: loaded 1 tokens" not in authd.stderr_text():
        assert time.time() < deadline, authd.stderr_text()
        time.sleep(0.05)
    err(ent.session(), 401, UNAUTHENTICATED)
    err(ent.call("posting.get", {"id": "P1"}), 401, UNAUTHENTICATED)


def test_without_tokens_everyone_is_admin(daemon_factory):
    d = http_daemon(daemon_factory)
    p = d.http_port
    res = ok(request(p, "GET", "/api/session"))
    assert res["role"] == "admin" and res["tokens"] is False, res
    r = api(p, "auth.login", {"token": "anything"})
    assert ok(r)["role"] == "admin"
    assert r.header("Set-Cookie") is None
    assert ok(api(p, "admin.verify"))["ok"] is True


# ---------------------------------------------------------------- limits

def test_request_over_max_header(daemon_factory):
    d = http_daemon(daemon_factory, config="[http]\nmax_header = 2K\n")
    p = d.http_port
    fine = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Pad: %s\r\n\r\n" % (
        p, b"a" * 1500)
    out, _ = raw_exchange(p, fine, timeout=1)
    assert out.startswith(b"HTTP/1.1 %d" % (200 if HAS_PAGES else 404)), out[:80]
    for big in (b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Pad: %s\r\n\r\n"
                % (p, b"a" * 3000),
                b"GET /%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
                % (b"a" * 3000, p)):
        out, closed = raw_exchange(p, big)
        # libevent 2.1 answers a request line and headers over
        # max_headers_size with its own "400 Bad Request" (not 413) and
        # closes the connection
        assert out.startswith(b"HTTP/1.1 400 ") or out.startswith(b"HTTP/1.1 413 "), out
        assert closed, out
    assert d.ping() == "pong"


def test_slow_client_is_closed_after_timeout(daemon_factory):
    d = http_daemon(daemon_factory, config="[http]\ntimeout_s = 2\n")
    p = d.http_port
    c = d.connect()
    s = socket.create_connection(("127.0.0.1", p))
    t0 = time.monotonic()
    s.sendall(b"POST /api/system.ping HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
              b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
              % p)
    # half a body, then nothing; meanwhile the RPC answers at once
    worst = 0.0
    while time.monotonic() - t0 < 1.5:
        t = time.monotonic()
        assert c.call("system.ping") == "pong"
        worst = max(worst, time.monotonic() - t)
        time.sleep(0.05)
    assert worst < 0.5, worst
    s.settimeout(8)
    try:
        data = s.recv(4096)
    except ConnectionResetError:
        data = b""
    took = time.monotonic() - t0
    s.close()
    # libevent 2.1 closes a request that times out while being read with no
    # reply
    assert data == b"", data
    assert 1.5 <= took <= 6, took
    # one that stalls in its headers too
    s = socket.create_connection(("127.0.0.1", p))
    t0 = time.monotonic()
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1")
    s.settimeout(8)
    try:
        data = s.recv(4096)
    except ConnectionResetError:
        data = b""
    took = time.monotonic() - t0
    s.close()
    assert data == b"" and 1.5 <= took <= 6, (data, took)
    assert ok(api(p, "system.ping")) == "pong"


# ---------------------------------------------------------------- import.csv

GOOD = "id,name,level,region\nS1,一校,higher,330702\nS2,二校,secondary,330702\n"
BAD = ("id,name,level,region\nS1,一校,higher,330702\nS2,二校,superb,330702\n"
       "S3,三校,secondary,330702\n")


def imp(p, query, data, **kw):
    return request(p, "POST", "/api/import.csv" + query, data.encode(),
                   {"Content-Type": "text/csv"}, **kw)


def test_import_csv_over_http(daemon_factory):
    d = http_daemon(daemon_factory)
    p = d.http_port
    c = d.connect()

    def schools():
        return c.call("system.info")["counts"]["schools"]

    res = ok(imp(p, "?kind=school&dry_run=1", GOOD))
    assert (res["new"], res["updated"], res["dry_run"], res["errors"]) == \
        (2, 0, True, []), res
    assert schools() == 0
    rpc = c.call("import.csv", {"kind": "school", "data": GOOD.encode(),
                                "dry_run": True})
    assert res == rpc
    res = ok(imp(p, "?kind=school", GOOD))
    assert (res["new"], res["dry_run"], res["errors"]) == (2, False, []), res
    assert schools() == 2
    res = ok(imp(p, "?kind=schools&dry_run=true", GOOD))    # the plural
    assert (res["new"], res["unchanged"]) == (0, 2), res
    # a bad row: the row's details, nothing written
    r = imp(p, "?kind=school", BAD)
    res = ok(r)
    assert res["errors"], res
    e = res["errors"][0]
    assert (e["row"], e["column"], e["value"]) == (3, "level", "superb"), e
    assert schools() == 2
    assert c.call("school.get", {"id": "S1"})["level"] == "higher"
    # the query string's rules
    err(imp(p, "?kind=school&nope=1", GOOD), 400, INVALID_PARAMS, "params")
    err(imp(p, "?kind=school&dry_run=yes", GOOD), 400, INVALID_PARAMS, "dry_run")
    err(imp(p, "", GOOD), 400, INVALID_PARAMS, "kind")
    err(imp(p, "?dry_run=1", GOOD), 400, INVALID_PARAMS, "kind")
    err(imp(p, "?kind=nope", GOOD), 400, INVALID_PARAMS, "kind")
    assert schools() == 2
    # any Content-Type, even none
    res = ok(request(p, "POST", "/api/import.csv?kind=school&dry_run=1",
                     GOOD.encode()))
    assert res["unchanged"] == 2, res
    # an empty file is the file's problem, answered as the RPC does
    r = imp(p, "?kind=school", "")
    rpc = c.call_full("import.csv", {"kind": "school", "data": b""})
    if rpc[2] is None:
        assert ok(r) == rpc[3]
    else:
        assert r.json["error"]["code"] == rpc[2]["code"], r


def test_import_csv_query_key_given_twice(daemon_factory):
    # The bridge's rule "a key given twice is -32602" (PROTOCOL.md, the
    # JSON body) is not applied to import.csv's query string: http.c
    # packs every pair, the handler takes the first, so
    # ?kind=school&dry_run=0&dry_run=1 -- a URL with "&dry_run=1" appended
    # to try it first -- imports for real.
    d = http_daemon(daemon_factory)
    p = d.http_port
    c = d.connect()
    for q in ("?kind=school&dry_run=0&dry_run=1", "?kind=school&kind=school",
              "?kind=student&kind=school&dry_run=1"):
        err(imp(p, q, GOOD), 400, INVALID_PARAMS)
    assert c.call("system.info")["counts"]["schools"] == 0


def test_import_csv_roles(authd):
    p = authd.http_port
    sch = Session(p, "school")
    text = "id,name,level,region\nS1,一校,higher,330702\nS2,二校,higher,330702\n"
    r = request(p, "POST", "/api/import.csv?kind=school", text.encode(),
                {"Cookie": sch.cookie, "X-CSRF-Token": sch.csrf})
    res = ok(r)
    assert any(e.get("code") == FORBIDDEN for e in res["errors"]), res
    # without the CSRF header
    r = request(p, "POST", "/api/import.csv?kind=school", text.encode(),
                {"Cookie": sch.cookie})
    err(r, 403, FORBIDDEN)
    r = request(p, "POST", "/api/import.csv?kind=school", text.encode())
    err(r, 401, UNAUTHENTICATED)


# ---------------------------------------------------------------- listening

def test_http_off_prints_no_http_line(daemon_factory):
    d = daemon_factory(http="off")
    assert d.http_port is None
    assert "http on" not in d.stderr_text()
    d2 = daemon_factory(http="127.0.0.1:0")
    assert re.search(r"^\[run 1\] chanjiaod: http on 127\.0\.0\.1:\d+$",
                     d2.stderr_text(), re.M), d2.stderr_text()
    # the http line comes before the ready line
    lines = d2.stderr_text().splitlines()
    hi = next(i for i, l in enumerate(lines) if "http on" in l)
    ri = next(i for i, l in enumerate(lines) if "listening on" in l)
    assert hi < ri, lines


def test_an_asked_address_that_is_taken_is_an_error(daemon_factory):
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen(1)
    port = held.getsockname()[1]
    try:
        d = daemon_factory(http=None, start=False,
                           config="[http]\nlisten = 127.0.0.1:%d\n" % port)
        with pytest.raises(AssertionError, match="exited"):
            d.start()
        assert d.proc.returncode == 1, d.stderr_text()
        assert "http listen 127.0.0.1:%d" % port in d.stderr_text()
        d = daemon_factory(http="127.0.0.1:%d" % port, start=False)
        with pytest.raises(AssertionError, match="exited"):
            d.start()
        assert d.proc.returncode == 1, d.stderr_text()
    finally:
        held.close()


def test_the_default_address_taken_is_a_warning(daemon_factory):
    held = socket.socket()
    try:
        held.bind(("127.0.0.1", 7412))
        held.listen(1)
    except OSError as e:
        held.close()
        pytest.skip("cannot hold 127.0.0.1:7412: %s" % e)
    try:
        d = daemon_factory(http=None)
        assert d.http_port is None
        text = d.stderr_text()
        assert "taken" in text and "7412" in text, text
        assert "http on" not in text
        assert d.ping() == "pong"
    finally:
        held.close()


def test_json_text_of_replies_is_exact(daemon_factory):
    # Replies are written as JSON from their MessagePack by hand: every
    # character that JSON escapes, Chinese, a 4-byte character, floats
    # that need 17 digits and integers at the ends of their range read back
    # as the RPC's values.
    d = http_daemon(daemon_factory)
    c = d.connect()
    name = 'a"b\\c\n\t\x01\x1f\x7f 金华 😀 </script> \u2028'
    c.call("school.put", {"records": [school(id="S1", name=name)]})
    rpc = c.call("school.get", {"id": "S1"})
    r = api(d.http_port, "school.get", {"id": "S1"})
    assert ok(r) == rpc and rpc["name"] == name
    raw = r.body.decode("utf-8")
    assert r'a\"b\\c\u000a\u0009\u0001\u001f' in raw
    assert "金华 😀" in raw            # UTF-8 as it is, not \u-escaped
    stats_rpc = c.call("match.candidates", {"query": {"majors": ["66"]}, "k": 5})
    stats_http = ok(api(d.http_port, "match.candidates",
                        {"query": {"majors": ["66"]}, "k": 5}))
    assert stats_http == stats_rpc
    info = ok(api(d.http_port, "system.info"))
    assert isinstance(info["uptime_s"], int)
