#!/usr/bin/env bash
# Issue 5's budget, measured side by side in one run on the shared benchmark corpus:
#   history extraction (policybook _history)  ≤ 1.5 × git log --name-status -M … -- policies
#   full build         (policybook build)     ≤ 3   × that git log
#
#   bench/history.sh [CORPUS]        (default /tmp/pb-corpus; generated if missing, ~2 min)
#
# Needs hyperfine (Debian package `hyperfine`) and python3. Prints the ratios, not just times:
# machines differ, ratios travel.
set -euo pipefail
source "$(dirname "$0")/common.sh" "${1:-}"
out=$(scratch)
trap 'unscratch "$out"' EXIT

# `build` rebuilds into the same folder, as a policy owner does (unchanged files are linked from
# the previous output); `build-cold` starts from an empty folder each time.
hyperfine -N -w 2 -r 10 --export-json "$out/h.json" \
  --prepare "true" --prepare "true" --prepare "true" --prepare "rm -rf $out/cold" \
  -n git-log "git -C $corpus log --name-status -M --format='%H %an %aI %s' -- policies" \
  -n history "$pb _history --root $corpus" \
  -n build "$pb build --no-cache --root $corpus --out $out/site" \
  -n build-cold "$pb build --no-cache --root $corpus --out $out/cold"

python3 - "$out/h.json" "$(ls "$corpus/policies" | wc -l)" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
from budget import record
base = r["git-log"]["median"]
docs = sys.argv[2]
print()
print(f"{'command':<10} {'median s':>9} {'ratio to git log':>17}  budget")
for name, budget in (("git-log", None), ("history", 1.5), ("build", 3.0), ("build-cold", 3.0)):
    m = r[name]["median"]
    verdict = "" if budget is None else f"≤ {budget}×  {'ok' if m / base <= budget else 'OVER BUDGET'}"
    if name == "history":
        # Issue 21's budget for this stage is 2.0× (the line above is issue 5's stricter one).
        record(f"history stage vs git log, {int(docs):,} documents", f"{m:.3f} s vs {base:.3f} s", m / base, 2.0)
    print(f"{name:<10} {m:>9.3f} {m / base:>16.2f}×  {verdict}")
PY
