#!/usr/bin/env python3
"""Agreement between the comment dev set's labels (data/comment-dev/pairs.tsv)
and a second, blind labelling of a sample of its pairs
(data/comment-dev/relabel.tsv: source, key, entity_id, kind, gold, doubt):
observed agreement and Cohen's kappa over the three labels, for all the
relabelled pairs and for explicit and implicit ones apart.

    usage: scripts/data/comment_dev_kappa.py [PAIRS] [RELABEL]
"""
import csv
import sys
from collections import Counter


def kappa(a, b):
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    expected = sum((a.count(l) / n) * (b.count(l) / n) for l in set(a) | set(b))
    return observed, (observed - expected) / (1 - expected), n


def main():
    pairs_path = sys.argv[1] if len(sys.argv) > 1 else "data/comment-dev/pairs.tsv"
    relabel_path = sys.argv[2] if len(sys.argv) > 2 else "data/comment-dev/relabel.tsv"
    with open(pairs_path, encoding="utf-8", newline="") as f:
        first = {(p["source"], p["key"], p["entity_id"], p["kind"]): p["gold"] for p in csv.DictReader(f, delimiter="\t")}
    with open(relabel_path, encoding="utf-8", newline="") as f:
        second = list(csv.DictReader(f, delimiter="\t"))
    rows = [(first[(r["source"], r["key"], r["entity_id"], r["kind"])], r["gold"], r["kind"]) for r in second]
    for name, keep in (("all", lambda k: True), ("explicit", lambda k: k == "explicit"),
                       ("implicit", lambda k: k != "explicit")):
        sel = [(a, b) for a, b, k in rows if keep(k)]
        if sel:
            po, k, n = kappa([a for a, _ in sel], [b for _, b in sel])
            print(f"{name:9s} n={n:3d}  agreement {po:.3f}  Cohen's kappa {k:.3f}")
    print("confusion (first, second):", dict(sorted(Counter((a, b) for a, b, _ in rows).items())))


if __name__ == "__main__":
    main()
