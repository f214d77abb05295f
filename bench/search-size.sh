#!/usr/bin/env bash
# Issue 6's budget: the compressed search index of the 2,000-document benchmark corpus stays under
# 25% of the compressed size of its HTML (each file gzipped on its own, as a web server sends it).
#
#   bench/search-size.sh [CORPUS]        (default /tmp/pb-corpus; generated if missing)
set -euo pipefail
source "$(dirname "$0")/common.sh" "${1:-}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$pb" build --root "$corpus" --out "$out/site" 2>/dev/null | tail -1
python3 - "$out/site" <<'PY'
import gzip, os, sys
site = sys.argv[1]
html = sum(len(gzip.compress(open(os.path.join(d, f), "rb").read(), 9))
           for d, _, files in os.walk(site) for f in files if f.endswith(".html"))
raw = open(os.path.join(site, "search-index.js"), "rb").read()
index = len(gzip.compress(raw, 9))
ratio = index / html
# The index is deflated already (base64 in a script): gzip gains little on it.
print(f"HTML, gzipped per file: {html / 1e6:.2f} MB; search index as written: {len(raw) / 1e6:.2f} MB, "
      f"gzipped: {index / 1e6:.2f} MB; ratio {ratio:.1%} (budget 25%: {'ok' if ratio < 0.25 else 'OVER BUDGET'})")
PY
