#!/usr/bin/env bash
# `make install` into a temporary prefix, then run the installed binary the
# way a cron job on a server would: from / with a clean environment (no
# LD_LIBRARY_PATH, no STANCEGRAPH_MODELS). Asserts that it exits 0, writes
# graph.gexf and summary.json, took its models from the prefix (summary.json's
# ner_model) and loaded every non-system library from the prefix, none from the
# checkout's .deps (ldd, and the dynamic loader's own log of the real run).
#   usage: scripts/test_install.sh   (run by `make test-install` and `make test`)
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$(cd "$tmp" && pwd -P)/prefix"
out="$tmp/out"

fail() {
  echo "test-install: FAIL: $*"
  exit 1
}

if ! ${MAKE:-make} --no-print-directory install PREFIX="$prefix" DESTDIR= >"$tmp/install.log" 2>&1; then
  tail -n 20 "$tmp/install.log"
  fail "make install PREFIX=$prefix failed"
fi
bin="$prefix/bin/stancegraph"
libdir="$prefix/lib/stancegraph"
test -x "$bin" || fail "$bin missing"
for m in ner stance; do
  for f in config.json tokenizer.json model.safetensors; do
    test -f "$prefix/share/stancegraph/models/$m/$f" || fail "models/$m/$f not installed"
  done
done

# The loader's view: every library the binary needs resolves, the libtorch ones in the prefix.
ldd_out=$(cd / && env -i PATH=/usr/bin:/bin ldd "$bin" 2>&1) || fail "ldd $bin failed: $ldd_out"
if grep -q "not found" <<<"$ldd_out"; then
  fail "unresolved libraries: $(grep 'not found' <<<"$ldd_out" | tr -s ' \t\n' ' ')"
fi
for lib in libtorch_cpu.so libc10.so libgomp- libcudart.so libcupti.so; do
  path=$(awk -v l="$lib" 'index($1, l) == 1 { print $3 }' <<<"$ldd_out")
  path=$(realpath -m "${path:-/nothing}") # the loader reports $ORIGIN/../lib as bin/../lib
  [[ "$path" == "$libdir/"* ]] || fail "$lib resolves to '$path', not under $libdir"
done

# The real run, from / with a clean environment. LD_DEBUG=libs only makes the
# loader log which files it loaded (including anything dlopen'ed at run time).
(cd / && env -i PATH=/usr/bin:/bin HOME="$HOME" LD_DEBUG=libs LD_DEBUG_OUTPUT="$tmp/ld" \
  "$bin" run "$repo/examples/sample" --out "$out" --quiet) >"$tmp/run.log" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
  tail -n 20 "$tmp/run.log"
  fail "installed binary exited with $rc"
fi
test -f "$out/graph.gexf" || fail "no graph.gexf in --out"
test -f "$out/summary.json" || fail "no summary.json in --out"
ner_model=$(grep -o '"ner_model": *"[^"]*"' "$out/summary.json" | sed 's/.*: *"\(.*\)"/\1/')
[[ "$ner_model" == "$prefix/share/stancegraph/models/"* ]] ||
  fail "ner_model is '$ner_model', not under $prefix/share/stancegraph/models"

loaded=$(cat "$tmp"/ld.* 2>/dev/null | sed -n 's/.*calling init: //p' | xargs -r realpath -m | sort -u)
[ -n "$loaded" ] || fail "no loader log (LD_DEBUG) from the run"
grep -qx "$libdir/libtorch_cpu.so" <<<"$loaded" || fail "libtorch_cpu.so not loaded from $libdir"
foreign=$(grep -v -e "^$prefix/" -e '^/lib/' -e '^/lib64/' -e '^/usr/lib/' -e '^/usr/lib64/' <<<"$loaded")
[ -z "$foreign" ] || fail "libraries loaded from outside the prefix: $(tr '\n' ' ' <<<"$foreign")"

size=$(du -sh "$prefix" | cut -f1)
echo "test-install: PASS (installed $size into a temporary prefix; run from / with env -i: exit 0," \
  "graph.gexf + summary.json written, models from PREFIX/share/stancegraph/models, all" \
  "$(wc -l <<<"$loaded") loaded libraries from PREFIX/lib/stancegraph or the system)"
