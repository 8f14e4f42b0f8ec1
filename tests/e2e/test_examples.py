"""The client examples of docs/protocol.md, run against a real daemon.

examples/clients/ping_candidates.py (Python, msgpack package) and
examples/clients/client.c (C, msgpack-c) are what docs/protocol.md quotes;
each is run against a fresh daemon and its whole output is compared, so a
change in the daemon or in an example that breaks the example fails here.
The doc must quote each file whole, so the page and the files cannot drift.
"""
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

EXAMPLES = REPO / "examples" / "clients"
DOC = REPO / "docs" / "protocol.md"

PY_EXPECTED = """\
system.ping -> "pong"
school.put -> {"written": 1}
enterprise.put -> {"written": 1}
specialty.put -> {"written": 2}
posting.put -> {"written": 1}
school.get -> {"id": "PY-S1", "level": "technician", "name": "金华技师学院", "region": "330702"}
system.info -> version %s, 1 schools
candidate PY-SP1 at PY-S1: score 0.81, 40 available
candidate PY-SP2 at PY-S1: score 0.44, 25 available
considered 2
school.get PY-NONE -> error 1004 (school PY-NONE not found), field id
"""

C_EXPECTED = """\
system.ping -> pong
school.put -> written 1
school.get -> id=C-S1 name=嘉兴职业技术学院 level=higher region=330402
school.get C-NONE -> error 1004 (school C-NONE not found), field id
"""


def run(argv, timeout=60):
    p = subprocess.run(argv, capture_output=True, timeout=timeout)
    out = p.stdout.decode("utf-8")
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 0, "%s exited %d\nstdout:\n%s\nstderr:\n%s" % (
        argv[0], p.returncode, out, err)
    return out


@pytest.fixture
def c_client(tmp_path):
    """examples/clients/client.c built with cc and pkg-config msgpack."""
    cc = shutil.which("cc")
    pkg = shutil.which("pkg-config")
    assert cc and pkg, "cc and pkg-config are needed to build the C example"
    flags = subprocess.run([pkg, "--cflags", "--libs", "msgpack"],
                           capture_output=True, text=True, check=True)
    exe = tmp_path / "client"
    p = subprocess.run([cc, "-std=c99", "-D_POSIX_C_SOURCE=200809L",
                        "-Wall", "-Wextra", "-Werror", "-o", str(exe),
                        str(EXAMPLES / "client.c")] + flags.stdout.split(),
                       capture_output=True, text=True)
    assert p.returncode == 0, "client.c does not build:\n" + p.stderr
    return exe


def test_python_example(daemon, client):
    version = client.call("system.info")["version"]
    out = run([sys.executable, str(EXAMPLES / "ping_candidates.py"),
               "127.0.0.1:%d" % daemon.port])
    assert out == PY_EXPECTED % version
    # what it wrote is there for anyone
    assert client.call("posting.get", {"id": "PY-P1"})["headcount"] == 5
    assert client.call("system.info")["counts"]["specialties"] == 2


def test_c_example(daemon, client, c_client):
    out = run([str(c_client), "127.0.0.1:%d" % daemon.port])
    assert out == C_EXPECTED
    assert client.call("school.get", {"id": "C-S1"}) == {
        "id": "C-S1", "name": "嘉兴职业技术学院", "level": "higher",
        "region": "330402"}


def test_examples_refuse_a_closed_port(c_client):
    """No daemon: both fail with a message and a non-zero status."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                          # nothing listens there now
    addr = "127.0.0.1:%d" % port
    for argv in ([sys.executable, str(EXAMPLES / "ping_candidates.py"), addr],
                 [str(c_client), addr]):
        p = subprocess.run(argv, capture_output=True, timeout=30)
        assert p.returncode != 0 and p.stderr, argv


@pytest.mark.parametrize("name", ["ping_candidates.py", "client.c"])
def test_doc_quotes_the_example_whole(name):
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    assert text in DOC.read_text(encoding="utf-8"), (
        "docs/protocol.md must quote examples/clients/%s as it is" % name)


# ---------------------------------------------------------------- scenarios
# examples/jinhua-orderclasses/ and examples/jiaxing-apprenticeships/ are
# imported into a real daemon and their check.py's independent checks run
# on the daemon's answer (functions imported from check.py), so the CSVs,
# the checks and the numbers their READMEs quote stay true.

def _scenario(name):
    import importlib.util
    path = REPO / "examples" / name / "check.py"
    spec = importlib.util.spec_from_file_location(
        "check_" + name.replace("-", "_"), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _import_scenario(chk, daemon):
    problems = []
    recs = chk.load(problems=problems)
    chk.local_checks(recs, problems)
    rpc = chk.Rpc(daemon.port)
    rejected = chk.put_all(rpc, recs, problems)
    assert rejected == 0 and not problems, "\n".join(problems)
    return recs, rpc


def test_jinhua_orderclasses(daemon):
    assert shutil.which("glpsol"), "glpsol (Debian glpk-utils) is needed"
    chk = _scenario("jinhua-orderclasses")
    recs, rpc = _import_scenario(chk, daemon)
    try:
        res = chk.ask_plan(rpc)
    finally:
        rpc.close()
    problems, opt = chk.verify(recs, res)
    assert not problems, "\n".join(problems)
    # the figures examples/jinhua-orderclasses/README.md quotes
    assert (len(res["classes"]), res["students"]) == (15, 508)
    assert res["optimal"] and abs(res["objective"] - 466.882381) < 1e-5
    assert "规划开设 15 个订单班，共 508 名学生" in chk.report(recs, res, opt)


def test_jiaxing_apprenticeships(daemon):
    chk = _scenario("jiaxing-apprenticeships")
    recs, rpc = _import_scenario(chk, daemon)
    try:
        res = chk.ask_match(rpc)
    finally:
        rpc.close()
    problems, facts = chk.verify(recs, res)
    assert not problems, "\n".join(problems)
    # the figures examples/jiaxing-apprenticeships/README.md quotes
    reasons = [u["reason"] for u in res["unmatched"]]
    assert (len(res["assignments"]), reasons.count("outranked"),
            reasons.count("no_program")) == (727, 1505, 23)
    assert res["rounds"] == 14 and res["blocking_pairs"] == 0
    assert "录取 727 人" in chk.report(recs, res, facts)
