#!/usr/bin/env python3
"""Unlabelled (comment, entity) pairs for distilling the stance model: the
questions `stancegraph run` asked its stance model, rebuilt from the run's
inputs and outputs, one JSON line per pair:

    {"doc_id", "comment", "entity_id", "target", "text", "spans",
     "input_hash", "corpus"}

`text`, `target` and `spans` are what stance_data.encode(text, target, spans,
mode, ...) takes; teacher_label.py labels them, train_stance.py --soft trains
on the labels.

How the pipeline asks (src/pipeline.rs decide_stances, src/stance/mod.rs
StanceQuery), and how it is rebuilt here:
  - one question per (document, comment, entity) that has at least one
    mention of the entity in the comment; pairs in stances.jsonl's order
    (doc_id, comment, entity_id);
  - text   = the comment's text as the pipeline read it: the JSONL `text` of
             comments[comment] of the document with that id (a later line with
             the same id replaces an earlier one, a missing id is
             `<file stem>-<line>`), cut like --max-text-chars (default 100,000
             characters, at a sentence end);
  - target = the entity's `label` (entities.jsonl), not altered;
  - spans  = every mention of that entity in that comment, name AND pronoun
             mentions alike (mentions.jsonl, `linked_by` name or pronoun), in
             mentions.jsonl's order (the store's), as [start, end) character
             offsets, not sorted or de-overlapped (stance_data.encode resolves
             overlaps exactly as the Rust encoder does);
  - input_hash = the pipeline's store::stance_input_hash(text, target, spans),
             which identifies the question: the same comment text asked about
             the same target in two threads is one question (teacher_label.py
             labels it once, training sees it once).

Checks (any failure stops with a message, nothing written): every mention's
text[start:end] equals its recorded text; the pairs rebuilt are exactly the
rows of stances.jsonl (same keys, same count); and, when the run folder holds
its store (stancegraph.db, the default of `run --out`), every pair's
input_hash equals the one the pipeline stored for it.

--exclude TSV (data/comment-dev/pairs.tsv): leaves out every pair whose comment
text is one of the TSV's `text_sha16` (the comment-domain dev set must not be
trained on, even with the teacher's labels); the count checks then read
written + excluded = stances.jsonl rows.

Comment texts are never written into the repository: write the pairs to /tmp
or the git-ignored checkpoints/ (the corpora's licences forbid copies).

usage: distil_pairs.py --docs X.jsonl [--docs Y.jsonl] --run OUT_DIR [--out PAIRS.jsonl]
                       [--exclude data/comment-dev/pairs.tsv] [--limit N] [--max-text-chars N]
       (OUT_DIR: the --out folder of `stancegraph run X.jsonl [Y.jsonl] --out OUT_DIR`, the same inputs)
"""
import argparse
import csv
import hashlib
import json
import os
import sqlite3
import struct
import sys

DEFAULT_MAX_TEXT_CHARS = 100_000  # pipeline::RunOptions::DEFAULT_MAX_TEXT_CHARS
SENTENCE_END = ".!?…"
SENTENCE_CLOSERS = "\"'”’)]»"


def content_hash(parts):
    """store::content_hash: SHA-256 over (u64 little-endian byte length, bytes) of each part, 16 bytes in hex."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8")
        h.update(struct.pack("<Q", len(b)))
        h.update(b)
    return h.hexdigest()[:32]


def stance_input_hash(text, target, spans):
    """store::stance_input_hash: the question's identity (mentions as `s-e`, comma-joined, in the order given)."""
    return content_hash([text, target, ",".join(f"{s}-{e}" for s, e in spans)])


def cut_at_sentence(text, max_chars):
    """corpus::cut_at_sentence: `text` cut to at most max_chars characters at a sentence end in the last
    20 % of the limit, else at the last whitespace there, else hard at the limit; None when it fits."""
    if len(text) <= max_chars:
        return None
    keep = lambda k: text[:k].rstrip()

    def ends_sentence(k):
        end = k
        while end > 0 and text[end - 1] in SENTENCE_CLOSERS:
            end -= 1
        return end > 0 and text[end - 1] in SENTENCE_END

    word_end = None
    for k in range(max_chars, max_chars - max_chars // 5 - 1, -1):
        nxt = text[k]
        if nxt in "\n\r" or (nxt.isspace() and ends_sentence(k)):
            return keep(k)
        if nxt.isspace() and word_end is None:
            word_end = k
    return keep(word_end if word_end is not None else max_chars)


def key_string(v):
    """corpus::key_string: a JSON id, strings as they are, integers in decimal."""
    if isinstance(v, str):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return None


def read_documents(paths, max_chars):
    """{doc_id: [comment texts]} of JSON Lines inputs as the pipeline reads them (corpus::parse_json_lines:
    lines split on \\n only, blank lines skipped, bad lines left out; the later of two documents with one id
    wins; texts cut by --max-text-chars)."""
    docs = {}
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(path, "rb") as f:
            content = f.read().decode("utf-8")
        if content.startswith("\ufeff"):
            content = content[1:]
        if content.lstrip().startswith("["):
            sys.exit(f"{path}: a JSON array; distil_pairs.py reads JSON Lines only")
        for index, raw in enumerate(content.split("\n")):
            line = raw.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
                doc_id = f"{stem}-{index + 1}" if d.get("id") is None else key_string(d["id"])
                texts = [c["text"] for c in d.get("comments") or []]
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # the pipeline skips it too (with a warning); checked below through the pairs
            if doc_id is None or not all(isinstance(t, str) for t in texts):
                continue
            docs[doc_id] = [cut_at_sentence(t, max_chars) or t for t in texts]
    return docs


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def excluded_hashes(paths):
    """text_sha16 values of comment-dev-style TSVs (SHA-256 of the comment text, 16 hex digits)."""
    out = set()
    for p in paths:
        with open(p, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                out.add(r["text_sha16"])
    return out


def stored_hashes(run_dir):
    """{(doc_id, comment, entity_id): input_hash} from the run's store, or None when it is not there."""
    db = os.path.join(run_dir, "stancegraph.db")
    if not os.path.isfile(db):
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT doc_id, comment, entity_id, input_hash FROM stances").fetchall()
    finally:
        con.close()
    return {(d, c, e): h for d, c, e, h in rows}


def build_pairs(doc_paths, run_dir, max_chars):
    """The pairs of one run, in stances.jsonl order; checked (see the module docstring)."""
    docs = read_documents(doc_paths, max_chars)
    labels = {e["id"]: e["label"] for e in read_jsonl(os.path.join(run_dir, "entities.jsonl"))}
    stances = read_jsonl(os.path.join(run_dir, "stances.jsonl"))
    spans = {}
    for m in read_jsonl(os.path.join(run_dir, "mentions.jsonl")):
        if m["source"] != "comment" or m["entity_id"] not in labels:
            continue
        comments = docs.get(m["doc_id"])
        if comments is None or m["comment"] >= len(comments):
            sys.exit(f"mention {m} is in a comment the inputs {doc_paths} do not hold: "
                     "give distil_pairs.py the inputs of that run (and its --max-text-chars)")
        text = comments[m["comment"]]
        if text[m["start"]:m["end"]] != m["text"]:
            sys.exit(f"mention {m}: the text there is {text[m['start']:m['end']]!r}; the inputs differ from the "
                     "run's (another version of the file, or another --max-text-chars)")
        spans.setdefault((m["doc_id"], m["comment"], m["entity_id"]), []).append([m["start"], m["end"]])
    keys = [(s["doc_id"], s["comment"], s["entity_id"]) for s in stances]
    if len(set(keys)) != len(keys):
        sys.exit(f"{run_dir}/stances.jsonl repeats a (doc_id, comment, entity_id)")
    if set(keys) != set(spans):
        missing, extra = set(spans) - set(keys), set(keys) - set(spans)
        sys.exit(f"pairs rebuilt from mentions.jsonl differ from stances.jsonl: {len(missing)} not in stances "
                 f"(e.g. {sorted(missing)[:3]}), {len(extra)} without a mention (e.g. {sorted(extra)[:3]})")
    pairs = []
    for d, c, e in keys:
        text, target, sp = docs[d][c], labels[e], spans[(d, c, e)]
        pairs.append({"doc_id": d, "comment": c, "entity_id": e, "target": target, "text": text, "spans": sp,
                      "input_hash": stance_input_hash(text, target, sp)})
    stored = stored_hashes(run_dir)
    if stored is not None:
        bad = [p for p in pairs if stored.get((p["doc_id"], p["comment"], p["entity_id"])) != p["input_hash"]]
        if bad:
            sys.exit(f"{len(bad)} of {len(pairs)} pairs are not the question the pipeline stored "
                     f"(input_hash differs), e.g. {bad[0]['doc_id']} comment {bad[0]['comment']} {bad[0]['entity_id']}")
    return pairs, len(stances), stored is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", action="append", required=True, help="JSON Lines input of the run (repeat for several)")
    ap.add_argument("--run", required=True, help="the run's --out folder (stances/mentions/entities.jsonl)")
    ap.add_argument("--out", default="-", help="pairs file (default stdout); written to a temporary name and renamed")
    ap.add_argument("--exclude", action="append", default=[],
                    help="TSV with a text_sha16 column (data/comment-dev/pairs.tsv): leave out pairs of those comments")
    ap.add_argument("--limit", type=int, default=0, help="write only the first N pairs (smoke tests)")
    ap.add_argument("--max-text-chars", type=int, default=DEFAULT_MAX_TEXT_CHARS, help="as given to the run")
    ap.add_argument("--corpus", default=None, help="name recorded in each line (default: the first --docs file's stem)")
    a = ap.parse_args()
    corpus = a.corpus or os.path.splitext(os.path.basename(a.docs[0]))[0]
    pairs, n_stances, checked = build_pairs(a.docs, a.run, max(a.max_text_chars, 1))
    skip = excluded_hashes(a.exclude)
    kept = [p for p in pairs if hashlib.sha256(p["text"].encode("utf-8")).hexdigest()[:16] not in skip]
    n_excluded = len(pairs) - len(kept)
    assert len(kept) + n_excluded == n_stances
    if a.limit:
        kept = kept[: a.limit]
    tmp = None
    if a.out == "-":
        f = sys.stdout
    elif os.path.exists(a.out) and not os.path.isfile(a.out):
        f = open(a.out, "w", encoding="utf-8")  # a device or pipe: written in place, never renamed over
    else:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        tmp = a.out + ".tmp"
        f = open(tmp, "w", encoding="utf-8")
    for p in kept:
        f.write(json.dumps({**p, "corpus": corpus}, ensure_ascii=False) + "\n")
    if f is not sys.stdout:
        f.close()
    if tmp:
        os.replace(tmp, a.out)
    unique = len(set(p["input_hash"] for p in kept))
    print(f"{corpus}: {len(pairs)} pairs = {n_stances} stances.jsonl rows"
          f"{' (input hashes = the store' + chr(39) + 's)' if checked else ' (no store to check the input hashes)'}; "
          f"{n_excluded} excluded (--exclude), {len(kept)} written{' (--limit)' if a.limit else ''}, "
          f"{unique} distinct questions, "
          f"{sum(1 for p in kept if len(p['spans']) > 1)} with several mentions", file=sys.stderr)


if __name__ == "__main__":
    main()
