#!/usr/bin/env python3
"""Adds a labelled draw to data/comment-train: joins the drawn candidates
(comment_train_sample.py's stdout, pairs.tsv columns with empty labels) with
the labellers' files (TSV: row, gold, doubt, note, junk; `row` is the
candidate's sample_rank) and appends the labelled pairs to pairs.tsv and the
pairs marked junk to dropped.tsv. A candidate without a label (a batch left
unfinished) is left out and counted; a label naming no candidate, or a gold
label other than favour/against/neutral, stops the script.

    usage: scripts/data/comment_train_add.py CANDIDATES LABELS... [--train DIR]
"""
import argparse
import csv
import os
import sys

LABELS = {"favour", "against", "neutral"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("candidates")
    ap.add_argument("labels", nargs="+")
    ap.add_argument("--train", default="data/comment-train")
    a = ap.parse_args()
    with open(a.candidates, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        columns = reader.fieldnames
        candidates = {r["sample_rank"]: r for r in reader}
    labelled, dropped = [], []
    for path in a.labels:
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                row = candidates.pop(r["row"].strip(), None)
                if row is None:
                    sys.exit(f"{path}: row {r['row']!r} is no candidate (or is labelled twice)")
                if (r.get("junk") or "").strip():
                    dropped.append([row["source"], row["key"], row["entity_id"], row["entity"], row["entity_type"],
                                    row["kind"], row["sample_rank"], "NER junk: " + r["junk"].strip()])
                    continue
                gold = r["gold"].strip()
                if gold not in LABELS:
                    sys.exit(f"{path}: row {r['row']}: gold {gold!r} is not favour/against/neutral")
                row.update(gold=gold, doubt="1" if r["doubt"].strip() == "1" else "0",
                           note=" ".join(r["note"].split()))
                labelled.append(row)
    with open(os.path.join(a.train, "pairs.tsv"), "a", encoding="utf-8", newline="") as f:
        for row in labelled:
            f.write("\t".join(row[c] for c in columns) + "\n")
    with open(os.path.join(a.train, "dropped.tsv"), "a", encoding="utf-8", newline="") as f:
        for row in dropped:
            f.write("\t".join(row) + "\n")
    counts = {k: sum(r["gold"] == k for r in labelled) for k in sorted(LABELS)}
    print(f"added {len(labelled)} pairs {counts}, doubt {sum(r['doubt'] == '1' for r in labelled)}; "
          f"dropped {len(dropped)} as junk; {len(candidates)} candidates unlabelled")


if __name__ == "__main__":
    main()
