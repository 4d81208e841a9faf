"""NER training data for train_ner.py: reads CoNLL-2003, WNUT-17,
Tweebank-NER and Broad Twitter Corpus sections, maps WNUT-17 onto the
CoNLL-2003 types, samples CoNLL documents, and makes case-noised copies of
CoNLL sentences. Pure Python (no torch), deterministic for given arguments,
so a resumed run sees the same data.

A document is a list of sentences; a sentence is (tokens, IOB2 tags) with
tags over PER, ORG, LOC, MISC, and, in BTC sentences read with
btc_o="o-or-misc", the pseudo-tag NOT_PER_ORG_LOC (below).

Tweebank-NER (`.bio`: token, two "-" columns, IOB2 tag, tab-separated; one
`-DOCSTART-` heads the file) has CoNLL's four types; every tweet is its own
document. The Broad Twitter Corpus (`token<TAB>tag`, IOB2 over PER, ORG,
LOC; sections a, b, e, f, h, one tweet per sentence) has no MISC: names
CoNLL calls MISC (nationalities, events, products) are O there. `btc_o`
says what training does with BTC's O:
  o-or-misc (default) O means "not PER, ORG or LOC": the piece's loss is
        -log(p(O) + p(B-MISC) + p(I-MISC)) (train_ner.py's partial-label
        loss), so BTC neither teaches nor contradicts MISC;
  o     plain O, which teaches the model to drop MISC spans CoNLL-2003 and
        Tweebank tag.
BTC also tags user names (`@` and the name are two tokens, mostly both
B-PER: 2,327 of section h's 3,368 entities lie on one), which Tweebank and
WNUT-17 leave O and our graph has no use for: read_btc reads an entity that
overlaps a user name (a token starting with "@", or the token after a lone
"@") as plain O, as `eval ner --format btc` sets such entities apart.
Both readers trim a token's surrounding white space and skip a token left
empty (5 in BTC sections f and h, all O), exactly as `stancegraph eval ner
--format tweebank|btc` reads them; a white-space-only line ends a sentence.
BTC's dev split is section h and its test section f, as in the corpus'
distributed train/dev/test layout (train a, b, e, g; g is not in
../shared): train_ner.py trains on the --btc-train sections (train_ner_tweets.sh: a,b,e)
and never on h or f.

WNUT-17 mapping (the same rule `stancegraph eval ner --format wnut17` scores
with): person -> PER, location -> LOC, corporation and group -> ORG.
product and creative-work have no PER/LOC/ORG counterpart; `unmapped` says
what training does with them (scoring reads them as O and drops predicted
MISC, so none of the three costs or gains anything there directly):
  misc  (default; what --wnut always did) read them as MISC. CoNLL-2003 tags
        such names MISC too ("Windows" 15 times, "Airbus" 7 times in
        train.txt), MISC stays out of the default graph, and the model
        learns that an iPhone or a film title is neither PER, ORG nor LOC:
        96 of the shipped model's 427 false positives on WNUT-17 dev are
        PER/ORG/LOC spans on a product or creative work (`eval ner --format
        wnut17`, "false positives lie on them");
  o     read them as O: teaches "not an entity", which contradicts the
        CoNLL-2003 MISC examples above in the same training set;
  drop  leave out the sentences holding them (234 of the 3,394 train
        sentences, 88 of them with a PER/LOC/ORG entity too): no
        contradiction, but nothing learnt about those 96 false positives.
Every WNUT-17 sentence is its own document (the posts are unrelated).

Case noise: comments are often all lower case (or all caps), which a cased
model trained on Reuters never sees. `case_noised` copies a seeded random
share of the CoNLL train sentences lower-cased and another share
upper-cased, tags unchanged; each copy is a one-sentence document (a short
comment has no neighbouring sentences either).
"""
import random

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
L2I = {l: i for i, l in enumerate(LABELS)}
# a training-only tag (not one of LABELS, never predicted): O, B-MISC or I-MISC, whichever the model
# prefers (BTC's O under btc_o="o-or-misc"); its label id is len(LABELS)
NOT_PER_ORG_LOC = "O|MISC"
CONLL_TYPES = ("PER", "ORG", "LOC", "MISC")
BTC_O_POLICIES = ("o-or-misc", "o")
BTC_SECTIONS = ("a", "b", "e", "f", "h")
BTC_HELD_OUT = ("f", "h")  # test and dev
WNUT_MAP = {"person": "PER", "location": "LOC", "group": "ORG", "corporation": "ORG"}
WNUT_UNMAPPED = ("product", "creative-work")
UNMAPPED_POLICIES = ("misc", "o", "drop")


def iob2(tags):
    """IOB1 or IOB2 tags as IOB2 (an I- that does not continue its type starts an entity)."""
    out = []
    for i, t in enumerate(tags):
        if t.startswith("I-") and (i == 0 or out[-1] == "O" or out[-1][2:] != t[2:]):
            t = "B-" + t[2:]
        out.append(t)
    return out


def _lines(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            # U+FEFF stands alone on the last line of WNUT-17 dev.conll: white space here
            yield n, line.rstrip("\n").rstrip("\r").strip("\ufeff")


def read_conll(path):
    """CoNLL-2003: documents (split at -DOCSTART-) of sentences; token first, tag last."""
    docs, doc, toks, tags = [], [], [], []
    for _, line in _lines(path):
        if line.startswith("-DOCSTART-") or not line.strip():
            if toks:
                doc.append((toks, iob2(tags)))
            toks, tags = [], []
            if line.startswith("-DOCSTART-") and doc:
                docs.append(doc)
                doc = []
            continue
        parts = line.split(" ")
        toks.append(parts[0])
        tags.append(parts[-1])
    if toks:
        doc.append((toks, iob2(tags)))
    if doc:
        docs.append(doc)
    return docs


def map_wnut_tag(tag, unmapped):
    """One WNUT-17 tag under the mapping; product and creative-work as MISC ('misc') or O ('o',
    'drop': read_wnut17 leaves their sentences out)."""
    if tag == "O":
        return "O"
    prefix, t = tag.split("-", 1)
    if prefix not in ("B", "I"):
        raise ValueError(f"bad WNUT-17 tag {tag!r}")
    if t in WNUT_MAP:
        return prefix + "-" + WNUT_MAP[t]
    if t in WNUT_UNMAPPED:
        return prefix + "-MISC" if unmapped == "misc" else "O"
    raise ValueError(f"unknown WNUT-17 type in {tag!r}")


def read_wnut17(path, unmapped="misc"):
    """WNUT-17 `token<TAB>tag`: one-sentence documents with mapped tags, and counts
    {"sentences", "dropped", "unmapped_entities"}."""
    if unmapped not in UNMAPPED_POLICIES:
        raise ValueError(f"unmapped must be one of {UNMAPPED_POLICIES}, not {unmapped!r}")
    docs, toks, tags, raw = [], [], [], []
    stats = {"sentences": 0, "dropped": 0, "unmapped_entities": 0}

    def flush():
        if not toks:
            return
        stats["sentences"] += 1
        n_unmapped = sum(1 for t in raw if t.startswith("B-") and t[2:] in WNUT_UNMAPPED)
        stats["unmapped_entities"] += n_unmapped
        if n_unmapped and unmapped == "drop":
            stats["dropped"] += 1
        else:
            docs.append([(list(toks), iob2([map_wnut_tag(t, unmapped) for t in raw]))])
        toks.clear(); tags.clear(); raw.clear()

    for n, line in _lines(path):
        if not line.strip():
            flush()
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError(f"{path}:{n}: expected token<TAB>tag, got {line!r}")
        toks.append(parts[0])
        raw.append(parts[1].strip())
    flush()
    return docs, stats


def _check_tag(path, n, tag, types):
    if tag != "O" and not (tag[:2] in ("B-", "I-") and tag[2:] in types):
        raise ValueError(f"{path}:{n}: tag {tag!r} is not O or B-/I- with {', '.join(types)}")
    return tag


def read_posts(path, columns, types):
    """Tab-separated one-post-a-sentence files (Tweebank-NER, BTC): one-sentence documents; token
    first, tag last; tokens trimmed, empty ones skipped with their tag; `-DOCSTART-` skipped."""
    docs, toks, tags = [], [], []
    for n, line in _lines(path):
        if not line.strip() or line.startswith("-DOCSTART-"):
            if toks:
                docs.append([(toks, iob2(tags))])
            toks, tags = [], []
            continue
        parts = line.split("\t")
        if len(parts) != columns:
            raise ValueError(f"{path}:{n}: expected {columns} tab-separated columns, got {line!r}")
        tag = _check_tag(path, n, parts[-1].strip(), types)
        if parts[0].strip():
            toks.append(parts[0].strip())
            tags.append(tag)
    if toks:
        docs.append([(toks, iob2(tags))])
    return docs


def read_tweebank(path):
    """Tweebank-NER `.bio` (token, -, -, tag): one document per tweet, CoNLL's four types."""
    return read_posts(path, 4, CONLL_TYPES)


def read_btc(path, btc_o="o-or-misc"):
    """One Broad Twitter Corpus section (`token<TAB>tag`, PER/ORG/LOC): one document per tweet, O read
    as NOT_PER_ORG_LOC under btc_o="o-or-misc" (see the module doc)."""
    if btc_o not in BTC_O_POLICIES:
        raise ValueError(f"btc_o must be one of {BTC_O_POLICIES}, not {btc_o!r}")
    out = []
    for [(toks, tags)] in read_posts(path, 2, CONLL_TYPES[:3]):
        tags = usernames_as_o(toks, tags)
        if btc_o == "o-or-misc":
            # user names stay plain O: they are no MISC either
            tags = [NOT_PER_ORG_LOC if t == "O" and not _username(toks, i) else t for i, t in enumerate(tags)]
        out.append([(toks, tags)])
    return out


def _username(toks, i):
    return toks[i].startswith("@") or (i > 0 and toks[i - 1] == "@")


def usernames_as_o(toks, tags):
    """IOB2 tags with every entity that overlaps a user name (a token starting with "@", or the token
    after a lone "@") set to O."""
    tags = list(tags)
    i = 0
    while i < len(tags):
        if tags[i] == "O":
            i += 1
            continue
        end = i + 1
        while end < len(tags) and tags[end] == "I-" + tags[i][2:]:
            end += 1
        if any(_username(toks, j) for j in range(i, end)):
            tags[i:end] = ["O"] * (end - i)
        i = end
    return tags


def btc_sections(spec):
    """The section letters of a comma-separated --btc-train value; refuses unknown and held-out ones."""
    sections = [s.strip() for s in spec.split(",") if s.strip()]
    for s in sections:
        if s not in BTC_SECTIONS:
            raise ValueError(f"BTC section {s!r}: the sections are {', '.join(BTC_SECTIONS)}")
        if s in BTC_HELD_OUT:
            raise ValueError(f"BTC section {s!r} is held out (h: dev, f: test)")
    return sections


def sample_documents(docs, share, seed):
    """A seeded share of the documents, in corpus order (share 1: all of them)."""
    if not 0.0 < share <= 1.0:
        raise ValueError(f"a document share is in (0, 1], not {share}")
    if share == 1.0:
        return list(docs)
    keep = sorted(random.Random(seed).sample(range(len(docs)), round(share * len(docs))))
    return [docs[i] for i in keep]


def case_noised(docs, lower_share, upper_share, seed):
    """Lower-cased copies of a share `lower_share` of the sentences of `docs` and upper-cased
    copies of a share `upper_share` (two independent seeded samples without replacement, so
    a sentence may be copied both ways), as one-sentence documents in corpus order."""
    sentences = [s for d in docs for s in d]
    rng = random.Random(seed)
    out = []
    for share, case in ((lower_share, str.lower), (upper_share, str.upper)):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"a case-noise share is between 0 and 1, not {share}")
        k = round(share * len(sentences))
        for i in sorted(rng.sample(range(len(sentences)), k)):
            toks, tags = sentences[i]
            out.append([([case(t) for t in toks], list(tags))])
    return out
