#!/usr/bin/env python3
"""Soft labels from a teacher stance model for distillation: runs a stance
model folder (train_stance.py's CKPT/best or export_stance.py's output, e.g.
models/stance-accurate) over the pairs of distil_pairs.py and appends one JSON
line per distinct question (input_hash):

    {"input_hash", "doc_id", "comment", "entity_id", "corpus", "text", "target",
     "spans", "labels", "probs", "logits", "teacher"}

`labels` is the teacher's id2label in id order (against, neutral, favour for
our models); `probs` (softmax, fp32) and `logits` follow it. `teacher` is the
model folder as given, `teacher_sha` a fingerprint of its config.json and
weights (SHA-256 over their bytes, 16 hex digits). Pairs sharing an input_hash (one comment text asked
about one target in two threads) are one question and get one line, with the
ids of its first pair; train_stance.py --soft reads these lines.

The input is built as the teacher was trained and as the Rust side builds it:
stance_data.encode(text, target, spans, MODE, tokenizer, MAX_LEN) with the
mode and max_len of the folder's config.json `stancegraph` section and its
tokenizer.json (markers registered by stance_data.load_tokenizer), token
types only for model_type bert, padding with the layout's pad id.

Resumable: the output is appended to, a batch at a time (flushed); a rerun
skips the questions already in it (a torn last line is dropped first) and
refuses an output labelled by another teacher (other weights, wherever they
lie: a retrained models/stance-accurate counts as another teacher). Batches are formed after
sorting the pending questions by length (less padding); --limit N labels
only the first N distinct questions of the pairs file (a rerun with the same
N has nothing left to do).

usage: teacher_label.py --model DIR --pairs PAIRS.jsonl[,PAIRS2.jsonl] --out LABELS.jsonl
                        [--batch 32] [--threads 1] [--bf16] [--limit N]
"""
import argparse
import glob
import hashlib
import json
import os
import sys
import time

import torch
from transformers import AutoModelForSequenceClassification

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import stance_data as sd  # noqa: E402


def read_pairs(paths, limit):
    """Distinct questions of the pairs files, in file order (the first pair of each input_hash)."""
    seen, out = set(), []
    for _, p in sd.json_lines(paths):
        if p["input_hash"] not in seen:
            seen.add(p["input_hash"])
            out.append(p)
    return out[:limit] if limit else out


def fingerprint(model_dir):
    """SHA-256 over config.json and the weight files (sorted by name), 16 hex digits."""
    h = hashlib.sha256()
    files = ["config.json"] + sorted(os.path.basename(p) for p in glob.glob(os.path.join(model_dir, "*.safetensors"))
                                     + glob.glob(os.path.join(model_dir, "*.bin")))
    for name in files:
        h.update(name.encode() + b"\0")
        with open(os.path.join(model_dir, name), "rb") as f:
            for block in iter(lambda: f.read(1 << 24), b""):
                h.update(block)
    return h.hexdigest()[:16]


def labelled(path, sha):
    """input_hashes already in the output; drops a torn last line; refuses another teacher's output."""
    done = set()
    if not os.path.exists(path):
        return done
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        print(f"{path}: dropping a torn last line ({len(data) - cut} bytes)", flush=True)
        with open(path, "r+b") as f:
            f.truncate(cut)
        data = data[:cut]
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            if r["teacher_sha"] != sha:
                sys.exit(f"{path} holds labels of another teacher ({r['teacher']}, weights {r['teacher_sha']}; "
                         f"now {sha}): use another --out, or delete it to relabel")
            done.add(r["input_hash"])
    return done


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="teacher folder (config.json with a stancegraph section, "
                    "tokenizer.json, weights)")
    ap.add_argument("--pairs", required=True, help="distil_pairs.py output(s), comma-separated")
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (probabilities are written in fp32)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N distinct questions (smoke tests)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    teacher = a.model.rstrip("/")
    questions = read_pairs([p for p in a.pairs.split(",") if p], a.limit)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    sha = fingerprint(teacher)
    done = labelled(a.out, sha)
    todo = [q for q in questions if q["input_hash"] not in done]
    print(f"{len(questions)} questions, {len(questions) - len(todo)} already labelled in {a.out}, "
          f"{len(todo)} to label", flush=True)
    if not todo:
        return

    model = AutoModelForSequenceClassification.from_pretrained(teacher, torch_dtype=torch.float32).eval()
    meta = getattr(model.config, "stancegraph", None)
    if not meta or meta.get("mode") not in sd.MODES:
        sys.exit(f"{teacher}/config.json: no stancegraph section with the input mode (not a stance model?)")
    mode, max_len = meta["mode"], meta.get("max_len", sd.MAX_LEN)
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    tok = sd.load_tokenizer(teacher)
    layout = sd.special_ids(tok)["layout"]
    if meta.get("layout", "bert") != layout:
        sys.exit(f"{teacher}: tokenizer layout {layout!r}, config says {meta.get('layout')!r}")
    pad_id = sd.special_ids(tok)["pad"]
    use_types = model.config.model_type == "bert"
    print(f"teacher {teacher} ({sha}): {model.config.model_type}, mode {mode}, max_len {max_len}, labels {labels}", flush=True)

    enc = [sd.encode(q["text"], q["target"], q["spans"], mode, tok, max_len) for q in todo]
    order = sorted(range(len(todo)), key=lambda i: len(enc[i]["input_ids"]))
    t0 = time.time()
    n = 0
    with open(a.out, "a", encoding="utf-8") as out, torch.no_grad(), \
            torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
        for s in range(0, len(order), a.batch):
            idx = order[s: s + a.batch]
            width = max(len(enc[i]["input_ids"]) for i in idx)
            ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
            types = torch.zeros((len(idx), width), dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                e = enc[i]
                ids[r, : len(e["input_ids"])] = torch.tensor(e["input_ids"])
                types[r, : len(e["token_type_ids"])] = torch.tensor(e["token_type_ids"])
                mask[r, : len(e["input_ids"])] = 1
            kw = {"input_ids": ids, "attention_mask": mask}
            if use_types:
                kw["token_type_ids"] = types
            logits = model(**kw).logits.float()
            probs = logits.softmax(-1)
            for r, i in enumerate(idx):
                q = todo[i]
                out.write(json.dumps({
                    "input_hash": q["input_hash"], "doc_id": q["doc_id"], "comment": q["comment"],
                    "entity_id": q["entity_id"], "corpus": q.get("corpus"), "text": q["text"],
                    "target": q["target"], "spans": q["spans"], "labels": labels,
                    "probs": [round(p, 6) for p in probs[r].tolist()],
                    "logits": [round(x, 5) for x in logits[r].tolist()], "teacher": teacher, "teacher_sha": sha,
                }, ensure_ascii=False) + "\n")
            out.flush()
            n += len(idx)
            print(f"  {n}/{len(todo)} labelled (len {width}) {time.time() - t0:.0f}s", flush=True)
    print(f"labelled {n} questions in {time.time() - t0:.0f}s ({n / max(time.time() - t0, 1e-9):.1f}/s); "
          f"{len(done) + n} in {a.out}", flush=True)


if __name__ == "__main__":
    main()
