#!/usr/bin/env python3
"""Export the better fine-tuned NER checkpoint into models/ner/ for the Rust
pipeline: model.safetensors (fp16, Hugging Face names, which rust-bert's
modules use too), config.json (with id2label), tokenizer.json.

The candidates are checkpoints/ner-*/ ; the one with the highest valid F1
(recorded by train_ner.py in last.pt's state) wins unless --pick names one.

usage: export_ner.py [--pick ner-distilbert-cased] [--out models/ner]
"""
import argparse
import glob
import json
import os

import torch
from safetensors.torch import save_file
from transformers import AutoModelForTokenClassification, AutoTokenizer


def best_f1(ckpt):
    last = os.path.join(ckpt, "last.pt")
    if not os.path.exists(last) or not os.path.isdir(os.path.join(ckpt, "best")):
        return None
    return torch.load(last, weights_only=False, map_location="cpu")["state"]["best_f1"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pick")
    ap.add_argument("--out", default="models/ner")
    a = ap.parse_args()
    scores = {os.path.basename(c): best_f1(c) for c in sorted(glob.glob("checkpoints/ner-*"))}
    print("valid F1 by candidate:", scores)
    pick = a.pick or max((k for k in scores if scores[k] is not None), key=lambda k: scores[k])
    src = os.path.join("checkpoints", pick, "best")
    model = AutoModelForTokenClassification.from_pretrained(src)
    tok = AutoTokenizer.from_pretrained(src)
    os.makedirs(a.out, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()
             if not k.endswith("position_ids")}
    save_file(state, os.path.join(a.out, "model.safetensors"), metadata={"format": "pt", "source": pick})
    config = model.config.to_dict()
    for k in ("_name_or_path", "transformers_version", "torch_dtype"):
        config.pop(k, None)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    tok.backend_tokenizer.save(os.path.join(a.out, "tokenizer.json"))
    print(f"exported {pick} (valid F1 {scores.get(pick)}) to {a.out}")


if __name__ == "__main__":
    main()
