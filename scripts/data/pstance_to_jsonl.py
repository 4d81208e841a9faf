#!/usr/bin/env python3
"""Converts a seeded sample of P-Stance's training tweets
(../shared/data/stance/pstance/raw_train_{trump,biden,bernie}.csv: Tweet,
Target, Stance) into stancegraph's JSON Lines input, for drawing comment-train
pairs toward the OTHER people, countries and organisations a political tweet
names (draw 3 of data/comment-train: "anger at one politician is not stance
toward everyone the text names").

Each tweet becomes one document with an empty article and that one comment:
document id `pstance-<file>-<row>`, comment id `<row>`, where `<file>` is
trump, biden or bernie and `<row>` the 0-based index of the tweet among the
CSV's records (header excluded). The comment text is the `Tweet` field exactly
as Python's csv module reads it. The P-Stance target and label are not kept
(they are already a training set). Authors are `pstance`. A tweet repeated in
the data is kept once (its first row). The sample: --per-file tweets of each
file, drawn with random.Random(20261210). The data is read from ../shared and
never copied into the repository; only this converter is.

    usage: scripts/data/pstance_to_jsonl.py [--per-file 1500] [PSTANCE_DIR] > pstance.jsonl
"""

import argparse
import csv
import json
import random
from pathlib import Path

FILES = ("trump", "biden", "bernie")
SEED = 20261210


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-file", type=int, default=1500)
    ap.add_argument("folder", nargs="?", default="../shared/data/stance/pstance")
    a = ap.parse_args()
    seen = set()
    for name in FILES:
        with open(Path(a.folder) / f"raw_train_{name}.csv", newline="", encoding="utf-8") as f:
            rows = [(i, r["Tweet"]) for i, r in enumerate(csv.DictReader(f))]
        rows = [(i, t) for i, t in rows if t.strip()]
        for row_index, text in sorted(random.Random(SEED).sample(rows, min(a.per_file, len(rows)))):
            if text in seen:
                continue
            seen.add(text)
            doc = {
                "id": f"pstance-{name}-{row_index}",
                "title": f"P-Stance tweet {name} {row_index}",
                "text": "",
                "comments": [{"id": str(row_index), "author": "pstance", "text": text}],
            }
            print(json.dumps(doc, ensure_ascii=False))


if __name__ == "__main__":
    main()
