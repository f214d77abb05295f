#!/usr/bin/env bash
# Issue 21's budgets against Hugo (Debian's `hugo` package) on the benchmark corpus:
#   - cold build (history, matrix, search, every page; no [versions]) vs Hugo with enableGitInfo:
#     wall and CPU (user + system) time as the median of paired runs (A B A B …, one ratio per
#     pair), and peak memory;
#   - warm build (nothing changed since the last build) vs Hugo without git info;
#   - output size vs Hugo's.
# Hugo renders the same Markdown with minimal templates (title, content, its git info); both
# write to a fresh folder each run.
#
#   bench/hugo.sh [CORPUS] [PAIRS]      (default /tmp/pb-corpus, 5 pairs)
set -euo pipefail
source "$(dirname "$0")/common.sh" "${1:-}"
pairs=${2:-5}
command -v hugo >/dev/null || { echo "hugo is needed: apt-get install -y hugo" >&2; exit 2; }
work=$(scratch)
trap 'unscratch "$work"' EXIT

# Hugo's site: the corpus's policies/ as content, read in place so that enableGitInfo sees its
# history, with a theme of four templates.
mkdir -p "$work/themes/bench/layouts/_default"
cat > "$work/themes/bench/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body><header><a href="{{ "" | relURL }}">{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>
EOF
cat > "$work/themes/bench/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}
{{ with .GitInfo }}<p>Last changed {{ .AuthorDate.Format "2006-01-02" }} by {{ .AuthorName }} in {{ .AbbreviatedHash }}: {{ .Subject }}</p>{{ end }}</article>{{ end }}
EOF
cat > "$work/themes/bench/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
EOF
cp "$work/themes/bench/layouts/_default/list.html" "$work/themes/bench/layouts/index.html"
hugo_config() {
  cat > "$work/hugo-$1.toml" <<EOF
baseURL = "https://example.com/"
title = "Benchmark Handbook"
contentDir = "policies"
theme = "bench"
themesDir = "$work/themes"
enableGitInfo = $2
noBuildLock = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
EOF
}
hugo_config git true
hugo_config nogit false

# One timed run: prints "wall cpu peak_kB".
timed() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$@" >/dev/null 2>&1
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$work/t"
}
# Every cold run writes to a folder of its own, and nothing is deleted until the end. Deleting
# the last run's output just before the next one measured the filesystem instead of the build:
# ext4 without a journal does not reuse an inode freed in the last 30 seconds, and scans past
# every such inode on each file it creates (perf: `recently_deleted` under `ext4_create`), so
# 2,000 pages created in one folder just after 3,000 files were deleted took 2.0 s instead of
# 0.4 s. A build in CI starts from a fresh clone, with nothing deleted.
# (Called inside `$( )`, a subshell: the count is kept in a file.)
echo 0 > "$work/runs"
fresh() { local n=$(($(cat "$work/runs") + 1)); echo "$n" > "$work/runs"; echo "$work/$1-$n"; }
pb_cold() { rm -rf "$corpus/.policybook-cache"; timed "$pb" build --root "$corpus" --out "$(fresh pb)"; }
# The warm build rebuilds the folder the build before it wrote, as `policybook build` run twice does.
pb_warm() { timed "$pb" build --root "$corpus" --out "$work/pb-warm"; }
# The same without the record of the last build, so that everything is rendered again (with the
# history cache): what a build costs when something did change, shown beside the budget's figure.
pb_rerender() { rm -f "$corpus/.policybook-cache/build.json"; pb_warm; }
hugo_run() { timed hugo --source "$corpus" --config "$work/hugo-$1.toml" --destination "$(fresh "hugo-$1")" --quiet; }

# Warm-up, and the sizes.
pb_cold >/dev/null
hugo_run git >/dev/null
# Three measures of size: `du -sb` (what the folder takes, directories included: Hugo writes one
# folder per page), plain `du` (the disk blocks used: each file rounded up to 4 KiB, the measure
# behind the issue's "63 MB against Hugo's 27 MB") and the bytes of the files alone (what a
# server sends).
pb_bytes=$(du -sb "$work/pb-1" | cut -f1)
hugo_bytes=$(du -sb "$work/hugo-git-2" | cut -f1)
pb_blocks=$(du -s --block-size=1 "$work/pb-1" | cut -f1)
hugo_blocks=$(du -s --block-size=1 "$work/hugo-git-2" | cut -f1)
files_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
pb_files=$(files_bytes "$work/pb-1")
# The search index against the pages it indexes (budget: at most a quarter).
pb_html=$(find "$work/pb-1" -name '*.html' -printf '%s\n' | awk '{ s += $1 } END { print s }')
pb_search=$(stat -c %s "$work/pb-1/search-index.js")
hugo_files=$(files_bytes "$work/hugo-git-2")

: > "$work/cold"
: > "$work/warm"
: > "$work/rerender"
for _ in $(seq "$pairs"); do
  echo "$(pb_cold) $(hugo_run git)" >> "$work/cold"
done
rm -rf "$corpus/.policybook-cache"
"$pb" build --root "$corpus" --out "$work/pb-warm" >/dev/null 2>&1
for _ in $(seq "$pairs"); do
  echo "$(pb_warm) $(hugo_run nogit)" >> "$work/warm"
done
for _ in $(seq "$pairs"); do
  echo "$(pb_rerender) $(hugo_run nogit)" >> "$work/rerender"
done

python3 - "$work/cold" "$work/warm" "$pb_bytes" "$hugo_bytes" "$pairs" "$pb_files" "$hugo_files" "$work/rerender" "$pb_html" "$pb_search" "$pb_blocks" "$hugo_blocks" <<'PY'
import statistics, sys
def rows(path):
    return [list(map(float, l.split())) for l in open(path) if l.strip()]
cold, warm, rerender = rows(sys.argv[1]), rows(sys.argv[2]), rows(sys.argv[8])
pb_bytes, hugo_bytes, pairs = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
pb_files, hugo_files = int(sys.argv[6]), int(sys.argv[7])
pb_html, pb_search = int(sys.argv[9]), int(sys.argv[10])
pb_blocks, hugo_blocks = int(sys.argv[11]), int(sys.argv[12])
from budget import record
med = statistics.median
def line(name, a, b, ratio, budget):
    ok = record(name, f"{a} vs {b}", ratio, budget)
    print(f"| {name} | {a} | {b} | {ratio:.2f}× | ≤ {budget}× | {ok} |")
print(f"Paired runs: {pairs}; medians of the per-pair ratios.\n")
print("| Measure | policybook | Hugo | Ratio | Budget | |")
print("|---|---|---|---|---|---|")
line("cold build, wall (Hugo with enableGitInfo)", f"{med(r[0] for r in cold):.2f} s", f"{med(r[3] for r in cold):.2f} s", med(r[0] / r[3] for r in cold), 0.8)
line("cold build, CPU user+system", f"{med(r[1] for r in cold):.2f} s", f"{med(r[4] for r in cold):.2f} s", med(r[1] / r[4] for r in cold), 0.8)
line("cold build, peak memory", f"{med(r[2] for r in cold) / 1024:.0f} MiB", f"{med(r[5] for r in cold) / 1024:.0f} MiB", med(r[2] / r[5] for r in cold), 1.0)
line("warm build, wall (Hugo without git info)", f"{med(r[0] for r in warm):.2f} s", f"{med(r[3] for r in warm):.2f} s", med(r[0] / r[3] for r in warm), 0.5)
line("warm build, CPU user+system", f"{med(r[1] for r in warm):.2f} s", f"{med(r[4] for r in warm):.2f} s", med(r[1] / r[4] for r in warm), 0.5)
print(f"| warm, everything rendered again (no build record; no budget) | {med(r[0] for r in rerender):.2f} s | {med(r[3] for r in rerender):.2f} s | {med(r[0] / r[3] for r in rerender):.2f}× | | |")
print(f"| warm, everything rendered again, CPU | {med(r[1] for r in rerender):.2f} s | {med(r[4] for r in rerender):.2f} s | {med(r[1] / r[4] for r in rerender):.2f}× | | |")
line("output size (du -sb)", f"{pb_bytes / 1e6:.1f} MB", f"{hugo_bytes / 1e6:.1f} MB", pb_bytes / hugo_bytes, 1.5)
line("output size (du, disk blocks)", f"{pb_blocks / 1e6:.1f} MB", f"{hugo_blocks / 1e6:.1f} MB", pb_blocks / hugo_blocks, 1.5)
line("output size (file bytes)", f"{pb_files / 1e6:.1f} MB", f"{hugo_files / 1e6:.1f} MB", pb_files / hugo_files, 1.5)
search = f"{pb_search / 1e6:.1f} MB vs {pb_html / 1e6:.1f} MB of HTML"
ok = record("search index vs the HTML pages", search, pb_search / pb_html, 0.25)
print(f"| search index vs the HTML pages | {pb_search / 1e6:.1f} MB | {pb_html / 1e6:.1f} MB of HTML | {pb_search / pb_html:.2f}× | ≤ 0.25× | {ok} |")
PY
