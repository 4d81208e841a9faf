#!/usr/bin/env bash
# `make install` into a temporary prefix, then run the installed binary the
# way a cron job on a server would: from / with a clean environment (no
# LD_LIBRARY_PATH, no STANCEGRAPH_MODELS). Asserts that it exits 0, writes
# graph.gexf and summary.json, took its models from the prefix (summary.json's
# ner_model) and loaded every non-system library from the prefix, none from the
# checkout's .deps (ldd, and the dynamic loader's own log of the real run);
# and that the shell completions and man pages are installed (the bash one
# loads, the man pages render with man or groff, without groff warnings).
#   usage: scripts/test/test_install.sh   (run by `make test-install` and `make test`)
set -uo pipefail
cd "$(dirname "$0")/../.."
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

# Shell completions and man pages, from the binary's own definitions.
share="$prefix/share"
for f in bash-completion/completions/stancegraph zsh/site-functions/_stancegraph \
  fish/vendor_completions.d/stancegraph.fish; do
  grep -q -- '--stance-model' "$share/$f" 2>/dev/null || fail "completion $f not installed (or without --stance-model)"
done
bash -c "source '$share/bash-completion/completions/stancegraph' && complete -p stancegraph" >/dev/null 2>&1 ||
  fail "the bash completion does not load"
if command -v zsh >/dev/null; then zsh -n "$share/zsh/site-functions/_stancegraph" || fail "zsh completion: syntax"; fi
if command -v fish >/dev/null; then fish -n "$share/fish/vendor_completions.d/stancegraph.fish" || fail "fish completion: syntax"; fi
man1="$share/man/man1"
pages=$(ls "$man1" 2>/dev/null | wc -l)
for page in stancegraph run merge export recover eval-stance; do
  [ "$page" = stancegraph ] || page="stancegraph-$page"
  test -s "$man1/$page.1" || fail "man page $page.1 not installed"
done
if command -v man >/dev/null; then
  render() { MANWIDTH=100 man -l "$1" 2>&1; }
elif command -v groff >/dev/null; then
  render() { groff -k -man -Tutf8 "$1" 2>&1; }
fi
if [ -n "$(type -t render)" ]; then
  text=$(render "$man1/stancegraph-run.1") || fail "stancegraph-run.1 does not render"
  for part in SYNOPSIS --stance-model "EXIT CODES" report.html; do
    grep -q -- "$part" <<<"$text" || fail "stancegraph-run.1 renders without '$part'"
  done
  if command -v groff >/dev/null; then
    warnings=$(for f in "$man1"/*.1; do groff -k -man -Tutf8 -ww -z "$f" 2>&1; done)
    [ -z "$warnings" ] || fail "groff warns on the man pages: $warnings"
  fi
  rendered="$pages man pages render"
else
  rendered="$pages man pages (no man or groff here to render them)"
fi

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
  "$(wc -l <<<"$loaded") loaded libraries from PREFIX/lib/stancegraph or the system;" \
  "bash, zsh and fish completions installed, $rendered)"
