"""End-to-end fixtures for chanjiaod: a real daemon on an ephemeral port.

The contract tested here is docs/protocol.md (MessagePack-RPC v1).
Only the Python standard library, python3-msgpack and python3-pytest are used.

Fixtures
  daemon_factory  -- start daemons (same or new data dir, extra args, config
                     text); every daemon is stopped at teardown and its whole
                     stderr is checked for sanitizer reports.
  daemon          -- one started daemon with a private data dir.
  client          -- a connected Client on `daemon`.
"""
import copy
import hashlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import msgpack
import pytest

REPO = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("CHANJIAOD") or str(REPO / "build" / "chanjiaod")

READY_RE = re.compile(r"chanjiaod: listening on 127\.0\.0\.1:(\d+)")
HTTP_RE = re.compile(r"chanjiaod: http on 127\.0\.0\.1:(\d+)")
SANITIZER_MARKS = ("Sanitizer", "runtime error")

# Error codes of docs/protocol.md.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL = -32603
UNAUTHENTICATED = 1001
FORBIDDEN = 1003
NOT_FOUND = 1004
CONFLICT = 1009
TOO_LARGE = 1013
BUSY = 1029

KINDS = ("school", "specialty", "enterprise", "posting", "fair", "program",
         "student")
PLURAL = {"school": "schools", "specialty": "specialties",
          "enterprise": "enterprises", "posting": "postings",
          "fair": "fairs", "program": "programs", "student": "students"}

DEFAULT_TIMEOUT = 10.0


# ---------------------------------------------------------------- records

_SAMPLES = {
    "school": {"id": "S1", "name": "金华技师学院", "level": "technician",
               "region": "330702"},
    "specialty": {"id": "SP1", "school_id": "S1", "major_code": "660103",
                  "name": "数控技术应用", "cohorts": {"2026": 40, "2027": 38},
                  "skills": ["CNC"], "chains": ["工业机床"]},
    "enterprise": {"id": "E1", "name": "某机床厂", "region": "330784",
                   "industry": "C34", "chains": ["工业机床"], "size": 500},
    "posting": {"id": "P1", "enterprise_id": "E1", "title": "数控操作工",
                "kind": "job", "headcount": 5, "majors": ["4601", "66"],
                "level": "secondary", "start": "2026-06-01",
                "until": "2026-12-31", "salary": [5000, 8000]},
    "fair": {"id": "F1", "name": "五月双选会", "date": "2026-05-20",
             "school_ids": ["S1"], "enterprise_ids": ["E1"],
             "directions": [{"id": "D1", "name": "数控", "majors": ["6601"]}],
             "sessions": [{"id": "AM", "start": "2026-05-20T09:00",
                           "end": "2026-05-20T12:00", "booths": 50,
                           "directions": ["D1"]}],
             "requests": {"E1": 1}},
    "program": {"id": "G1", "enterprise_id": "E1", "title": "数控学徒",
                "majors": ["6601"], "mentors": 3, "per_mentor": 4},
    "student": {"id": "ST1", "specialty_id": "SP1", "grad_year": 2026,
                "grade": 88.5, "prefs": ["G1"]},
}


def sample(kind_, /, **over):
    """A fresh copy of the valid sample record of `kind_`, with overrides."""
    rec = copy.deepcopy(_SAMPLES[kind_])
    rec.update(over)
    return rec


def school(**over):
    return sample("school", **over)


def specialty(**over):
    return sample("specialty", **over)


def enterprise(**over):
    return sample("enterprise", **over)


def posting(**over):
    return sample("posting", **over)


def fair(**over):
    return sample("fair", **over)


def program(**over):
    return sample("program", **over)


def student(**over):
    return sample("student", **over)


# Order in which the samples can be stored (references first).
PUT_ORDER = ("school", "enterprise", "specialty", "posting", "fair",
             "program", "student")


def put_all_samples(c):
    """Store one valid sample of every kind; returns {kind: record}."""
    out = {}
    for k in PUT_ORDER:
        rec = sample(k)
        assert c.call(k + ".put", rec) == {"written": 1}
        out[k] = rec
    return out


# ---------------------------------------------------------------- client

class RpcError(Exception):
    def __init__(self, code, message, data=None, msgid=None):
        super().__init__("rpc error %r: %r (data=%r)" % (code, message, data))
        self.code = code
        self.message = message
        self.data = data
        self.msgid = msgid

    @property
    def field(self):
        if isinstance(self.data, dict):
            return self.data.get("field")
        return None


class ConnectionClosed(Exception):
    """The peer closed (EOF) or reset the connection."""


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


def request_bytes(msgid, method, params=None):
    return pack([0, msgid, method, params_array(params)])


def params_array(params):
    if params is None:
        return [{}]
    if isinstance(params, dict):
        return [params]
    return params


def error_of(resp):
    """RpcError from a response array, or None when it is a success."""
    assert isinstance(resp, list) and len(resp) == 4, resp
    err = resp[2]
    if err is None:
        return None
    assert isinstance(err, dict), "error must be a map: %r" % (err,)
    assert isinstance(err.get("code"), int), "error.code must be int: %r" % (err,)
    assert isinstance(err.get("message"), str), "error.message must be str: %r" % (err,)
    assert resp[3] is None, "result must be nil with an error: %r" % (resp,)
    return RpcError(err["code"], err["message"], err.get("data"), resp[1])


class Client:
    """A small blocking MessagePack-RPC client; every read has a timeout."""

    def __init__(self, sock, timeout=DEFAULT_TIMEOUT):
        self.sock = sock
        self.timeout = timeout
        self.unpacker = msgpack.Unpacker(raw=False, strict_map_key=False,
                                         max_buffer_size=2 ** 31 - 1)
        self.next_id = 1
        self.closed_by_peer = False

    # -- connecting
    @classmethod
    def tcp(cls, port, timeout=DEFAULT_TIMEOUT):
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(s, timeout)

    @classmethod
    def unix(cls, path, timeout=DEFAULT_TIMEOUT):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(str(path))
        return cls(s, timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    # -- raw I/O
    def send_raw(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete message from the daemon in time")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 20)
        except socket.timeout:
            raise TimeoutError("no complete message from the daemon in time")
        except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError) as e:
            self.closed_by_peer = True
            raise ConnectionClosed(str(e))
        if not data:
            self.closed_by_peer = True
            raise ConnectionClosed("EOF")
        self.unpacker.feed(data)

    def recv_msg(self, timeout=None):
        """Next MessagePack value from the daemon (TimeoutError/ConnectionClosed)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                return next(self.unpacker)
            except StopIteration:
                pass
            self._fill(deadline)

    def expect_closed(self, timeout=5.0):
        """True if the daemon closes the connection within timeout (no more
        messages may arrive before the close); raises AssertionError with the
        unexpected message otherwise, TimeoutError if it stays open."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = next(self.unpacker)
                raise AssertionError("expected the connection to close, got %r" % (msg,))
            except StopIteration:
                pass
            try:
                self._fill(deadline)
            except ConnectionClosed:
                return True

    # -- requests
    def new_id(self):
        i = self.next_id
        self.next_id = (self.next_id + 1) & 0xFFFFFFFF
        return i

    def send_request(self, method, params=None, msgid=None):
        if msgid is None:
            msgid = self.new_id()
        self.send_raw(request_bytes(msgid, method, params))
        return msgid

    def notify(self, method, params=None):
        self.send_raw(pack([2, method, params_array(params)]))

    def recv_response(self, timeout=None):
        resp = self.recv_msg(timeout)
        assert isinstance(resp, list) and len(resp) == 4 and resp[0] == 1, \
            "not a response: %r" % (resp,)
        return resp

    def call_full(self, method, params=None, timeout=None):
        """Send one request, return the raw response array (msgid checked)."""
        msgid = self.send_request(method, params)
        resp = self.recv_response(timeout)
        assert resp[1] == msgid, "response msgid %r != request %r" % (resp[1], msgid)
        return resp

    def call(self, method, params=None, timeout=None):
        resp = self.call_full(method, params, timeout)
        err = error_of(resp)
        if err is not None:
            raise err
        return resp[3]

    def call_err(self, method, params=None, timeout=None):
        """A call that must fail; returns the RpcError."""
        resp = self.call_full(method, params, timeout)
        err = error_of(resp)
        assert err is not None, "%s(%r) succeeded with %r, an error was expected" % (
            method, params, resp[3])
        return err

    def pipeline(self, reqs, timeout=60.0):
        """Send [(method, params)...] in one write; return {msgid: response}
        in arrival order (as a list of responses)."""
        buf = bytearray()
        ids = []
        for method, params in reqs:
            i = self.new_id()
            ids.append(i)
            buf += request_bytes(i, method, params)
        self.send_raw(bytes(buf))
        out = []
        deadline = time.monotonic() + timeout
        for _ in ids:
            out.append(self.recv_response(max(0.01, deadline - time.monotonic())))
        return ids, out


def expect_error(c, method, params, code, field=Ellipsis):
    """Call, require error `code` (and data.field == field when given)."""
    err = c.call_err(method, params)
    assert err.code == code, "%s: expected code %d, got %d (%s, data=%r)" % (
        method, code, err.code, err.message, err.data)
    if field is not Ellipsis:
        assert err.field == field, "%s: expected data.field %r, got %r (%s)" % (
            method, field, err.field, err.message)
    return err


# ---------------------------------------------------------------- daemon

def _binary_or_fail():
    if not os.path.exists(BINARY):
        pytest.fail("chanjiaod binary not found at %s (set CHANJIAOD)" % BINARY)
    return BINARY


# ------------------------------------------------------------ the CLI

# The client binary, next to the daemon's (the build directory).
CLI = str(Path(BINARY).resolve().parent / "chanjiao")


def run(d, *args, env=None, host=True, timeout=120):
    """Run the client against daemon d (None, or host=False: no --host);
    returns the CompletedProcess with text stdout and stderr."""
    argv = [CLI]
    if host and d is not None:
        argv += ["--host", "127.0.0.1:%d" % d.port]
    argv += [str(a) for a in args]
    e = dict(os.environ)
    e.pop("CHANJIAO_TOKEN", None)
    e.update(env or {})
    p = subprocess.run(argv, capture_output=True, timeout=timeout, env=e)
    p.stdout = p.stdout.decode("utf-8")
    p.stderr = p.stderr.decode("utf-8")
    assert "Sanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    return p


def ok(d, *args, **kw):
    p = run(d, *args, **kw)
    assert p.returncode == 0, "chanjiao %s: rc %d\n%s" % (
        " ".join(map(str, args)), p.returncode, p.stderr)
    return p


def new_token(role, owner=None):
    """`chanjiao token new`: (the token, its tokens-file line), checked."""
    p = ok(None, "token", "new", "--role", role, *(["--owner", owner] if owner else []))
    tok = p.stdout.split("token: ")[1].split()[0]
    line = p.stdout.split("tokens file line: ")[1].strip()
    assert line.split()[0] == hashlib.sha256(tok.encode()).hexdigest()
    return tok, line


def fails(d, code, *args, **kw):
    p = run(d, *args, **kw)
    assert p.returncode == code, "chanjiao %s: rc %d, expected %d\nstdout:%s\nstderr:%s" % (
        " ".join(map(str, args)), p.returncode, code, p.stdout, p.stderr)
    return p


class Daemon:
    """One chanjiaod process; can be stopped and started again on the same
    data dir.  All stderr of every run is kept in self.stderr_lines."""

    def __init__(self, workdir, data=None, args=(), config=None,
                 listen="127.0.0.1:0", unix=None, use_data_flag=True,
                 http="off"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data = Path(data) if data else self.workdir / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.args = list(args)
        self.config_text = config
        self.listen = listen
        self.unix = unix
        self.http = http          # --http; None: the config's or default
        self.http_port = None
        self.use_data_flag = use_data_flag
        self.proc = None
        self.port = None
        self.stderr_lines = []
        self._lock = threading.Lock()
        self._clients = []
        self.runs = 0
        self.ready_re = READY_RE
        self.signalled = False

    # -- command line
    def config_path(self):
        return self.workdir / "chanjiao.conf"

    def argv(self):
        argv = [_binary_or_fail()]
        if self.config_text is not None:
            self.config_path().write_text(self.config_text)
            argv += ["-c", str(self.config_path())]
        if self.listen is not None:
            argv += ["--listen", self.listen]
        if self.use_data_flag:
            argv += ["--data", str(self.data)]
        if self.unix:
            argv += ["--unix", str(self.unix)]
        if self.http is not None:
            argv += ["--http", self.http]
        return argv + self.args

    # -- lifecycle
    def start(self, timeout=10.0):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.runs += 1
        run = self.runs
        self.signalled = False
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE,
                                     cwd=str(self.workdir))
        proc = self.proc
        ready = threading.Event()
        found = {}

        def drain():
            for raw in iter(proc.stderr.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                with self._lock:
                    self.stderr_lines.append("[run %d] %s" % (run, line))
                if not ready.is_set():
                    m = HTTP_RE.search(line)
                    if m:
                        found["http"] = int(m.group(1))
                    m = self.ready_re.search(line)
                    if m:
                        found["port"] = int(m.group(1))
                        ready.set()
            proc.stderr.close()
            ready.set()

        t = threading.Thread(target=drain, daemon=True)
        t.start()
        self._drain = t
        if not ready.wait(timeout):
            self.signalled = True
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("daemon did not report ready within %.0fs; stderr:\n%s"
                                 % (timeout, self.stderr_text()))
        if "port" not in found:
            self.signalled = True
            rc = self.proc.wait(5)
            raise AssertionError("daemon exited (rc=%r) before ready; stderr:\n%s"
                                 % (rc, self.stderr_text()))
        self.port = found["port"]
        self.http_port = found.get("http")
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Signal the daemon and wait; returns its exit code."""
        for c in self._clients:
            c.close()
        self._clients = []
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.signalled = True
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("daemon did not exit %.0fs after signal %d"
                                     % (timeout, sig))
        self._drain.join(5)
        return self.proc.returncode

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self, **changes):
        """Stop (SIGTERM) if running, apply changes (args/config/...) and start."""
        if self.alive():
            rc = self.stop()
            assert rc == 0, "SIGTERM exit code %r; stderr:\n%s" % (rc, self.stderr_text())
        for k, v in changes.items():
            setattr(self, k, v)
        return self.start()

    # -- clients
    def connect(self, timeout=DEFAULT_TIMEOUT):
        c = Client.tcp(self.port, timeout)
        self._clients.append(c)
        return c

    def connect_unix(self, timeout=DEFAULT_TIMEOUT):
        c = Client.unix(self.unix, timeout)
        self._clients.append(c)
        return c

    def ping(self):
        with Client.tcp(self.port, 5.0) as c:
            return c.call("system.ping")

    # -- output
    def stderr_text(self):
        with self._lock:
            return "\n".join(self.stderr_lines)

    def sanitizer_lines(self):
        with self._lock:
            return [l for l in self.stderr_lines
                    if any(m in l for m in SANITIZER_MARKS)]

    def rss_kb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None


def assert_no_sanitizer(d):
    bad = d.sanitizer_lines()
    assert not bad, "sanitizer report in daemon stderr:\n%s" % d.stderr_text()


@pytest.fixture
def daemon_factory(tmp_path):
    """daemon_factory(args=(), config=None, data=None, unix=None, start=True)
    -> Daemon.  Each call gets its own work dir under tmp_path."""
    made = []

    def make(args=(), config=None, data=None, unix=None, start=True,
             listen="127.0.0.1:0", use_data_flag=True, http="off"):
        wd = tmp_path / ("d%d" % len(made))
        d = Daemon(wd, data=data, args=args, config=config, listen=listen,
                   unix=unix, use_data_flag=use_data_flag, http=http)
        made.append(d)
        if start:
            d.start()
        return d

    yield make
    problems = []
    for d in made:
        was_alive = d.alive()
        died = d.proc is not None and not was_alive and not d.signalled
        try:
            rc = d.stop()
            if was_alive and rc != 0:
                problems.append("daemon exit code %r after SIGTERM (expected 0)" % rc)
        except AssertionError as e:
            problems.append(str(e))
        if died:
            problems.append("daemon exited by itself during the test (rc=%r)"
                            % d.proc.returncode)
        # shown by pytest only when the test fails
        print("---- daemon %s stderr (exit %r) ----\n%s" % (
            d.workdir.name, d.proc.returncode if d.proc else None, d.stderr_text()))
    for d in made:
        bad = d.sanitizer_lines()
        if bad:
            problems.append("sanitizer report in daemon stderr:\n" + d.stderr_text())
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def daemon(daemon_factory):
    return daemon_factory()


@pytest.fixture
def client(daemon):
    return daemon.connect()


def nested_array(depth, inner=None):
    """`depth` nested arrays around `inner` (None -> innermost array is empty)."""
    v = [] if inner is None else [inner]
    for _ in range(depth - 1):
        v = [v]
    return v
