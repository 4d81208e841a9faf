#!/usr/bin/env python3
"""Measures the "one shared encoder" design for stance against the shipped
separate stance model (issue: share one encoder between NER and stance?).

Shared design: the NER model's encoder (models/ner, DistilBERT-cased) runs
once over a text, as the pipeline already does for NER; a small head reads,
for each target, the mean of the encoder's last hidden states over the
target's mention pieces plus the [CLS] state, and predicts against / neutral
/ favour. Stance then costs one tiny head per pair instead of a second
transformer pass. The encoder stays frozen: fine-tuning it for stance would
change the NER model and its score.

Same data and selection as scripts/train/train_stance.py (stance_data readers, the
same 5 % dev carve-outs of NewsMTSC and P-Stance train with seed 13, P-Stance
capped at 8,400 as in the shipped model's recipe); scores on NewsMTSC
devtest_mt (macro F1) and P-Stance val (favour/against F1).

Features are cached in CKPT/features.pt (rerun to resume after an
interruption). Prints one JSON line with the scores.

usage: compare_shared_encoder.py [--ner models/ner] [--ckpt checkpoints/shared-encoder] [--threads 1]
"""
import argparse
import json
import os
import random
import sys
import time

import torch
from tokenizers import Tokenizer
from transformers import AutoConfig, DistilBertModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import stance_data as sd  # noqa: E402
from train_stance import scores  # noqa: E402

MAX_LEN = 128


def window(enc, spans, max_len):
    """Piece range [a, b) of at most max_len - 2 pieces, centred on the first mention."""
    n = len(enc.ids)
    size = max_len - 2
    if n <= size:
        return 0, n
    centre = 0
    if spans:
        s0 = min(s for s, _ in spans)
        centre = next((i for i, (a, b) in enumerate(enc.offsets) if b > s0), 0)
    a = max(0, min(centre - size // 2, n - size))
    return a, a + size


def features(model, tok, examples, bs, bf16):
    """Per example: [mean over mention pieces (768), CLS (768), has-mention (1)]."""
    encs = [tok.encode(ex["text"], add_special_tokens=False) for ex in examples]
    rows = []
    for ex, enc in zip(examples, encs):
        a, b = window(enc, ex["spans"], MAX_LEN)
        ids = [tok.token_to_id("[CLS]")] + enc.ids[a:b] + [tok.token_to_id("[SEP]")]
        marks = [0] + [int(any(s < o[1] and o[0] < e for s, e in ex["spans"])) for o in enc.offsets[a:b]] + [0]
        rows.append((ids, marks))
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    out = [None] * len(rows)
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for s in range(0, len(order), bs):
            idx = order[s: s + bs]
            n = max(len(rows[i][0]) for i in idx)
            ids = torch.zeros((len(idx), n), dtype=torch.long)
            mask = torch.zeros((len(idx), n), dtype=torch.long)
            marks = torch.zeros((len(idx), n), dtype=torch.float)
            for r, i in enumerate(idx):
                t, m = rows[i]
                ids[r, : len(t)] = torch.tensor(t)
                mask[r, : len(t)] = 1
                marks[r, : len(m)] = torch.tensor(m, dtype=torch.float)
            h = model(input_ids=ids, attention_mask=mask).last_hidden_state.float()
            cnt = marks.sum(1, keepdim=True)
            span = (h * marks.unsqueeze(-1)).sum(1) / cnt.clamp(min=1)
            feat = torch.cat([span, h[:, 0], (cnt > 0).float()], dim=1)
            for r, i in enumerate(idx):
                out[i] = feat[r]
    return torch.stack(out), torch.tensor([sd.L2I[ex["label"]] for ex in examples])


def train_head(x, y, dev, seed, epochs=40):
    torch.manual_seed(seed)
    counts = torch.bincount(y, minlength=3).float()
    weight = counts.sum() / (3 * counts.clamp(min=1))
    mean, std = x.mean(0), x.std(0).clamp(min=1e-4)
    head = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 256), torch.nn.GELU(), torch.nn.Dropout(0.1),
                               torch.nn.Linear(256, 3))
    opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=0.01)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    best, best_state, history = -1.0, None, []
    for ep in range(epochs):
        head.train()
        perm = torch.randperm(len(x))
        for s in range(0, len(x), 64):
            i = perm[s: s + 64]
            loss = loss_fn(head((x[i] - mean) / std), y[i])
            opt.zero_grad(); loss.backward(); opt.step()
        head.eval()
        with torch.no_grad():
            res = {k: scores(yy.tolist(), head((xx - mean) / std).argmax(-1).tolist()) for k, (xx, yy) in dev.items()}
        score = (res["newsmtsc_dev"]["macro_f1"] + res["pstance_dev"]["f1_fa"]) / 2
        history.append(round(score, 4))
        if score > best:
            best, best_state = score, {k: v.clone() for k, v in head.state_dict().items()}
    head.load_state_dict(best_state)
    head.eval()
    return lambda xx: head((xx - mean) / std), best, history


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ner", default="models/ner")
    ap.add_argument("--ckpt", default="checkpoints/shared-encoder")
    ap.add_argument("--data", default=sd.DATA)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--bf16", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="first N examples of each set (smoke test)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.ckpt, exist_ok=True)
    cache = os.path.join(a.ckpt, "features.pt")

    news_tr, news_dev = sd.split_dev(sd.load_set("newsmtsc", a.data), 0.05, a.seed, key=lambda e: e["group"])
    ps_tr, ps_dev = sd.split_dev(sd.read_pstance(os.path.join(a.data, "pstance"), "train"), 0.05, a.seed)
    rng = random.Random(a.seed)
    ps_tr = rng.sample(ps_tr, min(8400, len(ps_tr)))
    sets = {"train": news_tr + ps_tr + sd.load_set("semeval", a.data),
            "newsmtsc_dev": news_dev, "pstance_dev": ps_dev,
            "newsmtsc_test": sd.load_set("newsmtsc_test", a.data), "pstance_val": sd.load_set("pstance_val", a.data)}

    if a.limit:
        sets = {k: v[: a.limit] for k, v in sets.items()}
    feats = torch.load(cache) if os.path.exists(cache) else {}
    tok = Tokenizer.from_file(os.path.join(a.ner, "tokenizer.json"))
    tok.no_truncation(); tok.no_padding()
    model = DistilBertModel.from_pretrained(a.ner, config=AutoConfig.from_pretrained(a.ner)).eval()
    for name, exs in sets.items():
        if name in feats:
            continue
        t0 = time.time()
        feats[name] = features(model, tok, exs, 32, a.bf16)
        torch.save(feats, cache + ".tmp"); os.replace(cache + ".tmp", cache)
        print(f"{name}: {len(exs)} examples, {time.time() - t0:.0f}s", flush=True)

    x, y = feats["train"]
    predict, best, history = train_head(x, y, {k: feats[k] for k in ("newsmtsc_dev", "pstance_dev")}, a.seed)
    with torch.no_grad():
        test = {k: scores(feats[k][1].tolist(), predict(feats[k][0]).argmax(-1).tolist())
                for k in ("newsmtsc_test", "pstance_val")}
    print(json.dumps({"design": "frozen NER encoder + span-pooled MLP head", "dev_best": round(best, 4),
                      "dev_by_epoch": history,
                      "newsmtsc_devtest_macro_f1": round(test["newsmtsc_test"]["macro_f1"], 4),
                      "pstance_val_f1_fa": round(test["pstance_val"]["f1_fa"], 4)}))


if __name__ == "__main__":
    main()
