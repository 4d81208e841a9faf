#!/usr/bin/env python3
"""Prints the comments of our linking dev set (data/link-dev) in their
sampling order, with numbered candidate mentions, for a reader to label.

Reads the converted threads (scripts/data/reddit_to_jsonl.py output). Comments
are shuffled with random.Random(20261207); stratum A is ranks 0-199 (every
comment), stratum B the ranks from 200 on whose text names one of the
people of issue 26 (NAMES, case-insensitive). Candidates are capitalised
word runs (a few sentence words left out) and the pronouns he, him, his,
she, her, hers, they, them; the reader labels from the text, adds names the
runs miss and leaves out what names nobody. Nothing is read from the
linker. Prints text from ../shared to the terminal only.

    usage: scripts/data/link_dev_sample.py THREADS.jsonl {A|B} [FROM TO]
"""

import json
import random
import re
import sys

PRON = r"\b(he|him|his|she|her|hers|they|them)\b"
SKIP = {"I", "The", "A", "It", "This", "That", "But", "And", "If", "So", "What", "Why", "How", "Just", "Yes",
        "No", "Not", "You", "We", "My", "In", "He's", "She's", "It's", "I'm", "I've", "There", "They're", "Lol",
        "LOL", "Oh", "Well", "Yeah", "Ya", "Now"}
NAMES = (r"\b(trump|biden|kamala|kamila|harris|hil+ary|clinton|sanders|huck\w*|sarah|donald|donnie|donny|donold"
         r"|joe|walz|vance|obama|mary|shs|dt|djt|bernie|pence|drumpf)\b")
SEED = 20261207
STRATUM_B_FROM = 200


def candidates(text):
    out = []
    for m in re.finditer(r"(?:[A-Z][\w'’.-]*)(?:[ /-][A-Z][\w'’.-]*)*", text):
        if re.fullmatch(PRON + r"(['’]\w+)?", m.group(), re.I) or m.group() in SKIP:
            continue
        out.append((m.start(), m.end(), m.group()))
    out.extend((m.start(), m.end(), m.group()) for m in re.finditer(PRON, text, re.I))
    return sorted(out)


def main():
    docs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
    items = [(d, i) for d in docs for i in range(len(d["comments"]))]
    random.Random(SEED).shuffle(items)
    lo, hi = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (0, len(items))
    for rank in range(lo, min(hi, len(items))):
        d, i = items[rank]
        c = d["comments"][i]
        if (sys.argv[2] == "A") != (rank < STRATUM_B_FROM):
            continue
        if sys.argv[2] == "B" and not re.search(NAMES, c["text"], re.I):
            continue
        ids = [x["id"] for x in d["comments"]]
        parent = ids.index(c["parent"]) if c["parent"] in ids else None
        print(f"=== r{rank} {d['id']} #{i} parent={parent}")
        if parent is not None:
            print("  PARENT:", d["comments"][parent]["text"].replace("\n", " "))
        if i > 0 and parent != 0:
            print("  ROOT:", d["comments"][0]["text"].replace("\n", " "))
        print("  TEXT:", c["text"].replace("\n", " "))
        print("  ", "  ".join(f"{k}:{s}" for k, (_, _, s) in enumerate(candidates(c["text"]))))


if __name__ == "__main__":
    main()
