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

Draw 4 (`--draw 4`): --per-file tweets of each file drawn with
random.Random(20261211) from the rows that draw 3's sample (the default
--per-file 1500 with the first seed) did not take, and whose text draw 3 did
not hold; so no tweet of draw 3 is drawn again.

    usage: scripts/data/pstance_to_jsonl.py [--per-file 1500] [--draw 3|4] [PSTANCE_DIR] > pstance.jsonl
"""

import argparse
import csv
import json
import random
from pathlib import Path

FILES = ("trump", "biden", "bernie")
SEED = 20261210
DRAW4_SEED = 20261211
DRAW3_PER_FILE = 1500


def read_rows(folder, name):
    with open(Path(folder) / f"raw_train_{name}.csv", newline="", encoding="utf-8") as f:
        rows = [(i, r["Tweet"]) for i, r in enumerate(csv.DictReader(f))]
    return [(i, t) for i, t in rows if t.strip()]


def draw3_sample(rows):
    return random.Random(SEED).sample(rows, min(DRAW3_PER_FILE, len(rows)))


def sample(folder, name, per_file, draw):
    rows = read_rows(folder, name)
    if draw == 3:
        return random.Random(SEED).sample(rows, min(per_file, len(rows)))
    taken = {i for i, _ in draw3_sample(rows)}
    rest = [(i, t) for i, t in rows if i not in taken]
    return random.Random(DRAW4_SEED).sample(rest, min(per_file, len(rest)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-file", type=int, default=1500)
    ap.add_argument("--draw", type=int, choices=(3, 4), default=3)
    ap.add_argument("folder", nargs="?", default="../shared/data/stance/pstance")
    a = ap.parse_args()
    seen = set()
    if a.draw == 4:
        # draw 3's texts, so that a tweet repeated under another row is not drawn again
        seen = {t for name in FILES for _, t in draw3_sample(read_rows(a.folder, name))}
    for name in FILES:
        for row_index, text in sorted(sample(a.folder, name, a.per_file, a.draw)):
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
