#!/usr/bin/env python3
"""The Python side of `make bench-ner`: the Hugging Face transformers
token-classification pipeline on the very same weights (models/ner) and the
very same texts the Rust side processed (a JSON string per line), on the same
number of threads. Prints one JSON line like the Rust side.

An MPNet model with a casing embedding (the shipped one, scripts/lib/ner_casing.py)
runs as transformers' plain MPNetForTokenClassification: the pipeline cannot
pass casing classes, and the embedding costs one row added per piece, so the
compute timed is the same (its labels are not, which this speed check does not
read).

usage: bench_ner_python.py TEXTS.jsonl [--model models/ner] [--threads 2] [--batch 32]
"""
import argparse
import json
import resource
import time

import torch
from transformers import AutoModelForTokenClassification, PreTrainedTokenizerFast, pipeline


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("texts")
    ap.add_argument("--model", default="models/ner")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    texts = [json.loads(l) for l in open(a.texts, encoding="utf-8") if l.strip()]
    words = sum(len(t.split()) for t in texts)
    model = AutoModelForTokenClassification.from_pretrained(a.model, torch_dtype=torch.float32)
    if model.config.model_type == "mpnet":
        specials = dict(cls_token="<s>", sep_token="</s>", pad_token="<pad>", unk_token="[UNK]", mask_token="<mask>")
    else:
        specials = dict(cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]", unk_token="[UNK]",
                        mask_token="[MASK]")
    tok = PreTrainedTokenizerFast(tokenizer_file=f"{a.model}/tokenizer.json", model_max_length=512,
                                  model_input_names=["input_ids", "attention_mask"], **specials)
    ner = pipeline("token-classification", model=model, tokenizer=tok, aggregation_strategy="first",
                   stride=64, device=-1)
    start = time.time()
    found = 0
    with torch.inference_mode():
        for out in ner(texts, batch_size=a.batch):
            found += len(out)
    seconds = time.time() - start
    print(json.dumps({
        "stack": "python-transformers", "texts": len(texts), "words": words, "entities": found,
        "seconds": round(seconds, 2), "words_per_s": round(words / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
