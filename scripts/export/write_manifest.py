#!/usr/bin/env python3
"""Writes SHA256SUMS in each model folder given: the SHA-256 of every file
there but SHA256SUMS itself, the *.md notes and dot files, in sha256sum
format (`sha256sum -c SHA256SUMS` checks it by hand). A run refuses a model
folder whose files do not match it, or that has none (src/manifest.rs).
The export scripts call write_manifest() on the folder they write; run this
on a folder made otherwise, once you know it is good:

    python3 scripts/export/write_manifest.py models/stance-comments
"""
import hashlib
import os
import sys

FILE = "SHA256SUMS"


def covered_files(folder):
    return sorted(n for n in os.listdir(folder)
                  if os.path.isfile(os.path.join(folder, n)) and n != FILE
                  and not n.endswith(".md") and not n.startswith("."))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder):
    """Writes folder/SHA256SUMS; returns the number of files it lists."""
    names = covered_files(folder)
    lines = "".join(f"{sha256_file(os.path.join(folder, n))}  {n}\n" for n in names)
    with open(os.path.join(folder, FILE), "w") as f:
        f.write(lines)
    os.chmod(os.path.join(folder, FILE), 0o644)
    return len(names)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for folder in sys.argv[1:]:
        if not os.path.isdir(folder):
            sys.exit(f"{folder}: not a folder")
        print(f"{folder}/{FILE}: {write_manifest(folder)} files")


if __name__ == "__main__":
    main()
