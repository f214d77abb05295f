#!/usr/bin/env bash
# Validates `policybook oscal` output with compliance-trestle (the OSCAL community's tool), as
# #19 asks: the component definition and the catalogs it points at, in a `trestle init`
# workspace. Then checks that trestle does reject a broken copy, so the check can fail.
# Usage: tests/oscal/trestle.sh [path/to/policybook]   (CI runs it from .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-${CARGO_TARGET_DIR:-target}/debug/policybook}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check compliance-trestle
trestle="$work/venv/bin/trestle"

cp -r tests/fixtures/frameworks "$work/handbook"
"$bin" oscal --root "$work/handbook" --out "$work/oscal" 2>/dev/null

mkdir "$work/ws"
cd "$work/ws"
"$trestle" init >/dev/null
mkdir -p component-definitions/policybook
cp "$work/oscal/component-definition.json" component-definitions/policybook/component-definition.json
for f in "$work"/oscal/catalogs/*.json; do
  key="$(basename "$f" .json)"
  mkdir -p "catalogs/$key"
  cp "$f" "catalogs/$key/catalog.json"
done
"$trestle" validate -a
echo "trestle: the component definition and $(ls "$work"/oscal/catalogs | wc -l) catalogs are valid"

# A component without its type must be rejected, or this check proves nothing.
python3 - component-definitions/policybook/component-definition.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
del d["component-definition"]["components"][0]["type"]
json.dump(d, open(p, "w"))
PY
if "$trestle" validate -f component-definitions/policybook/component-definition.json >/dev/null 2>&1; then
  echo "trestle accepted a component with no type" >&2
  exit 1
fi
echo "trestle: a broken copy is rejected"
