#!/usr/bin/python3
"""The instance of one orderclass.plan call, as a file oc_bench reads.

    oc_instance.py --port P --params JSON --out FILE   # ask a daemon (explain)
    oc_instance.py --explain REPLY.json --out FILE     # from a saved reply

The daemon is called with the params and "explain": true (the plan is
solved too: its objective, bound, optimal and solve_ms go into the file's
comment).  The file (bench/oc_bench.c, --instance):

    # comment lines
    size MIN MAX
    specs S            then S lines: supply
    ents E             then E lines: demand
    pairs P            then P lines: spec ent score   (by spec, then ent)

Specialties and enterprises numbered by their ids' order.  Standard
library and Debian's python3-msgpack only.
"""
import argparse
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--params")
    ap.add_argument("--explain")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    params = json.loads(a.params) if a.params else {}
    if a.explain:
        with open(a.explain) as f:
            r = json.load(f)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import plans
        c = plans.Conn(a.port)
        r = c.call("orderclass.plan", dict(params, explain=True))[0]
        c.s.close()
    specs = sorted(r["supply"])
    ents = sorted(r["demand"])
    si = {s: i for i, s in enumerate(specs)}
    ei = {e: j for j, e in enumerate(ents)}
    pairs = sorted((si[p["specialty_id"]], ei[p["enterprise_id"]], p["score"])
                   for p in r["pairs"])
    with open(a.out, "w") as f:
        f.write(f"# orderclass.plan {json.dumps(params)}\n")
        if "objective" in r:
            f.write(f"# daemon: objective {r['objective']} bound {r['bound']} "
                    f"optimal {r['optimal']} solve_ms {r['solve_ms']:.1f}\n")
        f.write(f"size {params.get('min_size', 20)} {params.get('max_size', 40)}\n")
        f.write(f"specs {len(specs)}\n")
        f.writelines(f"{r['supply'][s]}\n" for s in specs)
        f.write(f"ents {len(ents)}\n")
        f.writelines(f"{r['demand'][e]}\n" for e in ents)
        f.write(f"pairs {len(pairs)}\n")
        f.writelines(f"{s} {e} {sc!r}\n" for s, e, sc in pairs)
    print(f"{a.out}: {len(specs)} specialties, {len(ents)} enterprises, "
          f"{len(pairs)} pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
