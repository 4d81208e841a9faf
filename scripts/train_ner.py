#!/usr/bin/env python3
"""Fine-tune a pretrained encoder for NER on CoNLL-2003 (optionally + WNUT-17)
and export it for the Rust pipeline.

Resumable: every --save-every steps the model, optimizer, scheduler and data
position are written to CKPT/last.pt; a rerun with the same arguments picks
up where it stopped. The best epoch on valid.txt (entity-level F1) is kept in
CKPT/best/ as a Hugging Face checkpoint.

Inputs are documents packed into chunks of whole sentences of at most
--max-len word pieces, so the model sees the cross-sentence context that the
Rust side gives it (it runs whole texts with sliding windows). Every word piece
carries a label: the first piece of a word its word's tag, later pieces the
I- form of it, so the Rust decoder can read spans off the pieces directly.

usage: train_ner.py --base DIR --ckpt DIR [--epochs 3] [--lr 5e-5] ...
"""
import argparse
import json
import math
import os
import random
import time

import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
L2I = {l: i for i, l in enumerate(LABELS)}
WNUT_MAP = {"person": "PER", "location": "LOC", "group": "ORG", "corporation": "ORG",
            "product": "MISC", "creative-work": "MISC"}


def read_conll(path, wnut=False):
    """Documents as lists of sentences; a sentence is (tokens, IOB2 tags)."""
    docs, doc, toks, tags = [], [], [], []
    def flush_sentence():
        nonlocal toks, tags
        if toks:
            doc.append((toks, iob2(tags)))
        toks, tags = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("-DOCSTART-"):
            flush_sentence()
            if doc:
                docs.append(doc)
            doc = []
            continue
        if not line.strip():
            flush_sentence()
            continue
        parts = line.split("\t") if wnut else line.split(" ")
        tok, tag = parts[0], parts[-1]
        if wnut and tag != "O":
            p, t = tag.split("-", 1)
            tag = p + "-" + WNUT_MAP[t]
        toks.append(tok)
        tags.append(tag)
    flush_sentence()
    if doc:
        docs.append(doc)
    if wnut:  # tweets are unrelated: one document per sentence
        docs = [[s] for d in docs for s in d]
    return docs


def iob2(tags):
    out = []
    for i, t in enumerate(tags):
        if t.startswith("I-") and (i == 0 or out[-1] == "O" or out[-1][2:] != t[2:]):
            t = "B-" + t[2:]
        out.append(t)
    return out


def encode_sentence(tok, words, tags, lowercase):
    ids, labels = [], []
    for w, t in zip(words, tags):
        pieces = tok(w.lower() if lowercase else w, add_special_tokens=False)["input_ids"] or [tok.unk_token_id]
        ids.extend(pieces)
        labels.append(L2I[t])
        cont = "I-" + t[2:] if t != "O" else "O"
        labels.extend([L2I[cont]] * (len(pieces) - 1))
    return ids, labels


def chunks(tok, docs, max_len, lowercase):
    """Pack each document's sentences into chunks of <= max_len pieces."""
    out = []
    for doc in docs:
        cur_ids, cur_lab = [], []
        for words, tags in doc:
            ids, lab = encode_sentence(tok, words, tags, lowercase)
            ids, lab = ids[: max_len - 2], lab[: max_len - 2]
            if cur_ids and len(cur_ids) + len(ids) > max_len - 2:
                out.append((cur_ids, cur_lab))
                cur_ids, cur_lab = [], []
            cur_ids += ids
            cur_lab += lab
        if cur_ids:
            out.append((cur_ids, cur_lab))
    return [([tok.cls_token_id] + i + [tok.sep_token_id], [-100] + l + [-100]) for i, l in out]


def batches(items, bs, shuffle, rng, pad_id):
    idx = list(range(len(items)))
    if shuffle:
        rng.shuffle(idx)
    for s in range(0, len(idx), bs):
        group = [items[i] for i in idx[s: s + bs]]
        n = max(len(g[0]) for g in group)
        ids = torch.full((len(group), n), pad_id, dtype=torch.long)
        lab = torch.full((len(group), n), -100, dtype=torch.long)
        mask = torch.zeros((len(group), n), dtype=torch.long)
        for r, (i, l) in enumerate(group):
            ids[r, : len(i)] = torch.tensor(i)
            lab[r, : len(l)] = torch.tensor(l)
            mask[r, : len(i)] = 1
        yield ids, mask, lab


def spans(labels):
    """Entity spans (type, start, end) from an IOB2 label-id sequence."""
    out, cur = set(), None
    for i, l in enumerate(labels + [0]):
        tag = LABELS[l]
        if cur and (tag == "O" or tag.startswith("B-") or tag[2:] != cur[0]):
            out.add((cur[0], cur[1], i))
            cur = None
        if tag.startswith("B-") or (tag.startswith("I-") and cur is None):
            cur = (tag[2:], i)
    return out


def evaluate(model, items, pad_id):
    model.eval()
    tp = fp = fn = 0
    with torch.no_grad():
        for ids, mask, lab in batches(items, 64, False, None, pad_id):
            pred = model(input_ids=ids, attention_mask=mask).logits.argmax(-1)
            for p, g in zip(pred.tolist(), lab.tolist()):
                keep = [k for k, x in enumerate(g) if x != -100]
                ps, gs = spans([p[k] for k in keep]), spans([g[k] for k in keep])
                tp += len(ps & gs); fp += len(ps - gs); fn += len(gs - ps)
    model.train()
    prec = tp / max(tp + fp, 1); rec = tp / max(tp + fn, 1)
    return 2 * prec * rec / max(prec + rec, 1e-9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--data", default="../shared/data/ner")
    ap.add_argument("--wnut", action="store_true", help="add WNUT-17 train (mapped to PER/ORG/LOC/MISC)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--save-every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--limit-valid", type=int, default=0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast for the forward pass (fp32 master weights)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.ckpt, exist_ok=True)

    tok = AutoTokenizer.from_pretrained(a.base)
    lowercase = bool(getattr(tok, "do_lower_case", False)) or tok("A")["input_ids"] == tok("a")["input_ids"]
    train_docs = read_conll(os.path.join(a.data, "conll2003/train.txt"))
    if a.wnut:
        train_docs += read_conll(os.path.join(a.data, "wnut17/train.conll"), wnut=True)
    train = chunks(tok, train_docs, a.max_len, lowercase)
    valid = chunks(tok, read_conll(os.path.join(a.data, "conll2003/valid.txt")), a.max_len, lowercase)
    if a.limit_valid:
        valid = valid[: a.limit_valid]
    steps_per_epoch = math.ceil(len(train) / a.batch)
    total = steps_per_epoch * a.epochs
    print(f"train chunks {len(train)}, valid chunks {len(valid)}, steps {total}, lowercase={lowercase}", flush=True)

    model = AutoModelForTokenClassification.from_pretrained(
        a.base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=L2I)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * total), total)
    state = {"epoch": 0, "step_in_epoch": 0, "best_f1": -1.0, "history": []}
    last = os.path.join(a.ckpt, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last, weights_only=False)
        model.load_state_dict(ck["model"]); opt.load_state_dict(ck["opt"]); sched.load_state_dict(ck["sched"])
        state = ck["state"]
        print("resumed at", state, flush=True)

    def save():
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "state": state}, tmp)
        os.replace(tmp, last)

    model.train()
    t0 = time.time()
    while state["epoch"] < a.epochs:
        rng = random.Random(a.seed + state["epoch"])
        for step, (ids, mask, lab) in enumerate(batches(train, a.batch, True, rng, tok.pad_token_id)):
            if step < state["step_in_epoch"]:
                continue
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
                loss = model(input_ids=ids, attention_mask=mask, labels=lab).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); opt.zero_grad()
            state["step_in_epoch"] = step + 1
            if step % 10 == 0:
                print(f"epoch {state['epoch']} step {step}/{steps_per_epoch} loss {loss.item():.4f} "
                      f"{time.time() - t0:.0f}s", flush=True)
            if state["step_in_epoch"] % a.save_every == 0:
                save()
        f1 = evaluate(model, valid, tok.pad_token_id)
        state["history"].append({"epoch": state["epoch"] + 1, "valid_f1": f1})
        print(f"epoch {state['epoch'] + 1} valid F1 {f1:.4f}", flush=True)
        if f1 > state["best_f1"]:
            state["best_f1"] = f1
            model.save_pretrained(os.path.join(a.ckpt, "best"))
            tok.save_pretrained(os.path.join(a.ckpt, "best"))
        state["epoch"] += 1
        state["step_in_epoch"] = 0
        save()
    json.dump(state, open(os.path.join(a.ckpt, "history.json"), "w"), indent=2)
    print("done", state, flush=True)


if __name__ == "__main__":
    main()
