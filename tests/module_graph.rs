//! No import circle in `src/`: lists the edges between the crate's modules
//! (one module a file: `src/link/names.rs` is `link::names`) from their
//! `use crate::…` and `use super::…` lines and the `crate::…` paths in their
//! code (comments and unit tests, `#[cfg(test)] mod tests` or a `tests.rs`,
//! left out), and fails naming
//! the modules of any circle. A module's edges to its own parent or children
//! (a `mod.rs` re-exporting its parts, a part using its parent's types) do
//! not count: they are one room. `src/main.rs` is outside the library.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` → `["a", "b"]`, `src/a/mod.rs` → `["a"]`, `src/lib.rs` → `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without its unit tests and comments.
fn code_of(text: &str) -> String {
    let text = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or("");
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// The paths a `use` group `{a::b, c::{d, e}}` names, each after `prefix`;
/// `text` starts just after the `{`. Returns them and the bytes read.
fn group(prefix: &str, text: &str) -> (Vec<String>, usize) {
    let mut paths = Vec::new();
    let mut item = String::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let c = bytes[i] as char;
        match c {
            '{' => {
                let (inner, read) = group(&format!("{prefix}{}", item.trim()), &text[i + 1..]);
                paths.extend(inner);
                item.clear();
                i += read + 1;
                continue;
            }
            '}' => {
                if !item.trim().is_empty() {
                    paths.push(format!("{prefix}{}", item.trim()));
                }
                return (paths, i + 1);
            }
            ',' => {
                if !item.trim().is_empty() {
                    paths.push(format!("{prefix}{}", item.trim()));
                }
                item.clear();
            }
            _ => item.push(c),
        }
        i += 1;
    }
    (paths, i)
}

/// Every module path named in `code` (of module `here`), as `a::b::Item`
/// from the crate root.
fn named_paths(code: &str, here: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(|c| c == 'c' || c == 's') {
        let tail = &rest[at..];
        let boundary = at == 0 || !is_path_char(rest[..at].chars().last().unwrap_or(' '));
        let (base, after): (Vec<String>, &str) = if boundary && tail.starts_with("crate::") {
            (Vec::new(), &tail["crate::".len()..])
        } else if boundary && tail.starts_with("super::") {
            let mut n = 0;
            let mut t = tail;
            while let Some(s) = t.strip_prefix("super::") {
                n += 1;
                t = s;
            }
            // `super` of `a::b` is `a`, whether `b` is a file or a folder.
            (here[..here.len().saturating_sub(n)].to_vec(), t)
        } else {
            rest = &rest[at + 1..];
            continue;
        };
        let prefix: String = base.iter().map(|p| format!("{p}::")).collect();
        let len = after.find(|c: char| !is_path_char(c)).unwrap_or(after.len());
        let path = &after[..len];
        if path.ends_with("::") && after[len..].starts_with('{') {
            let (paths, read) = group(&format!("{prefix}{path}"), &after[len + 1..]);
            out.extend(paths);
            rest = &after[len + 1 + read..];
        } else {
            out.push(format!("{prefix}{path}"));
            rest = &after[len..];
        }
    }
    out
}

/// The module `path` lands in: its longest prefix that is a module.
fn resolve(path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty() && *p != "self").collect();
    (1..=parts.len()).rev().map(|k| parts[..k].join("::")).find(|m| modules.contains(m))
}

fn related(a: &str, b: &str) -> bool {
    a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
}

/// The module import edges of `src/` (library only).
fn edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    // Unit tests kept in a file of their own (`graph/tests.rs`) are no part
    // of the module's imports.
    files.retain(|f| f != &src.join("main.rs") && !f.ends_with("tests.rs"));
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f).join("::")).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let here = module_of(src, file);
        let name = here.join("::");
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for path in named_paths(&code, &here) {
            let Some(target) = resolve(&path, &modules) else { continue };
            if target != name && !name.is_empty() && !related(&name, &target) {
                edges.entry(name.clone()).or_default().insert(target);
            }
        }
    }
    edges
}

/// The circles of `edges`: strongly connected components of two or more
/// modules (Tarjan).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.edges.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

/// `edges` between top-level modules only.
fn top_level(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let top = |m: &str| m.split("::").next().unwrap_or(m).to_string();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges {
        for t in to {
            if top(from) != top(t) {
                out.entry(top(from)).or_default().insert(top(t));
            }
        }
    }
    out
}

fn assert_no_circle(edges: &BTreeMap<String, BTreeSet<String>>) {
    let found = circles(edges);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let inner: Vec<String> = c
                .iter()
                .map(|m| format!("{m} -> {:?}", edges[m].iter().filter(|t| c.contains(t)).collect::<Vec<_>>()))
                .collect();
            inner.join("; ")
        })
        .collect();
    assert!(found.is_empty(), "import circles in src/:\n{}", described.join("\n"));
}

#[test]
fn no_import_circle_in_src() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&src);
    assert!(edges.values().map(BTreeSet::len).sum::<usize>() > 50, "too few edges found: {edges:?}");
    assert!(edges["pipeline"].contains("store"), "pipeline uses store");
    assert!(edges["link::pronouns"].contains("link::names"), "super:: paths count");
    assert_no_circle(&edges);
    assert_no_circle(&top_level(&edges));
}

#[test]
fn a_circle_is_found() {
    let edges: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a", "d"]), ("d", vec![])]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
            .collect();
    assert_eq!(circles(&edges), vec![vec!["a".to_string(), "b".to_string(), "c".to_string()]]);
    let here = vec!["link".to_string(), "names".to_string()];
    let paths = named_paths("use super::text::{fold, Info};\nlet x = crate::store::content_hash(a);", &here);
    assert_eq!(paths, ["link::text::fold", "link::text::Info", "store::content_hash"]);
}
