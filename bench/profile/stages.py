#!/usr/bin/env python3
"""Attributes JFR samples of a Hallmark issuance run to the issuance steps.

usage: bench/profile/stages.py profile.jfr [skip-seconds]

skip-seconds drops samples from the start of the recording (warm-up).

Reads jdk.ExecutionSample (threads running Java code) and jdk.NativeMethodSample (threads inside native code, e.g.
PKCS#11 C_Sign or a file sync) from `jfr print --json`, and counts each sample once, under the first rule below
(innermost step first) whose frame occurs in its stack. Samples outside Authority.issue are reported by thread.
"""
import collections
import json
import subprocess
import sys

# (label, frame substring), most specific first: a verify inside sign counts as verify, a ledger insert inside
# a store transaction counts as the ledger, the commit inside a transaction counts as commit.
RULES = [
    ("5 verify after sign (VerifyingToken, software ECDSA)", "VerifyingToken.verify"),
    ("5 sign in token", ".sign("),
    ("4+6 ledger append (JdbcAuditLedger.insert)", "JdbcAuditLedger.insert"),
    ("4+6 DB commit", ".commit("),
    ("4 reserve serial+intent (SQL, excl. ledger/commit)", "JdbcCertificateStore.reserve"),
    ("6 store certificate (SQL, excl. ledger/commit)", "JdbcCertificateStore.complete"),
    ("5 assemble + re-parse certificate", "Issuer.assemble"),
    ("3 lint", "Linter.check"),
    ("3 DER-encode TBS", "Issuer.encode"),
    ("1 policy engine", "PolicyEngine."),
    ("1 CSR parse + proof of possession", "CertificationRequest."),
    ("2 profile shapes certificate", "CertificateShaper."),
    ("1 blocked-key / CA lookup (SQL)", "Authority.signingCa"),
    ("other inside Authority.issue", "Authority.issue"),
]


def frames(stack):
    for f in stack.get("frames", []):
        m = f.get("method", {})
        t = m.get("type", {}).get("name", "")
        yield f"{t}.{m.get('name', '')}("


def main(path, skip=0.0):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "2048", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", path],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    counts = {"java": collections.Counter(), "native": collections.Counter()}
    if skip and events:
        import datetime
        def at(e):
            return datetime.datetime.fromisoformat(e["values"]["startTime"][:26].rstrip("Z"))
        first = min(at(e) for e in events)
        events = [e for e in events if (at(e) - first).total_seconds() >= skip]
    for e in events:
        kind = "native" if e["type"] == "jdk.NativeMethodSample" else "java"
        v = e["values"]
        stack = v.get("stackTrace") or {}
        names = list(frames(stack))
        label = None
        for rule, needle in RULES:
            if any(needle in n for n in names):
                label = rule
                break
        if label is None:
            thread = (v.get("sampledThread") or {}).get("javaName") or "?"
            top = names[0] if names else "?"
            label = "outside issuance: " + thread.split("-jmh-worker")[0][-30:] + " @ " + top[:60]
        counts[kind][label] += 1
    for kind in ("java", "native"):
        total = sum(counts[kind].values())
        print(f"\n{kind} samples: {total}")
        for label, n in counts[kind].most_common(25):
            print(f"  {100.0 * n / max(total, 1):5.1f}%  {n:6d}  {label}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
