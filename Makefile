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
#   make bench  NER speed vs Python transformers on ../shared/data/corpus/polnear, stance pairs/s (needs ../shared)
#   make bench-nightly  a full PolNeAR store vs a night adding 1 % new documents; peak memory at 1x and 4x (needs ../shared)
#   make bench-merge  the Slurm merge step of a small night into corpus stores of 1/4, 1/2 and all of PolNeAR
#               and the Reddit threads (needs ../shared)

PYTHON      ?= python3
DEPS        := $(CURDIR)/.deps
LIBTORCH    := $(DEPS)/py/torch
TORCH_STAMP := $(LIBTORCH)/lib/libtorch_cpu.so
BIN         := $(or $(CARGO_TARGET_DIR),target)/release/stancegraph
SAMPLE_OUT  ?= out/sample
SHARED      ?= ../shared
PREFIX      ?= /usr/local

export LIBTORCH
export LIBTORCH_CXX11_ABI := 0

.PHONY: all deps build run test test-install test-slurm install bench bench-ner bench-stance bench-nightly bench-merge tools clean

all: build

# libtorch for tch 0.17 comes from the PyPI torch 2.4.0 wheel, CPU libraries only
# (the two small nvidia wheels satisfy libtorch_cpu's link to the CUDA runtime stubs).
$(TORCH_STAMP):
	@echo ">> installing libtorch (PyPI torch==2.4.0, CPU libraries) into $(DEPS)/py"
	$(PYTHON) -m pip install --quiet --no-deps --target $(DEPS)/py \
	    torch==2.4.0 nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105
	cd $(LIBTORCH)/lib && rm -f libtorch_cuda.so libtorch_cuda_linalg.so libc10_cuda.so \
	    libcaffe2_nvrtc.so libcusparseLt-*.so.0
	@test -f $@

deps: $(TORCH_STAMP)

build: deps
	cargo build --release

run: build
	$(BIN) run examples/sample --out $(SAMPLE_OUT)
	@echo
	@echo "graph written to $(abspath $(SAMPLE_OUT))/graph.gexf (open it in Gephi)"

# xmllint validates the GEXF output against the GEXF 1.3 schema in the tests; headless chromium
# loads report.html in tests/report.rs; node with graphology-gexf (npm, into .deps/node) parses the
# three GEXF files in tests/pair_graphs.rs.
NODE_DIR := $(DEPS)/node

tools:
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

test: deps tools
	cargo test --release
	$(MAKE) test-install

test-install:
	bash scripts/test_install.sh

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

bench: bench-ner bench-stance

bench-ner: build
	bash scripts/bench_ner.sh $(SHARED)/data/corpus/polnear

bench-stance: build
	bash scripts/bench_stance.sh $(SHARED)/data

bench-nightly: build
	bash scripts/bench_nightly.sh $(SHARED)/data/corpus/polnear

bench-merge: build
	BIN=$(BIN) bash scripts/bench_merge.sh $(SHARED)/data

clean:
	cargo clean
