"""A brute-force model of chanjiao's matching, written from docs/matching.md
(the scoring model and definitions) and docs/protocol.md only, for the e2e
tests.

It keeps its own copy of the records (mirror every put/del the test sends
to the daemon) and answers match.candidates / match.openings by scoring
every (specialty, posting) pair, with no index and no pruning.

Scores are compared after rounding to 1e-9 (docs/protocol.md); `rkey` gives the
rounded integer used for ordering.  The exact score of a pair is a rational
with a small denominator, so it is never within float error of a rounding
boundary: any correct float evaluation rounds to the same grid point.
"""
import copy
import csv
import math
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "data" / "major_catalog_2021.csv"

DEFAULT_WEIGHTS = {"major": 0.40, "skills": 0.15, "region": 0.15,
                   "level": 0.10, "capacity": 0.10, "chain": 0.10}
FACTORS = ("major", "skills", "region", "level", "capacity", "chain")

# Levels are ordered secondary < technician < higher < bachelor.
LEVEL_RANK = {"secondary": 0, "technician": 1, "higher": 2, "bachelor": 3}
# Which catalog codes a school level may offer (first digit of the code).
LEVEL_DIGITS = {"secondary": "67", "technician": "67", "higher": "45",
                "bachelor": "23"}
CATALOG_LEVEL = {"中职": "secondary", "高职专科": "higher", "职业本科": "bachelor"}


def load_catalog():
    """[(level, code)] of the 2021 catalog (level: secondary/higher/bachelor)."""
    out = []
    with open(CATALOG, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.append((CATALOG_LEVEL[row["education_level"]], row["major_code"]))
    return out


def catalog_names():
    """{code: name} of the 2021 catalog."""
    with open(CATALOG, encoding="utf-8") as f:
        return {row["major_code"]: row["major_name"] for row in csv.DictReader(f)}


# ------------------------------------------------------------ the factors

def field(code):
    """The code with its group moved to the higher-vocational numbering:
    groups 61-79 -20, groups 21-39 +20, others unchanged."""
    g = int(code[:2])
    if 61 <= g <= 79:
        g -= 20
    elif 21 <= g <= 39:
        g += 20
    return "%02d" % g + code[2:]


def major_one(code, prefix):
    if code.startswith(prefix):
        return 1.0
    if field(code)[:4].startswith(field(prefix)[:4]):
        return 0.6
    if field(code)[:2] == field(prefix)[:2]:
        return 0.3
    return 0.0


def major_factor(code, prefixes):
    if not prefixes:
        return 1.0
    return max(major_one(code, p) for p in prefixes)


def skills_factor(required, offered):
    if not required:
        return 1.0
    offered = set(offered or ())
    return sum(1 for s in required if s in offered) / len(required)


def region_factor(school_region, post_region):
    if post_region is None:
        return 1.0
    if school_region == post_region:
        return 1.0
    if school_region[:4] == post_region[:4]:
        return 0.8
    if school_region[:2] == post_region[:2]:
        return 0.5
    return 0.2


def level_factor(school_level, post_level):
    if post_level is None:
        return 1.0
    a, b = LEVEL_RANK[school_level], LEVEL_RANK[post_level]
    if a == b:
        return 1.0
    return 0.7 if a > b else 0.0


def capacity_factor(available, headcount):
    if headcount is None or headcount == 0:
        return 1.0
    return min(1.0, available / headcount)


def chain_factor(spec_chains, post_chains):
    return 1.0 if set(spec_chains or ()) & set(post_chains or ()) else 0.0


def total(weights, why):
    return sum(weights[f] * why[f] for f in FACTORS)


def rkey(score):
    """The score rounded to 1e-9, as an integer (half up; scores are >= 0)."""
    return int(math.floor(score * 1e9 + 0.5))


def default_grad_year(tm):
    """docs/matching.md: the year if on or before 31 August, else the next."""
    return tm.tm_year if tm.tm_mon <= 8 else tm.tm_year + 1


# ------------------------------------------------------------ the world

class World:
    """Records by kind and id; put/delete mirror the daemon's."""

    def __init__(self, weights=None):
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.schools = {}
        self.specialties = {}
        self.enterprises = {}
        self.postings = {}

    def table(self, kind):
        return {"school": self.schools, "specialty": self.specialties,
                "enterprise": self.enterprises, "posting": self.postings}[kind]

    def put(self, kind, rec):
        self.table(kind)[rec["id"]] = copy.deepcopy(rec)

    def delete(self, kind, id_):
        del self.table(kind)[id_]

    # -- views
    def post_view(self, posting_id):
        """The scoring view of a stored posting."""
        p = self.postings[posting_id]
        e = self.enterprises[p["enterprise_id"]]
        return {
            "majors": list(p["majors"]),
            "skills": list(p.get("skills") or ()),
            "region": p.get("region") or e["region"],   # effective region
            "level": p.get("level"),
            "headcount": p["headcount"],
            "chains": list(e.get("chains") or ()),
        }

    @staticmethod
    def query_view(q):
        """An ad-hoc query: what it omits scores 1 (region, level, capacity)
        or 0 (chain); no skills required scores 1."""
        return {
            "majors": list(q["majors"]),
            "skills": list(q.get("skills") or ()),
            "region": q.get("region"),
            "level": q.get("level"),
            "headcount": q.get("headcount"),
            "chains": list(q.get("chains") or ()),
        }

    def spec_view(self, spec_id, grad_year):
        s = self.specialties[spec_id]
        sc = self.schools[s["school_id"]]
        return {
            "id": s["id"], "school_id": s["school_id"],
            "code": s["major_code"], "region": sc["region"],
            "level": sc["level"],
            "available": s["cohorts"].get(str(grad_year), 0),
            "skills": list(s.get("skills") or ()),
            "chains": list(s.get("chains") or ()),
        }

    def score(self, post, spec):
        """(score, why) or None when the major factor is 0."""
        m = major_factor(spec["code"], post["majors"])
        if m == 0.0:
            return None
        why = {
            "major": m,
            "skills": skills_factor(post["skills"], spec["skills"]),
            "region": region_factor(spec["region"], post["region"]),
            "level": level_factor(spec["level"], post["level"]),
            "capacity": capacity_factor(spec["available"], post["headcount"]),
            "chain": chain_factor(spec["chains"], post["chains"]),
        }
        return total(self.weights, why), why

    # -- the two queries
    def candidates(self, post, grad_year, k=None, region_prefix=None,
                   min_available=None):
        """({items}, considered) for a post view, best first."""
        hits = []
        for sid in self.specialties:
            spec = self.spec_view(sid, grad_year)
            if region_prefix is not None and not spec["region"].startswith(region_prefix):
                continue
            if min_available is not None and spec["available"] < min_available:
                continue
            r = self.score(post, spec)
            if r is None:
                continue
            sc, why = r
            hits.append({"specialty_id": sid, "school_id": spec["school_id"],
                         "major_code": spec["code"],
                         "available": spec["available"],
                         "score": sc, "why": why})
        hits.sort(key=lambda h: (-rkey(h["score"]), h["specialty_id"].encode()))
        considered = len(hits)
        if k is not None:
            hits = hits[:k]
        return hits, considered

    def openings(self, spec_id, grad_year, k=None, kind=None,
                 region_prefix=None):
        spec = self.spec_view(spec_id, grad_year)
        hits = []
        for pid, p in self.postings.items():
            if kind is not None and p["kind"] != kind:
                continue
            post = self.post_view(pid)
            if region_prefix is not None and not post["region"].startswith(region_prefix):
                continue
            r = self.score(post, spec)
            if r is None:
                continue
            sc, why = r
            hits.append({"posting_id": pid, "enterprise_id": p["enterprise_id"],
                         "headcount": p["headcount"], "score": sc, "why": why})
        hits.sort(key=lambda h: (-rkey(h["score"]), h["posting_id"].encode()))
        considered = len(hits)
        if k is not None:
            hits = hits[:k]
        return hits, considered


# ------------------------------------------------------------ comparing

def diff_items(got, want, id_key, extra_keys):
    """None when the daemon's item list equals the oracle's (same order,
    same fields, scores within 1e-9 and equal after rounding, why factors
    within 1e-12); else a message naming the first difference."""
    gids = [g.get(id_key) for g in got]
    wids = [w[id_key] for w in want]
    if gids != wids:
        i = next((j for j, (a, b) in enumerate(zip(gids, wids)) if a != b),
                 min(len(gids), len(wids)))
        return ("order differs at %d (got %d items, want %d)\n  got  %r\n  want %r"
                % (i, len(gids), len(wids),
                   got[i] if i < len(got) else None,
                   want[i] if i < len(want) else None))
    for i, (g, w) in enumerate(zip(got, want)):
        for key in extra_keys:
            if g.get(key) != w[key]:
                return "item %d %s: %s got %r want %r" % (i, w[id_key], key,
                                                           g.get(key), w[key])
        if not isinstance(g.get("score"), (int, float)) or \
                abs(g["score"] - w["score"]) > 1e-9 or rkey(g["score"]) != rkey(w["score"]):
            return "item %d %s: score got %r want %r" % (i, w[id_key], g.get("score"),
                                                          w["score"])
        gw = g.get("why")
        if not isinstance(gw, dict) or set(gw) != set(FACTORS) or any(
                abs(gw[f] - w["why"][f]) > 1e-12 for f in FACTORS):
            return "item %d %s: why got %r want %r" % (i, w[id_key], gw, w["why"])
    return None
