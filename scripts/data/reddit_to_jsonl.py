#!/usr/bin/env python3
"""Converts the threaded Reddit comments of ../shared/data/stance/reddit-trump
(reddit_trump_{train,val}.csv: comment_id, parent_comment_id, user_id,
parent_user_id, parent_content, content) into stancegraph's JSON Lines input:
one document per thread, comments in thread order with their `parent`.

A thread is a tree of comments linked by parent_comment_id. When a tree's
root answers a comment that is not in the data, that parent's text
(parent_content, by parent_user_id) becomes the thread's first comment, so
the reply keeps its context. Every comment appears once: the roots that
answer the same missing parent are one thread (that parent, then each
root's tree in turn, roots in id order), named after the first root.
Threads have no article: `text` is empty and the title names the thread. Authors are `u<user_id>`. The data is read from
../shared and never copied into the repository; only this converter is.

    usage: scripts/data/reddit_to_jsonl.py [DATA_DIR] > reddit.jsonl
"""

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/stance/reddit-trump")
    rows = {}
    for name in ("reddit_trump_train.csv", "reddit_trump_val.csv"):
        with open(data / name, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                rows.setdefault(row["comment_id"], row)
    children = defaultdict(list)
    roots = []
    for cid, row in sorted(rows.items()):
        parent = row["parent_comment_id"].strip()
        if parent and parent in rows:
            children[parent].append(cid)
        else:
            roots.append(cid)

    def user(uid: str) -> str:
        uid = uid.strip()
        if uid.endswith(".0"):
            uid = uid[:-2]
        return f"u{uid}" if uid else "(unknown)"

    # Roots answering the same missing parent share one thread.
    threads = defaultdict(list)
    for root in roots:
        parent_id = rows[root]["parent_comment_id"].strip()
        has_parent = bool(parent_id and rows[root]["parent_content"].strip())
        threads[parent_id if has_parent else f"root:{root}"].append(root)

    for group in sorted(threads.values()):
        first = rows[group[0]]
        parent_id = first["parent_comment_id"].strip()
        comments = []
        if parent_id and first["parent_content"].strip():
            comments.append({"id": parent_id, "author": user(first["parent_user_id"]), "text": first["parent_content"], "parent": None})
        for root in group:
            stack = [(root, parent_id if comments else None)]
            while stack:
                cid, parent = stack.pop(0)
                r = rows[cid]
                comments.append({"id": cid, "author": user(r["user_id"]), "text": r["content"], "parent": parent})
                stack.extend((child, cid) for child in sorted(children[cid]))
        doc = {"id": f"reddit-{group[0]}", "title": f"Reddit thread {group[0]}", "text": "", "comments": comments}
        print(json.dumps(doc, ensure_ascii=False))

if __name__ == "__main__":
    main()
