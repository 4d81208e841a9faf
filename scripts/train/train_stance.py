#!/usr/bin/env python3
"""Fine-tune a pretrained encoder as a target-aware stance classifier:
(text, target, mention spans) -> against / neutral / favour (ids 0 / 1 / 2),
for the Rust side (rust-bert BertForSequenceClassification or
DistilBertForSequenceClassification, or our src/mpnet.rs for an MPNet base,
MPNetForSequenceClassification; export with export_stance.py).

The input encoding (markers, segments, truncation) is stance_data.encode();
its module docstring is the spec the Rust side mirrors.

Data (read in place from ../shared/data/stance, never copied):
  training sets (--sets): newsmtsc (NewsMTSC train), pstance (P-Stance train,
    the three targets), semeval (SemEval-2016 A train), reddit (reddit-trump
    train; opt-in: its labels are support for the thread, not stance toward a
    named target, see stance_data.read_reddit)
  selection (dev): --dev-frac (5%) of NewsMTSC train (whole sentences) and of
    P-Stance train, carved out before anything else and never trained on;
    dev score = mean(NewsMTSC-dev macro F1 over the 3 classes,
                     P-Stance-dev mean F1 of favour and against)
  test, reported at the end for the best checkpoint only: NewsMTSC devtest_mt
    (the acceptance set, macro F1), P-Stance val (F1 favour/against), VAST dev
    (comment-style text, macro F1), reddit-trump val (for information).

Distillation (--soft LABELS.jsonl[,...], --soft-weight W): adds a teacher's
soft labels (teacher_label.py over distil_pairs.py's (comment, entity) pairs
from our own pipeline runs; no gold label) to the training items. They are
encoded like the gold examples (--mode, the student's tokenizer) and mixed
into the same length-bucketed batches; a batch's loss is
    (n_gold / n) * CE_gold + W * (n_soft / n) * KL(teacher || student)
with CE_gold the usual class-weighted cross-entropy over its gold items and
KL the mean KL divergence from the teacher's probabilities (taken in LABELS
order by name from the file's `labels`) to the student's softmax over its soft
items; a batch without soft items has exactly the loss of a run without
--soft. Class weights, the dev split, selection and test are the gold ones.
The epoch is gold + soft items (--balance sample draws the gold part only and
adds every soft item once). Without --soft nothing changes (same batches,
losses, config.json). See scripts/train/distil_stance.sh.

Distillation on the gold training texts (--teacher LABELS.jsonl, --kd-weight A,
--kd-temp T): the teacher's logits for the gold training items themselves
(--dump-train FILE writes those items in distil_pairs.py's format and exits;
teacher_label.py labels them; keys are gold_key(text, target, spans)). Each
gold item's loss becomes
    (1 - A) * CE_gold + A * T^2 * KL(softmax(teacher / T) || softmax(student / T))
(Hinton et al. 2015), averaged over the batch's gold items; soft items keep
their own loss. A gold item with no teacher label is refused. Without
--teacher nothing changes.

A student of the teacher's own kind (--base models/stance-accurate --layers N
--freeze-embeddings): the teacher's first N layers and classifier head, with
its word-piece and position tables kept frozen (scripts/lib/shared_tables.py), so
that export_stance.py --share-embeddings models/stance-accurate ships it
without its own copy of the table. Measured in models/stance/MODEL.md ("MPNet
students cut from the teacher").

Resumable: every --save-every steps the model, optimizer, scheduler, torch RNG
(dropout) and the position in the epoch go to CKPT/last.pt (tmp + rename); a rerun with the same
arguments continues where it stopped. The best dev score so far is kept in
CKPT/best/ (Hugging Face checkpoint + tokenizer.json with the markers, also
written via tmp + rename). CKPT/history.json holds dev scores per evaluation
and the final test scores.

Threads: on a shared machine use --threads 1. With the 2 cores busy with other
jobs, --threads 2 measured 8.5 s/step against 0.5 s/step for --threads 1
(MiniLM, batch 16); --threads 2 only pays off on otherwise idle cores.

usage: train_stance.py --base DIR --ckpt DIR [--mode both] [--sets newsmtsc,pstance,semeval]
                       [--max-per-set N] [--epochs 3] [--lr 5e-5] [--batch 16] [--bf16]
                       [--soft LABELS.jsonl[,...] [--soft-weight 1.0]] ...
"""
import argparse
import hashlib
import json
import math
import os
import random
import shutil
import sys
import time

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, get_linear_schedule_with_warmup

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import shared_tables as st  # noqa: E402
import stance_data as sd  # noqa: E402

TRAIN_SETS = ("newsmtsc", "pstance", "semeval", "reddit", "mtcsd", "multitarget", "acl14", "comments")
# our labelled comment pairs (stance_data.read_comment_pairs); 10 % of their threads are held out for selection
COMMENT_TRAIN = "data/comment-train/pairs.tsv"
DEFAULT_SETS = "newsmtsc,pstance,semeval"
# arguments that must not change between a run and its resumption
RESUME_KEYS = ("base", "mode", "sets", "max_per_set", "cap", "init_seed", "dev_frac", "seed", "batch", "max_len",
               "epochs", "balance", "keep_unmarked", "pstance_none", "lr", "examples", "soft", "soft_weight",
               "soft_n", "train_top", "teacher", "kd_weight", "kd_temp", "layers", "freeze_embeddings", "context",
               "repeat", "select")
# recorded in config.json's stancegraph.train only when --soft is given (so a run without it writes what it did
# before); soft_n is the number of soft items read (a file that grew between a run and its resumption is refused)
SOFT_KEYS = ("soft", "soft_weight", "soft_n")
KD_KEYS = ("teacher", "kd_weight", "kd_temp")  # recorded only with --teacher
SMALL_KEYS = ("layers", "freeze_embeddings", "context", "repeat", "select")  # recorded only when set (older runs had neither)
# model types the Rust side runs (rust-bert for bert and distilbert, src/mpnet.rs for mpnet)
RUST_MODEL_TYPES = ("bert", "distilbert", "mpnet")


# ---------------------------------------------------------------- data

def context_of(ex, use_context):
    """(title, parent) of an example for a model that reads the conversation, else None."""
    return (ex.get("title", ""), ex.get("parent", "")) if use_context else None


def encode_all(examples, mode, tok, max_len, context=False):
    out = []
    for ex in examples:
        e = sd.encode(ex["text"], ex["target"], ex["spans"], mode, tok, max_len, context_of(ex, context))
        out.append((e["input_ids"], e["token_type_ids"], sd.L2I[ex["label"]]))
    return out


def gold_key(text, target, spans):
    """The input_hash of a gold training item in --dump-train's pairs (and so in the teacher's labels)."""
    return hashlib.sha256(json.dumps([text, target, [list(x) for x in spans]], ensure_ascii=False)
                          .encode("utf-8")).hexdigest()[:32]


def in_label_order(path, r, field):
    """A teacher_label.py line's `field` ("probs" or "logits") in LABELS order: the
    line's `labels` matched by name ("favor" = "favour"); other labels stop the run."""
    names = [{"favor": "favour"}.get(l.lower(), l.lower()) for l in r["labels"]]
    if sorted(names) != sorted(sd.LABELS):
        sys.exit(f"{path}: teacher labels {r['labels']} are not {sd.LABELS}")
    return [r[field][names.index(l)] for l in sd.LABELS]


def read_teacher(path):
    """input_hash -> the teacher's logits in LABELS order (teacher_label.py lines over --dump-train's pairs)."""
    return {r["input_hash"]: in_label_order(path, r, "logits") for _, r in sd.json_lines([path])}


def read_soft(paths):
    """Teacher-labelled pairs (teacher_label.py lines) as examples with "probs"
    in LABELS order (in_label_order)."""
    out = []
    for path, r in sd.json_lines(paths):
        probs = in_label_order(path, r, "probs")
        total = sum(probs)
        out.append({"text": r["text"], "target": r["target"], "spans": [tuple(s) for s in r["spans"]],
                    "probs": [p / total for p in probs], "source": r.get("corpus") or "soft"})
    return out


def epoch_order(items, bs, rng, balance):
    """Batches (lists of item indices) for one epoch: shuffled, bucketed by
    length in pools of 50 batches to cut padding, batch order shuffled.
    balance="sample": the epoch is drawn with replacement, equal mass per class
    (over the gold items; soft items, label -1, are added once each)."""
    if balance == "sample":
        by, soft = {}, []
        for i, it in enumerate(items):
            if it[2] < 0:
                soft.append(i)
            else:
                by.setdefault(it[2], []).append(i)
        idx = [rng.choice(by[c]) for c in [rng.choice(sorted(by)) for _ in range(len(items) - len(soft))]]
        if soft:
            idx += soft
            rng.shuffle(idx)
    else:
        idx = list(range(len(items)))
        rng.shuffle(idx)
    pool = bs * 50
    out = []
    for s in range(0, len(idx), pool):
        chunk = sorted(idx[s: s + pool], key=lambda i: len(items[i][0]))
        out += [chunk[k: k + bs] for k in range(0, len(chunk), bs)]
    rng.shuffle(out)
    return out


def collate(items, idx, pad_id):
    group = [items[i] for i in idx]
    n = max(len(g[0]) for g in group)
    ids = torch.full((len(group), n), pad_id, dtype=torch.long)
    types = torch.zeros((len(group), n), dtype=torch.long)
    mask = torch.zeros((len(group), n), dtype=torch.long)
    for r, (i, t, _) in enumerate(group):
        ids[r, : len(i)] = torch.tensor(i)
        types[r, : len(t)] = torch.tensor(t)
        mask[r, : len(i)] = 1
    lab = torch.tensor([g[2] for g in group], dtype=torch.long)
    return ids, types, mask, lab


def freeze_below_top(model, top):
    """Freeze every parameter except those of the top `top` encoder layers and
    the classifier head (and BERT's pooler, which feeds it). Returns (trainable,
    frozen) parameter counts."""
    n_layers = model.config.num_hidden_layers
    if not 0 < top <= n_layers:
        sys.exit(f"--train-top {top}: the model has {n_layers} layers")
    keep = tuple(f".layer.{i}." for i in range(n_layers - top, n_layers))
    counts = [0, 0]
    for name, p in model.named_parameters():
        train = name.startswith("classifier.") or name.startswith("pre_classifier.") or ".pooler." in name \
            or any(k in name for k in keep)
        p.requires_grad_(train)
        counts[0 if train else 1] += p.numel()
    return counts


def forward(model, ids, types, mask, use_types):
    kw = {"input_ids": ids, "attention_mask": mask}
    if use_types:
        kw["token_type_ids"] = types
    return model(**kw).logits


# ---------------------------------------------------------------- metrics

def f1_per_class(gold, pred, k=3):
    out = []
    for c in range(k):
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        pr, rc = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        out.append(2 * pr * rc / max(pr + rc, 1e-9))
    return out


def scores(gold, pred):
    f = f1_per_class(gold, pred)
    return {"n": len(gold), "macro_f1": sum(f) / 3, "f1_fa": (f[0] + f[2]) / 2,
            "acc": sum(g == p for g, p in zip(gold, pred)) / max(len(gold), 1),
            "f1": dict(zip(sd.LABELS, f))}


def predict(model, items, pad_id, use_types, bf16, bs=64):
    model.eval()
    pred = []
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for s in range(0, len(order), bs):
            ids, types, mask, _ = collate(items, order[s: s + bs], pad_id)
            pred += forward(model, ids, types, mask, use_types).argmax(-1).tolist()
    model.train()
    out = [0] * len(items)
    for i, p in zip(order, pred):
        out[i] = p
    return out


def evaluate(model, sets, pad_id, use_types, bf16):
    res = {}
    for name, items in sets.items():
        if items:
            res[name] = scores([it[2] for it in items], predict(model, items, pad_id, use_types, bf16))
    return res


def dev_score(res):
    if "examples_dev" in res:  # --examples: a smoke run of the wiring
        return res["examples_dev"]["macro_f1"]
    parts = []
    if "comments_dev" in res:
        parts.append(res["comments_dev"]["macro_f1"])
    if "mtcsd_dev" in res:
        parts.append(res["mtcsd_dev"]["macro_f1"])
    if "newsmtsc_dev" in res:
        parts.append(res["newsmtsc_dev"]["macro_f1"])
    if "pstance_dev" in res:
        parts.append(res["pstance_dev"]["f1_fa"])
    return sum(parts) / max(len(parts), 1)


def fmt(res):
    return "  ".join(f"{k} macroF1 {v['macro_f1']:.4f} F1fa {v['f1_fa']:.4f} acc {v['acc']:.4f} (n={v['n']})"
                     for k, v in res.items())


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="HF checkpoint dir (checkpoints/bases/minilm-uncased, ...)")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--data", default=sd.DATA)
    ap.add_argument("--mode", choices=sd.MODES, default="both")
    ap.add_argument("--sets", default=DEFAULT_SETS, help=f"comma list of {','.join(TRAIN_SETS)}")
    ap.add_argument("--examples", default=None, help="train AND select on this JSON-lines file of examples "
                    "(stance_data.read_jsonl) instead of --sets: smoke tests of the wiring only, "
                    "e.g. tests/fixtures/stance/smoke.jsonl")
    ap.add_argument("--soft", default="", help="comma list of teacher_label.py outputs: add these teacher-labelled "
                    "pairs with a KL loss toward the teacher's probabilities (distillation; see above)")
    ap.add_argument("--soft-weight", type=float, default=1.0, help="weight of the soft (KL) loss against the gold "
                    "cross-entropy, per item")
    ap.add_argument("--dump-train", default="", help="write the gold training items (after the dev split and "
                    "any subsampling) as distil_pairs.py-style pairs to this file and exit: the input of "
                    "teacher_label.py for --teacher")
    ap.add_argument("--teacher", default="", help="teacher_label.py output over --dump-train's pairs: distil on "
                    "the gold training texts (see above)")
    ap.add_argument("--kd-weight", type=float, default=0.5, help="with --teacher: the share A of the KL term")
    ap.add_argument("--kd-temp", type=float, default=2.0, help="with --teacher: the softmax temperature T")
    ap.add_argument("--max-per-set", type=int, default=0, help="random subsample of each training set (0 = all)")
    ap.add_argument("--cap", default="", help="per-set random subsample, e.g. pstance=4000,semeval=1000 "
                    "(with --max-per-set the smaller limit holds; a set named in neither keeps all its examples)")
    ap.add_argument("--dev-frac", type=float, default=0.05)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-len", type=int, default=sd.MAX_LEN)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--balance", choices=("weights", "sample", "none"), default="weights",
                    help="class imbalance: inverse-frequency loss weights, class-balanced sampling, or nothing")
    ap.add_argument("--keep-unmarked", action="store_true",
                    help="mode marked: keep training examples without any mention (they carry no target)")
    ap.add_argument("--pstance-none", choices=("neutral", "drop"), default="neutral")
    ap.add_argument("--save-every", type=int, default=50)
    ap.add_argument("--eval-every", type=int, default=0, help="also evaluate on dev every N steps (0 = per epoch only)")
    ap.add_argument("--max-steps", type=int, default=0, help="stop this run after N steps (smoke tests, timing)")
    ap.add_argument("--stop-at-step", type=int, default=0,
                    help="stop when the recipe reaches global step N (resumable; reproduces a model exported "
                         "part-way, such as the shipped models/stance-accurate at 2400)")
    ap.add_argument("--limit-dev", type=int, default=0, help="cap each dev set (smoke tests)")
    ap.add_argument("--limit-test", type=int, default=0, help="cap each test set (smoke tests)")
    ap.add_argument("--no-test", action="store_true", help="skip the final test evaluation")
    ap.add_argument("--test-only", action="store_true", help="only evaluate CKPT/best on the test sets")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=13, help="dev split (and, unless --init-seed, everything random)")
    ap.add_argument("--init-seed", type=int, default=None,
                    help="seed of the classifier head, dropout, subsampling and batch order, with the dev split "
                         "kept at --seed: ensemble members share one dev set but not their training path")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (fp32 master weights)")
    ap.add_argument("--train-top", type=int, default=0,
                    help="train only the top N encoder layers and the classifier head; the embeddings, the "
                         "lower layers (and MPNet's relative position bias) stay exactly as loaded from --base, "
                         "so an export of the result differs from the shipped weights in those tensors only "
                         "(0 = train everything). With --base models/stance-accurate this continues the "
                         "shipped model; see models/stance/MODEL.md")
    ap.add_argument("--layers", type=int, default=0,
                    help="keep only the base's first N encoder layers (0: all): a smaller, faster student. With "
                         "--base models/stance-accurate the student starts from the teacher's lower layers and "
                         "classifier head (see models/stance/MODEL.md)")
    ap.add_argument("--context", action="store_true",
                    help="read the conversation: each example also carries its document title and the comment it "
                         "replies to (stance_data.py step 5; mode both). Selection then also counts MT-CSD "
                         "Bitcoin valid (macro F1)")
    ap.add_argument("--repeat", default="", help="per-set repetitions in the epoch, e.g. comments=2")
    ap.add_argument("--select", default="", help="comma list of the selection sets beside NewsMTSC dev and "
                    "P-Stance dev: mtcsd (MT-CSD Bitcoin valid), comments (the held-out tenth of the "
                    "comment-train threads); default: mtcsd with --context")
    ap.add_argument("--freeze-embeddings", action="store_true",
                    help="keep the word-piece and position tables as in --base (shared_tables.py), so that "
                         "export_stance.py --share-embeddings BASE can leave the word-piece table out")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.init_seed is None:
        a.init_seed = a.seed
    torch.manual_seed(a.init_seed)
    load = os.getloadavg()[0]
    if a.threads > 1 and load > (os.cpu_count() or 1) - 0.5:
        print(f"WARNING: load average {load:.1f} on {os.cpu_count()} cores: with other jobs running, "
              f"--threads {a.threads} can be many times slower than --threads 1 (OpenMP threads wait on "
              "each other); measured here 8.5 s/step at --threads 2 vs 0.5 s/step at --threads 1", flush=True)
    os.makedirs(a.ckpt, exist_ok=True)
    sets = [s.strip() for s in a.sets.split(",") if s.strip()]
    for s in sets:
        if s not in TRAIN_SETS:
            sys.exit(f"--sets: {s!r} is not a training set ({', '.join(TRAIN_SETS)}); "
                     "VAST dev, P-Stance val and NewsMTSC devtest_mt are evaluation sets")
    a.sets = ",".join(sets)
    caps = {}
    for item in filter(None, (c.strip() for c in a.cap.split(","))):
        name, _, n = item.partition("=")
        if name not in sets or not n.isdigit():
            sys.exit(f"--cap: {item!r} is not SET=N for a set of --sets ({a.sets})")
        caps[name] = int(n)

    tok = sd.load_tokenizer(a.base)
    special = sd.special_ids(tok)
    pad_id = special["pad"]
    if a.context and a.mode != "both":
        sys.exit("--context needs --mode both")
    enc = lambda exs: encode_all(exs, a.mode, tok, a.max_len, a.context)

    # ---- data: dev carved out of NewsMTSC / P-Stance train before anything else
    t0 = time.time()
    if a.examples:
        own = sd.read_jsonl(a.examples)
        print(f"  --examples {a.examples}: {len(own)} examples {sd.label_counts(own)}, trained on and used as dev")
        news_tr, news_dev, ps_tr, ps_dev, sets = [], [], [], [], ["examples"]
    else:
        news_tr, news_dev = sd.split_dev(sd.load_set("newsmtsc", a.data), a.dev_frac, a.seed, key=lambda e: e["group"])
        ps_all = sd.read_pstance(os.path.join(a.data, "pstance"), "train", none=a.pstance_none)
        ps_tr, ps_dev = sd.split_dev(ps_all, a.dev_frac, a.seed)
    pools = {"newsmtsc": news_tr, "pstance": ps_tr, "examples": own if a.examples else []}
    comments_dev = []
    if "comments" in sets or "comments" in a.select:
        every = sd.read_comment_pairs(COMMENT_TRAIN, a.data)
        pools["comments"], comments_dev = sd.split_dev(every, 0.1, a.seed, key=lambda e: e["group"])
    repeats = {}
    for item in filter(None, (c.strip() for c in a.repeat.split(","))):
        name, _, n = item.partition("=")
        if name not in sets or not n.isdigit():
            sys.exit(f"--repeat: {item!r} is not SET=N for a set of --sets ({a.sets})")
        repeats[name] = int(n)
    rng = random.Random(a.init_seed)
    train_ex = []
    for s in sets:
        exs = pools[s] if s in pools else sd.load_set(s, a.data)
        if a.mode == "marked" and not a.keep_unmarked:
            n0 = len(exs)
            exs = [e for e in exs if e["spans"]]
            if n0 != len(exs):
                print(f"  {s}: dropped {n0 - len(exs)} examples without a mention (mode marked)")
        limits = [n for n in (a.max_per_set or None, caps.get(s)) if n is not None]
        if limits and len(exs) > min(limits):
            exs = rng.sample(exs, min(limits))
        exs = exs * repeats.get(s, 1)
        print(f"  train {s:9s} {len(exs):6d} {sd.label_counts(exs)}")
        train_ex += exs
    dev_ex = {"examples_dev": own} if a.examples else {"newsmtsc_dev": news_dev, "pstance_dev": ps_dev}
    select = [s for s in a.select.split(",") if s] or (["mtcsd"] if a.context else [])
    if "mtcsd" in select and not a.examples:
        dev_ex["mtcsd_dev"] = sd.load_set("mtcsd_bitcoin_valid", a.data)
    if "comments" in select and not a.examples:
        dev_ex["comments_dev"] = comments_dev
    if a.limit_dev:
        dev_ex = {k: random.Random(a.seed).sample(v, min(a.limit_dev, len(v))) for k, v in dev_ex.items()}
    for k, v in dev_ex.items():
        print(f"  {k:15s} {len(v):6d} {sd.label_counts(v)}")
    if a.dump_train:
        os.makedirs(os.path.dirname(os.path.abspath(a.dump_train)), exist_ok=True)
        with open(a.dump_train + ".tmp", "w", encoding="utf-8") as f:
            for i, ex in enumerate(train_ex):
                f.write(json.dumps({"input_hash": gold_key(ex["text"], ex["target"], ex["spans"]),
                                    "doc_id": f"gold-{i}", "comment": 0, "entity_id": ex["target"],
                                    "corpus": "gold", "text": ex["text"], "target": ex["target"],
                                    "spans": [list(x) for x in ex["spans"]]}, ensure_ascii=False) + "\n")
        os.replace(a.dump_train + ".tmp", a.dump_train)
        print(f"wrote {len(train_ex)} gold training items to {a.dump_train}")
        return
    train = enc(train_ex)
    gold_teacher = {}  # train item index -> the teacher's logits (--teacher)
    if a.teacher:
        by_key = read_teacher(a.teacher)
        missing = 0
        for i, ex in enumerate(train_ex):
            t = by_key.get(gold_key(ex["text"], ex["target"], ex["spans"]))
            if t is None:
                missing += 1
            else:
                gold_teacher[i] = t
        if missing:
            sys.exit(f"--teacher {a.teacher}: {missing} of {len(train_ex)} gold training items have no teacher label "
                     "(label the output of --dump-train with the same arguments)")
        agree = sum(1 for i, ex in enumerate(train_ex)
                    if max(range(3), key=lambda c: gold_teacher[i][c]) == sd.L2I[ex["label"]])
        print(f"  teacher   {len(gold_teacher):6d} gold items labelled by {a.teacher} (argmax = gold on "
              f"{agree / max(len(train_ex), 1):.1%}), kd weight {a.kd_weight}, temperature {a.kd_temp}")
    dev = {k: enc(v) for k, v in dev_ex.items()}
    counts = [sum(1 for it in train if it[2] == c) for c in range(3)]
    # soft (teacher-labelled) items follow the gold ones: label -1, probabilities by item index
    soft_paths = [p.strip() for p in a.soft.split(",") if p.strip()]
    a.soft = ",".join(soft_paths)
    soft_ex = read_soft(soft_paths)
    a.soft_n = len(soft_ex)
    soft_probs = {}
    for ex in soft_ex:
        e = sd.encode(ex["text"], ex["target"], ex["spans"], a.mode, tok, a.max_len, context_of(ex, a.context))
        soft_probs[len(train)] = ex["probs"]
        train.append((e["input_ids"], e["token_type_ids"], -1))
    if soft_ex:
        top = [sum(1 for ex in soft_ex if max(range(3), key=lambda c: ex["probs"][c]) == c) for c in range(3)]
        print(f"  soft      {len(soft_ex):6d} teacher-labelled pairs from {a.soft} (teacher argmax "
              f"{dict(zip(sd.LABELS, top))}), soft weight {a.soft_weight}")
    print(f"train {len(train)} examples {dict(zip(sd.LABELS, counts))}, mean pieces "
          f"{sum(len(it[0]) for it in train) / max(len(train), 1):.1f}, data ready in {time.time() - t0:.0f}s", flush=True)

    config = AutoConfig.from_pretrained(a.base, num_labels=3, id2label=dict(enumerate(sd.LABELS)),
                                        label2id=dict(sd.L2I))
    if a.layers:
        if a.layers > config.num_hidden_layers:
            sys.exit(f"--layers {a.layers}: the base has only {config.num_hidden_layers}")
        config.num_hidden_layers = a.layers  # from_pretrained then loads layers 0..N-1 and skips the rest
    model = AutoModelForSequenceClassification.from_pretrained(a.base, config=config)
    mtype = model.config.model_type
    if mtype not in RUST_MODEL_TYPES:
        sys.exit(f"model_type {mtype!r}: the Rust side runs {', '.join(RUST_MODEL_TYPES)}")
    expected_layout = "roberta" if mtype == "mpnet" else "bert"
    if special["layout"] != expected_layout:
        sys.exit(f"{a.base}: tokenizer pair layout {special['layout']!r}, but a {mtype} model reads {expected_layout!r}")
    use_types = mtype == "bert"
    model.float()  # an exported model (--base models/...) is fp16 on disk: train in fp32 master weights
    if a.freeze_embeddings:
        st.freeze_tables(model)
    if a.train_top:
        trainable, frozen = freeze_below_top(model, a.train_top)
        print(f"--train-top {a.train_top}: training {trainable:,} parameters, {frozen:,} frozen as loaded", flush=True)
    model.config.stancegraph = {
        "mode": a.mode, "max_len": a.max_len, "max_target_pieces": sd.MAX_TARGET_PIECES,
        "markers": {"open": sd.MARK_OPEN, "close": sd.MARK_CLOSE,
                    "open_id": tok.token_to_id(sd.MARK_OPEN), "close_id": tok.token_to_id(sd.MARK_CLOSE)},
        "marker_format": "MARK_OPEN + ' ' + mention + ' ' + MARK_CLOSE",
        "segments": {"marked": ["marked_text"], "pair": ["text", "target"], "both": ["marked_text", "target"]}[a.mode],
        "token_type_ids": use_types, "layout": special["layout"],
        "pair": {"bert": "[CLS] A [SEP] B [SEP]", "roberta": "<s> A </s></s> B </s>"}[special["layout"]],
        "truncation": "window of the text centred on the first mention",
        "labels": sd.LABELS, "spec": "scripts/lib/stance_data.py module docstring",
        **({"context": True, "max_title_pieces": sd.MAX_TITLE_PIECES, "max_parent_pieces": sd.MAX_PARENT_PIECES,
            "context_slots": "title SEP parent SEP after the pair"} if a.context else {}),
        "train": {k: getattr(a, k) for k in RESUME_KEYS
                  if (a.soft or k not in SOFT_KEYS) and (a.train_top or k != "train_top")
                  and (a.teacher or k not in KD_KEYS) and (getattr(a, k) or k not in SMALL_KEYS)},
    }

    if a.balance == "weights":
        n = sum(counts)
        weight = torch.tensor([n / (3 * max(c, 1)) for c in counts], dtype=torch.float)
        print("class weights", [round(w, 3) for w in weight.tolist()])
    else:
        weight = None
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)

    def batch_loss(logits, lab, idx):
        """The loss of one batch (see the module docstring) and, with --soft, its (gold CE, soft KL) parts."""
        if not soft_probs and not gold_teacher:
            return loss_fn(logits, lab), None
        gold = lab >= 0
        n, n_gold = len(idx), int(gold.sum())
        loss, ce, kl = logits.new_zeros(()), None, None
        if n_gold:
            ce = loss_fn(logits[gold], lab[gold])
            if gold_teacher:
                t = a.kd_temp
                teacher_logits = torch.tensor([gold_teacher[i] for i, g in zip(idx, gold.tolist()) if g])
                p = torch.softmax(teacher_logits / t, dim=-1)
                logq = torch.log_softmax(logits[gold] / t, dim=-1)
                kd = (p * (torch.log(p.clamp_min(1e-12)) - logq)).sum(-1).mean() * t * t
                ce = (1 - a.kd_weight) * ce + a.kd_weight * kd
            loss = loss + ce * (n_gold / n)
        if n_gold < n:
            target = torch.tensor([soft_probs[i] for i, g in zip(idx, gold.tolist()) if not g], dtype=torch.float)
            logq = torch.log_softmax(logits[~gold], dim=-1)
            kl = (target * (torch.log(target.clamp_min(1e-12)) - logq)).sum(-1).mean()
            loss = loss + a.soft_weight * kl * ((n - n_gold) / n)
        return loss, (ce, kl)

    steps_per_epoch = math.ceil(len(train) / a.batch)
    total = steps_per_epoch * a.epochs
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=a.lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(a.warmup * total), total)
    state = {"epoch": 0, "step_in_epoch": 0, "global_step": 0, "best_score": -1.0, "best_at": None,
             "history": [], "args": {k: getattr(a, k) for k in RESUME_KEYS}, "done": False}
    last = os.path.join(a.ckpt, "last.pt")
    best_dir = os.path.join(a.ckpt, "best")
    if os.path.exists(last):
        ck = torch.load(last, weights_only=False, map_location="cpu")
        # checkpoints from before --cap / --init-seed / --soft / --train-top existed
        saved = {"cap": "", "examples": None, "soft": "", "soft_weight": 1.0, "soft_n": 0, "train_top": 0,
                 "teacher": "", "kd_weight": 0.5, "kd_temp": 2.0, "layers": 0, "freeze_embeddings": False, "context": False, "repeat": "", "select": "",
                 "init_seed": ck["state"]["args"].get("seed"), **ck["state"]["args"]}
        diff = {k: (saved.get(k), getattr(a, k)) for k in RESUME_KEYS if saved.get(k) != getattr(a, k)}
        if diff:
            sys.exit(f"{last} was written with other arguments {diff}; use another --ckpt or the same arguments")
        model.load_state_dict(ck["model"]); opt.load_state_dict(ck["opt"]); sched.load_state_dict(ck["sched"])
        state = ck["state"]
        if "torch_rng" in ck:
            torch.set_rng_state(ck["torch_rng"])
        print(f"resumed at epoch {state['epoch']} step {state['step_in_epoch']} (global {state['global_step']}), "
              f"best {state['best_score']:.4f}", flush=True)

    def save():
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "state": state, "torch_rng": torch.get_rng_state()}, tmp)
        os.replace(tmp, last)

    def save_best():
        tmp = best_dir + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save(os.path.join(tmp, "tokenizer.json"))
        old = best_dir + ".old"
        shutil.rmtree(old, ignore_errors=True)
        if os.path.isdir(best_dir):
            os.replace(best_dir, old)
        os.replace(tmp, best_dir)
        shutil.rmtree(old, ignore_errors=True)

    def run_dev(tag):
        res = evaluate(model, dev, pad_id, use_types, a.bf16)
        score = dev_score(res)
        rec = {"epoch": state["epoch"] + (state["step_in_epoch"] / steps_per_epoch), "global_step": state["global_step"],
               "tag": tag, "dev_score": score, **{k: v for k, v in res.items()}}
        state["history"].append(rec)
        print(f"[{tag}] dev score {score:.4f}  {fmt(res)}", flush=True)
        if score > state["best_score"]:
            state["best_score"], state["best_at"] = score, tag
            save_best()
            print(f"  new best -> {best_dir}", flush=True)

    if not a.test_only:
        model.train()
        t_start, t_win, n_win, ran = time.time(), time.time(), 0, 0
        stopped = False
        while state["epoch"] < a.epochs and not stopped:
            order = epoch_order(train, a.batch, random.Random(a.init_seed * 1000 + state["epoch"]), a.balance)
            for step in range(state["step_in_epoch"], len(order)):
                ids, types, mask, lab = collate(train, order[step], pad_id)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
                    logits = forward(model, ids, types, mask, use_types)
                loss, parts = batch_loss(logits.float(), lab, order[step])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step(); sched.step(); opt.zero_grad()
                state["step_in_epoch"] = step + 1
                state["global_step"] += 1
                ran += 1; n_win += 1
                if step % 10 == 0 or ran <= 3:
                    now = time.time()
                    split = "" if parts is None else " (gold {} {}, soft KL {})".format("CE+KD" if gold_teacher else "CE",
                        *("-" if x is None else f"{x.item():.4f}" for x in parts))
                    print(f"epoch {state['epoch']} step {step}/{len(order)} loss {loss.item():.4f}{split} "
                          f"{(now - t_win) / n_win:.2f}s/step (len {ids.shape[1]}) {now - t_start:.0f}s", flush=True)
                    t_win, n_win = now, 0
                if a.eval_every and state["global_step"] % a.eval_every == 0 and state["step_in_epoch"] < len(order):
                    run_dev(f"step {state['global_step']}")
                if state["step_in_epoch"] % a.save_every == 0:
                    save()
                if (a.max_steps and ran >= a.max_steps) or (a.stop_at_step and state["global_step"] >= a.stop_at_step):
                    stopped = True
                    break
            if stopped:
                save()
                print(f"stopped after {ran} steps (--max-steps / --stop-at-step), {(time.time() - t_start) / ran:.2f}s/step "
                      f"overall; rerun to continue", flush=True)
                break
            run_dev(f"epoch {state['epoch'] + 1}")
            state["epoch"] += 1
            state["step_in_epoch"] = 0
            save()
        if stopped:
            json.dump(state, open(os.path.join(a.ckpt, "history.json"), "w"), indent=2)
            return
        print("dev scores per evaluation:")
        for h in state["history"]:
            print(f"  {h['tag']:>12s}  dev {h['dev_score']:.4f}  "
                  + "  ".join(f"{k} {h[k]['macro_f1' if k == 'newsmtsc_dev' else 'f1_fa']:.4f}"
                              for k in ("newsmtsc_dev", "pstance_dev") if k in h))
        print(f"best {state['best_score']:.4f} at {state['best_at']}", flush=True)
        state["done"] = True
        save()

    if not a.no_test:
        if not os.path.isdir(best_dir):
            sys.exit(f"no {best_dir}")
        model = AutoModelForSequenceClassification.from_pretrained(best_dir)
        tests = {}
        for name in ("newsmtsc_test", "pstance_val", "vast_dev", "reddit_val", "mtcsd_spacex_valid", "comment_dev"):
            exs = sd.load_set(name, a.data)
            if name == "pstance_val" and a.pstance_none == "drop":
                exs = [e for e in exs if e["label"] != "neutral"]
            if a.limit_test:
                exs = random.Random(a.seed).sample(exs, min(a.limit_test, len(exs)))
            tests[name] = enc(exs)
        res = evaluate(model, tests, pad_id, use_types, a.bf16)
        print("TEST (best checkpoint; NewsMTSC devtest_mt = acceptance set: macro F1; P-Stance: F1fa; "
              "VAST: macro F1; reddit: labels are thread support, for information only)")
        for k, v in res.items():
            print(f"  {k:14s} macroF1 {v['macro_f1']:.4f}  F1fa {v['f1_fa']:.4f}  acc {v['acc']:.4f}  "
                  f"n={v['n']}  per class " + " ".join(f"{c} {f:.3f}" for c, f in v["f1"].items()))
        state["test"] = res
        json.dump(res, open(os.path.join(best_dir, "test_scores.json"), "w"), indent=2)
    json.dump(state, open(os.path.join(a.ckpt, "history.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
