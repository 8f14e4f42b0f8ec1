"""The match indexes against their records: admin.verify finds them
consistent after every kind of update and delete, and finds each kind of
damage done to them behind the daemon's back (LMDB edited through ctypes
while the daemon is stopped)."""
import ctypes

import pytest

from conftest import enterprise, posting, school, specialty

MDB_FIRST, MDB_NEXT = 0, 8
MDB_CREATE = 0x40000
MDB_NOTFOUND = -30798


class MDBVal(ctypes.Structure):
    _fields_ = [("mv_size", ctypes.c_size_t), ("mv_data", ctypes.c_void_p)]


class Lmdb:
    """Just enough of liblmdb to read and damage one named database."""

    def __init__(self, path):
        self.lib = ctypes.CDLL("liblmdb.so.0")
        self.env = ctypes.c_void_p()
        self._ok(self.lib.mdb_env_create(ctypes.byref(self.env)))
        self._ok(self.lib.mdb_env_set_maxdbs(self.env, 64))
        self._ok(self.lib.mdb_env_set_mapsize(self.env, ctypes.c_size_t(1 << 32)))
        self._ok(self.lib.mdb_env_open(self.env, str(path).encode(), 0, 0o640))

    def _ok(self, rc):
        assert rc == 0, "lmdb error %d" % rc

    def close(self):
        self.lib.mdb_env_close(self.env)

    def names(self):
        """The named databases (the main database's keys)."""
        got = []
        self.edit(None, lambda items, put, delete: got.extend(k for k, _ in items))
        return {k.decode() for k in got}

    def edit(self, db, fn, create=False):
        """fn(items, put, delete) with items = [(key, value)] of db (None:
        the main database)."""
        txn = ctypes.c_void_p()
        dbi = ctypes.c_uint()
        self._ok(self.lib.mdb_txn_begin(self.env, None, 0, ctypes.byref(txn)))
        self._ok(self.lib.mdb_dbi_open(txn, db.encode() if db else None,
                                       MDB_CREATE if create else 0,
                                       ctypes.byref(dbi)))
        cur = ctypes.c_void_p()
        self._ok(self.lib.mdb_cursor_open(txn, dbi, ctypes.byref(cur)))
        items = []
        k, v = MDBVal(), MDBVal()
        op = MDB_FIRST
        while self.lib.mdb_cursor_get(cur, ctypes.byref(k), ctypes.byref(v), op) == 0:
            items.append((ctypes.string_at(k.mv_data, k.mv_size),
                          ctypes.string_at(v.mv_data, v.mv_size)))
            op = MDB_NEXT
        self.lib.mdb_cursor_close(cur)

        def val(b):
            buf = ctypes.create_string_buffer(b, len(b))
            keep.append(buf)
            return MDBVal(len(b), ctypes.cast(buf, ctypes.c_void_p))
        keep = []

        def put(key, value):
            self._ok(self.lib.mdb_put(txn, dbi, ctypes.byref(val(key)),
                                      ctypes.byref(val(value)), 0))

        def delete(key):
            self._ok(self.lib.mdb_del(txn, dbi, ctypes.byref(val(key)), None))
        fn(items, put, delete)
        self._ok(self.lib.mdb_txn_commit(txn))


def populate(c):
    c.call("school.put", {"records": [
        school(id="S1", region="330702", level="higher"),
        school(id="S2", region="330402", level="secondary")]})
    c.call("specialty.put", {"records": [
        specialty(id="A1", school_id="S1", major_code="460103"),
        specialty(id="A2", school_id="S1", major_code="460104", skills=["CAD"]),
        specialty(id="B1", school_id="S2", major_code="660103", chains=["工业机床"])]})
    c.call("enterprise.put", {"records": [
        enterprise(id="E1", region="330782", industry="C34", chains=["工业机床"]),
        enterprise(id="E2", region="330402")]})
    c.call("posting.put", {"records": [
        posting(id="P1", enterprise_id="E1", majors=["4601", "660103"]),
        posting(id="P2", enterprise_id="E2", majors=[]),
        posting(id="P3", enterprise_id="E2", majors=["46"], region="330106")]})


def verify(c):
    return c.call("admin.verify")


def test_indexes_agree_after_every_kind_of_update_and_delete(daemon):
    c = daemon.connect()
    populate(c)
    assert verify(c)["ok"] is True
    # moves: school region and level, specialty code, enterprise fields,
    # posting majors, and deletes
    # (a level change must keep codes fitting: the specialties move first)
    # (A2's skills change too: the summaries carry them)
    c.call("specialty.put", {"records": [
        specialty(id="A1", school_id="S2", major_code="660103"),
        specialty(id="A2", school_id="S2", major_code="660104",
                  skills=["PLC", "CAD", "焊接"])]})
    c.call("school.put", school(id="S1", region="330402", level="bachelor"))
    c.call("enterprise.put", enterprise(id="E1", region="110101", industry="C36",
                                        chains=["新能源汽车"]))
    c.call("posting.put", posting(id="P1", enterprise_id="E1", majors=["2601"]))
    c.call("posting.put", posting(id="P2", enterprise_id="E2", majors=["46", "51"]))
    c.call("posting.del", {"id": "P3"})
    c.call("specialty.del", {"id": "B1"})
    v = verify(c)
    assert v["ok"] is True and v["problems"] == [], v
    # and the queries see the moved values at once
    r = c.call("match.candidates", {"posting_id": "P2", "k": 10})
    assert [i["specialty_id"] for i in r["items"]] == ["A1", "A2"]
    assert r["considered"] == 2


@pytest.mark.parametrize("damage,expect", [
    ("drop_spec", "ix.spec.major"),
    ("stale_spec", "ix.spec.major"),
    ("drop_code", "ix.spec.code holds"),
    ("stale_code", "ix.spec.code"),
    ("stray_code", "ix.spec.code holds"),
    ("drop_chain", "ix.spec.chain"),
    ("stale_chain", "ix.spec.chain"),
    ("stray_chain", "ix.spec.chain"),
    ("drop_region", "ix.spec.region"),
    ("stale_region", "ix.spec.region"),
    ("stray_region", "ix.spec.region"),
    ("drop_post", "ix.post.prefix"),
    ("stray_post", "ix.post.prefix"),
    ("stale_post", "ix.post.prefix"),
    ("count", "ix.spec.groups"),
    ("stray_count", "ix.spec.groups"),
    ("post_count", "ix.post.groups"),
    ("drop_post_count", "ix.post.groups"),
    ("drop_tag", "entry missing or stale"),
    ("tag_counter", "ix.tags"),
])
def test_verify_finds_each_kind_of_index_damage(daemon, damage, expect):
    c = daemon.connect()
    populate(c)
    assert verify(c)["ok"] is True
    daemon.stop()
    db = Lmdb(daemon.data)

    def drop_first(items, put, delete):
        delete(items[0][0])

    def stale(items, put, delete):
        k, v = items[-1]
        put(k, v[:-1] + bytes([v[-1] ^ 1]))

    def stray(items, put, delete):
        k, v = items[0]
        put(k + b"x", v)

    def count(items, put, delete):
        k, v = items[0]
        put(k, (int.from_bytes(v, "little") + 1).to_bytes(8, "little"))

    def tag_counter(items, put, delete):
        # the last tag id set back by one: the next new tag would reuse it
        last = int.from_bytes(dict(items)[b"tags"], "little")
        put(b"tags", (last - 1).to_bytes(4, "little"))

    def stray_count(items, put, delete):
        put(b"51330102", (1).to_bytes(8, "little"))
    name, fn = {
        "drop_spec": ("ix.spec.major", drop_first),
        "stale_spec": ("ix.spec.major", stale),
        "drop_code": ("ix.spec.code", drop_first),
        "stale_code": ("ix.spec.code", stale),
        "stray_code": ("ix.spec.code", stray),
        "drop_chain": ("ix.spec.chain", drop_first),
        "stale_chain": ("ix.spec.chain", stale),
        "stray_chain": ("ix.spec.chain", stray),
        "drop_region": ("ix.spec.region", drop_first),
        "stale_region": ("ix.spec.region", stale),
        "stray_region": ("ix.spec.region", stray),
        "drop_post": ("ix.post.prefix", drop_first),
        "stray_post": ("ix.post.prefix", stray),
        "stale_post": ("ix.post.prefix", stale),
        "count": ("ix.spec.groups", count),
        "stray_count": ("ix.spec.groups", stray_count),
        "post_count": ("ix.post.groups", count),
        "drop_post_count": ("ix.post.groups", drop_first),
        "drop_tag": ("ix.tags", drop_first),
        "tag_counter": ("ix.meta", tag_counter),
    }[damage]
    db.edit(name, fn)
    db.close()
    daemon.start()
    v = verify(daemon.connect())
    assert v["ok"] is False, v
    assert any(expect in p for p in v["problems"]), v


def test_a_damaged_short_entry_is_skipped_by_searches_and_reported(daemon):
    c = daemon.connect()
    populate(c)
    # any major, from Beijing: every specialty is in the nationwide ring
    q = {"query": {"majors": [], "region": "110101"}, "k": 10}
    before = c.call("match.candidates", q)
    assert len(before["items"]) == 3
    daemon.stop()
    db = Lmdb(daemon.data)
    # shorter than the selector and region every ix.spec.region key starts with
    db.edit("ix.spec.region", lambda items, put, delete: put(b"\xff", items[0][1]))
    db.close()
    daemon.start()
    c = daemon.connect()
    assert c.call("match.candidates", q) == before
    v = verify(c)
    assert v["ok"] is False and any("ix.spec.region" in p for p in v["problems"]), v


def test_indexes_of_another_format_are_rebuilt_at_start(daemon):
    c = daemon.connect()
    populate(c)
    before = c.call("match.candidates", {"posting_id": "P1", "k": 10})
    daemon.stop()
    db = Lmdb(daemon.data)

    def old_version(items, put, delete):
        put(b"version", b"\x01")
    db.edit("ix.meta", old_version)
    db.edit("ix.spec.major", lambda items, put, delete: delete(items[0][0]))
    # what versions before 7 kept: specialty id -> ix.spec.major key
    db.edit("ix.spec.id", lambda items, put, delete: put(b"A1", b"460103\0"),
            create=True)
    assert "ix.spec.id" in db.names()
    db.close()
    daemon.start()
    assert "match indexes rebuilt for 6 records" in daemon.stderr_text()
    daemon.stop()
    db = Lmdb(daemon.data)
    names = db.names()
    db.close()
    assert "ix.spec.id" not in names and "ix.spec.code" in names, names
    daemon.start()
    c = daemon.connect()
    assert verify(c)["ok"] is True
    assert c.call("match.candidates", {"posting_id": "P1", "k": 10}) == before
