#!/usr/bin/env python3
"""Stance data: readers for the stance sets in ../shared/data/stance and the
one input encoding shared by training (train_stance.py) and the Rust side.

Every reader returns a list of dicts

    {"text": str, "target": str, "spans": [(start, end), ...],
     "label": "against" | "neutral" | "favour", "source": str}

`spans` are character offsets (Python string indices = Unicode code points) of
the target's mentions in `text`, sorted, non-overlapping; an empty list when
the target is never named in the text (topics such as "Atheism").
Label ids are fixed: 0 against, 1 neutral, 2 favour (LABELS).

Nothing here copies data anywhere; the sets are read in place.

INPUT ENCODING (mirror this byte for byte on the Rust side)
===========================================================

Tokenizer: the exported tokenizer.json (Hugging Face `tokenizers`, WordPiece).
It is the base model's tokenizer with the two marker tokens registered as
*special added tokens* (AddedToken(special=True, normalized=False, no strip)):

    MARK_OPEN  = "[unused1]"      MARK_CLOSE = "[unused2]"

Both already exist in every base vocabulary (bert-base-cased: ids 1 and 2;
bert-base-uncased / MiniLM: ids 2 and 3; MPNet: ids 6 and 7), so the vocabulary and the embedding
matrix are unchanged; only tokenizer.json's `added_tokens` lists them, which
makes the tokenizer match them whole (otherwise "[unused1]" would be split into
"[", "unused", "##1", "]"). The ids are also written to config.json
(`stancegraph.markers`). ("[unused0]" does not exist in the cased vocabulary,
which starts at [unused1]; plain-text markers like "<<"/">>" are not whole
vocabulary entries either, hence the [unusedN] choice.)

Step 1, the strings. `spans` are the entity's mentions in the text (in Rust:
the StanceQuery mentions; byte offsets there give the same string). Sort them
by start, drop any span that overlaps an earlier kept one (ties: the longer
one first). Then

    marked(text) = text with every kept span [s, e) replaced by
                   MARK_OPEN + " " + text[s:e] + " " + MARK_CLOSE
                   (one space inside each marker, nothing added outside;
                    all other characters untouched)

    mode "marked": first = marked(text),  second = none
    mode "pair":   first = text,          second = target
    mode "both":   first = marked(text),  second = target

`target` is the entity's name as a plain string (e.g. "Donald Trump"); it is
not marked and not altered.

Step 2, the pieces. Tokenize each string separately WITHOUT special tokens
(Rust: `tokenizer.encode(s, false)` with truncation and padding off; Python:
`Tokenizer.encode(s, add_special_tokens=False)`):

    A = ids(first)
    B = ids(second)[:MAX_TARGET_PIECES]    (MAX_TARGET_PIECES = 16; B = [] if none)

Step 3, the window (max_len = 128 by default, recorded in config.json):

    budget = max_len - 2                 if there is no second segment
           = max_len - 3 - len(B)        otherwise (layout "bert"; "roberta":
                                         max_len - 4 - len(B), see step 4)
    if len(A) > budget:
        anchor = len(ids(text[:s0]))     s0 = start of the first kept span;
                                         anchor = 0 when there are no spans
                                         (with markers this is exactly the
                                          index of the first MARK_OPEN in A)
        start  = min(max(anchor - budget // 2, 0), len(A) - budget)
        A      = A[start : start + budget]

i.e. a window of the text centred on the first mention (the start of the text
when there is no mention), cut at piece boundaries (it may start with a "##"
piece). A window may cut a later mention between its two
markers; that is accepted.

Step 4, the model input, laid out as the tokenizer's own post-processor
lays out a pair (LAYOUTS; the layout is the tokenizer's: "roberta" when its
tokenizer.json post-processor is RobertaProcessing, as MPNet's is, else
"bert"; the Rust side takes it from config.json `model_type`, mpnet ->
roberta):

  layout "bert" (BERT / MiniLM / DistilBERT):
    input_ids      = [CLS] + A + [SEP]                        (no second)
                   = [CLS] + A + [SEP] + B + [SEP]            (with second)
    token_type_ids = 0 for [CLS], A and the first [SEP]; 1 for B and the last
                     [SEP]  (BERT / MiniLM; DistilBERT takes none)
    attention_mask = 1 everywhere; padding, when batching, is [PAD] with mask 0
                     and token type 0

  layout "roberta" (MPNet):
    input_ids      = <s> + A + </s>                           (no second)
                   = <s> + A + </s> + </s> + B + </s>         (with second)
    token_type_ids = 0 everywhere (MPNet takes none)
    attention_mask = 1 everywhere; padding is <pad> (id 1) with mask 0

  i.e. what `Tokenizer.encode(first, second)` with special tokens gives for
  an input that needs no truncation. With the "roberta" layout the pair costs
  one more special token, so step 3's budget with a second segment is
  max_len - 4 - len(B) there (max_len - 2 - EXTRA - len(B), EXTRA = 1 for
  bert, 2 for roberta).

Step 5, the conversation (models whose config.json has
`stancegraph.context`: true; mode "both" only). Two more strings:

    title  = the document's title, or failing that its first sentence
             ("" when neither exists)
    parent = the text of the comment this one replies to ("" when it
             replies to the document itself)

    T = ids(title)[:MAX_TITLE_PIECES]      (MAX_TITLE_PIECES  = 24)
    P = ids(parent)[:MAX_PARENT_PIECES]    (MAX_PARENT_PIECES = 64)

and step 4's input gets two more slots, always both (an empty slot is just
its closing separator):

    input_ids = step-4 input + T + SEP + P + SEP       (SEP: [SEP] or </s>)
    token_type_ids: T, P and their separators take B's type

The comment's window (step 3) is computed exactly as without context, from
max_len; the context only adds pieces after it, so the comment is never cut
to make room for its context. The longest input is max_len + 24 + 64 + 2.

Output: softmax over the 3 logits, label order 0 against, 1 neutral, 2 favour;
confidence = the winning probability.

Because added tokens split the text before normalisation and
pre-tokenisation, ids(marked(text)) equals the concatenation of
ids(text[:s]), [MARK_OPEN], ids(text[s:e]), [MARK_CLOSE], ids(text[e:]) ...
so the Rust side may equally build A piecewise from the segments
(check_piecewise() below asserts this).

MENTION FINDING for sets without offsets (find_mentions): case-insensitive
matches of the target's aliases, each as a whole word (no letter, digit or "_"
immediately before or after), plus hashtags starting with a known prefix
("#Trump2020", "#TrumpIsANationalDisgrace", whole hashtag marked) and known
handles ("@realDonaldTrump", also as "#realDonaldTrump" or bare); a known
person's name may carry a bare "s" ("Trumps business", apostrophes are often
missing in tweets). Known persons (ALIASES): Donald Trump, Joe Biden,
Bernie Sanders, Hillary Clinton; any other target matches only its full
string, so topics ("Atheism", "Climate Change is a Real Concern") usually get
no spans. Overlaps are resolved as in step 1.
"""
import csv
import json
import os
import random
import re
from collections import Counter

LABELS = ["against", "neutral", "favour"]
L2I = {l: i for i, l in enumerate(LABELS)}
MARK_OPEN = "[unused1]"
MARK_CLOSE = "[unused2]"
MODES = ("marked", "pair", "both")
MAX_LEN = 128
MAX_TARGET_PIECES = 16
MAX_TITLE_PIECES = 24
MAX_PARENT_PIECES = 64

DATA = "../shared/data/stance"

# Known persons: whole-word aliases, hashtag prefixes, handles.
ALIASES = {
    "donald trump": {
        "words": ["Donald Trump", "Donald J. Trump", "Trump", "Donald"],
        "hashtags": ["Trump", "DonaldTrump"],
        "handles": ["@realDonaldTrump"],
    },
    "joe biden": {
        "words": ["Joe Biden", "Joseph Biden", "Biden", "Joe"],
        "hashtags": ["Biden", "JoeBiden"],
        "handles": ["@JoeBiden"],
    },
    "bernie sanders": {
        "words": ["Bernie Sanders", "Bernie", "Sanders"],
        "hashtags": ["Bernie", "Sanders"],
        "handles": ["@BernieSanders", "@SenSanders"],
    },
    "hillary clinton": {
        "words": ["Hillary Clinton", "Hillary Rodham Clinton", "Hillary", "Hilary", "Clinton"],
        "hashtags": ["Hillary", "Hilary", "HillaryClinton"],
        "handles": ["@HillaryClinton"],
    },
}

PRONOUNS = {
    "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
    "they", "them", "their", "theirs", "themselves", "who", "whom", "whose", "this", "that",
}


# ---------------------------------------------------------------- mentions

def resolve_overlaps(spans):
    """Sorted by start (longer first on ties); drop spans overlapping a kept one."""
    out = []
    for s, e in sorted(set((int(s), int(e)) for s, e in spans if e > s), key=lambda x: (x[0], -(x[1] - x[0]))):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


def _patterns(target):
    al = ALIASES.get(target.strip().lower())
    pats = []
    if al:
        # handles, also as hashtags or bare ("#realDonaldTrump", "RT realDonaldTrump:")
        pats += [r"(?<![\w@#])[@#]?" + re.escape(h.lstrip("@")) + r"(?!\w)" for h in al["handles"]]
        pats += [r"(?<![\w#])#" + re.escape(h) + r"\w*" for h in al["hashtags"]]
        # names, also with a bare plural / possessive "s" ("Trumps business")
        pats += [r"(?<!\w)" + re.escape(w) + r"s?(?!\w)" for w in sorted(al["words"], key=len, reverse=True)]
    else:
        pats += [r"(?<!\w)" + re.escape(target.strip()) + r"(?!\w)"]
    return [re.compile(p, re.IGNORECASE) for p in pats]


def find_mentions(text, target):
    spans = []
    for p in _patterns(target):
        spans += [(m.start(), m.end()) for m in p.finditer(text)]
    return resolve_overlaps(spans)


# ---------------------------------------------------------------- readers

def _ex(text, target, spans, label, source, **extra):
    d = {"text": text, "target": target, "spans": resolve_overlaps(spans), "label": label, "source": source}
    d.update(extra)
    return d


_GID = re.compile(r"^(?:allsides_\d+_\d+_\d+|polusa_v1_\d+_-?\d+_\d+)_(.+)_\d+_\d+$")
_EDGE = " \t\"'“”‘’`«»()[],.;:-–—"


def newsmtsc_target(gid, mention):
    """Target name for a NewsMTSC example: the entity name in the Input.gid
    ("allsides_..._Hillary Clinton_2_17"), cut at the first , ( : or dash
    ("Maxine Waters, D-Calif" -> "Maxine Waters") and cleaned of quotes and
    possessives; the mention itself when that name is unusable (a pronoun,
    under 3 characters, or over 4 words such as "former Secretary of State
    Hillary Clinton", whose descriptors come from elsewhere in the article)."""
    m = _GID.match(gid)
    name = m.group(1) if m else ""
    name = re.split(r"\s*[,(:–—]|\s+-\s+", name.strip(_EDGE + "\\"))[0]
    name = re.sub(r"[’']s$", "", name.strip(_EDGE + "\\")).strip(_EDGE + "\\")
    if name.lower() in PRONOUNS or len(name) < 3 or len(name.split()) > 4:
        return mention
    return name


def read_newsmtsc(path, further="names"):
    """One example per target. spans = the labelled mention plus, with
    further="names", the coreferent further_mentions that are not pronouns
    (the Rust side marks named mentions, not pronouns); further="all" adds all,
    further="none" none."""
    pol = {2.0: "against", 4.0: "neutral", 6.0: "favour"}
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            text = r["sentence_normalized"]
            for t in r["targets"]:
                spans = [(t["from"], t["to"])]
                for fm in t.get("further_mentions", []):
                    if further == "all" or (further == "names" and fm["mention"].strip().lower() not in PRONOUNS):
                        spans.append((fm["from"], fm["to"]))
                out.append(_ex(text, newsmtsc_target(t["Input.gid"], t["mention"]), spans,
                               pol[float(t["polarity"])], "newsmtsc", group=r["primary_gid"]))
    return out


def read_pstance(dir_, split, targets=("trump", "biden", "bernie"), none="neutral"):
    """P-Stance raw_{split}_{target}.csv: Tweet,Target,Stance (FAVOR/AGAINST/NONE).
    none="neutral" keeps NONE as neutral, none="drop" drops it."""
    lab = {"FAVOR": "favour", "AGAINST": "against", "NONE": "neutral"}
    out = []
    for t in targets:
        with open(os.path.join(dir_, f"raw_{split}_{t}.csv"), encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                st = r["Stance"].strip().upper()
                if st == "NONE" and none == "drop":
                    continue
                text, target = r["Tweet"], r["Target"].strip()
                out.append(_ex(text, target, find_mentions(text, target), lab[st], "pstance"))
    return out


def _decode_line(b):
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        s = b.decode("cp1252", errors="replace")
    # a few lines carry mojibake / C1 control bytes: blank them
    return "".join(" " if 0x80 <= ord(c) <= 0x9F or c == "\ufffd" else c for c in s)


def read_semeval(path):
    """SemEval-2016 Task 6 A: TSV ID Target Tweet Stance, CRLF, a few non-UTF-8
    bytes (decoded per line: UTF-8, else cp1252). The "#SemST" tag every tweet
    ends with is an annotation artefact and is removed."""
    lab = {"FAVOR": "favour", "AGAINST": "against", "NONE": "neutral"}
    out = []
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    for i, b in enumerate(lines):
        line = _decode_line(b).rstrip("\r")
        if i == 0 or not line.strip():
            continue
        _id, target, tweet, stance = line.split("\t")
        text = re.sub(r"\s*#SemST\b", "", tweet).strip()
        out.append(_ex(text, target.strip(), find_mentions(text, target.strip()), lab[stance.strip()], "semeval"))
    return out


def read_vast(path):
    """VAST: Tweet,Target,Stance,seen? with 0 against, 1 favour, 2 neutral (CRLF)."""
    lab = {"0": "against", "1": "favour", "2": "neutral"}
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            text, target = r["Tweet"], r["Target"].strip()
            out.append(_ex(text, target, find_mentions(text, target), lab[r["Stance"].strip()], "vast",
                           seen=r.get("seen?", "").strip()))
    return out


_GIF = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def read_reddit(path, target="Donald Trump"):
    """reddit-trump: id,comment_id,parent_comment_id,user_id,parent_user_id,
    parent_content,content,support,parody. Text = `content` (markdown images
    "![gif](giphy|...)" removed, empty rows dropped). There is NO target
    column: `support` (0 neutral, 1 positive, 2 negative) is the comment's
    support for the thread it sits in (the post, which is not in the file, or
    the parent comment), not a stance toward a named entity; the target is set
    to `target` (the set's subject, Donald Trump), which makes the labels noisy
    for this task (e.g. "sycophantic morons like Trump" is labelled neutral)."""
    lab = {"0": "neutral", "1": "favour", "2": "against"}
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            text = _GIF.sub("", r["content"]).strip()
            if not text or text in ("[deleted]", "[removed]"):
                continue
            parent = _GIF.sub("", r.get("parent_content", "")).strip()
            out.append(_ex(text, target, find_mentions(text, target), lab[r["support"].strip()], "reddit",
                           parody=r.get("parody", "").strip(), key=r["comment_id"].strip(),
                           parent="" if parent in ("[deleted]", "[removed]") else parent, title=""))
    return out


def comment_dev_keys(path="data/comment-dev/pairs.tsv"):
    """The reddit comment ids the comment dev set labels (never trained on)."""
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8", newline="") as f:
        return {r["key"] for r in csv.DictReader(f, delimiter="\t") if r["source"] == "reddit"}


def read_mtcsd(dir_, split):
    """MT-CSD {split}.json: each item a reply chain (ids from the root post) and
    the stance of its LAST text toward the thread's target (the folder name:
    Bitcoin, SpaceX). Context as the pipeline sees a comment: title = the root
    post (a headline, usually), parent = the text the last one replies to when
    that is a comment (chains of 3 or more); the root post itself (a chain of
    1) has neither."""
    lab = {"favor": "favour", "against": "against", "none": "neutral"}
    target = os.path.basename(os.path.normpath(dir_))
    with open(os.path.join(dir_, "text.csv"), encoding="utf-8", newline="") as f:
        texts = {r["id"]: r["text"] for r in csv.DictReader(f)}
    with open(os.path.join(dir_, f"{split}.json"), encoding="utf-8") as f:
        items = json.load(f)
    out = []
    for it in items:
        chain = it["index"]
        text = texts[chain[-1]]
        title = texts[chain[0]] if len(chain) >= 2 else ""
        parent = texts[chain[-2]] if len(chain) >= 3 else ""
        out.append(_ex(text, target, find_mentions(text, target), lab[it["stance"].strip().lower()], "mtcsd",
                       title=title, parent=parent, group=chain[0]))
    return out


def first_sentence(text):
    """questions::first_sentence in src/stance/questions.rs: the text up to and including
    the first . ! or ? followed by whitespace or the end (a full stop ending a word
    that holds another one, "U.S.", ends none), or up to the first line break."""
    text = text.lstrip()
    for i, c in enumerate(text):
        if c == "\n":
            return text[:i].rstrip()
        nxt = text[i + 1] if i + 1 < len(text) else None
        if c in ".!?" and (nxt is None or nxt.isspace()):
            word = re.split(r"\s", text[:i])[-1]
            if not (c == "." and "." in word):
                return text[: i + 1]
    return text.rstrip()


def _reddit_threads(data):
    """reddit-trump as scripts/data/reddit_to_jsonl.py sees it: id -> text (parents known
    only through a row's parent_content included) and id -> parent id."""
    rows = {}
    for name in ("reddit_trump_train.csv", "reddit_trump_val.csv"):
        with open(os.path.join(data, "reddit-trump", name), encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                rows.setdefault(r["comment_id"], r)
    texts, parents = {}, {}
    for cid in sorted(rows):
        r = rows[cid]
        p = r["parent_comment_id"].strip()
        if p:
            parents[cid] = p
            if p not in rows and r["parent_content"].strip():
                texts.setdefault(p, r["parent_content"])
    texts.update({cid: r["content"] for cid, r in rows.items()})
    return texts, parents


def _mtcsd_threads(data, topic):
    with open(os.path.join(data, "mtcsd", topic, "text.csv"), encoding="utf-8", newline="") as f:
        return {r["id"]: r["text"] for r in csv.DictReader(f)}


def read_comment_pairs(path, data=DATA, skip_doubt=False):
    """Labelled (comment, entity) pairs in data/comment-dev's pairs.tsv format
    (data/comment-train/pairs.tsv, data/comment-dev/pairs.tsv), joined with their
    texts and conversation as the pipeline sees them after the converters:
    reddit (scripts/data/reddit_to_jsonl.py: title "Reddit thread ROOT", parent the
    replied-to comment), mtcsd-bitcoin / mtcsd-spacex (scripts/data/mtcsd_to_jsonl.py:
    the root post is the document's text, so the title is its first sentence; the
    parent is the id without its last "-N" unless that is the root) and vast
    (scripts/data/vast_to_jsonl.py: title "VAST dev comment N", no parent) and pstance
    (scripts/data/pstance_to_jsonl.py: title "P-Stance tweet FILE ROW", no parent). Each text's
    SHA-256 is checked against the row's text_sha16."""
    import hashlib
    cache = {}
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:
        if skip_doubt and r["doubt"] == "1":
            continue
        src, key = r["source"], r["key"]
        if src == "reddit":
            if src not in cache:
                cache[src] = _reddit_threads(data)
            texts, parents = cache[src]
            text = texts[key]
            parent = texts.get(parents.get(key, ""), "")
            title = "Reddit thread " + r["doc_id"].removeprefix("reddit-")
        elif src.startswith("mtcsd-"):
            topic = {"mtcsd-bitcoin": "Bitcoin", "mtcsd-spacex": "SpaceX"}[src]
            if topic not in cache:
                cache[topic] = _mtcsd_threads(data, topic)
            texts = cache[topic]
            text = texts[key]
            root, up = key.split("-")[0], key.rsplit("-", 1)[0]
            parent = texts[up] if "-" in key and up != root else ""
            title = first_sentence(texts[root])
        elif src == "pstance":
            name, row = key.rsplit("-", 1)
            cache.setdefault("pstance", {})
            if name not in cache["pstance"]:
                with open(os.path.join(data, "pstance", f"raw_train_{name}.csv"), encoding="utf-8", newline="") as f:
                    cache["pstance"][name] = [x["Tweet"] for x in csv.DictReader(f)]
            text, parent, title = cache["pstance"][name][int(row)], "", f"P-Stance tweet {name} {row}"
        elif src == "vast":
            if "vast" not in cache:
                with open(os.path.join(data, "vast", "dev.csv"), encoding="utf-8", newline="") as f:
                    cache["vast"] = [x["Tweet"] for x in csv.DictReader(f)]
            text, parent, title = cache["vast"][int(key)], "", f"VAST dev comment {key}"
        else:
            raise ValueError(f"{path}: unknown source {src!r}")
        if hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] != r["text_sha16"]:
            raise ValueError(f"{path}: {src} comment {key}: the text changed")
        spans = [tuple(int(x) for x in m.split("-")) for m in r["mentions"].split(";") if m]
        out.append(_ex(text, r["entity"], spans, r["gold"], "comments", title=title, parent=parent,
                       group=r["doc_id"], kind=r.get("kind", "explicit")))
    return out


MULTITARGET_NAMES = {"hilary clinton": "Hillary Clinton", "donald trump": "Donald Trump",
                     "bernie sanders": "Bernie Sanders", "ted cruz": "Ted Cruz"}


def read_multitarget(path):
    """Multi-Target Stance preprocessed.csv: label,text with 0 AGAINST, 1 NONE,
    2 FAVOR; text = "<target>. <tweet>" (the target's name and a full stop are
    cut off; "Hilary Clinton" is the set's spelling of Hillary Clinton)."""
    lab = {"0": "against", "1": "neutral", "2": "favour"}
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            name, _, tweet = r["text"].partition(". ")
            target = MULTITARGET_NAMES.get(name.strip().lower())
            if target is None:
                continue
            tweet = tweet.strip()
            out.append(_ex(tweet, target, find_mentions(tweet, target), lab[r["label"].strip()], "multitarget"))
    return out


def read_acl14(path):
    """Dong et al. 2014: three lines an item, the tweet with the target replaced
    by $T$, the target, then -1 / 0 / 1 (negative / neutral / positive
    sentiment toward it). spans = where $T$ stood."""
    lab = {"-1": "against", "0": "neutral", "1": "favour"}
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [l.rstrip("\n").rstrip("\r") for l in f]
    out = []
    for i in range(0, len(lines) - 2, 3):
        tmpl, target, pol = lines[i], lines[i + 1].strip(), lines[i + 2].strip()
        parts = tmpl.split("$T$")
        text, spans = parts[0], []
        for rest in parts[1:]:
            spans.append((len(text), len(text) + len(target)))
            text += target + rest
        out.append(_ex(text, target, spans, lab[pol], "acl14"))
    return out


def json_lines(paths):
    """(path, record) for every non-blank line of the JSON-lines files, in order."""
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield path, json.loads(line)


def read_jsonl(path):
    """Examples written out as JSON lines of the dicts above (text, target,
    spans, label; source optional): small hand-written sets such as the smoke
    set tests/fixtures/stance/smoke.jsonl."""
    return [_ex(r["text"], r["target"], [tuple(s) for s in r.get("spans", [])], r["label"],
                r.get("source", os.path.basename(path)))
            for path, r in json_lines([path])]


# ---------------------------------------------------------------- named sets

def load_set(name, data=DATA):
    """Named sets used by train_stance.py."""
    d = lambda *p: os.path.join(data, *p)
    if name == "newsmtsc":
        return read_newsmtsc(d("newsmtsc", "train.jsonl"))
    if name == "newsmtsc_test":
        return read_newsmtsc(d("newsmtsc", "devtest_mt.jsonl"))
    if name == "pstance":
        return read_pstance(d("pstance"), "train")
    if name == "pstance_val":
        return read_pstance(d("pstance"), "val")
    if name == "semeval":
        return read_semeval(d("semeval2016", "train.txt"))
    if name == "vast_dev":
        return read_vast(d("vast", "dev.csv"))
    if name == "reddit":  # the comments of the comment dev set are left out
        keys = comment_dev_keys()
        return [e for e in read_reddit(d("reddit-trump", "reddit_trump_train.csv")) if e["key"] not in keys]
    if name == "mtcsd":
        return read_mtcsd(d("mtcsd", "Bitcoin"), "train") + read_mtcsd(d("mtcsd", "SpaceX"), "train")
    if name == "comment_dev":  # our comment dev set (texts joined from data)
        return read_comment_pairs("data/comment-dev/pairs.tsv", data)
    if name == "mtcsd_bitcoin_valid":
        return read_mtcsd(d("mtcsd", "Bitcoin"), "valid")
    if name == "mtcsd_spacex_valid":
        return read_mtcsd(d("mtcsd", "SpaceX"), "valid")
    if name == "multitarget":
        return read_multitarget(d("multitarget", "preprocessed.csv"))
    if name == "acl14":
        return read_acl14(d("acl14-twitter", "train.raw"))
    if name == "reddit_val":
        return read_reddit(d("reddit-trump", "reddit_trump_val.csv"))
    raise ValueError(f"unknown set {name!r}")


SET_NAMES = ["newsmtsc", "pstance", "semeval", "reddit", "mtcsd", "multitarget", "acl14", "newsmtsc_test",
             "pstance_val", "vast_dev", "reddit_val", "mtcsd_bitcoin_valid", "mtcsd_spacex_valid"]


def split_dev(examples, frac, seed, key=None):
    """Deterministic (train, dev) split; examples sharing key(ex) (e.g. the
    same NewsMTSC sentence) land on the same side."""
    key = key or (lambda ex: ex["text"])
    groups = sorted(set(key(ex) for ex in examples))
    rng = random.Random(seed)
    rng.shuffle(groups)
    dev_groups = set(groups[: int(round(frac * len(groups)))])
    train = [ex for ex in examples if key(ex) not in dev_groups]
    dev = [ex for ex in examples if key(ex) in dev_groups]
    return train, dev


# ---------------------------------------------------------------- encoding

def load_tokenizer(path):
    """tokenizers.Tokenizer from a checkpoint dir or tokenizer.json, with the
    markers registered as special added tokens (existing vocab ids), truncation
    and padding off: exactly what gets exported for the Rust side."""
    from tokenizers import AddedToken, Tokenizer
    f = os.path.join(path, "tokenizer.json") if os.path.isdir(path) else path
    tok = Tokenizer.from_file(f)
    vocab_size = tok.get_vocab_size(with_added_tokens=True)
    ids = [tok.token_to_id(m) for m in (MARK_OPEN, MARK_CLOSE)]
    if None in ids:
        raise ValueError(f"{f}: vocabulary lacks {MARK_OPEN} / {MARK_CLOSE}")
    tok.add_special_tokens([AddedToken(m, special=True, normalized=False, single_word=False,
                                       lstrip=False, rstrip=False) for m in (MARK_OPEN, MARK_CLOSE)])
    assert [tok.token_to_id(m) for m in (MARK_OPEN, MARK_CLOSE)] == ids, "marker ids changed"
    assert tok.get_vocab_size(with_added_tokens=True) == vocab_size, "vocabulary grew"
    tok.no_truncation()
    tok.no_padding()
    return tok


# Special tokens of each pair layout: (start, separator, padding, separators between A and B).
LAYOUTS = {"bert": ("[CLS]", "[SEP]", "[PAD]", 1), "roberta": ("<s>", "</s>", "<pad>", 2)}


def layout_of(tokenizer):
    """The pair layout of a tokenizer: "roberta" when its post-processor is
    RobertaProcessing (MPNet, RoBERTa), else "bert"."""
    return "roberta" if type(tokenizer.post_processor).__name__ == "RobertaProcessing" else "bert"


def special_ids(tokenizer):
    """{"layout", "cls", "sep", "pad", "pair_seps"} of a tokenizer's layout (ids)."""
    layout = layout_of(tokenizer)
    cls, sep, pad, seps = LAYOUTS[layout]
    ids = {k: tokenizer.token_to_id(t) for k, t in (("cls", cls), ("sep", sep), ("pad", pad))}
    if None in ids.values():
        raise ValueError(f"tokenizer lacks one of {cls} {sep} {pad} (layout {layout})")
    return {"layout": layout, "pair_seps": seps, **ids}


def mark(text, spans):
    out, prev = [], 0
    for s, e in resolve_overlaps(spans):
        out += [text[prev:s], MARK_OPEN, " ", text[s:e], " ", MARK_CLOSE]
        prev = e
    out.append(text[prev:])
    return "".join(out)


def build_strings(text, target, spans, mode):
    """(first, second-or-None) strings of step 1 in the module docstring."""
    if mode == "marked":
        return mark(text, spans), None
    if mode == "pair":
        return text, target
    if mode == "both":
        return mark(text, spans), target
    raise ValueError(f"mode must be one of {MODES}")


def encode(text, target, spans, mode, tokenizer=None, max_len=MAX_LEN, context=None):
    """The model input for (text, target, spans) in `mode`.

    Without a tokenizer: the (first, second) strings. With one (from
    load_tokenizer): {"input_ids", "token_type_ids", "attention_mask"} lists,
    steps 2 to 4 of the module docstring; with `context` = (title, parent)
    strings (either may be ""), step 5 as well."""
    first, second = build_strings(text, target, spans, mode)
    if tokenizer is None:
        return first, second
    ids = lambda s: tokenizer.encode(s, add_special_tokens=False).ids
    sp = special_ids(tokenizer)
    cls, sep, seps = sp["cls"], sp["sep"], sp["pair_seps"]
    a = ids(first)
    b = ids(second)[:MAX_TARGET_PIECES] if second is not None else None
    budget = max_len - 2 if b is None else max_len - 2 - seps - len(b)
    if len(a) > budget:
        kept = resolve_overlaps(spans)
        anchor = len(ids(text[: kept[0][0]])) if kept else 0
        start = min(max(anchor - budget // 2, 0), len(a) - budget)
        a = a[start: start + budget]
    input_ids = [cls] + a + [sep]
    types = [0] * len(input_ids)
    if b is not None:
        input_ids += [sep] * (seps - 1) + b + [sep]
        types += [1 if sp["layout"] == "bert" else 0] * (seps + len(b))
    if context is not None:
        title, parent = context
        t = ids(title or "")[:MAX_TITLE_PIECES]
        p = ids(parent or "")[:MAX_PARENT_PIECES]
        input_ids += t + [sep] + p + [sep]
        types += [1 if sp["layout"] == "bert" else 0] * (len(t) + len(p) + 2)
    return {"input_ids": input_ids, "token_type_ids": types, "attention_mask": [1] * len(input_ids)}


def check_piecewise(tokenizer, text, spans):
    """Asserts ids(marked(text)) == segment-wise ids with marker ids in between."""
    ids = lambda s: tokenizer.encode(s, add_special_tokens=False).ids
    o, c = tokenizer.token_to_id(MARK_OPEN), tokenizer.token_to_id(MARK_CLOSE)
    pieces, prev = [], 0
    for s, e in resolve_overlaps(spans):
        pieces += ids(text[prev:s]) + [o] + ids(text[s:e]) + [c]
        prev = e
    pieces += ids(text[prev:])
    assert ids(mark(text, spans)) == pieces, (text, spans)


def label_counts(examples):
    c = Counter(ex["label"] for ex in examples)
    return {l: c.get(l, 0) for l in LABELS}


if __name__ == "__main__":  # smoke test: counts and a few encoded examples
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--tokenizer", default="checkpoints/bases/minilm-uncased")
    ap.add_argument("--show", type=int, default=2)
    a = ap.parse_args()
    tok = load_tokenizer(a.tokenizer)
    rng = random.Random(0)
    for name in SET_NAMES:
        exs = load_set(name, a.data)
        with_spans = sum(bool(ex["spans"]) for ex in exs)
        print(f"{name:14s} n={len(exs):6d} {label_counts(exs)} with spans {with_spans} "
              f"({100 * with_spans / max(len(exs), 1):.0f}%) targets {len(set(ex['target'] for ex in exs))}")
        n_long = 0
        for ex in exs:
            check_piecewise(tok, ex["text"], ex["spans"])
            if len(encode(ex["text"], ex["target"], ex["spans"], "both", tok)["input_ids"]) >= MAX_LEN:
                n_long += 1
        print(f"{'':14s} inputs at the {MAX_LEN}-piece limit (both): {n_long}")
        for ex in rng.sample(exs, a.show):
            for mode in MODES:
                first, second = encode(ex["text"], ex["target"], ex["spans"], mode)
                enc = encode(ex["text"], ex["target"], ex["spans"], mode, tok)
                print(f"  [{ex['label']}] {mode:6s} {first!r} || {second!r}")
                if mode == "both":
                    print("         pieces:", " ".join(tok.id_to_token(i) for i in enc["input_ids"]))
