"""The word-piece table that two shipped models share (issue 13).

A model trained on the same base and tokenizer as models/stance-accurate can
keep that model's word-piece and position tables frozen during training
(`freeze_tables`), and then ship without its own copy of the word-piece table
(`share_word_table` at export): config.json names the folder that holds it and
the SHA-256 of its bytes, and src/runtime.rs (`Checkpoint::shared_tensors`)
loads it from there and checks the hash. The MPNet NER model (train_ner.py,
export_ner.py) and the fast stance student (train_stance.py --layers,
export_stance.py) both take their 47 MB table from models/stance-accurate.

`read_weights_with_shared` reads such a folder back whole, for round trips.
"""
import hashlib
import json
import os
import sys

import torch

# export_stance (scripts/export/) reads and writes the weight files; it imports this module back.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "export"))
import export_stance as es  # noqa: E402

# Tensors that freeze_tables keeps as they are: the word-piece and position tables (a third of
# DistilBERT's weights, the largest tensors of any base). A retrained model that leaves them
# bit-identical differs from the shipped file only in the encoder layers, so git stores (and a
# submission carries) a delta of about two thirds of the file instead of the whole file twice.
FROZEN_EMBEDDINGS = ("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight")
WORD_TABLE = "embeddings.word_embeddings.weight"


def freeze_tables(model, embeddings_from=""):
    """Freezes the model's FROZEN_EMBEDDINGS; with `embeddings_from` (a model
    folder of the same architecture and tokenizer) first copies them from
    there. Exits naming what does not fit."""
    if embeddings_from:
        theirs = es.read_weights(embeddings_from)
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n.endswith(FROZEN_EMBEDDINGS):
                    t = theirs[n]
                    if t.shape != p.shape:
                        sys.exit(f"--embeddings-from: {n} is {tuple(t.shape)} there, {tuple(p.shape)} here")
                    p.copy_(t.to(p.dtype))
                    print(f"{n} from {embeddings_from}", flush=True)
    frozen = []
    for n, p in model.named_parameters():
        if n.endswith(FROZEN_EMBEDDINGS):
            p.requires_grad_(False)
            frozen.append(n)
    if len(frozen) != len(FROZEN_EMBEDDINGS):
        sys.exit(f"--freeze-embeddings: expected {FROZEN_EMBEDDINGS} in the model, found {frozen}")
    print(f"frozen: {frozen}", flush=True)


def share_word_table(state, config, share_dir, out):
    """Removes the word-piece table from `state` (fp16 tensors to export) when
    it equals `share_dir`'s bit for bit, and records in `config` where it is
    (relative to `out`) with its SHA-256. Exits when they differ."""
    name = next(n for n in state if n.endswith(WORD_TABLE))
    theirs = es.read_weights(share_dir)[name]
    if theirs.dtype != state[name].dtype or not torch.equal(theirs, state[name]):
        sys.exit(f"--share-embeddings: {name} differs from {share_dir}'s (train with "
                 f"--freeze-embeddings and the same table as {share_dir})")
    digest = hashlib.sha256(state[name].contiguous().numpy().tobytes()).hexdigest()  # the bytes as stored
    del state[name]
    config["shared_tensors"] = {"from": os.path.relpath(share_dir, out), "sha256": {name: digest}}


def share_unchanged(state, config, share_dir, out):
    """Removes from `state` (fp16 tensors to export) every tensor equal bit for
    bit to `share_dir`'s tensor of the same name, and records in `config` where
    they are (relative to `out`) with their SHA-256: a model trained with
    train_stance.py --train-top N from `share_dir` ships only what it changed.
    Exits when nothing is shared."""
    theirs = es.read_weights(share_dir)
    digests = {}
    for name in sorted(state):
        other = theirs.get(name)
        if other is not None and other.dtype == state[name].dtype and torch.equal(other, state[name]):
            digests[name] = hashlib.sha256(state[name].contiguous().numpy().tobytes()).hexdigest()
    if not digests:
        sys.exit(f"--share-unchanged: no tensor equals {share_dir}'s")
    for name in digests:
        del state[name]
    config["shared_tensors"] = {"from": os.path.relpath(share_dir, out), "sha256": digests}
    return len(digests)


def read_weights_with_shared(folder):
    """All tensors of an exported folder, those it shares with another folder included."""
    state = es.read_weights(folder)
    with open(os.path.join(folder, "config.json")) as f:
        shared = json.load(f).get("shared_tensors")
    if shared:
        theirs = es.read_weights(os.path.join(folder, shared["from"]))
        state.update({name: theirs[name] for name in shared["sha256"]})
    return state
