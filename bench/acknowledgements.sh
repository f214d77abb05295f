#!/usr/bin/env bash
# Acknowledgements at scale (no budget of its own; a regression check for what is quadratic in
# people × documents): the benchmark corpus with `[acknowledgements]` requiring every policy
# (1,105 of the 2,000 documents) of a roster of PEOPLE (default 400), each of whom acknowledged
# 60 documents (a few by ids that do not exist), then a cold build with --timings.
#
#   [PEOPLE=400] bench/acknowledgements.sh [CORPUS]      (default /tmp/pb-corpus)
set -euo pipefail
source "$(dirname "$0")/common.sh" "${1:-}"
work=$(scratch)
trap 'unscratch "$work"' EXIT
git clone -q "$corpus" "$work/hb"
PEOPLE=${PEOPLE:-400} python3 - "$work/hb" <<'PY'
import os, random, sys
random.seed(7)
hb = sys.argv[1]
people = int(os.environ["PEOPLE"])
with open(f"{hb}/roster.csv", "w") as f:
    f.write("email,name,start,end,type\n")
    for i in range(people):
        f.write(f"p{i}@example.com,Person {i},2023-01-02,,employee\n")
os.makedirs(f"{hb}/acknowledgements", exist_ok=True)
names = sorted(n[:-3] for n in os.listdir(f"{hb}/policies"))
with open(f"{hb}/acknowledgements/2024.csv", "w") as f:
    f.write("email,document,version,date\n")
    for i in range(people):
        for d in random.sample(names, 60):
            f.write(f"p{i}@example.com,{d},,2024-0{random.randint(1, 9)}-1{random.randint(0, 9)}\n")
with open(f"{hb}/site.toml", "a") as f:
    f.write('\n[acknowledgements]\nfiles = "acknowledgements/*.csv"\nroster = "roster.csv"\n'
            'required = ["policy"]\nwithin_days = 30\n\n[publish]\nacknowledgements = true\n')
PY
git -C "$work/hb" add -A
GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench \
  GIT_COMMITTER_EMAIL=bench@example.com GIT_AUTHOR_DATE=2024-12-01T00:00:00Z \
  GIT_COMMITTER_DATE=2024-12-01T00:00:00Z git -C "$work/hb" commit -qm "Acknowledgements"
for run in 1 2 3; do
  /usr/bin/time -f "%e s wall, %U s user, %M KB peak" -o "$work/t" \
    "$pb" build --no-cache --timings --root "$work/hb" --out "$work/out-$run" > "$work/log" 2>&1
  echo "build $run: $(cat "$work/t")"
done
grep -E "history:|resolve:|pages:|Built" "$work/log"
