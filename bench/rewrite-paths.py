#!/usr/bin/env python3
"""Rewrite a path prefix in a `git fast-export` stream: `rewrite-paths.py FROM TO < in > out`.

Only the paths of file commands (M, D, R, C) change; `data` blocks (file contents, commit
messages) are copied byte for byte, by their declared length.
"""
import sys

old, new = (s.encode() for s in sys.argv[1:3])
src, dst = sys.stdin.buffer, sys.stdout.buffer


def fix(path):
    quoted = path.startswith(b'"')
    bare = path[1:] if quoted else path
    if bare.startswith(old):
        bare = new + bare[len(old):]
    return (b'"' + bare) if quoted else bare


while True:
    line = src.readline()
    if not line:
        break
    if line.startswith(b"data "):
        dst.write(line)
        size = int(line[5:].strip())
        dst.write(src.read(size))
        continue
    if line.startswith(b"M "):
        mode, ref, path = line[2:].rstrip(b"\n").split(b" ", 2)
        line = b"M " + mode + b" " + ref + b" " + fix(path) + b"\n"
    elif line.startswith(b"D "):
        line = b"D " + fix(line[2:].rstrip(b"\n")) + b"\n"
    elif line.startswith((b"R ", b"C ")):
        # Unquoted paths without spaces (the corpus has no others): `R old new`.
        cmd, a, b = line.rstrip(b"\n").split(b" ", 2)
        line = cmd + b" " + fix(a) + b" " + fix(b) + b"\n"
    dst.write(line)
