# Shared by the benchmark scripts: the corpus (generated when missing) and the release binary.
#   source "$(dirname "$0")/common.sh" "${1:-}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
corpus=${1:-/tmp/pb-corpus}
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 2; }
if [ ! -d "$corpus/.git" ]; then
  echo "generating the corpus in $corpus (2,000 documents, 5,000 commits, 6 tags)…" >&2
  python3 "$repo/../shared/bench/gen-corpus.py" "$corpus" --docs 2000 --commits 5000 --tags 6 >&2
  # A cloned repository is packed; so is the corpus, to compare like with like.
  git -C "$corpus" gc -q
fi
# The reports' shared verdicts (bench/budget.py).
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
# A scratch folder for a script's runs, removed when it exits; under bench/issue21.sh (which sets
# BENCH_SCRATCH) made there and left for it to remove at the very end, because ext4 creates files
# slowly for minutes after a large deletion (see README.md) and the next script would pay for it.
scratch() { mktemp -d ${BENCH_SCRATCH:+-p "$BENCH_SCRATCH"}; }
unscratch() { [ -n "${BENCH_SCRATCH:-}" ] || rm -rf "$@"; }
cargo build --profile dist --manifest-path "$repo/Cargo.toml" -q
pb="$repo/target/dist/policybook"
