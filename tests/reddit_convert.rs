//! `scripts/data/reddit_to_jsonl.py` on a small made-up thread set: a missing
//! parent answered by two roots is one thread, so every comment appears
//! once (issue 26, item 5); a root without a parent is a thread of its own.

use std::process::Command;

mod common;
use common::root;

const HEADER: &str = "comment_id,parent_comment_id,user_id,parent_user_id,parent_content,content\n";

#[test]
fn a_comment_appears_once() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "\
b1,p0,2.0,1.0,the missing parent,first answer
b2,p0,3.0,1.0,the missing parent,second answer
c1,b1,4.0,2.0,first answer,reply to the first
c2,b2,5.0,3.0,second answer,reply to the second
d1,,6.0,,,a thread of its own
";
    std::fs::write(dir.path().join("reddit_trump_train.csv"), format!("{HEADER}{rows}")).unwrap();
    std::fs::write(dir.path().join("reddit_trump_val.csv"), HEADER).unwrap();
    let out = Command::new("python3")
        .arg(root().join("scripts/data/reddit_to_jsonl.py"))
        .arg(dir.path())
        .output()
        .expect("python3 runs scripts/data/reddit_to_jsonl.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["id"], "reddit-b1");
    let thread: Vec<(&str, Option<&str>)> = docs[0]["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["parent"].as_str()))
        .collect();
    assert_eq!(
        thread,
        vec![("p0", None), ("b1", Some("p0")), ("c1", Some("b1")), ("b2", Some("p0")), ("c2", Some("b2"))]
    );
    assert_eq!(docs[0]["comments"][0]["author"], "u1");
    assert_eq!(docs[1]["id"], "reddit-d1");
    assert_eq!(docs[1]["comments"].as_array().unwrap().len(), 1);
}
