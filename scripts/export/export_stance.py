#!/usr/bin/env python3
"""Export the best fine-tuned stance checkpoint into models/stance/ for the
Rust side: model.safetensors (fp16, Hugging Face tensor names), config.json
(id2label 0 against / 1 neutral / 2 favour, model_type, and a `stancegraph`
section with the input mode, markers and max_len; see stance_data.py for the
encoding spec), tokenizer.json (base tokenizer + the two markers as special
added tokens, same vocabulary, truncation and padding off).

Names: rust-bert 0.23 builds, from the VarStore root,
  DistilBertModelClassifier::new(root)  -> distilbert.{embeddings,transformer}.*,
                                           pre_classifier.*, classifier.*
  BertForSequenceClassification::new(root) -> bert.{embeddings,encoder}.*,
                                           bert.pooler.dense.*, classifier.*
which are the Hugging Face names of DistilBertForSequenceClassification /
BertForSequenceClassification; for an MPNet model, our src/mpnet.rs
  MpnetForSequenceClassification::new(root) -> mpnet.{embeddings,encoder}.*,
                                           classifier.{dense,out_proj}.*
(transformers' MPNetForSequenceClassification, which has no pooler).
rust_bert_names() spells out every variable the Rust side creates (read from
rust-bert's src/models/{bert,distilbert} and src/mpnet.rs); the export fails
unless the weights hold exactly those (tch's VarStore::load needs every one
of them) with the right shapes. The config must carry what the Rust config
structs require (BertConfig / DistilBertConfig / MpnetConfig) and id2label,
from which `new()` takes the number of labels.

Weights over SHARD_BYTES (150 MB; MPNet-base in fp16 is 218 MB) are split
into model-0000K-of-0000N.safetensors files with the Hugging Face index
model.safetensors.index.json ({"metadata": {"total_size"}, "weight_map":
{tensor: file}}), which src/runtime.rs reads; smaller ones stay one
model.safetensors. Stale weight files of the other layout are removed.

Candidates are checkpoints/stance-*/ ; the one with the highest dev score
(train_stance.py's state in last.pt) wins unless --pick or --src names one.

--share-embeddings DIR leaves the word-piece table out when it equals DIR's
bit for bit and names DIR in config.json's `shared_tensors` (shared_tables.py;
src/runtime.rs loads it from there): the MPNet student takes its table from
models/stance-accurate.

usage: export_stance.py [--pick stance-minilm-both | --src DIR/best] [--out models/stance] [--share-embeddings DIR]
"""
# Largest weight file written (bytes, header included): files in the repository stay under 150 MB.
SHARD_BYTES = 150_000_000
INDEX = "model.safetensors.index.json"
import argparse
import glob
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoConfig, AutoModelForSequenceClassification

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import stance_data as sd  # noqa: E402
from write_manifest import write_manifest  # noqa: E402

RUST_ACTIVATIONS = {"gelu", "relu", "swish", "mish", "gelu_new", "tanh", "identity"}
REQUIRED = {
    "bert": ["hidden_act", "attention_probs_dropout_prob", "hidden_dropout_prob", "hidden_size", "initializer_range",
             "intermediate_size", "max_position_embeddings", "num_attention_heads", "num_hidden_layers",
             "type_vocab_size", "vocab_size"],
    "distilbert": ["activation", "attention_dropout", "dim", "dropout", "hidden_dim", "initializer_range",
                   "max_position_embeddings", "n_heads", "n_layers", "qa_dropout", "seq_classif_dropout",
                   "sinusoidal_pos_embds", "tie_weights_", "vocab_size"],
    "mpnet": ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
              "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings",
              "layer_norm_eps", "pad_token_id", "relative_attention_num_buckets"],
}
ACTIVATION_KEY = {"bert": "hidden_act", "distilbert": "activation", "mpnet": "hidden_act"}
# src/mpnet.rs implements erf GELU only
MPNET_ACTIVATIONS = {"gelu"}


def rust_bert_names(cfg):
    """{name: shape} of every variable rust-bert 0.23's sequence classifier creates."""
    lin = lambda p, i, o: {f"{p}.weight": (o, i), f"{p}.bias": (o,)}
    ln = lambda p, d: {f"{p}.weight": (d,), f"{p}.bias": (d,)}
    n = {}
    if cfg["model_type"] == "bert":
        h, f, L = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
        e = "bert.embeddings"
        n[f"{e}.word_embeddings.weight"] = (cfg["vocab_size"], h)
        n[f"{e}.position_embeddings.weight"] = (cfg["max_position_embeddings"], h)
        n[f"{e}.token_type_embeddings.weight"] = (cfg["type_vocab_size"], h)
        n.update(ln(f"{e}.LayerNorm", h))
        for i in range(L):
            p = f"bert.encoder.layer.{i}"
            for q in ("query", "key", "value"):
                n.update(lin(f"{p}.attention.self.{q}", h, h))
            n.update(lin(f"{p}.attention.output.dense", h, h))
            n.update(ln(f"{p}.attention.output.LayerNorm", h))
            n.update(lin(f"{p}.intermediate.dense", h, f))
            n.update(lin(f"{p}.output.dense", f, h))
            n.update(ln(f"{p}.output.LayerNorm", h))
        n.update(lin("bert.pooler.dense", h, h))
        n.update(lin("classifier", h, len(cfg["id2label"])))
    elif cfg["model_type"] == "distilbert":
        d, f, L = cfg["dim"], cfg["hidden_dim"], cfg["n_layers"]
        e = "distilbert.embeddings"
        n[f"{e}.word_embeddings.weight"] = (cfg["vocab_size"], d)
        if not cfg["sinusoidal_pos_embds"]:
            n[f"{e}.position_embeddings.weight"] = (cfg["max_position_embeddings"], d)
        n.update(ln(f"{e}.LayerNorm", d))
        for i in range(L):
            p = f"distilbert.transformer.layer.{i}"
            for q in ("q_lin", "k_lin", "v_lin", "out_lin"):
                n.update(lin(f"{p}.attention.{q}", d, d))
            n.update(ln(f"{p}.sa_layer_norm", d))
            n.update(lin(f"{p}.ffn.lin1", d, f))
            n.update(lin(f"{p}.ffn.lin2", f, d))
            n.update(ln(f"{p}.output_layer_norm", d))
        n.update(lin("pre_classifier", d, d))
        n.update(lin("classifier", d, len(cfg["id2label"])))
    elif cfg["model_type"] == "mpnet":
        h, f, L = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
        e = "mpnet.embeddings"
        n[f"{e}.word_embeddings.weight"] = (cfg["vocab_size"], h)
        n[f"{e}.position_embeddings.weight"] = (cfg["max_position_embeddings"], h)
        n.update(ln(f"{e}.LayerNorm", h))
        n["mpnet.encoder.relative_attention_bias.weight"] = (cfg["relative_attention_num_buckets"],
                                                            cfg["num_attention_heads"])
        for i in range(L):
            p = f"mpnet.encoder.layer.{i}"
            for q in ("q", "k", "v", "o"):
                n.update(lin(f"{p}.attention.attn.{q}", h, h))
            n.update(ln(f"{p}.attention.LayerNorm", h))
            n.update(lin(f"{p}.intermediate.dense", h, f))
            n.update(lin(f"{p}.output.dense", f, h))
            n.update(ln(f"{p}.output.LayerNorm", h))
        n.update(lin("classifier.dense", h, h))
        n.update(lin("classifier.out_proj", h, len(cfg["id2label"])))
    else:
        raise ValueError(f"model_type {cfg['model_type']!r}")
    return n


def fp16_state(model):
    """The model's tensors in fp16, contiguous, without the position-id buffers."""
    return {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()
            if not k.endswith("position_ids")}


def check_names(state, want, side):
    """Exits naming the tensors that `side` (the Rust loader) would not find,
    would not expect, or would find in another shape."""
    extra, lack = sorted(set(state) - set(want)), sorted(set(want) - set(state))
    bad = [k for k in want if k in state and tuple(state[k].shape) != tuple(want[k])]
    if extra or lack or bad:
        sys.exit(f"tensor names do not match {side}: extra {extra[:10]} missing {lack[:10]} "
                 f"bad shapes {[(k, tuple(state[k].shape), want[k]) for k in bad[:10]]}")


def shards(state, limit=SHARD_BYTES):
    """[[name, ...], ...]: tensors in name order, greedily packed into files
    of at most `limit` bytes of data (a 1 MB margin for the header)."""
    out, size = [[]], 0
    for k in sorted(state):
        b = state[k].numel() * state[k].element_size()
        if out[-1] and size + b > limit - 1_000_000:
            out.append([])
            size = 0
        out[-1].append(k)
        size += b
    return out


def write_weights(state, out, metadata):
    """model.safetensors, or shards + index when over SHARD_BYTES; returns the file names."""
    for old in glob.glob(os.path.join(out, "model*.safetensors")) + [os.path.join(out, INDEX)]:
        if os.path.exists(old):
            os.remove(old)
    groups = shards(state)
    if len(groups) == 1:
        save_file(state, os.path.join(out, "model.safetensors"), metadata=metadata)
        return ["model.safetensors"]
    names, weight_map = [], {}
    for i, group in enumerate(groups):
        name = f"model-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        save_file({k: state[k] for k in group}, os.path.join(out, name), metadata=metadata)
        weight_map.update({k: name for k in group})
        names.append(name)
    total = sum(v.numel() * v.element_size() for v in state.values())
    with open(os.path.join(out, INDEX), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
    return [INDEX] + names


def read_weights(out):
    """All tensors of an exported folder, whichever layout."""
    if os.path.exists(os.path.join(out, INDEX)):
        files = sorted(set(json.load(open(os.path.join(out, INDEX)))["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    state = {}
    for f in files:
        state.update(load_file(os.path.join(out, f)))
    return state


def best_score(ckpt):
    last = os.path.join(ckpt, "last.pt")
    if not os.path.exists(last) or not os.path.isdir(os.path.join(ckpt, "best")):
        return None
    return torch.load(last, weights_only=False, map_location="cpu")["state"]["best_score"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pick", help="name of a checkpoints/stance-* dir")
    ap.add_argument("--src", help="a best/ dir to export directly")
    ap.add_argument("--out", default="models/stance")
    ap.add_argument("--share-embeddings", default="",
                    help="a model folder whose word-piece table this model shares (a student trained with "
                         "train_stance.py --freeze-embeddings from it): shared_tables.py")
    ap.add_argument("--share-unchanged", default="",
                    help="a model folder this one was continued from (train_stance.py --train-top N): every tensor "
                         "equal to that folder's is left out and read from there (shared_tables.py)")
    ap.add_argument("--temperature", type=float, default=0.0,
                    help="the calibration temperature to record (config.json stancegraph.temperature; see "
                         "scripts/train/calibrate_stance.sh); 0 keeps the checkpoint's")
    a = ap.parse_args()
    import shared_tables as st  # here: shared_tables imports this module
    if a.src:
        src, pick = a.src, a.src
    else:
        scores = {os.path.basename(c): best_score(c) for c in sorted(glob.glob("checkpoints/stance-*"))}
        print("dev score by candidate:", scores)
        ok = [k for k in scores if scores[k] is not None]
        if not a.pick and not ok:
            sys.exit("no trained checkpoints/stance-*/ (with last.pt and best/)")
        pick = a.pick or max(ok, key=lambda k: scores[k])
        src = os.path.join("checkpoints", pick, "best")

    model = AutoModelForSequenceClassification.from_pretrained(src).eval()
    config = model.config.to_dict()
    for k in ("_name_or_path", "transformers_version", "torch_dtype"):
        config.pop(k, None)
    mtype = config["model_type"]
    if mtype == "distilbert":
        config.setdefault("tie_weights_", True)  # rust-bert's DistilBertConfig requires it
    missing = [k for k in REQUIRED[mtype] if k not in config]
    if missing:
        sys.exit(f"config lacks fields rust-bert requires: {missing}")
    act = config[ACTIVATION_KEY[mtype]]
    if act not in (MPNET_ACTIVATIONS if mtype == "mpnet" else RUST_ACTIVATIONS):
        sys.exit(f"activation {act!r} not implemented on the Rust side for {mtype}")
    config["id2label"] = {str(i): l for i, l in enumerate(sd.LABELS)}
    config["label2id"] = {l: i for i, l in enumerate(sd.LABELS)}
    meta = config.get("stancegraph")
    if not meta or meta.get("mode") not in sd.MODES:
        sys.exit(f"{src}/config.json has no stancegraph section (not written by train_stance.py?)")

    state = fp16_state(model)
    check_names(state, rust_bert_names(config), "rust-bert")

    tok = sd.load_tokenizer(os.path.join(src, "tokenizer.json"))
    ids = {m: tok.token_to_id(m) for m in (sd.MARK_OPEN, sd.MARK_CLOSE)}
    if ids != {meta["markers"]["open"]: meta["markers"]["open_id"], meta["markers"]["close"]: meta["markers"]["close_id"]}:
        sys.exit(f"marker ids {ids} differ from config {meta['markers']}")
    if tok.get_vocab_size(with_added_tokens=True) != config["vocab_size"]:
        sys.exit(f"tokenizer vocabulary {tok.get_vocab_size(with_added_tokens=True)} != config vocab_size")
    layout = "roberta" if mtype == "mpnet" else "bert"
    if sd.layout_of(tok) != layout or meta.get("layout", "bert") != layout:
        sys.exit(f"pair layout: tokenizer {sd.layout_of(tok)!r}, config {meta.get('layout')!r}, {mtype} needs {layout!r}")

    os.makedirs(a.out, exist_ok=True)
    if a.share_embeddings:
        st.share_word_table(state, config, a.share_embeddings, a.out)
    if a.share_unchanged:
        n = st.share_unchanged(state, config, a.share_unchanged, a.out)
        print(f"{n} tensors unchanged from {a.share_unchanged}: read from there")
    if a.temperature > 0:
        config["stancegraph"]["temperature"] = a.temperature
    weights = write_weights(state, a.out, {"format": "pt", "source": str(pick), "stancegraph_mode": meta["mode"]})
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    tok.save(os.path.join(a.out, "tokenizer.json"))
    for f in weights + ["config.json", "tokenizer.json"]:
        os.chmod(os.path.join(a.out, f), 0o644)

    # round trip: the fp16 file in an fp32 model (what tch's VarStore::load does) vs the checkpoint
    back = AutoModelForSequenceClassification.from_config(AutoConfig.from_pretrained(a.out)).eval()
    missing, unexpected = back.load_state_dict({k: v.float() for k, v in st.read_weights_with_shared(a.out).items()},
                                                 strict=False)
    assert not unexpected and all(k.endswith("position_ids") for k in missing), (missing, unexpected)
    probe = [("I think Trump is doing a great job.", "Donald Trump"),
             ("Biden is a disaster for this country.", "Joe Biden"),
             ("Sanders spoke in Iowa on Tuesday.", "Bernie Sanders")]
    tok2 = sd.load_tokenizer(os.path.join(a.out, "tokenizer.json"))
    diff = 0.0
    for text, target in probe:
        e = sd.encode(text, target, sd.find_mentions(text, target), meta["mode"], tok2, meta["max_len"])
        kw = {"input_ids": torch.tensor([e["input_ids"]])}
        if mtype == "bert":
            kw["token_type_ids"] = torch.tensor([e["token_type_ids"]])
        with torch.no_grad():
            p0, p1 = model(**kw).logits.softmax(-1), back(**kw).logits.softmax(-1)
        diff = max(diff, (p0 - p1).abs().max().item())
    write_manifest(a.out)
    print(f"exported {pick} ({mtype}, mode {meta['mode']}, {len(state)} tensors in {', '.join(weights)}, "
          f"names match the Rust side) to {a.out}; "
          f"fp16 round trip max prob diff {diff:.2e}")


if __name__ == "__main__":
    main()
