"""The README's first command: scripts/run.sh imports the Jinhua fair and
prints the organizer's report (here on a free port and a private dir)."""
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_main_job_prints_the_jinhua_report(tmp_path):
    env = dict(os.environ, LISTEN="127.0.0.1:0", DATA=str(tmp_path / "data"))
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
    # the daemon it started is gone again
    assert "keeps running" not in text
