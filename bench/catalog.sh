#!/usr/bin/env bash
# Issue 19's budget: reading the NIST SP 800-53 Low catalog (OSCAL JSON, 2.6 MB) takes under
# 100 ms in a release build. Timed as the whole process (`policybook _oscal-catalog`), start-up
# included, so the figure is an upper bound on the reading itself.
#
#   bench/catalog.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 2; }
cargo build --release --manifest-path "$repo/Cargo.toml" -q
pb="$repo/target/release/policybook"
catalog="$repo/data/nist-800-53-rev5-low-catalog.json"
"$pb" _oscal-catalog "$catalog"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
hyperfine -N -w 3 -r 30 --export-json "$out/h.json" -n nist-low "$pb _oscal-catalog $catalog" >/dev/null
python3 - "$out/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ms = r["median"] * 1000
print(f"NIST 800-53 Low catalog, whole process: median {ms:.1f} ms   budget < 100 ms  {'ok' if ms < 100 else 'OVER BUDGET'}")
PY
