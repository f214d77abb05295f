#!/usr/bin/env bash
# Issue 7's budget: building all 7 versions (the current one and 6 release tags) takes at most
# 0.5 × (7 × the time of one version's build), measured side by side in one run.
#
#   bench/versions.sh [CORPUS]        (default /tmp/pb-corpus; generated with --tags 6 if missing)
set -euo pipefail
source "$(dirname "$0")/common.sh" "${1:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same repository, once more, with [versions] selecting its release tags.
git clone -q "$corpus" "$work/versioned"
printf '\n[versions]\ntags = "v*"\n' >> "$work/versioned/site.toml"
echo "releases: $(git -C "$work/versioned" tag -l 'v*' | wc -l) tags + the current version" >&2

hyperfine -N -w 1 -r 5 --export-json "$work/h.json" \
  -n one-version "$pb build --no-cache --root $corpus --out $work/one" \
  -n all-versions "$pb build --no-cache --root $work/versioned --out $work/all"

python3 - "$work/h.json" "$(git -C "$work/versioned" tag -l 'v*' | wc -l)" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2]) + 1
one, all_ = r["one-version"], r["all-versions"]
ratio = all_ / (n * one)
print(f"\none version: {one:.3f} s; all {n} versions: {all_:.3f} s; "
      f"all / ({n} × one) = {ratio:.2f} (budget ≤ 0.5: {'ok' if ratio <= 0.5 else 'OVER BUDGET'})")
PY
