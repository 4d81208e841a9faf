#!/usr/bin/env python3
"""Forward-pass time of the shipped NER model (models/ner) in fp32, bf16 autocast
and dynamic int8 (torch.ao quantize_dynamic, fbgemm) on one batch of 32 x 112
random pieces, median of 5 after a warm-up; prints one JSON line. PERFORMANCE.md
section 8. Needs the training venv (torch 2.4, transformers).

    .venv-train/bin/python scripts/bench/bench_int8.py [THREADS]
"""
import time, torch, json, sys
from transformers import AutoModelForTokenClassification
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv)>1 else 1)
m = AutoModelForTokenClassification.from_pretrained("models/ner", torch_dtype=torch.float32).eval()
B, L = 32, 112
ids = torch.randint(1000, 20000, (B, L)); mask = torch.ones(B, L, dtype=torch.long)
def bench(fn, n=5):
    with torch.no_grad():
        fn(); ts=[]
        for _ in range(n):
            t=time.perf_counter(); fn(); ts.append(time.perf_counter()-t)
    ts.sort(); return ts[len(ts)//2]
fp32 = bench(lambda: m(input_ids=ids, attention_mask=mask))
def bf():
    with torch.autocast("cpu", dtype=torch.bfloat16):
        return m(input_ids=ids, attention_mask=mask)
bf16 = bench(bf)
q = torch.ao.quantization.quantize_dynamic(m, {torch.nn.Linear}, dtype=torch.qint8)
q8 = bench(lambda: q(input_ids=ids, attention_mask=mask))
with torch.no_grad():
    a = m(input_ids=ids, attention_mask=mask).logits.argmax(-1); b = q(input_ids=ids, attention_mask=mask).logits.argmax(-1)
print(json.dumps({"threads": torch.get_num_threads(), "fp32_s": round(fp32,3), "bf16_s": round(bf16,3), "int8_dynamic_s": round(q8,3), "argmax_agree": float((a==b).float().mean()), "tokens": B*L}))
