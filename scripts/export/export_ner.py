#!/usr/bin/env python3
"""Export the better fine-tuned NER checkpoint into models/ner/ for the Rust
pipeline: model.safetensors (fp16, Hugging Face names, which rust-bert's
modules and src/mpnet.rs use too), config.json (with id2label),
tokenizer.json.

The candidates are checkpoints/ner-*/ ; the one with the highest valid F1
(recorded by train_ner.py in last.pt's state) wins unless --pick names one
or --src gives a best/ folder directly.

MPNet models (model_type "mpnet", src/mpnet.rs `MpnetForTokenClassification`)
are checked against the names the Rust side creates: mpnet.embeddings.*,
mpnet.encoder.*, classifier.{weight,bias}, and, for a model trained with
train_ner.py --casing, mpnet.embeddings.casing_embeddings.weight with
`"casing_embedding": 5` in config.json (scripts/lib/ner_casing.py). Weights over
150 MB in fp16 (MPNet-base: 218 MB) are split into files of at most 150 MB
with an index, as export_stance.py does (src/runtime.rs reads both layouts);
DistilBERT's stay one model.safetensors.

--share-embeddings DIR leaves the word-piece table out of the exported files
when it equals DIR's bit for bit (a model trained with train_ner.py
--freeze-embeddings --embeddings-from DIR), and writes
`"shared_tensors": {"from": <DIR relative to --out>, "sha256": {name: hex}}` into
config.json, from which src/runtime.rs loads it: the shipped MPNet NER model
takes its 47 MB table from models/stance-accurate.

usage: export_ner.py [--pick ner-distilbert-cased | --src DIR/best] [--out models/ner] [--share-embeddings DIR]
"""
import argparse
import glob
import json
import os
import sys

import torch
from transformers import AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import export_stance as es  # noqa: E402  (weight files: one, or shards with an index)
import ner_casing as nc  # noqa: E402
import shared_tables as st  # noqa: E402
from write_manifest import write_manifest  # noqa: E402


def best_f1(ckpt):
    last = os.path.join(ckpt, "last.pt")
    if not os.path.exists(last) or not os.path.isdir(os.path.join(ckpt, "best")):
        return None
    return torch.load(last, weights_only=False, map_location="cpu")["state"]["best_f1"]


def mpnet_names(cfg):
    """{name: shape} of every variable src/mpnet.rs's MpnetForTokenClassification creates."""
    names = es.rust_bert_names({**cfg, "id2label": {"0": "x"}})  # the sequence classifier's encoder
    names = {k: v for k, v in names.items() if not k.startswith("classifier.")}
    h = cfg["hidden_size"]
    names["classifier.weight"] = (len(cfg["id2label"]), h)
    names["classifier.bias"] = (len(cfg["id2label"]),)
    if cfg.get("casing_embedding"):
        names["mpnet.embeddings.casing_embeddings.weight"] = (cfg["casing_embedding"], h)
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pick", help="name of a checkpoints/ner-* dir")
    ap.add_argument("--src", help="a best/ dir to export directly")
    ap.add_argument("--out", default="models/ner")
    ap.add_argument("--share-embeddings", default="",
                    help="a model folder whose word-piece table this model shares (see the module doc)")
    a = ap.parse_args()
    if a.src:
        src, pick = a.src, a.src
    else:
        scores = {os.path.basename(c): best_f1(c) for c in sorted(glob.glob("checkpoints/ner-*"))}
        print("valid F1 by candidate:", scores)
        pick = a.pick or max((k for k in scores if scores[k] is not None), key=lambda k: scores[k])
        src = os.path.join("checkpoints", pick, "best")
    model = nc.load_model(src)
    tok = AutoTokenizer.from_pretrained(src)
    os.makedirs(a.out, exist_ok=True)
    state = es.fp16_state(model)
    config = model.config.to_dict()
    for k in ("_name_or_path", "transformers_version", "torch_dtype"):
        config.pop(k, None)
    if config["model_type"] == "mpnet":
        es.check_names(state, mpnet_names(config), "src/mpnet.rs")
    if a.share_embeddings:
        st.share_word_table(state, config, a.share_embeddings, a.out)
    files = es.write_weights(state, a.out, {"format": "pt", "source": str(pick)})
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    tok.backend_tokenizer.save(os.path.join(a.out, "tokenizer.json"))
    for f in files + ["config.json", "tokenizer.json"]:
        os.chmod(os.path.join(a.out, f), 0o644)
    write_manifest(a.out)
    print(f"exported {pick} ({config['model_type']}, casing_embedding {config.get('casing_embedding')}, "
          f"{len(state)} tensors in {', '.join(files)}) to {a.out}")


if __name__ == "__main__":
    main()
