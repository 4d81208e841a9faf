"""Casing classes of word pieces, and the MPNet token classifier that adds a
small learned casing embedding to its word embeddings (issue 13 item 4: an
uncased encoder that still sees capitalisation). train_ner.py --casing
trains it, export_ner.py exports it, src/mpnet.rs
(`MpnetForTokenClassification`) and src/ner.rs run it.

Casing class of a piece (`casing_class`; src/mpnet.rs `casing_class` is the
same spec, and tests/mpnet.rs compares the two on the smoke reference):
the class of the *word* the piece belongs to, a word being what the
tokenizer's pre-tokenizer splits (the piece's word id; its characters are
the union of the offsets of the word's pieces in the original text, before
any lower-casing). Only cased letters count (a character that is upper or
lower case: Python `c.isupper() or c.islower()`, Rust `is_uppercase() ||
is_lowercase()`; letters without case, digits, marks and symbols are
ignored):
  0  no cased letter (digits, punctuation, CJK, emoji), and special tokens
  1  all cased letters lower                           "said", "ok2"
  2  Title: the first cased letter upper, every other one lower
                                                       "Merkel", "I", "3M"
  3  UPPER: at least two cased letters, all upper      "NATO", "USA"
  4  mixed: anything else                              "iPhone", "McCain"
One-letter words: "I", "A" and initials are Title (2), not UPPER, since a
single capital letter cannot tell an acronym from a capitalised word; UPPER
means two or more capitals (acronyms, shouting).

Position ids: transformers 4.44's MPNetEmbeddings numbers positions from
`input_ids` (non-padding tokens from 2, padding 1) but, when given
`inputs_embeds` alone, numbers every position 2, 3, ... padding included.
The classifier here therefore passes position ids computed from
`input_ids` explicitly, so it numbers exactly as the plain model and as
src/mpnet.rs's `position_ids` do.
"""
NO_LETTERS, LOWER, TITLE, UPPER, MIXED = range(5)
CASING_CLASSES = 5


def casing_class(word):
    """The casing class (0-4, see the module doc) of one word's original text."""
    cased = [c for c in word if c.isupper() or c.islower()]
    if not cased:
        return NO_LETTERS
    upper = [c.isupper() for c in cased]
    if not any(upper):
        return LOWER
    if upper[0] and not any(upper[1:]):
        return TITLE
    if all(upper):
        return UPPER
    return MIXED


def piece_casing(text, offsets, word_ids):
    """The casing class of every piece of a tokenized `text`: `offsets` are the
    pieces' (start, end) character offsets into `text`, `word_ids` their
    pre-tokenizer word (None for special tokens, class 0)."""
    spans = {}
    for (s, e), w in zip(offsets, word_ids):
        if w is None:
            continue
        a, b = spans.get(w, (s, e))
        spans[w] = (min(a, s), max(b, e))
    classes = {w: casing_class(text[a:b]) for w, (a, b) in spans.items()}
    return [NO_LETTERS if w is None else classes[w] for w in word_ids]


def model_class():
    """MPNetCasedForTokenClassification, imported lazily (torch is heavy and
    ner_casing's classes are pure Python)."""
    import torch
    from torch import nn
    from transformers import MPNetForTokenClassification
    from transformers.models.mpnet.modeling_mpnet import create_position_ids_from_input_ids

    class MPNetCasedForTokenClassification(MPNetForTokenClassification):
        """transformers' MPNetForTokenClassification plus
        `mpnet.embeddings.casing_embeddings` (`config.casing_embedding` rows of
        `hidden_size`, zeros at creation), whose row of each piece's casing
        class (`case_ids`) is added to its word embedding before the position
        embeddings and the LayerNorm."""

        def __init__(self, config):
            super().__init__(config)
            self.mpnet.embeddings.casing_embeddings = nn.Embedding(config.casing_embedding, config.hidden_size)
            self.zero_casing()

        def zero_casing(self):
            with torch.no_grad():
                self.mpnet.embeddings.casing_embeddings.weight.zero_()

        def forward(self, input_ids=None, attention_mask=None, case_ids=None, labels=None, **kwargs):
            if input_ids is None or case_ids is None:
                raise ValueError("MPNetCasedForTokenClassification needs input_ids and case_ids")
            emb = self.mpnet.embeddings
            embeds = emb.word_embeddings(input_ids) + emb.casing_embeddings(case_ids)
            position_ids = create_position_ids_from_input_ids(input_ids, emb.padding_idx)
            return super().forward(inputs_embeds=embeds, attention_mask=attention_mask, position_ids=position_ids,
                                   labels=labels, **kwargs)

    return MPNetCasedForTokenClassification


def load_model(path_or_base, config=None):
    """A token classifier from a checkpoint folder: the casing model when its
    config has `casing_embedding`, else transformers' Auto class."""
    from transformers import AutoConfig, AutoModelForTokenClassification
    config = config or AutoConfig.from_pretrained(path_or_base)
    if getattr(config, "casing_embedding", None):
        return model_class().from_pretrained(path_or_base, config=config)
    return AutoModelForTokenClassification.from_pretrained(path_or_base, config=config)
