#!/usr/bin/python3
"""Write the seed corpora of the libFuzzer targets (tests/fuzz/corpus/).

Run it again after changing the seeds; the files are committed, so the
fuzzers start from the same inputs everywhere.  Needs python3-msgpack.

  corpus/fuzz_frame/   control byte (+ chunk sizes) + a byte stream; see
                       the layout at the top of fuzz_frame.c
  corpus/fuzz_schema/  kind byte + a record (+ a list filter)
  corpus/fuzz_config/  "section\\0key\\0value", or \\x01/\\x02 for
                       [server]/[match] + "key\\0value"
  msgpack.dict         the -dict= of all three: MessagePack type bytes and
                       headers, docs/protocol.md field/method names (raw and as
                       msgpack str), config sections, keys and values
"""
import shutil
from pathlib import Path

import msgpack

HERE = Path(__file__).resolve().parent
KINDS = ["school", "specialty", "enterprise", "posting", "fair", "program",
         "student"]

RECORDS = {
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


def pack(v, **kw):
    return msgpack.packb(v, use_bin_type=True, **kw)


def req(msgid, method, params):
    return pack([0, msgid, method, [params]])


def nested(depth, inner=b"\xc0"):
    """depth arrays of one item each around `inner`."""
    return b"\x91" * depth + inner


def frame_seeds():
    whole = b"\x00"                  # k = 0: the stream arrives at once
    bytewise = b"\x01\x01"           # k = 1: one byte at a time
    mixed = b"\x03\x01\x07\x00"      # k = 3: 1, 7, then the rest
    small = b"\x19\x05"              # small limit (1 + 0 + 5 % 37 = 6)
    ping = req(1, "system.ping", {})
    seeds = {
        "ping": whole + ping,
        "ping_bytewise": bytewise + ping,
        "ping_truncated": whole + ping[:-3],
        "ping_bare_params": whole + pack([0, 7, "system.ping", []]),
        "notify": whole + pack([2, "system.ping", [{}]]),
        "pipelined": mixed + ping + req(2, "system.info", {}) +
        req(3, "school.put", RECORDS["school"]),
        "msgid_u32max": whole + pack([0, 0xFFFFFFFF, "system.ping", [{}]]),
        "msgid_int8_zero": whole + b"\x94\xd0\x00\xce\x00\x00\x00\x05" +
        pack("system.ping") + pack([{}]),
        "batch_put": whole + req(9, "school.put",
                                 {"records": [RECORDS["school"]] * 2}),
        "empty_array": whole + b"\x90",
        "reserved_c1": whole + b"\x94\x00\x01\xc1",
        "str32_huge": whole + b"\x94\x00\x01\xdb\xff\xff\xff\xff",
        "array32_huge": whole + b"\xdd\xff\xff\xff\xff\x00",
        "map32_small_limit": small + b"\xdf\x00\x00\x00\x04\x00\x00",
        "deep_32": whole + nested(31, b"\x90"),
        "deep_33": whole + nested(32, b"\x90") + ping,
        "ext_float_bin": bytewise + pack([0, 4, "x.y", [{
            "f": 1.5, "b": b"\x00\xff", "e": msgpack.ExtType(5, b"abc"),
            "ts": msgpack.Timestamp(1, 5)}]], use_single_float=True),
        # method name "\xed\xa0\x80": a UTF-16 surrogate, not UTF-8
        "bad_utf8": whole + b"\x94\x00\x05\xa3\xed\xa0\x80\x91\x80",
    }
    for k in KINDS:
        seeds["put_" + k] = whole + req(10 + KINDS.index(k), k + ".put",
                                        RECORDS[k])
    return seeds


def schema_seeds():
    seeds = {}
    for i, k in enumerate(KINDS):
        seeds[k] = bytes([i]) + pack(RECORDS[k])
    s = RECORDS
    seeds["student_float32"] = bytes([6]) + pack(s["student"],
                                                 use_single_float=True)
    seeds["posting_nil_optional"] = bytes([3]) + pack(
        dict(s["posting"], region=None, skills=None))
    seeds["posting_until_before_start"] = bytes([3]) + pack(
        dict(s["posting"], until="2026-01-01"))
    seeds["fair_unknown_direction"] = bytes([4]) + pack(dict(
        s["fair"], sessions=[dict(s["fair"]["sessions"][0],
                                  directions=["D9"])]))
    seeds["specialty_bad_cohort"] = bytes([1]) + pack(
        dict(s["specialty"], cohorts={"0202": 1, "2026": -1}))
    seeds["school_unknown_key"] = bytes([0]) + pack(
        dict(s["school"], nmae="x"))
    seeds["enterprise_filter"] = bytes([2]) + pack(s["enterprise"]) + pack(
        {"region": "3307", "chains": "工业机床"})
    seeds["specialty_filter"] = bytes([1]) + pack(s["specialty"]) + pack(
        {"major_code": "66", "school_id": "S1"})
    seeds["student_filter"] = bytes([6]) + pack(s["student"]) + pack(
        {"grade": 88.5, "grad_year": 2026})
    seeds["posting_filter"] = bytes([3]) + pack(s["posting"]) + pack(
        {"kind": "job", "headcount": 5, "majors": "66"})
    seeds["not_a_map"] = bytes([0]) + pack(["S1"])
    return seeds


def config_seeds():
    kv = [
        (b"server", b"listen", b"127.0.0.1:7411"),
        (b"server", b"listen", b"[::1]:0"),
        (b"server", b"unix", b"/tmp/chanjiao.sock"),
        (b"server", b"data", b"./chanjiao-data"),
        (b"server", b"tokens", b"/etc/chanjiao/tokens"),
        (b"server", b"log_level", b"debug"),
        (b"server", b"allow_public", b"yes"),
        (b"server", b"map_size", b"64G"),
        (b"server", b"max_frame", b"16M"),
        (b"server", b"max_depth", b"32"),
        (b"server", b"max_batch", b"10000"),
        (b"server", b"idle_timeout_s", b"0"),
        (b"server", b"max_reply_queue", b"18446744073709551615k"),
        (b"match", b"major", b"0.40"),
        (b"match", b"chain", b"1e-3"),
        (b"match", b"skills", b"nan"),
        (b"nope", b"key", b"value"),
    ]
    seeds = {}
    for s, k, v in kv:
        name = base = (s + b"_" + k).decode()
        n = 1
        while name in seeds:
            n += 1
            name = f"{base}_{n}"
        seeds[name] = s + b"\0" + k + b"\0" + v
    seeds["short_server"] = b"\x01max_k\x0010000"
    seeds["short_match"] = b"\x02region\x000.15"
    return seeds


# Field names of docs/protocol.md "Records" and the method parameters.
FIELDS = sorted({
    "id", "name", "level", "region", "school_id", "major_code", "direction",
    "cohorts", "skills", "chains", "industry", "size", "enterprise_id",
    "title", "kind", "headcount", "majors", "start", "until", "salary",
    "date", "school_ids", "enterprise_ids", "directions", "sessions",
    "requests", "end", "booths", "mentors", "per_mentor", "specialty_id",
    "grad_year", "grade", "prefs", "records", "filter", "after", "limit",
    "token", "k", "query", "posting_id", "fair_id", "program_ids",
    "region_prefix", "min_available", "min_score", "kinds", "explain", "by",
    "path", "code", "message", "data", "field",
})
WORDS = [
    # enum values
    "secondary", "technician", "higher", "bachelor", "job", "internship",
    "apprenticeship", "order_class",
    # values of the right shape
    "330702", "660103", "520101K", "4601", "C34", "2026", "2026-05-20",
    "2026-02-29", "2026-05-20T09:00", "23:59",
    # methods
    "system.ping", "system.info", "system.stats", "auth.login",
    "match.candidates", "match.openings", "fair.allocate", "fair.schedule",
    "orderclass.plan", "apprenticeship.match", "stats.balance",
    "admin.backup",
] + [k + "." + m for k in KINDS for m in ("put", "get", "del", "list")]
CONFIG_WORDS = [
    "server", "match", "listen", "unix", "data", "tokens", "log_level",
    "allow_public", "map_size", "max_frame", "max_depth", "max_batch",
    "max_k", "max_limit", "max_connections", "idle_timeout_s",
    "max_reply_queue", "major", "skills", "region", "level", "capacity",
    "chain", "debug", "info", "warn", "error", "yes", "off", "[::1]:",
    "127.0.0.1:", "K", "M", "G", "T", "1e-9", "0x1p-3", "inf", "nan",
]
# MessagePack type bytes and headers (big-endian lengths).
TYPE_BYTES = [
    b"\xc0", b"\xc1", b"\xc2", b"\xc3", b"\x90", b"\x91", b"\x94",
    b"\x80", b"\x81", b"\xa0", b"\xc4\x00", b"\xc5\x00\x01",
    b"\xc6\x00\x00\x00\x01", b"\xc7\x01\x05", b"\xc8\x00\x01\x05",
    b"\xc9\x00\x00\x00\x01\x05", b"\xca", b"\xcb", b"\xcc", b"\xcd",
    b"\xce", b"\xcf", b"\xd0", b"\xd1", b"\xd2", b"\xd3", b"\xd4\x01",
    b"\xd5\x01", b"\xd6\xff", b"\xd7\xff", b"\xd8\x01",
    b"\xd9\x00", b"\xda\x00\x01", b"\xdb\x00\x00\x00\x01",
    b"\xdc\x00\x02", b"\xdd\x00\x00\x00\x02", b"\xde\x00\x01",
    b"\xdf\x00\x00\x00\x01", b"\xdb\xff\xff\xff\xff",
    b"\xdd\xff\xff\xff\xff", b"\xdf\xff\xff\xff\xff",
    b"\xc9\xff\xff\xff\xff", b"\xce\xff\xff\xff\xff",
    b"\xcf\x00\x00\x00\x01\x00\x00\x00\x00", b"\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00",
    b"\x94\x00", b"\x93\x02",
]


def dict_entry(b):
    return '"' + "".join(
        chr(c) if 0x20 <= c < 0x7f and chr(c) not in '"\\' else f"\\x{c:02x}"
        for c in b) + '"'


def write_dict():
    lines = ["# MessagePack type bytes and docs/protocol.md names for the chanjiao",
             "# fuzzers (libFuzzer -dict=).  Generated by make_corpus.py."]
    seen = set()

    def add(b):
        if b not in seen:
            seen.add(b)
            lines.append(dict_entry(b))
    for b in TYPE_BYTES:
        add(b)
    for w in FIELDS + WORDS:
        add(w.encode())
        add(pack(w))          # the same name as a msgpack str
    for w in CONFIG_WORDS:
        add(w.encode())
    (HERE / "msgpack.dict").write_text("\n".join(lines) + "\n")
    print(f"msgpack.dict: {len(seen)} entries")


def write(target, seeds):
    d = HERE / "corpus" / target
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for name, data in sorted(seeds.items()):
        (d / name).write_bytes(data)
    print(f"{target}: {len(seeds)} files")


def main():
    write("fuzz_frame", frame_seeds())
    write("fuzz_schema", schema_seeds())
    write("fuzz_config", config_seeds())
    write_dict()


if __name__ == "__main__":
    main()
