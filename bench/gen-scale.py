#!/usr/bin/env python3
"""The shared benchmark corpus (../shared/bench/gen-corpus.py) at any size, fast.

    bench/gen-scale.py OUT --docs 20000 --commits 50000 [--tags 6] [--seed 1]

gen-corpus.py runs `git add` and `git commit` once per commit, which takes hours for 50,000
commits. This draws the same documents, edits, messages, dates, renames and tags from the same
random sequence (it imports gen-corpus.py's text functions) and writes the history with one
`git fast-import` instead, then checks the work tree out and packs the repository. Run with the
same arguments, both give the same trees, messages and dates, except that a procedure drawn to
implement itself implements the next document instead (one at 20,000 documents).
"""
import argparse
import importlib.util
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "gen_corpus", os.path.join(here, "..", "..", "shared", "bench", "gen-corpus.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--commits", type=int, default=2000)
    ap.add_argument("--tags", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    if os.path.exists(a.out) and os.listdir(a.out):
        sys.exit(f"{a.out} exists and is not empty")
    os.makedirs(a.out, exist_ok=True)
    # The same draws, in the same order, as gen-corpus.py's main().
    ids = [f"doc-{i:05d}-{rng.choice(gen.WORDS)}" for i in range(a.docs)]
    meta = {d: (rng.choice(gen.KINDS), sorted(rng.sample(gen.SOC2, k=rng.randint(1, 4)))) for d in ids}
    site = 'title = "Benchmark Handbook"\nbase_url = "/"\n'
    files = {d: d for d in ids}
    text = {}
    for d in ids:
        kind, controls = meta[d]
        text[d] = gen.front_matter(rng, d, kind, controls, ids) + gen.body(rng, d, ids, controls)

    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    fi = subprocess.Popen(["git", "-C", a.out, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = fi.stdin
    start = datetime(2023, 1, 2, 9, 0, tzinfo=timezone.utc)
    step = timedelta(days=700) / max(a.commits, 1)

    def data(s):
        b = s.encode()
        out.write(b"data %d\n" % len(b) + b + b"\n")

    def commit(i, msg, changes):
        who = gen.PEOPLE[i % len(gen.PEOPLE)]
        when = int((start + step * i).timestamp())
        out.write(b"commit refs/heads/main\nmark :%d\n" % (i + 1))
        for role in (b"author", b"committer"):
            out.write(b"%s %s <%s> %d +0000\n" % (role, who[0].encode(), who[1].encode(), when))
        data(msg + "\n")  # `git commit -m` ends the message with a newline
        if i > 0:
            out.write(b"from :%d\n" % i)
        for op, path, content in changes:
            if op == "D":
                out.write(b"D %s\n" % path.encode())
            else:
                out.write(b"M 100644 inline %s\n" % path.encode())
                data(content)

    # gen-corpus.py draws a procedure's `implements:` among all ids, its own included; a
    # document that implements itself is an error, and a build with an error writes nothing,
    # which would leave the write step out of the timing. Such a document implements the next
    # one instead (no random draw, so everything else is unchanged; none at 2,000 documents).
    for k, d in enumerate(ids):
        own = f"implements: [{d}]"
        if own in text[d]:
            text[d] = text[d].replace(own, f"implements: [{ids[(k + 1) % len(ids)]}]")

    commit(0, "Initial policy set",
           [("M", "site.toml", site)] + [("M", f"policies/{d}.md", text[d]) for d in ids])
    tag_every = max(a.commits // max(a.tags, 1), 1)
    for i in range(1, a.commits):
        touched = rng.sample(ids, k=min(len(ids), rng.randint(1, 3)))
        for d in touched:
            text[d] += "\n" + gen.sentence(rng) + "\n"
        msg = f"Update {', '.join(touched)}"
        if rng.random() < 0.15:
            msg = f"Annual review of {touched[0]}\n\nReviewed-by: {rng.choice(gen.PEOPLE)[0]}\nApproved-by: {rng.choice(gen.PEOPLE)[0]}"
        changes = []
        if rng.random() < 0.005 and not files[touched[0]].endswith("-v2"):
            d = touched[0]
            old, new = files[d], files[d] + "-v2"
            changes.append(("D", f"policies/{old}.md", None))
            files[d] = new
            msg = f"Rename {old}.md to {new}.md"
        changes += [("M", f"policies/{files[d]}.md", text[d]) for d in touched]
        commit(i, msg, changes)
        if i % tag_every == 0:
            out.write(b"reset refs/tags/v%d.%d\nfrom :%d\n" % (2023 + i * 2 // max(a.commits, 1), i // tag_every, i + 1))
    out.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", a.out, "checkout", "-q", "-f", "main"], check=True)
    # fast-import stores each blob as a delta of the blob written just before it (another
    # document, so the "delta" is the whole text) and each tree as a delta of its parent's, and
    # `git gc` keeps what it finds. `repack -f` computes every delta afresh, as `git gc` does
    # for gen-corpus.py's loose objects, so every size is packed the way git packs a history
    # committed one commit at a time (at 20,000 documents: a 753 MB pack before, 238 MB after).
    subprocess.run(["git", "-C", a.out, "repack", "-a", "-d", "-f", "-q"], check=True)
    subprocess.run(["git", "-C", a.out, "gc", "-q"], check=True)
    print(f"{a.out}: {len(ids)} documents, {a.commits} commits")


if __name__ == "__main__":
    main()
