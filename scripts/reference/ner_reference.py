#!/usr/bin/env python3
"""Reference outputs of an exported NER model (export_ner.py's folder) from
transformers, for tests/mpnet.rs: for a few fixed texts of mixed casing, the
model input (piece ids framed by the start and end tokens, and, for a model
with a casing embedding, scripts/lib/ner_casing.py's casing classes), the fp32
logits of every token (each text run alone), and the entity spans decoded as
src/ner.rs does (each word takes its first piece's argmax label; BIO runs of
words, an I- that does not continue its type starting a new span). Also the
largest logit change when every casing class is set to 0, which shows that
the comparison would notice casing classes gone wrong.

`scripts/train/train_ner_mpnet.sh --smoke DIR` writes it as DIR/reference.json
beside the smoke-trained model DIR/model.

usage: ner_reference.py --model DIR/model --out DIR/reference.json
"""
import argparse
import json
import os
import sys

import torch
from tokenizers import Tokenizer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ner_casing as nc  # noqa: E402

TEXTS = [
    "Angela Merkel met NATO officials in Brussels on Monday.",
    "i think the eu and nato should talk to putin. USA!! iPhone sales in New York are UP",
    "😀 Zoë Müller flew from Zürich to São Paulo with McDonald's CEO, I heard.",
    "U.S. President Joe Biden said the 3M deal was OK, according to the BBC.",
    "BREAKING: Boris Johnson RESIGNS as UK Prime Minister\nmore at 11",
]


def decode(text, offsets, word_ids, labels, id2label):
    """(start, end, type) spans as src/ner.rs's word_spans + decode_words make them."""
    words, current = [], None
    for (s, e), w, l in zip(offsets, word_ids, labels):
        if w is not None and w == current:
            words[-1][1] = max(words[-1][1], e)
        else:
            words.append([s, e, id2label[l]])
        current = w
    spans, open_ = [], None
    for s, e, tag in words:
        if open_ and "\n" in text[open_[1]:s]:  # no span runs over a line break
            spans.append(open_)
            open_ = None
        if tag.startswith("I-") and open_ and open_[2] == tag[2:]:
            open_[1] = e
            continue
        if open_:
            spans.append(open_)
            open_ = None
        if tag != "O" and any(c.isalnum() for c in text[s:e]):  # no span starts with punctuation
            open_ = [s, e, tag[2:]]
    if open_:
        spans.append(open_)
    return [{"start": s, "end": e, "kind": k, "text": text[s:e]} for s, e, k in spans]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = nc.load_model(a.model).float().eval()
    casing = bool(getattr(model.config, "casing_embedding", None))
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    tok = Tokenizer.from_file(os.path.join(a.model, "tokenizer.json"))
    start, end = (tok.token_to_id(t) for t in ("<s>", "</s>")) if model.config.model_type == "mpnet" else \
        (tok.token_to_id(t) for t in ("[CLS]", "[SEP]"))
    rows, sensitivity = [], 0.0
    for text in TEXTS:
        enc = tok.encode(text, add_special_tokens=False)
        ids = [start] + enc.ids + [end]
        kw = {"input_ids": torch.tensor([ids])}
        cases = None
        if casing:
            cases = [0] + nc.piece_casing(text, enc.offsets, enc.word_ids) + [0]
            kw["case_ids"] = torch.tensor([cases])
        with torch.no_grad():
            logits = model(**kw).logits[0].float()
            if casing:
                flat = model(**{**kw, "case_ids": torch.zeros_like(kw["case_ids"])}).logits[0].float()
                sensitivity = max(sensitivity, (flat - logits).abs().max().item())
        labels = logits[1:-1].argmax(-1).tolist()
        rows.append({"text": text, "input_ids": ids, "case_ids": cases, "pieces": enc.tokens,
                     "logits": logits.tolist(), "spans": decode(text, enc.offsets, enc.word_ids, labels, id2label)})
        print(len(ids), "tokens,", len(rows[-1]["spans"]), "spans:", " ".join(
            f"{p}/{c}" for p, c in zip(enc.tokens, (cases or [0] * (len(ids)))[1:-1])))
    out = {"model": a.model, "labels": [id2label[i] for i in range(len(id2label))], "casing": casing,
           "zero_casing_max_logit_change": sensitivity, "cases": rows}
    json.dump(out, open(a.out, "w"), indent=1, ensure_ascii=False)
    print(f"wrote {len(rows)} reference texts to {a.out} (logits change by up to {sensitivity:.3g} "
          f"with every casing class 0)")


if __name__ == "__main__":
    main()
