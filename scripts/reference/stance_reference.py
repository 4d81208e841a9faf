#!/usr/bin/env python3
"""Reference outputs for the Rust stance side, from the Python one
(stance_data.encode and transformers), on a few (text, target, spans) cases
of our own:

  inputs  --tokenizer DIR --out FILE
      the model input ids of every case with DIR's tokenizer (the markers
      registered as stance_data.load_tokenizer does), checked here against
      the tokenizer's own pair layout (`Tokenizer.encode(first, second)`,
      and transformers' AutoTokenizer for the marker-free "pair" mode) where
      nothing is truncated. For the MPNet base this is
      tests/fixtures/mpnet/stance_inputs.json, which tests/mpnet.rs
      compares with src/stance/mod.rs's encoder.

  probs   --model DIR --out FILE
      the same cases' ids and class probabilities from an exported stance
      model (export_stance.py's folder, loaded by transformers in fp32, each
      case alone), for the end-to-end test of the Rust side
      (tests/mpnet.rs; `make test-mpnet` writes it beside the smoke
      model).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import stance_data as sd  # noqa: E402

LONG = ("The committee met again on Thursday to go over the budget line by line, and after hours of "
        "discussion about roads, schools, hospitals and the new tram the members agreed on almost nothing. ") * 3
CASES = [
    ("Merkel did a wonderful job, I really admire her leadership.", "Angela Merkel", ["Merkel"], "both"),
    ("I met her once in Berlin and she was kind to everyone.", "Angela Merkel", ["her", "she"], "both"),
    ("The ministry published its quarterly figures.", "Ministry of Finance", [], "both"),
    ("😀 Zoë says Genève’s mayor is GREAT, and Genève deserves him!", "Genève", ["Genève", "Genève"], "both"),
    (LONG + "Then Iran was blamed for the whole mess by the mayor. " + LONG, "Iran", ["Iran"], "both"),
    (LONG + "Then Iran was blamed for the whole mess by the mayor. " + LONG, "Iran", ["Iran"], "marked"),
    (LONG + "Then Iran was blamed for the whole mess by the mayor. " + LONG, "Iran", ["Iran"], "pair"),
    ("Hamas will be hunted and killed as long as they live", "Hamas", ["Hamas"], "pair"),
    ("The European Union and the Union leaders disagree.", "European Union", ["European Union", "Union"], "both"),
    ("Thanks to the International Federation of Red Cross and Red Crescent Societies for the help.",
     "International Federation of Red Cross and Red Crescent Societies and all of its many volunteers across the whole wide world",
     ["International Federation of Red Cross and Red Crescent Societies"], "both"),
]


# Cases read in their conversation (stance_data.py step 5): (text, target, mentions, title, parent).
CONTEXT_CASES = [
    ("Lock him up already.", "Donald Trump", [], "Trump indicted on 34 counts", "He paid them off and lied about it."),
    ("Exactly. She earned it.", "Yoko Kamikawa", [], "", "Kamikawa is the best foreign minister Japan has had in years."),
    ("Hamas and Iran, one deadly cult.", "Iran", ["Iran"], LONG, LONG),
    ("No title here, Genève’s mayor 😀 replied.", "Genève", ["Genève"], "", ""),
]


def spans_of(text, mentions):
    out, pos = [], 0
    for m in mentions:
        i = text.index(m, pos)
        out.append([i, i + len(m)])
        pos = i + len(m)
    return out


def cases():
    return [{"text": t, "target": g, "spans": spans_of(t, ms), "mode": mode} for t, g, ms, mode in CASES]


def context_cases():
    return [{"text": t, "target": g, "spans": spans_of(t, ms), "mode": "both", "title": ti, "parent": pa}
            for t, g, ms, ti, pa in CONTEXT_CASES]


def inputs(tokenizer_dir, out):
    from transformers import AutoTokenizer
    tok = sd.load_tokenizer(tokenizer_dir)
    hf = AutoTokenizer.from_pretrained(tokenizer_dir)
    rows = []
    for c in cases():
        ids = sd.encode(c["text"], c["target"], c["spans"], c["mode"], tok)["input_ids"]
        first, second = sd.build_strings(c["text"], c["target"], c["spans"], c["mode"])
        whole = tok.encode(first, second).ids if second is not None else tok.encode(first).ids
        fits = len(whole) <= sd.MAX_LEN and (second is None or len(tok.encode(second, add_special_tokens=False).ids)
                                             <= sd.MAX_TARGET_PIECES)
        if fits:
            assert ids == whole, (c, ids, whole)
            if c["mode"] == "pair":  # no markers: transformers' own tokenizer must agree too
                assert ids == hf(first, second)["input_ids"], (c, ids)
        else:
            assert len(ids) <= sd.MAX_LEN
        rows.append({**c, "input_ids": ids, "untruncated_equals_tokenizer_pair": fits})
        print(c["mode"], len(ids), "fits" if fits else "windowed", " ".join(tok.id_to_token(i) for i in ids[:24]))
    sep = sd.special_ids(tok)["sep"]
    ids_of = lambda s: tok.encode(s, add_special_tokens=False).ids
    context_rows = []
    for c in context_cases():
        plain = sd.encode(c["text"], c["target"], c["spans"], "both", tok)["input_ids"]
        ids = sd.encode(c["text"], c["target"], c["spans"], "both", tok, context=(c["title"], c["parent"]))["input_ids"]
        tail = ids_of(c["title"])[:sd.MAX_TITLE_PIECES] + [sep] + ids_of(c["parent"])[:sd.MAX_PARENT_PIECES] + [sep]
        assert ids == plain + tail, c  # the comment's input is unchanged; the conversation follows it
        context_rows.append({**c, "input_ids": ids})
    json.dump({"tokenizer": tokenizer_dir, "layout": sd.layout_of(tok), "max_len": sd.MAX_LEN, "cases": rows,
               "max_title_pieces": sd.MAX_TITLE_PIECES, "max_parent_pieces": sd.MAX_PARENT_PIECES,
               "context_cases": context_rows},
              open(out, "w"), indent=1, ensure_ascii=False)


def probs(model_dir, out):
    import torch
    from transformers import AutoModelForSequenceClassification
    torch.set_num_threads(2)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    meta = model.config.stancegraph
    tok = sd.load_tokenizer(model_dir)
    use_types = model.config.model_type == "bert"
    rows, seen = [], set()
    for c in cases():
        c["mode"] = meta["mode"]  # the model's own mode
        key = (c["text"], c["target"], str(c["spans"]))
        if key in seen:
            continue
        seen.add(key)
        e = sd.encode(c["text"], c["target"], c["spans"], c["mode"], tok, meta["max_len"])
        kw = {"input_ids": torch.tensor([e["input_ids"]])}
        if use_types:
            kw["token_type_ids"] = torch.tensor([e["token_type_ids"]])
        with torch.no_grad():
            logits = model(**kw).logits.float()[0]
        p = logits.softmax(-1).tolist()
        rows.append({**c, "input_ids": e["input_ids"], "probabilities": dict(zip(sd.LABELS, p)),
                     "logits": dict(zip(sd.LABELS, logits.tolist()))})
    json.dump({"model": model_dir, "labels": sd.LABELS, "cases": rows}, open(out, "w"), indent=1, ensure_ascii=False)
    print(f"wrote {len(rows)} reference cases to {out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("inputs", "probs"))
    ap.add_argument("--tokenizer")
    ap.add_argument("--model")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.what == "inputs":
        inputs(a.tokenizer or sys.exit("inputs needs --tokenizer"), a.out)
    else:
        probs(a.model or sys.exit("probs needs --model"), a.out)


if __name__ == "__main__":
    main()
