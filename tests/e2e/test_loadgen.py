"""bench/loadgen judges replies correctly: the benchmarks' numbers rest on it.

Against the real daemon it counts pings and error replies; against a small
scripted server it must count a reply only when its msgid matches a request
in flight, count non-nil errors, and call anything else a protocol
violation, however the replies are split across reads.
"""
import json
import os
import socket
import subprocess
import threading
from pathlib import Path

import msgpack
import pytest

from conftest import BINARY

LOADGEN = Path(BINARY).parent / "bench" / "loadgen"

pytestmark = pytest.mark.skipif(not LOADGEN.exists(),
                                reason="loadgen not built next to the daemon")


def run_loadgen(port, *args):
    p = subprocess.run([str(LOADGEN), "--host", "127.0.0.1", "--port",
                        str(port), "--json", *args],
                       capture_output=True, text=True, timeout=60)
    line = p.stdout.strip().splitlines()[0]
    return p.returncode, json.loads(line), p.stderr


def test_ping_counts_every_reply(daemon):
    rc, r, _ = run_loadgen(daemon.port, "--conns", "4", "--pipeline", "8",
                           "--requests", "3000")
    assert rc == 0
    assert (r["requests"], r["ok"], r["errors"]) == (3000, 3000, 0)
    assert r["protocol_violations"] == 0 and r["connections_lost"] == 0


def test_error_replies_are_counted_not_fatal(daemon):
    rc, r, _ = run_loadgen(daemon.port, "--conns", "2", "--pipeline", "4",
                           "--requests", "500", "--method", "no.such")
    assert rc == 0
    assert (r["ok"], r["errors"]) == (0, 500)
    assert "no.such" in r["first_error"]


class Scripted:
    """A server that answers each request frame with reply(msgid, n), the
    bytes to send back (n counts requests from 0), sent `chunk` bytes at a
    time."""

    def __init__(self, reply, chunk=None):
        self.reply, self.chunk = reply, chunk
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        n = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            unp = msgpack.Unpacker(raw=False)
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                while True:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        break
                    if not data:
                        break
                    unp.feed(data)
                    out = b""
                    for req in unp:
                        out += self.reply(req[1], n)
                        n += 1
                    try:
                        if self.chunk:
                            for i in range(0, len(out), self.chunk):
                                conn.sendall(out[i:i + self.chunk])
                        else:
                            conn.sendall(out)
                    except OSError:
                        break

    def close(self):
        self.sock.close()


def scripted_run(reply, chunk=None, requests=200, pipeline=4):
    srv = Scripted(reply, chunk)
    try:
        return run_loadgen(srv.port, "--conns", "1", "--pipeline",
                           str(pipeline), "--requests", str(requests))
    finally:
        srv.close()


def pong(msgid, n):
    return msgpack.packb([1, msgid, None, "pong"])


def deep(levels):
    v = "pong"
    for _ in range(levels):
        v = [v]
    return v


@pytest.mark.parametrize("chunk", [None, 1, 5])
def test_replies_split_anywhere_are_framed(chunk):
    # msgids grow past 127, 255 and 65535, so every msgid encoding the
    # minimal packer picks (fixint, uint8, uint16, uint32) is read.
    rc, r, _ = scripted_run(pong, chunk, requests=70000 if chunk is None
                            else 600, pipeline=4)
    assert rc == 0
    assert r["errors"] == 0 and r["protocol_violations"] == 0
    assert r["ok"] == r["requests"]


def test_msgid_in_a_wide_encoding_still_matches():
    def wide(msgid, n):
        return b"\x94\x01\xce" + msgid.to_bytes(4, "big") + b"\xc0\xa4pong"
    rc, r, _ = scripted_run(wide)
    assert rc == 0 and r["ok"] == r["requests"] == 200


def test_error_reply_is_counted():
    def some_err(msgid, n):
        if n % 4 == 0:
            return msgpack.packb([1, msgid, {"code": 1029, "message": "busy"},
                                  None])
        return pong(msgid, n)
    rc, r, _ = scripted_run(some_err)
    assert rc == 0
    assert (r["ok"], r["errors"]) == (150, 50)
    assert "busy" in r["first_error"]


@pytest.mark.parametrize("name,bad", [
    ("msgid of no request", lambda m, n: pong(m + 1 if n == 7 else m, n)),
    # same slot as a request in flight, another sequence number
    ("stale msgid", lambda m, n: pong(m + (1 << 12) if n == 7 else m, n)),
    ("msgid answered twice", lambda m, n: pong(m, n) * (2 if n == 7 else 1)),
    ("nil msgid", lambda m, n: pong(None if n == 7 else m, n)),
    ("not a response", lambda m, n: msgpack.packb([2 if n == 7 else 1, m,
                                                   None, "pong"])),
    ("three elements", lambda m, n: msgpack.packb([1, m, None] if n == 7
                                                  else [1, m, None, "pong"])),
    ("reserved byte", lambda m, n: b"\xc1" if n == 7 else pong(m, n)),
    # deeper than msgpack-c decodes: the full path's verdict, not the bytes'
    ("nested too deep", lambda m, n: msgpack.packb(
        [1, m, None, deep(40)] if n == 7 else [1, m, None, "pong"])),
])
def test_bad_replies_are_protocol_violations(name, bad):
    rc, r, _ = scripted_run(bad)
    assert rc == 2, name
    assert r["protocol_violations"] >= 1, name
