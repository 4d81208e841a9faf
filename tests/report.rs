//! `report.html` in headless Chromium: the release binary runs on the sample
//! corpus (always), the seed document (when ../shared is present) and a small
//! corpus with hostile author names and a bad line; each report page is
//! loaded in Debian's `chromium` (`--dump-dom`) and must
//!
//! * log nothing to the console (no script error, no blocked load: the page's
//!   Content-Security-Policy forbids every fetch, so one would be logged);
//! * pass its own self-check (`<pre id="self-check">`, see `src/report/mod.rs`),
//!   with no error caught by `window.onerror`, and have every panel;
//! * show the key numbers of summary.json: documents, comments, entities,
//!   mentions, stance pairs, favour / against / neutral;
//! * link only to files of its own folder that exist (no URL, no `src=`).
//!
//! `make test` installs chromium (`make tools`); without it these tests skip
//! with a note.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::root;

const BIN: &str = env!("CARGO_BIN_EXE_stancegraph");

/// The Chromium binary, or `None` (with a note) when there is none.
fn chromium() -> Option<&'static str> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if found {
            return Some(name);
        }
    }
    eprintln!("note: chromium is absent (`make tools` installs it); the report page checks are skipped");
    None
}

/// Loads `page` in headless Chromium; returns (DOM after the scripts ran, stderr).
fn load(browser: &str, page: &Path) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Drain both pipes while waiting: a DOM bigger than a pipe's buffer would
    // otherwise block chromium on its write.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.success(), "chromium failed on {url}: {stderr}");
    (stdout, stderr)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

/// The JSON the page's script wrote into `<pre id="self-check">`.
fn self_check(dom: &str) -> Value {
    let start = dom.find("<pre id=\"self-check\">").expect("a self-check element") + "<pre id=\"self-check\">".len();
    let end = start + dom[start..].find("</pre>").expect("its end");
    let text = unescape(&dom[start..end]);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("self-check is not JSON ({e}): {text:?}"))
}

/// Every `href="…"` value in `html`.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"").skip(1).map(|rest| unescape(&rest[..rest.find('"').unwrap()])).collect()
}

/// Runs the binary; returns the export set's folder (`OUT/latest`).
fn run(inputs: &[&Path], out: &Path, expect_code: i32) -> PathBuf {
    let o = Command::new(BIN)
        .arg("run")
        .args(inputs)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .current_dir(root())
        .output()
        .expect("run stancegraph");
    assert_eq!(o.status.code(), Some(expect_code), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    out.join("latest")
}

/// Loads the set's report page and checks it against its summary.json.
/// Returns the DOM and the summary.
fn check_report(browser: &str, set: &Path) -> (String, Value) {
    let page = set.join("report.html");
    let html = std::fs::read_to_string(&page).expect("report.html is written");
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(set.join("summary.json")).unwrap()).unwrap();

    // Self-contained: nothing to fetch, links only to files of the set.
    for tag in ["<img", "<link", "<iframe", "<object", "<embed", "<audio", "<video", "<source", "<script src"] {
        assert!(!html.contains(tag), "the page loads nothing, but has {tag}");
    }
    for h in hrefs(&html) {
        if h.starts_with('#') {
            continue;
        }
        assert!(!h.contains(':') && !h.contains('/'), "link {h:?} leaves the folder");
        assert!(set.join(&h).is_file(), "link {h:?}: no such file in the set");
    }
    for f in stancegraph::export::FILES.iter().filter(|f| **f != "report.html") {
        assert!(hrefs(&html).iter().any(|h| h == f), "no link to {f}");
    }

    let (dom, stderr) = load(browser, &page);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console output from the page: {console:#?}");
    let check = self_check(&dom);
    assert_eq!(check["errors"], serde_json::json!([]), "errors on the page: {check}");
    assert_eq!(check["ok"], true, "self-check failed: {check}");
    assert!(dom.contains("data-ok=\"1\""), "<html data-ok> is not 1");
    for panel in stancegraph::report::PANELS {
        assert!(check["panels"].as_array().unwrap().iter().any(|p| p == panel), "panel {panel} missing: {check}");
    }
    assert!(check["charts"].as_u64().unwrap() > 0, "no SVG drawn: {check}");

    // The key numbers match summary.json.
    let keys = &check["keys"];
    for key in ["documents", "comments", "entities", "mentions", "stance_pairs"] {
        assert_eq!(keys[key], summary[key], "{key}: page {} vs summary.json {}", keys[key], summary[key]);
    }
    for label in ["favour", "against", "neutral"] {
        let expected = summary["stances"].get(label).and_then(Value::as_u64).unwrap_or(0);
        assert_eq!(keys[label].as_u64(), Some(expected), "{label}: page {} vs summary.json {expected}", keys[label]);
    }
    let skipped = summary["skipped"].as_array().map_or(0, Vec::len);
    if skipped == 0 {
        assert!(dom.contains("No input was skipped."));
    } else {
        let shown = format!("data-count=\"skipped\">{skipped} input");
        assert!(dom.contains(&shown), "the skipped count {skipped} is not shown");
    }
    (dom, summary)
}

#[test]
fn sample_report_loads_cleanly_and_matches_the_summary() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let set = run(&[&root().join("examples/sample")], &dir.path().join("out"), 0);
    let (dom, summary) = check_report(browser, &set);
    assert!(summary["stance_pairs"].as_u64().unwrap() > 0, "the sample has stance pairs");
    assert!(dom.contains("data-panel=\"timeline\""));
    // The sample has dated documents: the timeline is drawn.
    assert!(dom.contains("class=\"multiple\""), "no stance-over-time chart");
    // The top-level link opens the same page.
    assert!(dir.path().join("out/report.html").is_file());
}

#[test]
fn seed_report_loads_cleanly_and_matches_the_summary() {
    let Some(browser) = chromium() else { return };
    let seed = root().join("../shared/data/seed");
    if !seed.exists() {
        eprintln!("note: {} is absent; the seed report check is skipped (CI has ../shared)", seed.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let set = run(&[&seed], &dir.path().join("out"), 0);
    let (dom, _) = check_report(browser, &set);
    // Entities no comment was measured on say so.
    assert!(dom.contains("no comments measured"));
}

#[test]
fn hostile_names_are_text_and_skipped_lines_are_listed() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("hostile.jsonl");
    let doc = serde_json::json!({
        "id": "hostile",
        "date": "2024-05-02",
        "title": "Canada and Mexico sign a trade deal",
        "text": "Canada and Mexico signed a trade deal in Ottawa on Thursday. Prime Minister Justin Trudeau called it a good day for both countries.",
        "comments": [
            {"author": "<img src=x onerror=alert(1)>", "text": "Canada did well here. Good for Canada."},
            {"author": "</script><script>alert(2)</script>", "text": "Mexico got a terrible deal, Mexico always loses."},
            {"author": "\"quoted\" & 'single'", "text": "Justin Trudeau is doing a great job with Mexico."},
            // An override that would show the name (and the text after it) reversed, and two
            // names that differ only by a noncharacter.
            {"author": "evil\u{202e}eman", "text": "Canada is great."},
            {"author": "ab", "text": "Mexico is great."},
            {"author": "a\u{fffe}b", "text": "Mexico is awful."}
        ]
    });
    std::fs::write(&input, format!("{doc}\n{{not json\n")).unwrap();
    let set = run(&[&input], &dir.path().join("out"), 1);
    let (dom, summary) = check_report(browser, &set);
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 1, "{summary}");
    // The names are shown as text, never as markup.
    assert!(!dom.contains("<img"), "an author name became an element");
    assert!(!dom.contains("<script>alert"), "an author name became a script");
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"), "the name is shown escaped");
    assert!(dom.contains("&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(dom.contains("\"quoted\" &amp; 'single'"));
    // The override is shown as its code, not obeyed; the two names stay two.
    assert!(!dom.contains('\u{202e}'), "a direction override reached the page");
    assert!(dom.contains("evil\\u{202e}eman"));
    assert!(dom.contains(">ab<") && dom.contains("a\\u{fffe}b"), "the two names are not both shown");
    assert_eq!(self_check(&dom)["keys"]["commenters"], 6, "six commenters");
}
