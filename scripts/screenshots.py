#!/usr/bin/env python3
"""Screenshots of every web console page, for docs/console.md.

    /usr/bin/python3 scripts/screenshots.py            # build/ binaries
    BUILD=build-rel /usr/bin/python3 scripts/screenshots.py

Starts chanjiaod from $BUILD (default build/) with --http on a free port
and a temporary data dir, imports examples/jinhua-fair (and, for the
apprenticeship page, examples/jiaxing-apprenticeships) with the chanjiao
CLI, opens each page in headless Chromium at 1280x900 and writes
docs/img/<page>.png.  Needs chromium, chromium-driver, python3-selenium.
"""
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

REPO = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("BUILD") or REPO / "build")
if not BUILD.is_absolute():
    BUILD = REPO / BUILD
OUT = REPO / "docs" / "img"
FAIR = "JHJS-2026-05"

# (file name, path, what to do on the page before the shot)
PAGES = [
    ("start", "/", None),
    ("fair", "/fair/" + FAIR, None),
    ("fair-expanded", "/fair/" + FAIR, "expand"),
    ("booths", "/fair/%s/booths" % FAIR, None),
    ("signin", "/fair/%s/booths?view=signin" % FAIR, None),
    ("candidates", "/posting/E330723001-02/candidates?grad_year=2026", None),
    ("openings", "/specialty/3133070201-630301/openings?grad_year=2026", None),
    ("balance", "/balance?region=33&grad_year=2027", None),
    ("import", "/import", "import"),
    ("orderclass", "/orderclass?run=1&school=3133070201&time_limit=3000&explain=1", None),
    ("apprenticeship", "/apprenticeship?run=1&region=3304&explain=1", None),
]


def start_daemon(data):
    proc = subprocess.Popen([str(BUILD / "chanjiaod"), "--listen", "127.0.0.1:0",
                             "--http", "127.0.0.1:0", "--data", data],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    rpc = http = None
    for line in proc.stderr:
        m = re.search(r"chanjiaod: http on ([\d.]+:\d+)", line)
        if m:
            http = m.group(1)
        m = re.search(r"chanjiaod: listening on ([\d.]+:\d+)", line)
        if m:
            rpc = m.group(1)
            break
    if not rpc or not http:
        proc.kill()
        sys.exit("screenshots: chanjiaod did not start with HTTP (built with it?)")
    return proc, rpc, http


def wait_ready(drv, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if drv.execute_script("return document.body.hasAttribute('data-ready')"
                              " && !document.querySelector('.loading')"):
            return
        time.sleep(0.1)
    raise SystemExit("screenshots: %s not ready" % drv.current_url)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        proc, rpc, http = start_daemon(tmp + "/data")
        try:
            for ex in ("jinhua-fair", "jiaxing-apprenticeships"):
                subprocess.run([str(BUILD / "chanjiao"), "--host", rpc, "import",
                                str(REPO / "examples" / ex)], check=True,
                               stdout=subprocess.DEVNULL)
            sample = Path(tmp) / "schools.csv"
            sample.write_text("编号,名称,层次,地区\nS9001,婺城职业技术学校,中职,330702\n"
                              "S9002,金东技工学校,技校,3307O3\n", encoding="utf-8")
            o = webdriver.ChromeOptions()
            o.binary_location = "/usr/bin/chromium"
            for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                      "--window-size=1280,900", "--hide-scrollbars"):
                o.add_argument(a)
            drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
            drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
            try:
                for name, path, action in PAGES:
                    drv.get("http://%s%s" % (http, path))
                    wait_ready(drv)
                    if action == "expand":
                        drv.find_element(By.CSS_SELECTOR, "tr.dir button.allocated").click()
                        time.sleep(0.5)
                        wait_ready(drv)
                        drv.execute_script("document.querySelector('#directions').scrollIntoView()")
                    elif action == "import":
                        drv.find_element(By.ID, "file").send_keys(str(sample))
                        drv.find_element(By.ID, "dry-run").click()
                        time.sleep(1)
                        wait_ready(drv)
                    time.sleep(0.3)
                    drv.save_screenshot(str(OUT / (name + ".png")))
                    print("wrote", OUT / (name + ".png"))
            finally:
                drv.quit()
        finally:
            proc.terminate()
            proc.wait(15)


if __name__ == "__main__":
    main()
