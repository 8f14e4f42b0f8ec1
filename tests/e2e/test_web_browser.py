"""The web console in a real browser: headless Chromium through Selenium.

A daemon serving HTTP (--http 127.0.0.1:0) holds the Jinhua fair of
examples/jinhua-fair (imported with the CLI); every page must load without
a console error, show the numbers the RPC gives for the same store, import
CSV with a dry run that lists every row error and leaves the store alone,
render hostile names as text, and print the booth plan one session per A4
page.  A second daemon with a tokens file checks login, logout and a role
refused.  Needs chromium, chromium-driver and python3-selenium; the module
is skipped when the browser or its driver is missing.
"""
import base64
import hashlib
import http.cookiejar
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import BINARY, REPO, Client, Daemon

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip("needs %s and %s (Debian chromium, chromium-driver)"
                % (CHROMIUM, CHROMEDRIVER), allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402

CLI = str(Path(BINARY).parent / "chanjiao")
FAIR = "JHJS-2026-05"
POSTING = "E330723001-02"
SCHOOL = "3133070201"
XSS = "<img src=x onerror=alert(1)>"
XSS2 = "<script>alert(2)</script>"
TOKENS = {"admin": ("admin", "-"), "ent1": ("enterprise", "WE1"),
          "reader": ("reader", "-")}


# ---------------------------------------------------------------- daemons

def start_daemon(workdir, args=()):
    d = Daemon(workdir, args=list(args), http="127.0.0.1:0")
    d.start()
    assert d.http_port, "no 'chanjiaod: http on' line:\n" + d.stderr_text()
    return d


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A daemon with the Jinhua fair and one school whose names are markup."""
    d = start_daemon(tmp_path_factory.mktemp("web"))
    try:
        r = subprocess.run([CLI, "--host", "127.0.0.1:%d" % d.port, "import",
                            str(REPO / "examples" / "jinhua-fair")],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        c = Client.tcp(d.port, 60)
        c.call("school.put", {"id": "XSS1", "name": XSS, "level": "technician",
                              "region": "330702"})
        c.call("specialty.put", {"id": "XSS-SP1", "school_id": "XSS1",
                                 "major_code": "660702", "name": XSS2,
                                 "cohorts": {"2026": 3, "2027": 3}})
        d.client = c
        d.base = "http://127.0.0.1:%d" % d.http_port
        yield d
    finally:
        rc = d.stop()
        assert rc == 0, d.stderr_text()
        assert not d.sanitizer_lines(), d.stderr_text()


@pytest.fixture(scope="module")
def authd(tmp_path_factory):
    """A daemon with a tokens file and two enterprises' postings."""
    wd = tmp_path_factory.mktemp("webauth")
    tf = wd / "tokens"
    tf.write_text("".join("%s %s %s\n" % (hashlib.sha256(t.encode()).hexdigest(),
                                           role, owner)
                          for t, (role, owner) in TOKENS.items()))
    d = start_daemon(wd, ["--tokens", str(tf)])
    try:
        c = Client.tcp(d.port, 30)
        c.call("auth.login", {"token": "admin"})
        c.call("enterprise.put", {"records": [
            {"id": "WE1", "name": "甲机床厂", "region": "330702"},
            {"id": "WE2", "name": "乙电器厂", "region": "330702"}]})
        c.call("posting.put", {"records": [
            {"id": "WP1", "enterprise_id": "WE1", "title": "数控操作工",
             "kind": "job", "headcount": 5, "majors": ["6601"]},
            {"id": "WP2", "enterprise_id": "WE2", "title": "电工",
             "kind": "job", "headcount": 3, "majors": ["6603"]}]})
        d.client = c
        d.base = "http://127.0.0.1:%d" % d.http_port
        yield d
    finally:
        rc = d.stop()
        assert rc == 0, d.stderr_text()


# ---------------------------------------------------------------- browser

@pytest.fixture(scope="module")
def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
              "--window-size=1280,900", "--lang=zh-CN"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
    drv.set_script_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


def severe(drv, allow=()):
    """The SEVERE console entries since the last call, but those matching
    one of the regexes in allow (an expected 401 or 403)."""
    return [e["message"] for e in drv.get_log("browser")
            if e["level"] == "SEVERE"
            and not any(re.search(a, e["message"]) for a in allow)]


def wait_ready(drv, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if drv.execute_script(
                "return document.body && document.body.hasAttribute('data-ready')"
                " && !document.querySelector('.loading')"):
            return
        time.sleep(0.05)
    raise AssertionError("page not ready in %ds: %s" % (
        timeout, drv.find_element(By.TAG_NAME, "body").text[:2000]))


def wait_for(drv, css, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = drv.find_elements(By.CSS_SELECTOR, css)
        if found and not drv.find_elements(By.CSS_SELECTOR, ".loading"):
            return found
        time.sleep(0.05)
    raise AssertionError("no %s in %ds: %s" % (
        css, timeout, drv.find_element(By.TAG_NAME, "body").text[:2000]))


def load(drv, base, path, allow=()):
    drv.get(base + path)
    wait_ready(drv)
    bad = severe(drv, allow)
    assert not bad, "console errors on %s: %s" % (path, bad)
    no_alert(drv)


def no_alert(drv):
    try:
        a = drv.switch_to.alert
        text = a.text
        a.dismiss()
        raise AssertionError("an alert fired: %r" % text)
    except NoAlertPresentException:
        pass


def texts(row):
    return [td.text.strip() for td in row.find_elements(By.CSS_SELECTOR, ":scope > td")]


def errors_shown(drv):
    return [e.text for e in drv.find_elements(By.CSS_SELECTOR, ".error")]


# ---------------------------------------------------------------- pages

PAGES = [
    "/",
    "/?q=%E6%95%B0%E6%8E%A7&by=title",
    "/?q=" + POSTING + "&by=posting",
    "/fair/" + FAIR,
    "/fair/" + FAIR + "/booths",
    "/fair/" + FAIR + "/booths?view=signin",
    "/posting/" + POSTING + "/candidates",
    "/posting/" + POSTING + "/candidates?region=3307&grad_year=2026",
    "/posting/-/candidates?majors=6607,4607&skills=CNC",
    "/posting/-/candidates",
    "/specialty/3133070201-660103/openings?kind=job",
    "/specialty/-/openings",
    "/balance",
    "/balance?region=3307&fair=" + FAIR,
    "/import",
    "/orderclass",
    "/orderclass?run=1&school=3133070201&time_limit=3000&explain=1",
    "/apprenticeship?run=1&explain=1",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_clean(store, browser, path):
    load(browser, store.base, path)
    assert browser.find_elements(By.CSS_SELECTOR, "#nav a"), "no header nav"
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert errors_shown(browser) == []


def test_unknown_posting_shows_the_daemons_error(store, browser):
    load(browser, store.base, "/posting/NO-SUCH/candidates",
         allow=[r"/api/posting\.get .* 404"])
    shown = errors_shown(browser)
    assert len(shown) == 1 and "1004" in shown[0] and "NO-SUCH" in shown[0], shown


def test_fair_numbers_are_the_rpc_answers(store, browser):
    c = store.client
    alloc = c.call("fair.allocate", {"fair_id": FAIR}, timeout=60)
    fair = c.call("fair.get", {"id": FAIR})
    names = {d["id"]: d["name"] for d in fair["directions"]}
    load(browser, store.base, "/fair/" + FAIR)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.directions tbody tr.dir")
    assert len(rows) == len(alloc["directions"])
    for row, d in zip(rows, alloc["directions"]):
        ppg = d["positions_per_graduate"]
        assert texts(row) == [
            "%s (%s)" % (names[d["direction_id"]], d["direction_id"]),
            str(d["supply"]), str(d["demand"]), str(d["reachable"]),
            str(d["allocated"]), "-" if ppg is None else "%.2f" % ppg]
    open_ = sum(u["open"] for u in alloc["unfilled"])
    assert browser.find_element(By.ID, "placed-line").text == \
        "%d 名毕业生（目标值 %.3f）；%d 个岗位尚有 %d 个空缺" % (
            alloc["placed"], alloc["objective"], len(alloc["unfilled"]), open_)
    assert browser.find_element(By.CSS_SELECTOR, "canvas#supply-demand")

    # the rows behind a number add up to it
    first = alloc["directions"][0]
    for key in ("allocated", "demand", "supply", "reachable"):
        row = browser.find_elements(By.CSS_SELECTOR, "table.directions tbody tr.dir")[0]
        row.find_element(By.CSS_SELECTOR, "button." + key).click()
        box = wait_for(browser, "tr.detail .detail-box p.muted")[0]
        assert box.text == "合计 %d" % first[key], key
    assert severe(browser) == []

    # the unfilled postings, most open first
    top = sorted(alloc["unfilled"], key=lambda u: (-u["open"], u["posting_id"]))[:10]
    shown = browser.find_elements(By.CSS_SELECTOR, "table.unfilled tbody tr")
    assert [texts(r)[-1] for r in shown] == [str(u["open"]) for u in top]
    assert [r.find_element(By.CSS_SELECTOR, "a").get_attribute("href").split("/")[-2]
            for r in shown] == [u["posting_id"] for u in top]


def test_candidates_are_the_rpc_answers(store, browser):
    r = store.client.call("match.candidates", {"posting_id": POSTING, "k": 20,
                                               "grad_year": 2026,
                                               "region_prefix": "3307"})
    load(browser, store.base, "/posting/%s/candidates?region=3307&grad_year=2026" % POSTING)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.scored tbody tr")
    assert len(rows) == len(r["items"])
    for row, it in zip(rows, r["items"]):
        t = texts(row)
        assert t[1].endswith("(%s)" % it["specialty_id"])
        assert t[6:8] == [str(it["available"]), "%.3f" % it["score"]]
        assert t[8:] == ["%.2f" % it["why"][f] for f in
                         ("major", "skills", "region", "level", "capacity", "chain")]
    assert browser.find_element(By.ID, "considered").text == \
        "符合条件的专业点 %d 个，列出前 %d 个" % (r["considered"], len(r["items"]))
    assert browser.find_element(By.ID, "grad-year").text == "2026"


def pdf_pages(pdf):
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_booth_plan_prints_one_session_per_a4_page(store, browser):
    fair = store.client.call("fair.get", {"id": FAIR})
    sched = store.client.call("fair.schedule", {"fair_id": FAIR}, timeout=60)
    load(browser, store.base, "/fair/%s/booths" % FAIR)
    for s in fair["sessions"]:
        booths = browser.find_elements(By.CSS_SELECTOR, "#session-%s .booth" % s["id"])
        assert len(booths) == sum(1 for x in sched["slots"] if x["session_id"] == s["id"])
    # the booth number and the enterprise's name in each booth, in order
    first = browser.find_element(By.CSS_SELECTOR, ".booth")
    s0 = min((x for x in sched["slots"] if x["session_id"] == fair["sessions"][0]["id"]),
             key=lambda x: x["booth"])
    ent = store.client.call("enterprise.get", {"id": s0["enterprise_id"]})
    assert first.find_element(By.CSS_SELECTOR, ".no").text == str(s0["booth"])
    assert first.find_element(By.CSS_SELECTOR, ".ent").text == ent["name"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.short tbody tr")) == len(sched["short"])

    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False})["data"])
    assert pdf_pages(pdf) == len(fair["sessions"])

    # the sign-in sheet: one row per enterprise with a booth
    load(browser, store.base, "/fair/%s/booths?view=signin" % FAIR)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.signin-sheet tbody tr")
    assert len(rows) == len({x["enterprise_id"] for x in sched["slots"]})
    assert texts(rows[0])[3:] == ["", "", ""]


def test_markup_in_names_is_text(store, browser):
    load(browser, store.base, "/specialty/XSS-SP1/openings")
    named = browser.find_elements(By.CSS_SELECTOR, "dl.kv dd .named .nm")
    assert XSS2 in [n.text for n in named] and XSS in [n.text for n in named]
    assert browser.find_elements(By.CSS_SELECTOR, "main img") == []
    assert browser.execute_script("return document.querySelectorAll('main script').length") == 0
    load(browser, store.base, "/?q=XSS-SP1&by=specialty_id")
    cells = browser.find_elements(By.CSS_SELECTOR, "table.results td .nm")
    assert [c.text for c in cells][:2] == [XSS2, XSS]
    assert browser.find_elements(By.CSS_SELECTOR, "main img") == []
    no_alert(browser)


def counts(c):
    return c.call("system.info")["counts"]


def upload(browser, path, kind):
    from selenium.webdriver.support.ui import Select
    Select(browser.find_element(By.ID, "kind")).select_by_value(kind)
    browser.find_element(By.ID, "file").send_keys(str(path))
    browser.find_element(By.ID, "dry-run").click()
    return wait_for(browser, "#dry-status")[0]


def test_import_lists_row_errors_and_changes_nothing(store, browser, tmp_path):
    c = store.client
    bad = tmp_path / "schools.csv"
    bad.write_bytes("id,name,level,region\n"
                    "WB1,甲技工学校,technician,330702\n"
                    "WB2,乙学校,大学,330702\n"
                    "WB3,丙学校,中职,99999\n".encode())
    expect = c.call("import.csv", {"kind": "school", "data": bad.read_bytes(),
                                   "dry_run": True})
    assert len(expect["errors"]) == 2
    before = counts(c)
    load(browser, store.base, "/import")
    status = upload(browser, bad, "school")
    assert "2 个错误" in status.text
    rows = browser.find_elements(By.CSS_SELECTOR, "table.import-errors tbody tr")
    assert [texts(r) for r in rows] == [
        [e["file"], str(e["row"]), e["column"], e["value"], e["message"]]
        for e in expect["errors"]]
    assert browser.find_elements(By.ID, "commit") == []
    assert counts(c) == before
    assert severe(browser) == []

    good = tmp_path / "good.csv"
    good.write_bytes("编号,名称,层次,地区\nWG1,丁技工学校,技工,330702\n"
                     "WG2,戊职业学校,中职,330703\n".encode())
    load(browser, store.base, "/import")
    status = upload(browser, good, "school")
    assert status.text == "没有错误，可以导入。"
    assert texts(browser.find_element(By.CSS_SELECTOR, "table.counts tbody tr")) == \
        ["2", "0", "0", "0"]
    assert counts(c) == before
    browser.find_element(By.ID, "commit").click()
    done = wait_for(browser, "#commit-status")[0]
    assert done.text.startswith("已导入：新增 2")
    after = counts(c)
    assert after["schools"] == before["schools"] + 2
    assert c.call("school.get", {"id": "WG2"})["level"] == "secondary"
    assert severe(browser) == []


# ---------------------------------------------------------------- auth

EXPECTED_401 = [r"/api/session - Failed to load resource.* 401"]


def http_post(base, path, body, cookies=None, headers=None):
    """POST JSON (or bytes) outside the browser; (status, reply object)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method="POST",
                                 headers={"Content-Type": "application/json",
                                          **(headers or {})})
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies)) \
        if cookies is not None else urllib.request.build_opener()
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def login_in_page(browser, token):
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()


def test_login_and_logout(authd, browser):
    browser.delete_all_cookies()
    load(browser, authd.base, "/", allow=EXPECTED_401)
    assert browser.find_elements(By.ID, "login"), "no login form without a session"
    login_in_page(browser, "not-a-token")
    msg = wait_for(browser, "#login-msg .error")[0]
    assert "1001" in msg.text
    severe(browser, allow=[r"/api/auth\.login .* 401"])
    browser.find_element(By.ID, "token").clear()
    login_in_page(browser, "admin")
    wait_for(browser, "#counts")
    wait_ready(browser)
    assert browser.find_element(By.ID, "role").text == "管理员"
    assert severe(browser) == []
    # a reload keeps the session (the cookie), then 退出 ends it
    load(browser, authd.base, "/fair/none-such", allow=[r"/api/fair\.get .* 404"])
    assert browser.find_element(By.ID, "role").text == "管理员"
    browser.find_element(By.ID, "logout").click()
    wait_for(browser, "#login")
    load(browser, authd.base, "/", allow=EXPECTED_401)
    assert browser.find_elements(By.ID, "login")


def test_enterprise_token_may_not_change_anothers_posting(authd, browser):
    c = authd.client
    # outside the browser: cookie + CSRF, a change to WE2's posting is 403 / 1003
    jar = http.cookiejar.CookieJar()
    st, r = http_post(authd.base, "/api/auth.login", {"token": "ent1"}, jar)
    assert st == 200 and r["result"]["role"] == "enterprise" and r["result"]["owner"] == "WE1"
    csrf = r["result"]["csrf"]
    p2 = c.call("posting.get", {"id": "WP2"})
    st, r = http_post(authd.base, "/api/posting.put", dict(p2, headcount=99), jar,
                      {"X-CSRF-Token": csrf})
    assert st == 403 and r["error"]["code"] == 1003, r
    # its own posting it may change; without the CSRF header nothing
    p1 = c.call("posting.get", {"id": "WP1"})
    st, r = http_post(authd.base, "/api/posting.put", dict(p1, headcount=6), jar)
    assert st == 403 and r["error"]["code"] == 1003, r
    st, r = http_post(authd.base, "/api/posting.put", dict(p1, headcount=6), jar,
                      {"X-CSRF-Token": csrf})
    assert st == 200 and r["result"] == {"written": 1}, r
    assert c.call("posting.get", {"id": "WP2"})["headcount"] == 3

    # in the browser: the page's own fetch is refused and the message shown
    browser.delete_all_cookies()
    load(browser, authd.base, "/", allow=EXPECTED_401)
    login_in_page(browser, "ent1")
    wait_for(browser, "#counts")
    wait_ready(browser)
    assert browser.find_element(By.ID, "role").text == "企业 WE1"
    got = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        CJ.api('posting.put', arguments[0]).then(r => done(['ok', r]), e => {
          CJ.fail(document.getElementById('app'), e);
          done([e.status, e.code]);
        });""", dict(p2, headcount=98))
    assert got == [403, 1003]
    shown = errors_shown(browser)
    assert len(shown) == 1 and "无权限" in shown[0] and "1003" in shown[0], shown
    severe(browser, allow=[r"/api/posting\.put .* 403"])
    assert c.call("posting.get", {"id": "WP2"})["headcount"] == 3
    browser.find_element(By.ID, "logout").click()
    wait_for(browser, "#login")
