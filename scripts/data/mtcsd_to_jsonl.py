#!/usr/bin/env python3
"""Converts MT-CSD's Reddit conversations (../shared/data/stance/mtcsd/{Bitcoin,SpaceX}/text.csv)
into stancegraph's JSON Lines input: one document per root post (the post is the
document's text, so its first sentence is the conversation's title), its replies as
comments with their `parent` (the id with its last "-N" removed; a reply to the root
has none). Ids are kept (`mtcsd-<Topic>-<id>`); authors are unknown in the set and
are written as `(unknown)`. The threads of the splits named by --leave-out (default
valid,test) are left out, so that what is drawn from the output never overlaps the
evaluation splits. The data is read from ../shared and never copied into the repository.

    usage: scripts/data/mtcsd_to_jsonl.py [--data DIR] [--leave-out valid,test] > mtcsd.jsonl
"""
import argparse
import csv
import json
import os


def roots_of(path):
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        return {item["index"][0] for item in json.load(f)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/stance/mtcsd")
    ap.add_argument("--leave-out", default="valid,test")
    a = ap.parse_args()
    for topic in ("Bitcoin", "SpaceX"):
        d = os.path.join(a.data, topic)
        skip = set()
        for split in filter(None, a.leave_out.split(",")):
            skip |= roots_of(os.path.join(d, f"{split}.json"))
        with open(os.path.join(d, "text.csv"), encoding="utf-8", newline="") as f:
            rows = [(r["id"], r["text"]) for r in csv.DictReader(f)]
        threads = {}
        for cid, text in rows:
            threads.setdefault(cid.split("-")[0], []).append((cid, text))
        for root, items in threads.items():
            if root in skip:
                continue
            texts = dict(items)
            if root not in texts:
                continue
            comments, index = [], {}
            for cid, text in items:
                if cid == root:
                    continue
                parent = cid.rsplit("-", 1)[0]
                index[cid] = len(comments)
                comments.append({"id": cid, "author": "(unknown)", "text": text,
                                 "parent": index.get(parent) if parent != root else None})
            doc = {"id": f"mtcsd-{topic}-{root}", "text": texts[root], "comments": comments}
            print(json.dumps(doc, ensure_ascii=False))


if __name__ == "__main__":
    main()
