//! Build script: bakes the libtorch location into the binary's rpath so that
//! both `target/release/stancegraph` and a binary installed by `make install`
//! run with no `LD_LIBRARY_PATH`.
//!
//! tch's own build script finds libtorch through `LIBTORCH` (set by the
//! Makefile to `.deps/py/torch`), but its rpath does not reach our binary.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=build.rs");
    let libtorch = match std::env::var("LIBTORCH") {
        Ok(dir) => PathBuf::from(dir),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".deps/py/torch"),
    };
    // First the installed layout ($PREFIX/bin/../lib/stancegraph, filled by
    // `make install`); the checkout's libtorch only as fallbacks for the
    // in-tree binary. The libtorch libraries themselves carry an RPATH of
    // $ORIGIN, so libtorch_cpu.so finds libc10.so etc. in the same folder.
    println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN/../lib/stancegraph");
    let lib = libtorch.join("lib");
    let lib = lib.canonicalize().unwrap_or(lib);
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    // Relative fallback for a binary that stays inside the checkout.
    println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN/../../.deps/py/torch/lib");
}
