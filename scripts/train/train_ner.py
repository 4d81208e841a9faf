#!/usr/bin/env python3
"""Fine-tune a pretrained encoder for NER on CoNLL-2003 (all of it, or a
seeded share of its documents, --conll-share), optionally with WNUT-17
train, Tweebank-NER train, Broad Twitter Corpus sections and case-noised
copies of the CoNLL sentences (scripts/lib/ner_data.py reads and maps the data),
and keep the best evaluation point for export.

Resumable: every --save-every steps the model, optimizer, scheduler and data
position are written to CKPT/last.pt; a rerun with the same arguments picks
up where it stopped (a rerun whose data arguments differ is refused). The
model is evaluated after every epoch, every --eval-every steps within one,
and with --eval-start before the first step; the point with the best
selection score is kept in CKPT/best/ as a Hugging Face checkpoint. The
selection score is the entity-level F1 over word pieces on CoNLL-2003
valid.txt, or with --select-tweebank the mean of that and the same F1 on
Tweebank-NER dev. WNUT-17 dev and BTC's held-out sections (h dev, f test)
are never used here (they are measured by `stancegraph eval ner`).

BTC sentences read with --btc-o o-or-misc carry the training-only label
NOT_PER_ORG_LOC (ner_data.py) on their O words: the loss of such a piece is
-log(p(O) + p(B-MISC) + p(I-MISC)), and every other piece's loss is the
usual cross-entropy (`partial_label_loss`).

Inputs are documents packed into chunks of whole sentences of at most
--max-len word pieces, so the model sees the cross-sentence context that the
Rust side gives it (it runs whole texts with sliding windows). Every word piece
carries a label: the first piece of a word its word's tag, later pieces the
I- form of it, so the Rust decoder can read spans off the pieces directly.

Bases: any Hugging Face encoder with a fast tokenizer, e.g. the recovered
DistilBERT or checkpoints/bases/mpnet-base (all-mpnet-base-v2, whose
tokenizer lower-cases; the pieces are then read lower-cased, as before).
--layers N keeps only the base's first N encoder layers (a smaller, faster
model: the lower layers are the ones that carry the lexical and entity
features, so dropping the top ones costs least). --casing (MPNet bases only) adds a learned casing embedding
(scripts/lib/ner_casing.py: 5 classes of the original-cased word each piece
belongs to, an nn.Embedding(5, hidden) initialised to zeros and added to
the word embeddings), so the uncased encoder sees capitalisation again.

usage: train_ner.py --base DIR --ckpt DIR [--casing] [--epochs 3] [--lr 5e-5] ...
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ner_casing as nc  # noqa: E402
import ner_data as nd  # noqa: E402
import shared_tables as st  # noqa: E402  (the frozen tables shared with models/stance-accurate)

LABELS, L2I = nd.LABELS, nd.L2I
# arguments that must not change between a run and its resumption (they decide the data and its order)
RESUME_KEYS = ("wnut", "wnut_unmapped", "lower_share", "upper_share", "noise_seed", "limit_train", "batch",
               "max_len", "epochs", "seed", "casing", "freeze_embeddings", "layers", "embeddings_from",
               "tweebank", "btc_train", "btc_o", "conll_share", "select_tweebank", "eval_every", "eval_start")
# training label ids: LABELS' and, after them, NOT_PER_ORG_LOC (O, B-MISC or I-MISC)
TRAIN_L2I = {**L2I, nd.NOT_PER_ORG_LOC: len(LABELS)}
ALLOWED = torch.eye(len(LABELS), dtype=torch.bool)
ALLOWED = torch.cat([ALLOWED, torch.tensor([[l in ("O", "B-MISC", "I-MISC") for l in LABELS]])])
# defaults that resumed checkpoints from before an argument existed were written with
RESUME_DEFAULTS = {"casing": False, "freeze_embeddings": False, "layers": 0, "embeddings_from": "", "tweebank": False,
                   "btc_train": "", "btc_o": "o-or-misc", "conll_share": 1.0, "select_tweebank": False,
                   "eval_every": 0, "eval_start": False}



def word_casing(tok, w, n_pieces):
    """The casing class of each of the n_pieces pieces of the CoNLL token w, from w's original
    text (ner_casing.piece_casing over the pre-tokenizer words inside w). Should the original
    text split into another number of pieces than the (lower-cased) text the ids come from
    (a rare Unicode lower-casing), every piece takes the class of the whole token."""
    enc = tok(w, add_special_tokens=False, return_offsets_mapping=True)
    cases = nc.piece_casing(w, enc["offset_mapping"], enc.word_ids())
    return cases if len(cases) == n_pieces else [nc.casing_class(w)] * n_pieces


def encode_sentence(tok, words, tags, lowercase, casing=False):
    """Piece ids, piece labels and piece casing classes (all 0 unless `casing`) of one sentence."""
    ids, labels, cases = [], [], []
    for w, t in zip(words, tags):
        pieces = tok(w.lower() if lowercase else w, add_special_tokens=False)["input_ids"] or [tok.unk_token_id]
        ids.extend(pieces)
        labels.append(TRAIN_L2I[t])
        cont = "I-" + t[2:] if t.startswith("B-") else t
        labels.extend([TRAIN_L2I[cont]] * (len(pieces) - 1))
        cases.extend(word_casing(tok, w, len(pieces)) if casing else [0] * len(pieces))
    return ids, labels, cases


def chunks(tok, docs, max_len, lowercase, casing=False):
    """Pack each document's sentences into chunks of <= max_len pieces: (ids, labels, casing
    classes), framed by the tokenizer's start and end tokens (label -100, casing class 0)."""
    out = []
    for doc in docs:
        cur = ([], [], [])
        for words, tags in doc:
            sent = [x[: max_len - 2] for x in encode_sentence(tok, words, tags, lowercase, casing)]
            if cur[0] and len(cur[0]) + len(sent[0]) > max_len - 2:
                out.append(cur)
                cur = ([], [], [])
            for c, x in zip(cur, sent):
                c += x
        if cur[0]:
            out.append(cur)
    return [([tok.cls_token_id] + i + [tok.sep_token_id], [-100] + l + [-100], [0] + c + [0]) for i, l, c in out]


def batches(items, bs, shuffle, rng, pad_id):
    """(ids, mask, labels, casing classes) tensors of padded batches; padding has casing class 0."""
    idx = list(range(len(items)))
    if shuffle:
        rng.shuffle(idx)
    for s in range(0, len(idx), bs):
        group = [items[i] for i in idx[s: s + bs]]
        n = max(len(g[0]) for g in group)
        ids = torch.full((len(group), n), pad_id, dtype=torch.long)
        lab = torch.full((len(group), n), -100, dtype=torch.long)
        mask = torch.zeros((len(group), n), dtype=torch.long)
        case = torch.zeros((len(group), n), dtype=torch.long)
        for r, (i, l, c) in enumerate(group):
            ids[r, : len(i)] = torch.tensor(i)
            lab[r, : len(l)] = torch.tensor(l)
            mask[r, : len(i)] = 1
            case[r, : len(c)] = torch.tensor(c)
        yield ids, mask, lab, case


def run(model, ids, mask, case, labels=None):
    """The model's forward; the casing model also takes the casing classes."""
    kw = {"case_ids": case} if getattr(model.config, "casing_embedding", None) else {}
    return model(input_ids=ids, attention_mask=mask, labels=labels, **kw)


def partial_label_loss(logits, labels):
    """Mean over labelled pieces (label != -100) of -log of the probability of the piece's allowed
    labels (ALLOWED: its own label, or O/B-MISC/I-MISC for NOT_PER_ORG_LOC): cross-entropy when one
    label is allowed."""
    keep = labels != -100
    logits, labels = logits[keep].float(), labels[keep]
    allowed = ALLOWED.to(logits.device)[labels]
    return (logits.logsumexp(-1) - logits.masked_fill(~allowed, float("-inf")).logsumexp(-1)).mean()


def spans(labels):
    """Entity spans (type, start, end) from an IOB2 label-id sequence."""
    out, cur = set(), None
    for i, l in enumerate(labels + [0]):
        tag = LABELS[l]
        if cur and (tag == "O" or tag.startswith("B-") or tag[2:] != cur[0]):
            out.add((cur[0], cur[1], i))
            cur = None
        if tag.startswith("B-") or (tag.startswith("I-") and cur is None):
            cur = (tag[2:], i)
    return out


def evaluate(model, items, pad_id):
    model.eval()
    tp = fp = fn = 0
    with torch.no_grad():
        for ids, mask, lab, case in batches(items, 64, False, None, pad_id):
            pred = run(model, ids, mask, case).logits.argmax(-1)
            for p, g in zip(pred.tolist(), lab.tolist()):
                keep = [k for k, x in enumerate(g) if x != -100]
                ps, gs = spans([p[k] for k in keep]), spans([g[k] for k in keep])
                tp += len(ps & gs); fp += len(ps - gs); fn += len(gs - ps)
    model.train()
    prec = tp / max(tp + fp, 1); rec = tp / max(tp + fn, 1)
    return 2 * prec * rec / max(prec + rec, 1e-9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--data", default="../shared/data/ner")
    ap.add_argument("--wnut", action="store_true",
                    help="add WNUT-17 train: person->PER, location->LOC, corporation/group->ORG")
    ap.add_argument("--wnut-unmapped", choices=nd.UNMAPPED_POLICIES, default="misc",
                    help="WNUT-17 product/creative-work: read as MISC (default), as O, or drop their sentences "
                         "(see scripts/lib/ner_data.py)")
    ap.add_argument("--lower-share", type=float, default=0.0,
                    help="add lower-cased copies of this share of the CoNLL train sentences")
    ap.add_argument("--upper-share", type=float, default=0.0,
                    help="add upper-cased copies of this share of the CoNLL train sentences")
    ap.add_argument("--noise-seed", type=int, default=13,
                    help="seed of the case-noise sample, the --conll-share sample and --limit-train")
    ap.add_argument("--conll-share", type=float, default=1.0,
                    help="train on a seeded share of the CoNLL-2003 train documents (case noise copies from them)")
    ap.add_argument("--tweebank", action="store_true", help="add Tweebank-NER train (tweebank/train.bio)")
    ap.add_argument("--btc-train", default="",
                    help="add these Broad Twitter Corpus sections, comma-separated (e.g. a,b,e; h and f are held out)")
    ap.add_argument("--btc-o", choices=nd.BTC_O_POLICIES, default="o-or-misc",
                    help="BTC's O: 'not PER/ORG/LOC' (O or MISC, default) or plain O (see scripts/lib/ner_data.py)")
    ap.add_argument("--select-tweebank", action="store_true",
                    help="select on the mean of CoNLL valid and Tweebank-NER dev F1 instead of CoNLL valid alone")
    ap.add_argument("--eval-every", type=int, default=0,
                    help="also evaluate (and keep the best) every N steps within an epoch")
    ap.add_argument("--count-only", action="store_true",
                    help="print the training data's parts, chunks and steps, and stop (loads no model)")
    ap.add_argument("--eval-start", action="store_true",
                    help="also evaluate the starting weights (they are kept as best/ if nothing beats them)")
    ap.add_argument("--limit-train", type=int, default=0, help="train on a seeded sample of N chunks (smoke tests)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--save-every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--limit-valid", type=int, default=0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast for the forward pass (fp32 master weights)")
    ap.add_argument("--casing", action="store_true",
                    help="add a learned casing embedding (scripts/lib/ner_casing.py; MPNet bases only)")
    ap.add_argument("--casing-init-std", type=float, default=0.0,
                    help="start the casing rows at N(0, X) instead of zeros: for smoke tests only, so that a "
                         "check of the casing wiring sees them after 3 steps (train_ner_mpnet.sh --smoke)")
    ap.add_argument("--freeze-embeddings", action="store_true",
                    help="keep the word-piece and position embeddings as in --base (shared_tables.FROZEN_EMBEDDINGS)")
    ap.add_argument("--embeddings-from", default="",
                    help="with --freeze-embeddings: take the frozen word-piece and position tables from this model "
                         "folder (same architecture and tokenizer, e.g. models/stance-accurate), so the exported "
                         "model can share its word-piece table with that model (export_ner.py --share-embeddings)")
    ap.add_argument("--layers", type=int, default=0,
                    help="keep only the base's first N encoder layers (0: all); the upper ones are dropped "
                         "before training, so the model costs N/12 of a 12-layer base per piece")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.ckpt, exist_ok=True)

    tok = AutoTokenizer.from_pretrained(a.base)
    lowercase = bool(getattr(tok, "do_lower_case", False)) or tok("A")["input_ids"] == tok("a")["input_ids"]
    conll_train = nd.sample_documents(nd.read_conll(os.path.join(a.data, "conll2003/train.txt")), a.conll_share,
                                      a.noise_seed)
    train_docs = list(conll_train)
    parts = {"conll_docs": len(conll_train), "conll_sentences": sum(len(d) for d in conll_train)}
    if a.tweebank:
        tweebank = nd.read_tweebank(os.path.join(a.data, "tweebank/train.bio"))
        train_docs += tweebank
        parts["tweebank_sentences"] = len(tweebank)
    for section in nd.btc_sections(a.btc_train):
        btc = nd.read_btc(os.path.join(a.data, f"btc/{section}.conll"), a.btc_o)
        train_docs += btc
        parts[f"btc_{section}_sentences"] = len(btc)
    if a.wnut:
        wnut_docs, stats = nd.read_wnut17(os.path.join(a.data, "wnut17/train.conll"), a.wnut_unmapped)
        train_docs += wnut_docs
        parts["wnut_sentences"] = len(wnut_docs)
        parts["wnut_dropped"] = stats["dropped"]
    if a.lower_share or a.upper_share:
        noised = nd.case_noised(conll_train, a.lower_share, a.upper_share, a.noise_seed)
        train_docs += noised
        parts["case_noised_sentences"] = len(noised)
    train = chunks(tok, train_docs, a.max_len, lowercase, a.casing)
    parts["chunks"] = len(train)
    if a.limit_train and a.limit_train < len(train):  # smoke tests: a seeded sample, in corpus order
        keep = sorted(random.Random(a.noise_seed).sample(range(len(train)), a.limit_train))
        train = [train[i] for i in keep]
    valid_sets = {"valid_f1": nd.read_conll(os.path.join(a.data, "conll2003/valid.txt"))}
    if a.select_tweebank:
        valid_sets["tweebank_dev_f1"] = nd.read_tweebank(os.path.join(a.data, "tweebank/dev.bio"))
    valid_sets = {k: chunks(tok, d, a.max_len, lowercase, a.casing) for k, d in valid_sets.items()}
    if a.limit_valid:
        valid_sets = {k: v[: a.limit_valid] for k, v in valid_sets.items()}
    print(f"train data {parts}", flush=True)
    steps_per_epoch = math.ceil(len(train) / a.batch)
    total = steps_per_epoch * a.epochs
    print(f"train chunks {len(train)}, valid chunks { {k: len(v) for k, v in valid_sets.items()} }, "
          f"steps per epoch {steps_per_epoch}, steps {total}, lowercase={lowercase}", flush=True)
    if a.count_only:
        return

    config = AutoConfig.from_pretrained(a.base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
                                        label2id=L2I)
    if a.layers:
        if a.layers > config.num_hidden_layers:
            sys.exit(f"--layers {a.layers}: the base has only {config.num_hidden_layers}")
        config.num_hidden_layers = a.layers  # from_pretrained then loads layers 0..N-1 and skips the rest
    if a.casing:
        if config.model_type != "mpnet":
            sys.exit(f"--casing is implemented for MPNet bases, not {config.model_type}")
        config.casing_embedding = nc.CASING_CLASSES
        model, info = nc.model_class().from_pretrained(a.base, config=config, output_loading_info=True)
        if any("casing_embeddings" in k for k in info["missing_keys"]):
            model.zero_casing()  # new: zeros (from_pretrained initialised it at random)
            if a.casing_init_std:
                with torch.no_grad():
                    model.mpnet.embeddings.casing_embeddings.weight.normal_(0.0, a.casing_init_std)
    else:
        model = AutoModelForTokenClassification.from_pretrained(a.base, config=config)
    if a.embeddings_from and not a.freeze_embeddings:
        sys.exit("--embeddings-from needs --freeze-embeddings")
    if a.freeze_embeddings:
        st.freeze_tables(model, a.embeddings_from)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=a.lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * total), total)
    args = {k: getattr(a, k) for k in RESUME_KEYS}
    state = {"epoch": 0, "step_in_epoch": 0, "best_f1": -1.0, "history": [], "args": args}
    last = os.path.join(a.ckpt, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last, weights_only=False)
        # checkpoints from before the data options recorded no arguments: CoNLL only
        legacy = {"lower_share": 0.0, "upper_share": 0.0, "wnut_unmapped": "misc" if a.wnut else a.wnut_unmapped}
        saved = ck["state"].get("args", {**args, **legacy})
        for k, v in RESUME_DEFAULTS.items():  # checkpoints from before an argument existed had none
            saved.setdefault(k, v)
        diff = {k: (saved.get(k), v) for k, v in args.items() if saved.get(k, v) != v}
        if diff:
            sys.exit(f"{last} was written with other arguments {diff}; use another --ckpt or the same arguments")
        model.load_state_dict(ck["model"]); opt.load_state_dict(ck["opt"]); sched.load_state_dict(ck["sched"])
        state = ck["state"]
        state.setdefault("args", args)
        print("resumed at", state, flush=True)

    def save():
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "state": state}, tmp)
        os.replace(tmp, last)

    def evaluation_point(epoch, step):
        """Scores the model on the valid sets, keeps it as best/ when its selection score is the best
        so far, records it in the history and saves the state."""
        scores = {k: evaluate(model, v, tok.pad_token_id) for k, v in valid_sets.items()}
        selection = sum(scores.values()) / len(scores)
        state["history"].append({"epoch": epoch, "step": step, **scores, "selection": selection})
        print(f"epoch {epoch} step {step}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
              + f", selection {selection:.4f}", flush=True)
        if selection > state["best_f1"]:
            state["best_f1"] = selection
            model.save_pretrained(os.path.join(a.ckpt, "best"))
            tok.save_pretrained(os.path.join(a.ckpt, "best"))
            print(f"best so far: epoch {epoch} step {step}", flush=True)
        save()

    if a.eval_start and not state["history"]:
        evaluation_point(0, 0)
    model.train()
    t0 = time.time()
    while state["epoch"] < a.epochs:
        rng = random.Random(a.seed + state["epoch"])
        for step, (ids, mask, lab, case) in enumerate(batches(train, a.batch, True, rng, tok.pad_token_id)):
            if step < state["step_in_epoch"]:
                continue
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
                loss = partial_label_loss(run(model, ids, mask, case).logits, lab)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); opt.zero_grad()
            state["step_in_epoch"] = step + 1
            if step % 10 == 0:
                print(f"epoch {state['epoch']} step {step}/{steps_per_epoch} loss {loss.item():.4f} "
                      f"{time.time() - t0:.0f}s", flush=True)
            within = state["step_in_epoch"] < steps_per_epoch
            if within and a.eval_every and state["step_in_epoch"] % a.eval_every == 0:
                evaluation_point(state["epoch"], state["step_in_epoch"])
            elif state["step_in_epoch"] % a.save_every == 0:
                save()
        state["epoch"] += 1
        state["step_in_epoch"] = 0
        evaluation_point(state["epoch"], steps_per_epoch)
    json.dump(state, open(os.path.join(a.ckpt, "history.json"), "w"), indent=2)
    print("done", state, flush=True)


if __name__ == "__main__":
    main()
