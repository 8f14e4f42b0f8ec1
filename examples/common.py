"""What the scenarios' generate.py and check.py scripts share.

Each script puts this folder (its parent) on sys.path and imports it:

    HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.dirname(HERE))
    import common

Standard library only, but for Rpc, which imports Debian's python3-msgpack
when it connects (so the generators need nothing else).

  - writing the CSV files: cell, write_csv, write_files, specialty_row;
    invented enterprises: company_size, trade_name, legal_form, round100;
  - the CSV format of the `chanjiao` CLI (docs/protocol.md): the columns
    of the shared files, read_csv, load (rows to records), the code tables
    of data/ (table) and local_checks;
  - the daemon: Daemon (a chanjiaod of our own on a temp store), Rpc,
    put_all / put_one / read_back (rejected rows reported with their file
    and line), ask;
  - docs/matching.md's scoring model (default weights): field,
    major_factor, region_factor, pair_score;
  - check.py's frame: arg_parser, run_check (daemon or not, the result
    lines, the exit status), print_result, Abort, and pad for its reports.
"""
import argparse
import csv
import math
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "data")


# ------------------------------------------------------------ writing (generate.py)

def cell(v):
    """A CSV cell: a list `;`-joined, None empty."""
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    return "" if v is None else str(v)


def write_csv(directory, name, columns, rows):
    """Write rows (dicts) as directory/name with these columns (names, or
    the (name, kind) pairs of the CSV format below); the number of rows."""
    header = [c if isinstance(c, str) else c[0] for c in columns]
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([cell(r.get(h)) for h in header])
    return len(rows)


def write_files(directory, files):
    """write_csv each (name, columns, rows) of files; {name: number of rows}."""
    return {name: write_csv(directory, name, columns, rows) for name, columns, rows in files}


def company_size(rng, lo, hi):
    """Staff, log-uniform in [lo, hi], rounded like a registration form would."""
    size = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    return size if size < 100 else int(round(size, -1)) if size < 1000 else int(round(size, -2))


def trade_name(rng, pool_a, pool_b, used, real):
    """A new two-character trade name (字号): one of each pool, not in used
    (it is added) nor among the real firms' names, not a character twice."""
    while True:
        trade = rng.choice(pool_a) + rng.choice(pool_b)
        if trade not in used and trade not in real and trade[0] != trade[1]:
            break
    used.add(trade)
    return trade


def legal_form(rng, size):
    """股份有限公司 for some big enterprises (2,000 staff and more), else 有限公司."""
    return "股份有限公司" if size >= 2000 and rng.random() < 0.6 else "有限公司"


def round100(x):
    return int(round(x / 100.0)) * 100


# ------------------------------------------------------------ the CSV format

# kinds of cell
S, I, N, L = "str", "int", "num", "list"

SCHOOL_COLUMNS = [("id", S), ("name", S), ("level", S), ("region", S)]
ENTERPRISE_COLUMNS = [("id", S), ("name", S), ("region", S), ("industry", S),
                      ("chains", L), ("size", I)]
POSTING_COLUMNS = [("id", S), ("enterprise_id", S), ("title", S), ("kind", S),
                   ("headcount", I), ("majors", L), ("skills", L), ("level", S),
                   ("region", S), ("start", S), ("until", S), ("salary_min", I),
                   ("salary_max", I)]

# the file each kind of record is read from
FILE_OF = {"school": "schools.csv", "enterprise": "enterprises.csv",
           "specialty": "specialties.csv", "posting": "postings.csv",
           "program": "programs.csv", "student": "students.csv"}


def specialty_columns(years):
    """The columns of specialties.csv with a cohort_YYYY column per year."""
    return ([("id", S), ("school_id", S), ("major_code", S), ("name", S), ("direction", S)] +
            [("cohort_%d" % y, I) for y in years] + [("skills", L), ("chains", L)])


def specialty_row(school_id, code, name, direction, cohorts, skills, chains):
    """A row of specialties.csv (id school_id-code); cohorts {year: students}."""
    row = {"id": "%s-%s" % (school_id, code), "school_id": school_id, "major_code": code,
           "name": name, "direction": direction, "skills": skills, "chains": chains}
    row.update(("cohort_%d" % y, n) for y, n in cohorts.items())
    return row


def names(columns):
    """The header of a file of these (column, kind) pairs."""
    return [c for c, _ in columns]


def value(kind, text):
    """A non-empty cell as its kind says; ValueError when it is not one."""
    if kind == I:
        return int(text)
    if kind == N:
        return float(text) if "." in text else int(text)
    if kind == L:
        return text.split(";")
    return text


def read_csv(csv_dir, name, columns, problems, required_lists=(), convert=value,
             not_ok="is not an integer"):
    """[(line, {column: value})] of csv_dir/name with cells converted by
    convert(kind, cell); empty cells dropped, but a list that a record
    requires, (name, column) in required_lists, is then the empty list.
    What is wrong goes to problems with the file and line ("... `not_ok`"
    for a cell convert refuses)."""
    kinds = dict(columns)
    out = []
    with open(os.path.join(csv_dir, name), encoding="utf-8", newline="") as f:
        rd = csv.reader(f)
        header = next(rd)
        if header != names(columns):
            missing = [c for c, _ in columns if c not in header]
            unknown = [c for c in header if c not in kinds]
            if missing or unknown:
                problems.append("%s: header: missing %s, unknown %s" % (name, missing, unknown))
        for row in rd:
            line = rd.line_num
            if len(row) != len(header):
                problems.append("%s:%d: %d cells, header has %d" % (name, line, len(row), len(header)))
                continue
            rec = {}
            for col, text in zip(header, row):
                k = kinds.get(col)
                if k is None:
                    continue
                if text == "":
                    if k == L and (name, col) in required_lists:
                        rec[col] = []
                    continue
                try:
                    rec[col] = convert(k, text)
                except ValueError:
                    problems.append("%s:%d: %s=%r %s" % (name, line, col, text, not_ok))
            out.append((line, rec))
    return out


def load(csv_dir, kinds, files, problems, required_lists=(), convert=value,
         not_ok="is not an integer"):
    """{kind: [(file, line, record)]} in docs/protocol.md shape, each kind
    read from FILE_OF[kind] with the columns files[that file]: a
    specialty's cohort_YYYY columns become its cohorts, a posting's
    salary_min and salary_max its salary.  read_csv says the rest."""
    recs = {}
    for kind in kinds:
        name = FILE_OF[kind]
        rows = recs[kind] = []
        for line, r in read_csv(csv_dir, name, files[name], problems, required_lists,
                                convert, not_ok):
            if kind == "specialty":
                cohorts = {}
                for k in list(r):
                    m = re.fullmatch(r"cohort_(\d{4})", k)
                    if m:
                        cohorts[m.group(1)] = r.pop(k)
                r["cohorts"] = cohorts
            elif kind == "posting":
                lo, hi = r.pop("salary_min", None), r.pop("salary_max", None)
                if (lo is None) != (hi is None):
                    problems.append("%s:%d: salary_min and salary_max come together" % (name, line))
                elif lo is not None:
                    r["salary"] = [lo, hi]
            rows.append((name, line, r))
    return recs


def table(name, key):
    """data/name as {row[key]: row}."""
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return {row[key]: row for row in csv.DictReader(f)}


# a record's reference: kind -> (field, kind it names)
REFS = {"specialty": ("school_id", "school"), "posting": ("enterprise_id", "enterprise"),
        "program": ("enterprise_id", "enterprise"), "student": ("specialty_id", "specialty")}


def local_checks(recs, problems):
    """Codes against data/, ids unique, references resolved (a fair's
    directions, a posting's salary, a student's prefs too); the catalog."""
    majors = table("major_catalog_2021.csv", "major_code")
    counties = table("regions_counties.csv", "code")
    industries = {r["section"] + r["division"] for r in
                  table("industry_gbt4754_2017.csv", "code").values() if r["level"] == "2"}
    prefixes = set()
    for c in majors:
        prefixes.update((c[:2], c[:4], c))
    ids = {k: set() for k in recs}
    for kind, rows in recs.items():
        for f, line, r in rows:
            if r.get("id") in ids[kind]:
                problems.append("%s:%d: duplicate id %r" % (f, line, r.get("id")))
            ids[kind].add(r.get("id"))
    for kind, rows in recs.items():
        for f, line, r in rows:
            w = "%s:%d" % (f, line)
            if "region" in r and r["region"] not in counties:
                problems.append("%s: region %s is not in regions_counties.csv" % (w, r["region"]))
            if "industry" in r and r["industry"] not in industries:
                problems.append("%s: industry %s is not a GB/T 4754 division" % (w, r["industry"]))
            if "major_code" in r and r["major_code"] not in majors:
                problems.append("%s: major_code %s is not in the 2021 catalog" % (w, r["major_code"]))
            for p in r.get("majors", []):
                if p not in prefixes:
                    problems.append("%s: majors prefix %s names no catalog code" % (w, p))
            for d in r.get("directions", []):
                for p in d["majors"]:
                    if p not in prefixes:
                        problems.append("%s: direction %s prefix %s names no catalog code" % (
                            w, d["id"], p))
            if kind in REFS:
                col, to = REFS[kind]
                if r.get(col) not in ids[to]:
                    problems.append("%s: %s %r unknown" % (w, col, r.get(col)))
            if "salary" in r and r["salary"][0] > r["salary"][1]:
                problems.append("%s: salary_min > salary_max" % w)
            for p in r.get("prefs", []):
                if p not in ids["program"]:
                    problems.append("%s: prefs names unknown program %r" % (w, p))
            if len(set(r.get("prefs", []))) != len(r.get("prefs", [])):
                problems.append("%s: prefs repeat a program" % w)
    return majors


# ------------------------------------------------------------ daemon

class Rpc:
    """A msgpack-rpc connection to chanjiaod on 127.0.0.1:port."""

    def __init__(self, port, timeout=120.0):
        import msgpack
        self.msgpack = msgpack
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.unp = msgpack.Unpacker(raw=False, strict_map_key=False,
                                    max_buffer_size=2 ** 31 - 1)
        self.msgid = 0

    def call(self, method, params=None):
        """(error or None, result)."""
        self.msgid += 1
        self.sock.sendall(self.msgpack.packb([0, self.msgid, method, [params or {}]],
                                             use_bin_type=True))
        while True:
            for msg in self.unp:
                if msg[0] == 1 and msg[1] == self.msgid:
                    return msg[2], msg[3]
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("daemon closed the connection")
            self.unp.feed(data)

    def close(self):
        self.sock.close()


class Daemon:
    """chanjiaod (the binary) on a free port of 127.0.0.1 and a temp store
    named with prefix; stop() ends it and removes the store."""

    def __init__(self, binary, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--data", self.dir],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.port = None
        self.log = []
        ready = threading.Event()

        def drain():
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                if m and not ready.is_set():
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()
        threading.Thread(target=drain, daemon=True).start()
        ready.wait(15)
        if self.port is None:
            self.stop()
            raise SystemExit("chanjiaod did not start:\n" + "".join(self.log))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def err_text(err):
    """A protocol error as `code message (field f)`."""
    return "%s %s (field %s)" % (err.get("code"), err.get("message"),
                                 (err.get("data") or {}).get("field"))


def put_one(rpc, kind, f, line, r, problems):
    """Put one record; False, and the row reported with its file and line, when refused."""
    err, _ = rpc.call(kind + ".put", r)
    if err:
        problems.append("%s:%d: REJECTED %s.put %s: %s" % (f, line, kind, r.get("id"), err_text(err)))
        return False
    return True


def read_back(rpc, kind, f, line, r, problems):
    """Get the record back; a problem at its file and line when it differs."""
    err, back = rpc.call(kind + ".get", {"id": r["id"]})
    if err or back != r:
        problems.append("%s:%d: read back differs: %r" % (f, line, err or back))


def put_all(rpc, recs, problems, batch=500):
    """Put every record, kind by kind in the order of recs, and read it
    back; the number rejected.

    Records go in batches of `batch` (one transaction each: a put of one
    record at a time would wait for a disk sync per row); a batch the
    daemon refuses is put again one record at a time, so that every
    rejected row is reported with its file and line."""
    rejected = set()
    for kind, rows in recs.items():
        for at in range(0, len(rows), batch):
            part = rows[at:at + batch]
            err, _ = rpc.call(kind + ".put", {"records": [r for _, _, r in part]})
            if not err:
                continue
            for f, line, r in part:
                if not put_one(rpc, kind, f, line, r, problems):
                    rejected.add((kind, r.get("id")))
        for f, line, r in rows:
            if (kind, r.get("id")) not in rejected:
                read_back(rpc, kind, f, line, r, problems)
    return len(rejected)


def ask(rpc, method, params):
    """The daemon's answer to method, or RuntimeError with its error."""
    err, res = rpc.call(method, params)
    if err:
        raise RuntimeError("%s: %s" % (method, err_text(err)))
    return res


# ------------------------------------------------------------ the scoring model
# docs/matching.md "The scoring model", default weights.

W = {"major": 0.40, "skills": 0.15, "region": 0.15, "level": 0.10,
     "capacity": 0.10, "chain": 0.10}
LEVELS = {"secondary": 0, "technician": 1, "higher": 2, "bachelor": 3}


def field(code):
    """A catalog code with its group in the higher numbering (41-59)."""
    g = int(code[:2])
    if 61 <= g <= 79:
        g -= 20
    elif 21 <= g <= 39:
        g += 20
    return "%02d%s" % (g, code[2:])


def major_factor(code, prefixes):
    """The major factor of a specialty's code for a posting's prefixes."""
    if not prefixes:
        return 0.5
    best = 0.0
    for p in prefixes:
        if code.startswith(p):
            return 1.0
        if field(code)[:4].startswith(field(p)[:4]):
            best = max(best, 0.6)
        elif field(code)[:2] == field(p)[:2]:
            best = max(best, 0.3)
    return best


def region_factor(a, b):
    if a == b:
        return 1.0
    if a[:4] == b[:4]:
        return 0.8
    if a[:2] == b[:2]:
        return 0.5
    return 0.2


def pair_score(spec, school, want, ent, avail, places):
    """The score, rounded to 1e-9, of a specialty (avail students) for a
    posting or program `want` (majors, skills, region, level) of ent that
    takes `places`; None when not eligible (major factor 0)."""
    major = major_factor(spec["major_code"], want["majors"])
    if major == 0:
        return None
    req = want.get("skills", [])
    have = set(spec.get("skills", []))
    skills = sum(1 for s in req if s in have) / len(req) if req else 1.0
    region = region_factor(school["region"], want.get("region") or ent["region"])
    if "level" not in want or want["level"] == school["level"]:
        level = 1.0
    else:
        level = 0.7 if LEVELS[school["level"]] > LEVELS[want["level"]] else 0.0
    capacity = 1.0 if places <= 0 else min(1.0, avail / places)
    chain = 1.0 if set(spec.get("chains", [])) & set(ent.get("chains", [])) else 0.0
    s = (W["major"] * major + W["skills"] * skills + W["region"] * region +
         W["level"] * level + W["capacity"] * capacity + W["chain"] * chain)
    return round(s * 1e9) / 1e9


# ------------------------------------------------------------ the scripts

def arg_parser(doc, here, no_daemon_help):
    """check.py's options: --port, --daemon, --no-daemon, --dir."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--port", type=int, help="use a running daemon on 127.0.0.1:PORT")
    ap.add_argument("--daemon", default=os.environ.get("CHANJIAOD") or
                    os.path.join(REPO, "build", "chanjiaod"), help="chanjiaod binary")
    ap.add_argument("--no-daemon", action="store_true", help=no_daemon_help)
    ap.add_argument("--dir", default=here, help="directory holding the CSV files")
    return ap


def run_check(args, recs, problems, prefix, local, ask_daemon, answer):
    """The rest of check.py's main once the CSVs are read and checked into
    recs and problems.  With --no-daemon, local() (its problems added);
    else every record goes to the daemon (--port's, or our own, its store
    named with prefix) and, if nothing is wrong, ask_daemon(rpc)'s answer to
    answer(res), which prints it and returns its problems.  Then the
    result; the exit status."""
    n = sum(len(v) for v in recs.values())
    d = None
    rejected = 0
    try:
        if args.no_daemon:
            problems += local()
        else:
            port = args.port
            if not port:
                d = Daemon(args.daemon, prefix)
                port = d.port
            rpc = Rpc(port)
            rejected = put_all(rpc, recs, problems)
            if problems:
                raise Abort("the data has problems; not asking the daemon to plan")
            res = None
            try:
                res = ask_daemon(rpc)
            except RuntimeError as e:
                problems.append(str(e))
            if res is not None:
                problems += answer(res)
    except Abort as e:
        print(e)
    finally:
        if d:
            d.stop()
    print_result(problems, n, rejected, not args.no_daemon)
    return 1 if problems else 0


def print_result(problems, n, rejected, asked):
    """check.py's last lines: the problems, then the count of records."""
    print("\n== result")
    for p in problems:
        print("  " + p)
    if not asked:
        print("  %d records read; %d problems (daemon not asked)" % (n, len(problems)))
    else:
        print("  %d records sent, %d accepted, %d rejected; %d problems" % (
            n, n - rejected, rejected, len(problems)))


class Abort(Exception):
    """Stops a check before it asks the daemon."""


def pad(text, cols):
    """text padded with spaces to cols display columns (CJK counts two)."""
    w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, cols - w)
