"""The README's first command: scripts/run.sh imports the Jinhua fair,
prints the organizer's report and ends with the fair's page in the web
console, which opens (here on free ports and a private dir)."""
import json
import os
import re
import signal
import subprocess
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_main_job_prints_the_jinhua_report(tmp_path):
    env = dict(os.environ, LISTEN="127.0.0.1:0", HTTP="127.0.0.1:0",
               DATA=str(tmp_path / "data"))
    out = subprocess.run([str(ROOT / "scripts" / "run.sh")], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    for line in ("imported 1 school", "imported 210 enterprises",
                 "imported 24 specialties", "imported 565 postings", "imported 1 fair"):
        assert line in text, line
    # every graduate of the 18 directions placed; the rest of 6,500 open
    # (the report is in Chinese, as organizers read it)
    assert "毕业年份 2026" in text
    assert "安置 1500 名毕业生" in text
    assert "尚有 5000 个空缺" in text
    dirs = set(re.findall(r"^(D\d\d)\s", text, re.M))
    assert dirs == {"D%02d" % i for i in range(1, 19)}
    assert "展位安排（230 个展位场次" in text
    booths = re.findall(r"^S[123]\s+\S+\s+\S+\s+(\d+)\s+E\d+", text, re.M)
    assert len(booths) == 230              # 110 + 80 + 40 booths, all taken
    # the last line is the fair's page, served by the daemon left running
    pid = int(re.search(r"keeps running as pid (\d+)", text).group(1))
    try:
        url = text.strip().splitlines()[-1].split()[-1]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/fair/JHJS-2026-05", url), url
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200
            assert r.headers["Content-Type"].startswith("text/html")
        base = url.rsplit("/fair/", 1)[0]
        req = urllib.request.Request(base + "/api/fair.get",
                                     data=b'{"id": "JHJS-2026-05"}',
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert json.load(r)["result"]["id"] == "JHJS-2026-05"
    finally:
        os.kill(pid, signal.SIGTERM)
