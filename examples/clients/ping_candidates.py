#!/usr/bin/env python3
"""A minimal chanjiaod client: MessagePack-RPC over a plain TCP socket.

    python3 ping_candidates.py HOST:PORT

Pings the daemon, stores a school, an enterprise, a specialty and a
posting, reads the school back, asks which specialties can supply the
posting (match.candidates) and shows one error reply.  It needs only the
`msgpack` package and a daemon without a tokens file (no auth.login); see
docs/protocol.md for every method used here.
"""
import json
import socket
import sys

import msgpack


class RpcError(Exception):
    def __init__(self, err):
        super().__init__("%s %s" % (err["code"], err["message"]))
        self.code = err["code"]
        self.message = err["message"]
        self.data = err.get("data")


class Client:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        # Strings come back as str; keys of cohorts etc. are strings anyway.
        self.unpacker = msgpack.Unpacker(raw=False)
        self.next_id = 0
        self.early = {}              # replies that came before their turn

    def send(self, method, params):
        """Send one request; return its msgid (uint32, chosen by us)."""
        self.next_id = (self.next_id + 1) & 0xFFFFFFFF
        # params is an array holding exactly one map of named arguments.
        frame = msgpack.packb([0, self.next_id, method, [params]],
                              use_bin_type=True)
        self.sock.sendall(frame)
        return self.next_id

    def wait(self, msgid):
        """The result of request msgid; RpcError when it failed.  Replies
        may arrive in any order (queries run off the event loop), so they
        are matched by msgid."""
        while msgid not in self.early:
            for msg in self.unpacker:
                kind, rid, error, result = msg     # [1, msgid, error, result]
                assert kind == 1, msg
                self.early[rid] = (error, result)
            if msgid in self.early:
                break
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the daemon closed the connection")
            self.unpacker.feed(data)
        error, result = self.early.pop(msgid)
        if error is not None:
            raise RpcError(error)
        return result

    def call(self, method, params=None):
        return self.wait(self.send(method, params or {}))


def show(label, value):
    print("%s -> %s" % (label, json.dumps(value, ensure_ascii=False,
                                          sort_keys=True)))


def main():
    if len(sys.argv) != 2 or ":" not in sys.argv[1]:
        sys.exit("usage: ping_candidates.py HOST:PORT")
    host, port = sys.argv[1].rsplit(":", 1)
    c = Client(host, int(port))

    show("system.ping", c.call("system.ping"))

    # Writes: one record each, acknowledged after the commit.
    show("school.put", c.call("school.put", {
        "id": "PY-S1", "name": "金华技师学院", "level": "technician",
        "region": "330702"}))
    show("enterprise.put", c.call("enterprise.put", {
        "id": "PY-E1", "name": "某机床厂", "region": "330784",
        "industry": "C34", "chains": ["工业机床"]}))
    # A batch: {"records": [...]}, all or nothing.
    show("specialty.put", c.call("specialty.put", {"records": [
        {"id": "PY-SP1", "school_id": "PY-S1", "major_code": "660103",
         "name": "数控技术应用", "cohorts": {"2026": 40},
         "skills": ["CNC"], "chains": ["工业机床"]},
        {"id": "PY-SP2", "school_id": "PY-S1", "major_code": "660301",
         "name": "电气运行与控制", "cohorts": {"2026": 25}},
    ]}))
    show("posting.put", c.call("posting.put", {
        "id": "PY-P1", "enterprise_id": "PY-E1", "title": "数控操作工",
        "kind": "job", "headcount": 5, "majors": ["4601"],
        "skills": ["CNC"]}))

    show("school.get", c.call("school.get", {"id": "PY-S1"}))

    # Pipelining: both requests go out before either reply is read.
    a = c.send("match.candidates", {"posting_id": "PY-P1", "k": 5,
                                     "grad_year": 2026})
    b = c.send("system.info", {})
    info = c.wait(b)
    cands = c.wait(a)
    print("system.info -> version %s, %d schools" % (
        info["version"], info["counts"]["schools"]))
    for item in cands["items"]:
        print("candidate %s at %s: score %.2f, %d available" % (
            item["specialty_id"], item["school_id"], item["score"],
            item["available"]))
    print("considered %d" % cands["considered"])

    try:
        c.call("school.get", {"id": "PY-NONE"})
    except RpcError as e:
        print("school.get PY-NONE -> error %d (%s), field %s" % (
            e.code, e.message, (e.data or {}).get("field")))


if __name__ == "__main__":
    main()
