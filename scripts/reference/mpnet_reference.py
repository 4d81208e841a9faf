#!/usr/bin/env python3
"""Reference outputs of transformers' MPNetModel for tests/mpnet.rs.

Loads the MPNet base (checkpoints/bases/mpnet-base, fetched by
`scripts/train/fetch_bases.sh mpnet`) with transformers' tokenizer and `MPNetModel`
in fp32 and writes, for a few fixed texts run in padded batches of different
lengths, the token ids and a deterministic subset of the last hidden states:
all 768 dimensions of the first, the middle (index n // 2) and the last real
token of each text, and the mean over its real tokens. One text is longer
than 128 pieces, so relative distances beyond MPNet's max distance (128) are
exercised. Also written: the ids of text pairs (the stance input layout),
the relative-position bucket of every distance from -300 to 300, and the
logits of an `MPNetForSequenceClassification` (3 labels, the layout
`scripts/train/train_stance.py` would save for an MPNet stance model) whose head
holds untrained pseudo-random weights from a formula the Rust test repeats
(`pseudo_random` here and in tests/mpnet.rs), with the names of the tensors
that model saves.

The fast tokenizer (tokenizer.json, what the Rust side loads) must give the
same ids as the slow MPNetTokenizer (vocab.txt); the script fails otherwise.

Needs torch and transformers: the training venv (scripts/train/setup_train_env.sh).

    .venv-train/bin/python scripts/reference/mpnet_reference.py \\
        [--base checkpoints/bases/mpnet-base] [--out tests/fixtures/mpnet/reference.json]
"""

import argparse
import hashlib
import json
import os

import numpy as np
import torch
import transformers
from transformers import AutoTokenizer, MPNetForSequenceClassification, MPNetModel, MPNetTokenizer
from transformers.models.mpnet.modeling_mpnet import MPNetEncoder

LONG = (
    "Last night's vote in parliament was closer than anyone expected. The coalition "
    "needed every member present, and two of them were stuck at the airport in Frankfurt "
    "after a strike grounded most flights. The opposition leader called it a farce and "
    "demanded a recount, while the prime minister thanked the speaker for keeping order. "
    "Commenters were split: some said the government had shown it could still govern, "
    "others that a majority of one seat is no majority at all. Economists warned that the "
    "budget, which raises fuel duty by four percent and cuts the housing subsidy, will hit "
    "rural families hardest. The finance minister replied that the deficit leaves no other "
    "choice and that the subsidy was badly targeted anyway. Whether the coalition survives "
    "the summer now depends on the farmers' party, whose leader has not said a word since "
    "Tuesday."
)

# Each inner list is one padded batch, run through the model together.
BATCHES = [
    [
        "The minister said the talks would resume on Monday.",
        "SHOCKING!!! Is THIS what the E.U. calls 'DEMOCRACY'??? @realDonaldTrump #NotMyPresident... "
        "Zürich, Genève & São Paulo: 100% AGREE (lol) 😀 -- [sic] U.S.A./N.A.T.O.?!",
        "Ok.",
    ],
    [
        LONG,
        "Angela Merkel met Emmanuel Macron in Berlin; Yoko Kamikawa wasn't there.",
    ],
]

# (text, target) pairs: the layout of the stance model's `pair` / `both` input.
PAIRS = [
    ("I can't stand [unused1] Macron [unused2] any more.", "Emmanuel Macron"),
    ("Hamas will be hunted and killed as long as they live", "Hamas"),
]


# The classifier head's weights: (salt, scale) of each tensor for pseudo_random.
HEAD = {
    "classifier.dense.weight": (1, 0.05),
    "classifier.dense.bias": (2, 0.05),
    "classifier.out_proj.weight": (3, 0.5),
    "classifier.out_proj.bias": (4, 0.5),
}
LABELS = ["against", "neutral", "favour"]


def pseudo_random(shape, salt, scale):
    """Untrained weights both languages compute bit for bit: entry k (row-major)
    is scale * (((k * 7919 + salt) mod 2003) / 1001 - 1) in float64, then float32."""
    k = np.arange(int(np.prod(shape)), dtype=np.int64)
    v = ((k * 7919 + salt) % 2003).astype(np.float64) / 1001.0 - 1.0
    return torch.from_numpy((v * scale).astype(np.float32).reshape(shape))


def classifier_reference(base, batches, fast):
    """Logits of MPNetForSequenceClassification on the base with the HEAD weights."""
    model, info = MPNetForSequenceClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), output_loading_info=True,
        torch_dtype=torch.float32)
    assert sorted(info["missing_keys"]) == sorted(HEAD), f"unexpected missing keys {info['missing_keys']}"
    state = model.state_dict()
    with torch.no_grad():
        for name, (salt, scale) in HEAD.items():
            state[name].copy_(pseudo_random(tuple(state[name].shape), salt, scale))
    model.eval()
    logits = []
    for batch in batches:
        enc = fast(batch, padding=True, truncation=False, return_tensors="pt")
        with torch.no_grad():
            out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
        logits += [vector(row) for row in out]
    # what save_pretrained writes and export_stance.py keeps (it drops position_ids)
    names = sorted(k for k in model.state_dict() if not k.endswith("position_ids"))
    return {
        "labels": LABELS,
        "head": {k: {"salt": salt, "scale": scale} for k, (salt, scale) in HEAD.items()},
        "tensor_names": names,
        "logits": logits,
    }


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def vector(t):
    return [round(float(x), 6) for x in t.tolist()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="checkpoints/bases/mpnet-base")
    ap.add_argument("--out", default="tests/fixtures/mpnet/reference.json")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

    fast = AutoTokenizer.from_pretrained(args.base)
    slow = MPNetTokenizer.from_pretrained(args.base)
    assert fast.is_fast, "expected the fast tokenizer from tokenizer.json"
    model, info = MPNetModel.from_pretrained(args.base, output_loading_info=True, torch_dtype=torch.float32)
    assert not info["missing_keys"], f"weights missing from the base: {info['missing_keys']}"
    model.eval()

    texts, batches, ids, rows = [], [], [], []
    for batch in BATCHES:
        enc = fast(batch, padding=True, truncation=False, return_tensors="pt")
        with torch.no_grad():
            hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
        members = []
        for b, text in enumerate(batch):
            n = int(enc["attention_mask"][b].sum())
            row_ids = enc["input_ids"][b, :n].tolist()
            slow_ids = slow(text, truncation=False)["input_ids"]
            assert row_ids == slow_ids, f"fast and slow tokenizers disagree on {text!r}"
            positions = [0, n // 2, n - 1]
            members.append(len(texts))
            texts.append(text)
            ids.append(row_ids)
            rows.append(
                {
                    "text": len(texts) - 1,
                    "tokens": n,
                    "positions": positions,
                    "hidden": [vector(hidden[b, p]) for p in positions],
                    "mean": vector(hidden[b, :n].mean(dim=0)),
                }
            )
        batches.append(members)
    assert max(len(r) for r in ids) > 128 + 8, "the long text must pass MPNet's max relative distance"

    pairs = []
    for text, target in PAIRS:
        pair_ids = fast(text, target)["input_ids"]
        assert pair_ids == slow(text, target)["input_ids"], f"tokenizers disagree on the pair {text!r}"
        pairs.append({"text": text, "target": target, "ids": pair_ids})

    classifier = classifier_reference(args.base, BATCHES, fast)

    distances = torch.arange(-300, 301)
    buckets = MPNetEncoder.relative_position_bucket(distances).tolist()

    fixture = {
        "about": "transformers MPNetModel (fp32) on the MPNet base; written by scripts/reference/mpnet_reference.py",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "model_sha256": sha256(os.path.join(args.base, "model.safetensors")),
        "texts": texts,
        "batches": batches,
        "ids": ids,
        "rows": rows,
        "pairs": pairs,
        "buckets": {"from": -300, "values": buckets},
        "classifier": classifier,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(fixture, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out}: {len(texts)} texts, lengths {[len(r) for r in ids]}, {os.path.getsize(args.out)} bytes")


if __name__ == "__main__":
    main()
