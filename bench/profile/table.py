#!/usr/bin/env python3
"""Prints a JMH JSON result file (bench/run -rf json) as the Markdown tables of docs/PERFORMANCE.md.

usage: bench/profile/table.py target/results/matrix.json
"""
import json
import sys


def main(path):
    rows = json.load(open(path))
    res = {}
    for r in rows:
        name = r["benchmark"].rsplit(".", 1)[1]
        p = r.get("params", {})
        m = r["primaryMetric"]
        res[(name, p.get("token"), p.get("db"))] = (m["score"], m["scoreError"], m["rawData"][0])
    print("| token | db | threads | full issuance ops/s (± 99.9% error) | iterations | raw sign ops/s | full / raw |")
    print("|---|---|---|---|---|---|---|")
    for token in ("soft", "softhsm"):
        for db in ("h2file", "postgresql"):
            for t in ("1", "2"):
                k = ("issue" + t, token, db)
                if k not in res:
                    continue
                s, e, raw = res[k]
                sign = res.get(("raw" + t, token, None))
                ratio = f"{100 * s / sign[0]:.1f} %" if sign else "n/a"
                sign_s = f"{sign[0]:,.0f}" if sign else "n/a"
                its = ", ".join(f"{x:,.0f}" for x in raw)
                print(f"| {token} | {db} | {t} | {s:,.0f} ± {e:,.0f} | {its} | {sign_s} | {ratio} |")
    print()
    print("| token | threads | raw sign ops/s | verified sign ops/s | verify cost per signature |")
    print("|---|---|---|---|---|")
    for token in ("soft", "softhsm"):
        for t in ("1", "2"):
            raw = res.get(("raw" + t, token, None))
            ver = res.get(("verified" + t, token, None))
            if not raw or not ver:
                continue
            extra = (1 / ver[0] - 1 / raw[0]) * 1e6 * int(t)
            print(f"| {token} | {t} | {raw[0]:,.0f} ± {raw[1]:,.0f} | {ver[0]:,.0f} ± {ver[1]:,.0f} | "
                  f"≈ {extra:,.0f} µs (thread time) |")


if __name__ == "__main__":
    main(sys.argv[1])
