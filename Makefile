# stancegraph: set-up, build, run, test, benchmarks.
#   make run    installs what is missing, builds, runs on examples/sample, prints where the graph is
#   make test   unit + integration tests (tests needing ../shared/data skip with a note when it is absent)
#   make bench  NER speed vs Python transformers on ../shared/data/corpus/polnear, stance pairs/s (needs ../shared)

PYTHON      ?= python3
DEPS        := $(CURDIR)/.deps
LIBTORCH    := $(DEPS)/py/torch
TORCH_STAMP := $(LIBTORCH)/lib/libtorch_cpu.so
BIN         := target/release/stancegraph
SAMPLE_OUT  ?= out/sample
SHARED      ?= ../shared

export LIBTORCH
export LIBTORCH_CXX11_ABI := 0

.PHONY: all deps build run test bench bench-ner bench-stance tools clean

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

# xmllint validates the GEXF output against the GEXF 1.3 schema in the tests.
tools:
	@command -v xmllint >/dev/null 2>&1 || { echo ">> installing libxml2-utils (xmllint)"; \
	    (apt-get install -y -q libxml2-utils >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q libxml2-utils >/dev/null)); }

test: deps tools
	cargo test --release

bench: bench-ner bench-stance

bench-ner: build
	bash scripts/bench_ner.sh $(SHARED)/data/corpus/polnear

bench-stance: build
	bash scripts/bench_stance.sh $(SHARED)/data

clean:
	cargo clean
