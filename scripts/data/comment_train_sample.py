#!/usr/bin/env python3
"""Draws the (comment, entity) pairs of our comment-domain stance TRAINING set
(data/comment-train/) from the corpus stores of `stancegraph run`s over
comment threads that the comment dev set and the evaluation splits do not use:

  - MT-CSD's Reddit conversations (scripts/data/mtcsd_to_jsonl.py, which leaves out
    the threads of MT-CSD's valid and test splits), sources mtcsd-bitcoin and
    mtcsd-spacex (by document id);
  - the reddit-trump threads (scripts/data/reddit_to_jsonl.py) that hold no pair of
    data/comment-dev/pairs.tsv, source reddit.

The questions are those of comment_dev_sample.py (explicit: the comment names
the entity; implicit: the entities of the comment replied to and the thread's 3
most-mentioned people / countries / organisations), at most 2 explicit and 2
implicit per comment; each kind's pool is shuffled with random.Random(SEED)
and its first --explicit / --parent / --thread pairs are kept (the pool has
far more thread pairs than the others, nearly all neutral), then the kept pairs
are shuffled together. Nothing here looks at a model's answer.

Writes, for the labellers, BATCH-k.tsv files in --batches DIR (scratch, never
the repository): the pair's columns plus the comment text, its parent's text and
the thread's opening, tabs and newlines escaped; and the pairs themselves
(pairs.tsv columns, labels empty) on stdout.

    usage: scripts/data/comment_train_sample.py --mtcsd STORE --reddit STORE --batches DIR
               [--explicit 1200 --parent 300 --thread 500] [--per-batch 400] > candidates.tsv

Draw 2 (--vast STORE --rank-from N): the explicit questions of the VAST reader
comments (scripts/data/vast_to_jsonl.py; news-site comments, the comment dev set's
other source) whose comment holds no pair of the comment dev set, at most 2 per
comment, all of them, shuffled with the same seed; ranks continue from N.

Draw 3 (--pstance STORE --rank-from N --explicit K): political tweets
(scripts/data/pstance_to_jsonl.py), the explicit questions toward the people,
countries and organisations a tweet names OTHER than its P-Stance target (the
politician of its file: Trump, Biden, Sanders; those labels exist already), at
most 2 per tweet, shuffled with the same seed, the first K kept; key
`<file>-<row>`, source pstance. Draw 4: the same over the tweets of
`pstance_to_jsonl.py --draw 4` (none of draw 3's), --rank-from 4000.
"""
import argparse
import csv
import os
import random
import sqlite3

import comment_dev_sample as cds

SEED = 20261209


def dev_documents(path="data/comment-dev/pairs.tsv"):
    with open(path, encoding="utf-8", newline="") as f:
        return {r["doc_id"] for r in csv.DictReader(f, delimiter="\t")}


def pool(store, source_of, leave_out):
    rows = cds.candidates(store, "x") + cds.implicit_candidates(store, "x")
    out = []
    for r in rows:
        if r["doc_id"] in leave_out:
            continue
        r["source"] = source_of(r["doc_id"])
        out.append(r)
    return out


def context(store):
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    docs = {d: (title or "", text) for d, title, text in db.execute("SELECT id, title, text FROM documents")}
    comments = {(d, p): (parent, text) for d, p, parent, text in
                db.execute("SELECT doc_id, position, parent, text FROM comments")}
    return docs, comments


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mtcsd")
    ap.add_argument("--reddit")
    ap.add_argument("--vast", help="draw 2: the VAST store alone")
    ap.add_argument("--pstance", help="draw 3: the P-Stance tweets' store alone")
    ap.add_argument("--rank-from", type=int, default=0)
    ap.add_argument("--batches", required=True)
    ap.add_argument("--per-batch", type=int, default=400)
    ap.add_argument("--explicit", type=int, default=1200)
    ap.add_argument("--parent", type=int, default=300)
    ap.add_argument("--thread", type=int, default=500)
    a = ap.parse_args()
    if a.vast:
        return draw_vast(a)
    if a.pstance:
        return draw_pstance(a)
    mt = pool(a.mtcsd, lambda d: "mtcsd-" + d.split("-")[1].lower(), set())
    rd = pool(a.reddit, lambda d: "reddit", dev_documents())
    rows = mt + rd
    rng = random.Random(SEED)
    drawn = []
    for kind, quota in (("explicit", a.explicit), ("parent", a.parent), ("thread", a.thread)):
        kind_pool = [r for r in rows if r["kind"] == kind]
        rng.shuffle(kind_pool)
        drawn += kind_pool[:quota]
    rng.shuffle(drawn)
    for rank, r in enumerate(drawn):
        r["sample_rank"] = str(rank)
    print("\t".join(cds.COLUMNS))
    cds.emit(drawn)
    ctx = {"mt": context(a.mtcsd), "rd": context(a.reddit)}

    def conversation(r):
        docs, comments = ctx["rd" if r["source"] == "reddit" else "mt"]
        parent_pos, text = comments[(r["doc_id"], int(r["comment"]))]
        parent = comments[(r["doc_id"], parent_pos)][1] if parent_pos is not None else ""
        title, article = docs[r["doc_id"]]
        opening = article[:400] if article.strip() else comments.get((r["doc_id"], 0), (None, ""))[1][:400]
        return text, parent, opening

    write_batches(a.batches, "batch", drawn, a.per_batch, conversation)


HEAD = ["row", "source", "key", "doc_id", "entity", "entity_type", "kind", "mentioned_as", "comment", "parent", "thread_opening"]


def write_batches(folder, prefix, rows, per_batch, conversation):
    """The labellers' PREFIX-k.tsv files: each pair's columns, how the comment names the entity,
    and its conversation(row) = (comment text, parent text, thread opening)."""
    os.makedirs(folder, exist_ok=True)
    for b in range(0, len(rows), per_batch):
        with open(os.path.join(folder, f"{prefix}-{b // per_batch + 1}.tsv"), "w", encoding="utf-8") as f:
            f.write("\t".join(HEAD) + "\n")
            for r in rows[b: b + per_batch]:
                text, parent, opening = conversation(r)
                spans = [tuple(int(x) for x in m.split("-")) for m in r["mentions"].split(";") if m]
                mentioned = "; ".join(text[s:e] for s, e in spans)
                f.write("\t".join(esc(x) for x in [r["sample_rank"], r["source"], r["key"], r["doc_id"], r["entity"],
                        r["entity_type"], r["kind"], mentioned, text, parent, opening]) + "\n")


def draw_vast(a):
    rows = [r for r in pool(a.vast, lambda d: "vast", dev_documents()) if r["kind"] == "explicit"]
    random.Random(SEED).shuffle(rows)
    for rank, r in enumerate(rows):
        r["sample_rank"] = str(a.rank_from + rank)
    print("\t".join(cds.COLUMNS))
    cds.emit(rows)
    comments = context(a.vast)[1]
    write_batches(a.batches, "vast", rows, a.per_batch, lambda r: (comments[(r["doc_id"], int(r["comment"]))][1], "", ""))


# The politician each P-Stance file is about, as entity labels name them.
PSTANCE_TARGETS = {"trump": ("trump",), "biden": ("biden",), "bernie": ("bernie", "sanders")}


def draw_pstance(a):
    def other_than_target(r):
        target = PSTANCE_TARGETS[r["doc_id"].split("-")[1]]
        return r["kind"] == "explicit" and not any(t in r["entity"].lower() for t in target)

    rows = [r for r in pool(a.pstance, lambda d: "pstance", set()) if other_than_target(r)]
    random.Random(SEED).shuffle(rows)
    rows = rows[: a.explicit]
    for rank, r in enumerate(rows):
        r["sample_rank"] = str(a.rank_from + rank)
        r["key"] = r["doc_id"].removeprefix("pstance-")
    print("\t".join(cds.COLUMNS))
    cds.emit(rows)
    comments = context(a.pstance)[1]
    write_batches(a.batches, "pstance", rows, a.per_batch, lambda r: (comments[(r["doc_id"], int(r["comment"]))][1], "", ""))


if __name__ == "__main__":
    main()
