#!/usr/bin/env python3
"""Draws the (comment, entity) pairs of our comment-domain stance dev set
(data/comment-dev/) from the corpus stores of two `stancegraph run`s: one
over the Reddit threads (scripts/data/reddit_to_jsonl.py), one over the VAST dev
comments (scripts/data/vast_to_jsonl.py).

Every pair is a stance question the pipeline asked: a row of the store's
`stances` table (document, comment, entity, input hash), with the entity's
label and type from `entities` and the entity's mention ranges in that
comment from `mentions` in the store's order (the order the pipeline built
the question from). Nothing here looks at the model's answers.

Sampling, per source, with random.Random(SEED) (SEED = 20261201):
  1. the source's comments that have at least one pair, sorted by key
     (Reddit comment id / VAST record index, as text), are shuffled;
  2. for each comment in that order, its pairs (sorted by entity id) are
     shuffled and the first MAX_PER_COMMENT (2) kept;
  3. the kept pairs, in that order, get ranks 0, 1, 2, ... (`sample_rank`);
  4. a question asked twice (a Reddit comment quoted as the parent of two
     threads: same comment, same entity, same input hash) is kept once, at
     its first rank; its second rank stays unused.
The set is the pairs of the lowest ranks of each source, after the pairs
whose entity is NER junk (not a real person, country, organisation, place
or named group) are dropped by hand; data/comment-dev/README.md says how
many ranks were read and which were dropped.

Output: a TSV on stdout with the columns of data/comment-dev/pairs.tsv, the
label columns (gold, doubt, note) empty, every candidate of both sources in
rank order, `kind` = explicit. No comment text is written.

    usage: scripts/data/comment_dev_sample.py REDDIT_STORE VAST_STORE > candidates.tsv

Draw 2 (--draw2, Reddit only) lists the candidates of the second draw from
one Reddit store, made with the current models:

  explicit: the same questions and the same seeded order as above (steps
    1-4, SEED 20261201), ranks shifted by EXPLICIT_RANK_BASE (1000), so
    that a draw-2 rank never equals a draw-1 rank of the same source;
  implicit: stance questions about an entity the comment does not name.
    For a comment c of document d, with N(c) the entities c mentions (any
    type, pronoun mentions included):
      parent: each person, country or organisation mentioned in the comment
        c replies to, not in N(c);
      thread: each of the THREAD_K (3) persons, countries or organisations
        with the most mentions in d (all rows of `mentions` of d: article
        and every comment, pronouns included; ties by entity id), not in N(c).
    An entity that is both is `parent`. The question is (comment text,
    entity label, no mention ranges): input_hash = stance_input_hash(text,
    label, []), `mentions` empty. Order, with random.Random(IMPLICIT_SEED)
    (IMPLICIT_SEED = 20261207): the comments with at least one implicit
    candidate, sorted by comment key, are shuffled; each comment's
    candidates, sorted by (kind, entity id), are shuffled and the first
    MAX_PER_COMMENT (2) kept; ranks 0, 1, 2, ... in that order; a question
    asked twice (same comment key and input hash, in two documents) kept
    once at its first rank. Nothing here reads a model answer.

    usage: scripts/data/comment_dev_sample.py --draw2 REDDIT_STORE > candidates2.tsv
"""

import hashlib
import random
import sqlite3
import struct
import sys

SEED = 20261201
MAX_PER_COMMENT = 2
IMPLICIT_SEED = 20261207
THREAD_K = 3
EXPLICIT_RANK_BASE = 1000
IMPLICIT_TYPES = ("person", "country", "organisation")
COLUMNS = [
    "source", "key", "doc_id", "comment", "text_sha16", "entity_id", "entity", "entity_type",
    "mentions", "input_hash", "gold", "doubt", "note", "sample_rank", "kind",
]


def stance_input_hash(text: str, target: str, ranges) -> str:
    """store::stance_input_hash: SHA-256 over length-prefixed parts, 16 bytes."""
    h = hashlib.sha256()
    for part in (text, target, ",".join(f"{s}-{e}" for s, e in ranges)):
        b = part.encode("utf-8")
        h.update(struct.pack("<Q", len(b)))
        h.update(b)
    return h.hexdigest()[:32]


def candidates(store: str, source: str):
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    entities = {i: (label, typ) for i, label, typ in db.execute("SELECT id, label, type FROM entities")}
    comments = {
        (d, p): (cid, text)
        for d, p, cid, text in db.execute("SELECT doc_id, position, comment_id, text FROM comments")
    }
    ranges = {}
    for d, c, s, e, ent in db.execute(
        'SELECT doc_id, comment, start, "end", entity_id FROM mentions WHERE comment IS NOT NULL ORDER BY rowid'
    ):
        ranges.setdefault((d, c, ent), []).append((s, e))
    by_comment = {}
    columns = {row[1] for row in db.execute("PRAGMA table_info(stances)")}
    explicit_only = " WHERE implicit = 0" if "implicit" in columns else ""
    for d, c, ent, input_hash in db.execute("SELECT doc_id, comment, entity_id, input_hash FROM stances" + explicit_only):
        cid, text = comments[(d, c)]
        label, typ = entities[ent]
        r = ranges[(d, c, ent)]
        # The set keys a question without its conversation; a store written since
        # questions carry one keys it with the title and parent as well.
        input_hash = stance_input_hash(text, label, r)
        row = {
            "source": source, "key": cid, "doc_id": d, "comment": str(c),
            "text_sha16": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
            "entity_id": ent, "entity": label, "entity_type": typ,
            "mentions": ";".join(f"{s}-{e}" for s, e in r), "input_hash": input_hash,
            "gold": "", "doubt": "", "note": "", "kind": "explicit",
        }
        by_comment.setdefault(cid, []).append(row)
    rng = random.Random(SEED)
    keys = sorted(by_comment)
    rng.shuffle(keys)
    out = []
    for k in keys:
        pairs = sorted(by_comment[k], key=lambda r: r["entity_id"])
        rng.shuffle(pairs)
        out.extend(pairs[:MAX_PER_COMMENT])
    for rank, row in enumerate(out):
        row["sample_rank"] = str(rank)
    # A comment quoted as the parent of two threads is asked twice, in two
    # documents: the same question, kept once (at its first rank).
    asked = set()
    kept = []
    for row in out:
        if (row["key"], row["input_hash"]) not in asked:
            asked.add((row["key"], row["input_hash"]))
            kept.append(row)
    return kept


def implicit_candidates(store: str, source: str):
    """The implicit (parent / thread) questions of a store, in their seeded order."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    entities = {i: (label, typ) for i, label, typ in db.execute("SELECT id, label, type FROM entities")}
    comments = {
        (d, p): (cid, parent, text)
        for d, p, cid, parent, text in db.execute("SELECT doc_id, position, comment_id, parent, text FROM comments")
    }
    named = {}  # (doc, comment) -> entities it mentions
    counts = {}  # doc -> entity -> mentions in the whole document
    for d, c, ent in db.execute("SELECT doc_id, comment, entity_id FROM mentions ORDER BY rowid"):
        if c is not None:
            named.setdefault((d, c), set()).add(ent)
        counts.setdefault(d, {}).setdefault(ent, 0)
        counts[d][ent] += 1
    top = {}
    for d, cs in counts.items():
        ranked = sorted((e for e in cs if entities[e][1] in IMPLICIT_TYPES), key=lambda e: (-cs[e], e))
        top[d] = ranked[:THREAD_K]
    by_comment = {}
    for (d, c), (cid, parent, text) in sorted(comments.items()):
        own = named.get((d, c), set())
        kinds = {}
        for ent in top.get(d, []):
            if ent not in own:
                kinds[ent] = "thread"
        if parent is not None:
            for ent in named.get((d, parent), set()):
                if ent not in own and entities[ent][1] in IMPLICIT_TYPES:
                    kinds[ent] = "parent"
        for ent, kind in kinds.items():
            label, typ = entities[ent]
            row = {
                "source": source, "key": cid, "doc_id": d, "comment": str(c),
                "text_sha16": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
                "entity_id": ent, "entity": label, "entity_type": typ,
                "mentions": "", "input_hash": stance_input_hash(text, label, []),
                "gold": "", "doubt": "", "note": "", "kind": kind,
            }
            by_comment.setdefault(cid, []).append(row)
    rng = random.Random(IMPLICIT_SEED)
    keys = sorted(by_comment)
    rng.shuffle(keys)
    out = []
    for k in keys:
        # A comment in two documents: its candidates of both, once each.
        seen, pairs = set(), []
        for r in sorted(by_comment[k], key=lambda r: (r["kind"], r["entity_id"], r["doc_id"])):
            if r["input_hash"] not in seen:
                seen.add(r["input_hash"])
                pairs.append(r)
        rng.shuffle(pairs)
        out.extend(pairs[:MAX_PER_COMMENT])
    for rank, row in enumerate(out):
        row["sample_rank"] = str(rank)
    return out


def emit(rows) -> None:
    for row in rows:
        for v in row.values():
            if "\t" in v or "\n" in v:
                sys.exit(f"tab or newline in a field of {row['key']}")
        print("\t".join(row[c] for c in COLUMNS))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--draw2":
        print("\t".join(COLUMNS))
        explicit = candidates(sys.argv[2], "reddit")
        for row in explicit:
            row["sample_rank"] = str(EXPLICIT_RANK_BASE + int(row["sample_rank"]))
        emit(explicit)
        emit(implicit_candidates(sys.argv[2], "reddit"))
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print("\t".join(COLUMNS))
    for store, source in ((sys.argv[1], "reddit"), (sys.argv[2], "vast")):
        emit(candidates(store, source))


if __name__ == "__main__":
    main()
