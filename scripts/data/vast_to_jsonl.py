#!/usr/bin/env python3
"""Converts the New York Times reader comments of VAST's dev set
(../shared/data/stance/vast/dev.csv: Tweet, Target, Stance, seen?) into
stancegraph's JSON Lines input.

VAST repeats a comment once per annotated topic; only the comment is kept,
once, and the topics and labels are not (they are stance toward a topic,
not toward the entities our pipeline finds). VAST gives no article and no
author, so each distinct comment becomes one document with an empty article
and that one comment: document id `vast-dev-<row>`, comment id `<row>`,
where `<row>` is the 0-based index (among the CSV's records, header
excluded) of the comment's first row. The comment text is the `Tweet` field
exactly as Python's csv module reads it. Authors are `vast`. The data is read
from ../shared and never copied into the repository; only this converter is.

    usage: scripts/data/vast_to_jsonl.py [DEV_CSV] > vast.jsonl
"""

import csv
import json
import sys
from pathlib import Path


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/stance/vast/dev.csv")
    seen = set()
    with open(path, newline="", encoding="utf-8") as f:
        for row_index, row in enumerate(csv.DictReader(f)):
            text = row["Tweet"]
            if text in seen or not text.strip():
                continue
            seen.add(text)
            doc = {
                "id": f"vast-dev-{row_index}",
                "title": f"VAST dev comment {row_index}",
                "text": "",
                "comments": [{"id": str(row_index), "author": "vast", "text": text}],
            }
            print(json.dumps(doc, ensure_ascii=False))


if __name__ == "__main__":
    main()
