#!/usr/bin/env bash
# Issue 21's scale budget: a cold build (no history cache, fresh output folder) of 5,000, 10,000
# and 20,000 documents with 2.5 commits per document, against the 2,000-document corpus: 20,000
# documents and 50,000 commits in ≤ 11× the 2,000-document time and within 2 GiB.
# The corpora come from bench/gen-scale.py (the shared generator's corpus, written with one
# `git fast-import`): /tmp/pb-scale-N, made when missing (the 20,000 one takes about 40 minutes).
# One run per size; wall and CPU time and peak memory from /usr/bin/time.
#
#   bench/scale.sh [SIZES…]     (default 2000 5000 10000 20000)
set -euo pipefail
source "$(dirname "$0")/common.sh" ""
sizes=("${@:-2000 5000 10000 20000}")
read -r -a sizes <<< "${sizes[*]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

corpus_of() {
  local n=$1
  if [ "$n" = 2000 ]; then echo "$corpus"; return; fi
  local dir=/tmp/pb-scale-$n
  if [ ! -d "$dir/.git" ]; then
    echo "generating $dir ($n documents, $((n * 5 / 2)) commits)…" >&2
    python3 "$here/gen-scale.py" "$dir" --docs "$n" --commits $((n * 5 / 2)) --tags 6 >&2
  fi
  echo "$dir"
}

: > "$work/rows"
for n in "${sizes[@]}"; do
  dir=$(corpus_of "$n")
  # Each size writes a folder of its own and nothing is deleted until the end: on ext4 files
  # created soon after others were deleted are slow to create (see bench/README.md).
  # A build that fails is reported, not silently dropped: its last lines go to stderr.
  # Each build starts with nothing waiting to be written back: otherwise the larger builds pay
  # for writing out the smaller ones' output (hundreds of MB) and the curve measures the disk.
  # The 2,000-document corpus is read by every other benchmark and sits in the page cache; the
  # larger ones are read once here. Reading them first makes every size start alike, so that
  # the curve measures the build and not the disk.
  find "$dir" -type f -exec cat {} + > /dev/null
  sync
  if ! /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$pb" build --no-cache --root "$dir" --out "$work/out-$n" \
      > "$work/log" 2>&1; then
    echo "the build of $n documents failed:" >&2
    tail -5 "$work/log" >&2
    tail -1 "$work/t" >&2
    continue
  fi
  echo "$n $(tail -1 "$work/t")" >> "$work/rows"
done

python3 - "$work/rows" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
base = next((float(r[1]) for r in rows if r[0] == "2000"), None)
print("| Documents | Commits | Wall | CPU (user+sys) | Peak memory | Wall vs 2,000 | Budget |")
print("|---|---|---|---|---|---|---|")
for n, wall, user, sys_, kb in rows:
    n, wall, cpu, mib = int(n), float(wall), float(user) + float(sys_), int(kb) / 1024
    ratio = f"{wall / base:.2f}×" if base else "—"
    budget = ""
    if n == 20000 and base:
        ok = wall / base <= 11 and mib <= 2048
        budget = f"≤ 11× and ≤ 2 GiB: {'ok' if ok else 'OVER BUDGET'}"
    print(f"| {n:,} | {n * 5 // 2:,} | {wall:.2f} s | {cpu:.2f} s | {mib:.0f} MiB | {ratio} | {budget} |")
PY
