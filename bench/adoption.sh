#!/usr/bin/env bash
# Issue 17's budget: following documents back through the move that adopted policybook costs at
# most 1.2 × the history of the same documents without it.
#
#   bench/adoption.sh [CORPUS]        (default /tmp/pb-corpus; generated if missing, ~2 min)
#
# The corpus's history is replayed with every path under policies/ living in docs/ instead (git
# fast-export | rewrite-paths | fast-import, repacked), then one commit moves docs/ to policies/
# and edits every file, as an adopting team does. `policybook _history` on both is compared.
# Needs hyperfine and python3. Prints the ratio, not just times.
set -euo pipefail
source "$(dirname "$0")/common.sh" "${1:-}"
moved=${corpus}-moved
if [ ! -d "$moved/.git" ]; then
  echo "replaying the corpus with its documents in docs/ into $moved…" >&2
  rm -rf "$moved" && git init -q "$moved"
  git -C "$corpus" fast-export --all --signed-tags=strip \
    | python3 "$here/rewrite-paths.py" policies/ docs/ \
    | git -C "$moved" fast-import --quiet
  git -C "$moved" checkout -q -f "$(git -C "$corpus" symbolic-ref --short HEAD)"
  (
    cd "$moved"
    export GIT_AUTHOR_NAME="Ada Park" GIT_AUTHOR_EMAIL=ada@example.com
    export GIT_COMMITTER_NAME="Ada Park" GIT_COMMITTER_EMAIL=ada@example.com
    export GIT_AUTHOR_DATE=2030-01-01T10:00:00Z GIT_COMMITTER_DATE=2030-01-01T10:00:00Z
    git mv docs policies
    # The adoption edit: every file gains a line, so the move is a move plus an edit.
    find policies -name '*.md' -exec sh -c 'printf "\nAdopted into policybook.\n" >> "$1"' _ {} \;
    git commit -q -am "Adopt policybook"
    # Deltas recomputed, as in the corpus's own pack and any clone's: fast-import's are poorer,
    # and reading them would be measured instead of the moves.
    git repack -a -d -f -q
  )
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
hyperfine -N -w 2 -r 10 --export-json "$out/h.json" \
  -n history "$pb _history --root $corpus" \
  -n history-moved "$pb _history --root $moved"
python3 - "$out/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base, moved = r["history"]["median"], r["history-moved"]["median"]
ratio = moved / base
print()
print(f"history (no moves)      {base:8.3f} s")
print(f"history (moved in)      {moved:8.3f} s   {ratio:.2f}×  budget ≤ 1.2×  {'ok' if ratio <= 1.2 else 'OVER BUDGET'}")
PY
