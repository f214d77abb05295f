#!/usr/bin/env bash
# Builds the sample handbook and the gap fixture, validates their HTML with the Nu Html Checker,
# then runs the browser tests (search, matrix filters, themes, mobile, axe) in headless Chromium.
#
#   tests/browser/run.sh            (expects `npm ci` done here, /usr/bin/chromium and java)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${POLICYBOOK:-${CARGO_TARGET_DIR:-$repo/target}/debug/policybook}
[ -x "$bin" ] || cargo build --manifest-path "$repo/Cargo.toml" -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The sample, in a repository of its own with a fixed identity and date, so pages show history.
mkdir -p "$work/sample"
cp -r "$repo/site.toml" "$repo/controls.yaml" "$repo/people.yaml" "$repo/policies" "$work/sample/"
(
  cd "$work/sample"
  export GIT_AUTHOR_NAME="Alice Owner" GIT_AUTHOR_EMAIL=alice@example.com
  export GIT_COMMITTER_NAME="Alice Owner" GIT_COMMITTER_EMAIL=alice@example.com
  export GIT_AUTHOR_DATE=2026-11-30T10:00:00Z GIT_COMMITTER_DATE=2026-11-30T10:00:00Z
  git init -q -b main . && git add -A && git commit -q -m "Adopt the starter policy set" \
    --trailer "Reviewed-by: Carol Checker <carol@example.com>"
  # Two releases, so that pages have a version switcher and v2026.1 a "superseded" banner.
  git tag -a v2026.1 -m "First release"
  sed -i 's/^version: "2.3"/version: "2.4"/' policies/access-control.md
  export GIT_AUTHOR_DATE=2026-11-30T11:00:00Z GIT_COMMITTER_DATE=2026-11-30T11:00:00Z
  git commit -q -am "Access control 2.4"
  git tag -a v2026.2 -m "Second release"
  printf '\n[versions]\ntags = "v*"\n' >> site.toml
  git commit -q -am "Publish releases"
)
"$bin" build --root "$work/sample" >/dev/null
# A handbook with gaps, for the matrix's "gaps only" filter.
cp -r "$repo/tests/fixtures/good" "$work/gaps"
"$bin" build --root "$work/gaps" >/dev/null 2>&1

# 2,000 documents and 300 controls: the matrix and the sidebar must stay readable.
node "$here/large-handbook.mjs" "$work/large" >/dev/null
"$bin" build --root "$work/large" >/dev/null 2>&1

# The scope page, and published exceptions (register, pages, section notices), for vnu.
cp -r "$repo/tests/fixtures/scope" "$work/scope"
"$bin" build --root "$work/scope" >/dev/null 2>&1
cp -r "$repo/tests/fixtures/exceptions" "$work/exceptions"
printf '\n[publish]\nexceptions = true\nevidence_details = true\nprint = true\n' >> "$work/exceptions/site.toml"
"$bin" build --root "$work/exceptions" >/dev/null 2>&1
# Published acknowledgements (outside git: statuses as of a fixed day).
cp -r "$repo/tests/fixtures/acknowledgements" "$work/acks"
"$bin" build --root "$work/acks" --as-of 2025-06-30 >/dev/null 2>&1

# Several frameworks: the matrix overview, a matrix per framework, the SoA, NIST control pages.
cp -r "$repo/tests/fixtures/frameworks" "$work/frameworks"
"$bin" build --root "$work/frameworks" >/dev/null 2>&1

# A handbook for `serve`: the browser test edits it while it is served.
cp -r "$repo/tests/fixtures/good" "$work/live"
(
  cd "$work/live"
  export GIT_AUTHOR_NAME="Alice Owner" GIT_AUTHOR_EMAIL=alice@example.com
  export GIT_COMMITTER_NAME="Alice Owner" GIT_COMMITTER_EMAIL=alice@example.com
  export GIT_AUTHOR_DATE=2025-04-01T10:00:00Z GIT_COMMITTER_DATE=2025-04-01T10:00:00Z
  git init -q -b main . && git add -A && git commit -q -m "Start"
)

echo "--- Nu Html Checker (vnu): errors in any page fail"
java -jar "$here/node_modules/vnu-jar/build/dist/vnu.jar" --errors-only --skip-non-html \
  "$work/sample/public" "$work/gaps/public" "$work/scope/public" "$work/exceptions/public" \
  "$work/acks/public" "$work/frameworks/public"

echo "--- browser tests (headless Chromium)"
cd "$here"
PB_SAMPLE_SITE="$work/sample/public" PB_GAPS_SITE="$work/gaps/public" PB_LARGE_SITE="$work/large/public" \
  PB_ACKS_SITE="$work/acks/public" \
  PB_BIN="$bin" PB_LIVE="$work/live" \
  node --test --test-concurrency=1 --test-reporter=spec browser.test.mjs
