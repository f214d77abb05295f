#!/usr/bin/env bash
# Every budget of issue 21 in one command: runs hugo.sh, history.sh (2,000 and 500 documents),
# serve.sh and scale.sh, each printing its own table as it goes, then one summary of every budget
# with its ratio and verdict. Exits 1 when a budget is over, 0 when all are met.
#
#   [PAIRS=5] [RUNS=5] [SIZES=…] bench/issue21.sh         (about 10 minutes once the corpora exist)
#
# Corpora (made when missing, in /tmp): pb-corpus (2,000 documents, 5,000 commits),
# pb-corpus-500 (500 documents, 2,000 commits) and pb-scale-{5000,10000,20000} (2.5 commits a
# document; the 20,000 one takes about 12 minutes to make).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export BENCH_SCRATCH BENCH_SUMMARY
BENCH_SCRATCH=$(mktemp -d)
BENCH_SUMMARY="$BENCH_SCRATCH/summary.tsv"
# Everything the scripts wrote is deleted here, once, at the end: see `scratch` in common.sh.
trap 'rm -rf "$BENCH_SCRATCH"' EXIT
: > "$BENCH_SUMMARY"

small=/tmp/pb-corpus-500
if [ ! -d "$small/.git" ]; then
  echo "generating $small (500 documents, 2,000 commits, 6 tags)…" >&2
  python3 "$here/../../shared/bench/gen-corpus.py" "$small" --docs 500 --commits 2000 --tags 6 >&2
  git -C "$small" gc -q
fi

# scale.sh last: its 20,000-document builds are the most sensitive to the machine's state.
section() { printf '\n## %s\n\n' "$*"; }
section "bench/hugo.sh /tmp/pb-corpus ${PAIRS:-5}"
"$here/hugo.sh" /tmp/pb-corpus "${PAIRS:-5}"
section "bench/history.sh /tmp/pb-corpus"
"$here/history.sh" /tmp/pb-corpus
section "bench/history.sh $small"
"$here/history.sh" "$small"
section "bench/serve.sh /tmp/pb-corpus"
"$here/serve.sh" /tmp/pb-corpus
section "RUNS=${RUNS:-5} bench/scale.sh"
# SIZES (for example "2000 5000") narrows the curve, for a quick look; the budget needs 20000.
# shellcheck disable=SC2086
"$here/scale.sh" ${SIZES:-}

section "Issue 21: every budget, from this run"
python3 - "$BENCH_SUMMARY" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
print("| Measure | Figures | Ratio | Budget | |")
print("|---|---|---|---|---|")
for row in rows:
    print("| " + " | ".join(row) + " |")
over = [row[0] for row in rows if row[4] != "ok"]
print(f"\n{len(rows) - len(over)} of {len(rows)} budgets met" + (f"; over: {', '.join(over)}" if over else ""))
sys.exit(1 if over else 0)
PY
