#!/usr/bin/env python3
"""An exported NER model (e.g. models/ner) as a Hugging Face checkpoint that
train_ner.py can start from (--base): every tensor, those the export shares
with another model folder included (config.json "shared_tensors", read back
by shared_tables.read_weights_with_shared), in one fp32 model.safetensors;
config.json without "shared_tensors" (export_ner.py --share-embeddings
writes it anew); the tokenizer.json and a tokenizer_config.json naming the
fast tokenizer class of the model type. Checks that the checkpoint loads
with the casing embedding (a --casing model) and gives the export's tensors
back.

usage: ner_export_as_base.py --src models/ner --out checkpoints/bases/ner-shipped
"""
import argparse
import json
import os
import shutil
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ner_casing as nc  # noqa: E402
import shared_tables as st  # noqa: E402

TOKENIZER_CLASS = {"mpnet": "MPNetTokenizerFast", "distilbert": "DistilBertTokenizerFast"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default="models/ner")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(os.path.join(a.src, "config.json")) as f:
        config = json.load(f)
    state = {k: v.float().contiguous() for k, v in st.read_weights_with_shared(a.src).items()}
    config.pop("shared_tensors", None)
    os.makedirs(a.out, exist_ok=True)
    save_file(state, os.path.join(a.out, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    shutil.copyfile(os.path.join(a.src, "tokenizer.json"), os.path.join(a.out, "tokenizer.json"))
    # the export's tokenizer.json carries the normalizer (MPNet: lower-casing); the class brings the
    # special tokens train_ner.py frames chunks with
    with open(os.path.join(a.out, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": TOKENIZER_CLASS[config["model_type"]], "model_max_length": 512}, f)
    model = nc.load_model(a.out)
    loaded = model.state_dict()
    wrong = [k for k, v in state.items() if k not in loaded or not torch.equal(loaded[k], v)]
    if wrong or (config.get("casing_embedding") and not hasattr(model.mpnet.embeddings, "casing_embeddings")):
        sys.exit(f"{a.out}: does not load back as exported ({wrong[:5]})")
    print(f"{a.src} as a checkpoint in {a.out}: {len(state)} tensors ({type(model).__name__})")


if __name__ == "__main__":
    main()
