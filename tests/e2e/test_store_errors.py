"""Storage errors reach the client in one vocabulary (docs/protocol.md
"Error codes"): a full map is 1507 with a message that says what to raise,
never an internal error with a count dressed up as an errno, and nothing
of the refused write is applied.  Also: one put logs one warning."""
import time

from conftest import school, specialty

STORE_FULL = 1507


def _chained_specialty(i):
    # 64 distinct chains set every bit of the chains mask, so each
    # specialty writes ~130 derived index entries beside its own: a full
    # map is almost surely met inside the derived writes.
    return specialty(id="SP%05d" % i, name="专业%d" % i,
                     chains=["链%02d-%d" % (j, i) for j in range(64)],
                     skills=["技能%d" % j for j in range(40)])


def test_full_map_is_store_full_and_loses_nothing(daemon_factory):
    d = daemon_factory(config="[server]\nmap_size = 1048576\n")
    c = d.connect()
    c.call("school.put", school())
    written = 0
    errors = []
    for i in range(2000):
        r = c.call_full("specialty.put", _chained_specialty(i))
        if r[2] is None:
            written += 1
            continue
        errors.append(r[2])
        if len(errors) == 8:
            break
    assert written > 0, "the map was full before the first specialty"
    assert len(errors) == 8, "a 1 MiB map never filled"
    for e in errors:
        assert e["code"] == STORE_FULL, e
        assert "map_size" in e["message"] and "Unknown error" not in e["message"], e
    info = c.call("system.info")
    assert info["counts"]["specialties"] == written
    v = c.call("admin.verify")
    assert v["ok"], v["problems"]
    # reads go on; a larger map_size, as the message says, makes room
    assert c.call("specialty.get", {"id": "SP00000"})["id"] == "SP00000"
    c.close()
    d.stop()
    d.config_text = "[server]\nmap_size = 67108864\n"
    d.start()
    c = d.connect()
    assert c.call("system.info")["counts"]["specialties"] == written
    c.call("specialty.put", _chained_specialty(99999))
    assert c.call("system.info")["counts"]["specialties"] == written + 1
    assert c.call("admin.verify")["ok"]


def test_unknown_major_code_is_logged_once_per_put(daemon_factory):
    d = daemon_factory(args=["--log-level", "info"])
    c = d.connect()
    c.call("school.put", school())
    c.call("specialty.put", specialty(id="NEW1", major_code="669999"))
    c.call("specialty.put", {"records": [specialty(id="NEW2", major_code="669998")]})
    c.call("system.ping")
    deadline = time.time() + 5
    while time.time() < deadline:
        text = d.stderr_text()
        if "NEW2" in text:
            break
        time.sleep(0.05)
    lines = [l for l in d.stderr_text().splitlines() if "2021 catalog" in l]
    assert len([l for l in lines if "NEW1" in l]) == 1, lines
    assert len([l for l in lines if "NEW2" in l]) == 1, lines
