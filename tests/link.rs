//! Integration tests of the entity linker (`stancegraph::link`), with
//! hand-built documents and the spans an NER model would plausibly give.
//!
//! `seed_document_*` reads the project's seed document from
//! `../shared/data/seed/` at run time (it is not copied into the repository)
//! and is skipped with a note when that folder is absent. `seed_like_*` runs
//! the same acceptance checks on a document written for these tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stancegraph::corpus::{Comment, Document};
use stancegraph::link::{DocumentSpans, Entity, EntityType, IssuedIds, LinkedBy, Linker, Mention, Source};
use stancegraph::ner::{EntityKind, EntitySpan};

use EntityKind::{Location as Loc, Misc, Organisation as Org, Person as Per};

// ---------------------------------------------------------------------------
// Helpers

fn document(id: &str, article: &str, comments: &[(&str, &str, Option<usize>)]) -> Document {
    Document {
        id: id.to_string(),
        path: PathBuf::from(format!("{id}.txt")),
        date: Some("2023-10-17".to_string()),
        title: None,
        text: article.to_string(),
        comments: comments
            .iter()
            .map(|(author, text, parent)| Comment {
                id: None,
                author: author.to_string(),
                text: text.to_string(),
                parent: *parent,
                date: None,
            })
            .collect(),
    }
}

/// Char offset of every whole-word occurrence of `needle` in `text`.
fn occurrences(text: &str, needle: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let pat: Vec<char> = needle.chars().collect();
    let mut out = Vec::new();
    if pat.is_empty() || pat.len() > chars.len() {
        return out;
    }
    for i in 0..=chars.len() - pat.len() {
        if chars[i..i + pat.len()] != pat[..] {
            continue;
        }
        let before_ok = i == 0 || !chars[i - 1].is_alphanumeric();
        let after_ok = chars.get(i + pat.len()).map(|c| !c.is_alphanumeric()).unwrap_or(true);
        if before_ok && after_ok {
            out.push((i, i + pat.len()));
        }
    }
    out
}

/// NER-like spans: every whole-word occurrence of each needle, longer
/// needles first, never overlapping an earlier span.
fn tag(text: &str, needles: &[(&str, EntityKind)]) -> Vec<EntitySpan> {
    let mut sorted: Vec<&(&str, EntityKind)> = needles.iter().collect();
    sorted.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
    let mut spans: Vec<EntitySpan> = Vec::new();
    for (needle, kind) in sorted {
        for (start, end) in occurrences(text, needle) {
            if spans.iter().any(|s| s.start < end && start < s.end) {
                continue;
            }
            spans.push(EntitySpan { start, end, kind: *kind, text: needle.to_string(), score: 0.99 });
        }
    }
    spans.sort_by_key(|s| s.start);
    spans
}

fn entity<'a>(entities: &'a [Entity], id: &str) -> &'a Entity {
    entities.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("no entity {id} in {:#?}", ids(entities)))
}

fn ids(entities: &[Entity]) -> Vec<String> {
    entities.iter().map(|e| e.id.clone()).collect()
}

/// Mentions of one source, by text → entity id.
fn in_source(mentions: &[Mention], source: Source) -> Vec<(String, String, LinkedBy)> {
    mentions.iter().filter(|m| m.source == source).map(|m| (m.text.clone(), m.entity_id.clone(), m.linked_by)).collect()
}

/// Checks that every mention's offsets slice to its text.
fn check_offsets(doc: &Document, mentions: &[Mention]) {
    for m in mentions {
        let text = match m.source {
            Source::Article => &doc.text,
            Source::Comment(i) => &doc.comments[i].text,
        };
        let slice: String = text.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(slice, m.text, "offsets of {m:?}");
    }
}

// ---------------------------------------------------------------------------
// A seed-like document written for these tests

const ARTICLE: &str = "Japanese Foreign Minister Yoko Kamikawa urged her Iranian counterpart on Tuesday to press the Palestinian group Hamas to calm the conflict with Israel, the Japanese Foreign Ministry said.\n\
Kamikawa spoke by phone with Hossein Amir-Abdollahian as Israel readied an offensive in Gaza.\n\
Iran’s Supreme Leader Ayatollah Ali Khamenei said the bombing of the Gaza Strip must end, and Abdollahian agreed.\n\
© Example Wire 2023.";

fn seed_like() -> (Document, DocumentSpans) {
    let comments: Vec<(&str, &str, Option<usize>)> = vec![
        ("alice", "Rifles found after the raid carry Iranian markings. Why would Iran broker peace?", None),
        ("bob", "Where did the bombs come from? The US of where?", None),
        ("carol", "Japan should drop the US president the Biden and talk to Iran directly. Nobody trusts USA now. What a mess under Biden.", None),
        ("dave", "I’m sure they will listen to her……", None),
        ("erin", "Even Kishida is not daft enough to join BRICS.", None),
        ("frank", "Kishida makes her do this because he wants to look like a leader. Just like Abe.", None),
        ("gina", "Hamas already asked for a ceasefire. There's nothing more they can do short of surrendering to the IDF. Does she even watch the news?", None),
        ("hank", "let us see what happens, nobody tells us anything", None),
    ];
    let doc = document("seedlike", ARTICLE, &comments);
    let article = tag(
        ARTICLE,
        &[
            ("Japanese", Misc),
            ("Yoko Kamikawa", Per),
            ("Kamikawa", Per),
            ("Iranian", Misc),
            ("Palestinian", Misc),
            ("Hamas", Org),
            ("Israel", Loc),
            ("Japanese Foreign Ministry", Org),
            ("Hossein Amir-Abdollahian", Per),
            ("Abdollahian", Per),
            ("Gaza", Loc),
            ("Gaza Strip", Loc),
            ("Iran’s", Loc),
            ("Ali Khamenei", Per),
            ("Example Wire", Org),
        ],
    );
    let per_comment: Vec<Vec<(&str, EntityKind)>> = vec![
        vec![("Iran", Loc)], // "Iranian markings" missed by the model
        vec![],              // "The US of where?" missed
        vec![("Japan", Loc), ("US", Loc), ("Biden", Per), ("Iran", Loc), ("USA", Loc)],
        vec![],
        vec![("Kishida", Per), ("BRICS", Org)],
        vec![("Kishida", Per), ("Abe", Per)],
        vec![("Hamas", Org), ("IDF", Org)],
        vec![],
    ];
    let spans = DocumentSpans {
        article,
        comments: comments.iter().zip(&per_comment).map(|((_, text, _), needles)| tag(text, needles)).collect(),
    };
    (doc, spans)
}

#[test]
fn seed_like_document_meets_the_acceptance_rules() {
    let (doc, spans) = seed_like();
    let mut linker = Linker::new();
    let mentions = linker.link(&doc, &spans);
    check_offsets(&doc, &mentions);
    let entities = linker.entities();

    // Countries.
    let usa = entity(&entities, "USA");
    assert_eq!(usa.label, "United States");
    assert_eq!(usa.kind, EntityType::Country);
    assert!(usa.aliases.contains(&"US".to_string()) && usa.aliases.contains(&"USA".to_string()), "{usa:?}");
    assert_eq!(usa.mentions, 3, "The US of where / US president / USA: {usa:?}");
    let iran = entity(&entities, "IRN");
    assert_eq!(iran.label, "Iran");
    assert!(iran.aliases.contains(&"Iranian".to_string()));
    assert_eq!(entity(&entities, "JPN").label, "Japan");
    assert!(entity(&entities, "JPN").aliases.contains(&"Japanese".to_string()));
    assert_eq!(entity(&entities, "ISR").label, "Israel");
    assert_eq!(entity(&entities, "PSE").label, "Palestine");

    // Gazetteer hits the model missed.
    let alice = in_source(&mentions, Source::Comment(0));
    assert!(alice.contains(&("Iranian".into(), "IRN".into(), LinkedBy::Gazetteer)), "{alice:?}");
    let bob = in_source(&mentions, Source::Comment(1));
    assert_eq!(bob, vec![("US".into(), "USA".into(), LinkedBy::Gazetteer)]);
    // "us" in lower case is not the United States.
    assert!(in_source(&mentions, Source::Comment(7)).is_empty());

    // Organisations and people.
    assert_eq!(entity(&entities, "org:hamas").label, "Hamas");
    assert_eq!(entity(&entities, "org:israel-defense-forces").label, "Israel Defense Forces");
    assert_eq!(entity(&entities, "org:brics").kind, EntityType::Organisation);
    let kamikawa = entity(&entities, "person:yoko-kamikawa");
    assert_eq!(kamikawa.label, "Yoko Kamikawa");
    assert!(kamikawa.aliases.contains(&"Kamikawa".to_string()));
    let kishida = entity(&entities, "person:fumio-kishida");
    assert_eq!(kishida.label, "Fumio Kishida");
    assert!(kishida.aliases.contains(&"Kishida".to_string()));
    let biden = entity(&entities, "person:joe-biden");
    assert_eq!(biden.label, "Joe Biden");
    assert_eq!(biden.aliases, vec!["Biden".to_string()]);
    entity(&entities, "person:shinzo-abe");
    let abdollahian = entity(&entities, "person:hossein-amir-abdollahian");
    assert!(abdollahian.aliases.contains(&"Abdollahian".to_string()));
    assert_eq!(entity(&entities, "person:ali-khamenei").label, "Ali Khamenei");
    // Exactly one entity per name: nothing else mentions Kamikawa, Kishida, Biden.
    for name in ["Kamikawa", "Kishida", "Biden", "Abdollahian"] {
        let n = entities.iter().filter(|e| e.aliases.iter().any(|a| a.contains(name))).count();
        assert_eq!(n, 1, "{name}: {:#?}", entities);
    }

    // Pronouns.
    let dave = in_source(&mentions, Source::Comment(3));
    assert_eq!(dave, vec![("her".into(), "person:yoko-kamikawa".into(), LinkedBy::Pronoun)], "they: no antecedent");
    let frank = in_source(&mentions, Source::Comment(5));
    assert!(frank.contains(&("her".into(), "person:yoko-kamikawa".into(), LinkedBy::Pronoun)), "{frank:?}");
    assert!(frank.contains(&("he".into(), "person:fumio-kishida".into(), LinkedBy::Pronoun)), "{frank:?}");
    let gina = in_source(&mentions, Source::Comment(6));
    assert!(gina.contains(&("she".into(), "person:yoko-kamikawa".into(), LinkedBy::Pronoun)), "{gina:?}");
    assert!(gina.contains(&("they".into(), "org:hamas".into(), LinkedBy::Pronoun)), "{gina:?}");
    // Pronouns are counted as mentions but not as aliases.
    assert!(!kamikawa.aliases.iter().any(|a| a == "her" || a == "she"));
}

#[test]
fn mentions_are_sorted_and_carry_the_document_id() {
    let (doc, spans) = seed_like();
    let mut linker = Linker::new();
    let mentions = linker.link(&doc, &spans);
    assert!(mentions.iter().all(|m| m.doc_id == "seedlike"));
    let keys: Vec<(Source, usize)> = mentions.iter().map(|m| (m.source, m.start)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // Entity mention counts add up to the mentions returned.
    let total: usize = linker.entities().iter().map(|e| e.mentions).sum();
    assert_eq!(total, mentions.len());
}

#[test]
fn iran_backed_and_israel_arab_yield_the_countries() {
    let text = "Israel fights the Iran-backed militants.";
    let comment = "They wanted to sabotage Israel-Arab normalisation.";
    let doc = document("hyphen", text, &[("x", comment, None)]);
    let spans = DocumentSpans {
        article: tag(text, &[("Israel", Loc), ("Iran-backed", Misc)]),
        comments: vec![tag(comment, &[("Israel-Arab", Misc)])],
    };
    let mut linker = Linker::new();
    let mentions = linker.link(&doc, &spans);
    check_offsets(&doc, &mentions);
    let article = in_source(&mentions, Source::Article);
    assert!(article.contains(&("Iran".into(), "IRN".into(), LinkedBy::Name)), "{article:?}");
    let c = in_source(&mentions, Source::Comment(0));
    assert_eq!(c, vec![("Israel".into(), "ISR".into(), LinkedBy::Name)]);
}

// ---------------------------------------------------------------------------
// Negative cases

#[test]
fn two_smiths_are_not_merged_and_smith_alone_joins_neither() {
    let text = "John Smith met Mary Smith in London. Smith said the talks went well.";
    let doc = document("smiths", text, &[("x", "Smith is right.", None)]);
    let spans = DocumentSpans {
        article: tag(text, &[("John Smith", Per), ("Mary Smith", Per), ("Smith", Per), ("London", Loc)]),
        comments: vec![tag("Smith is right.", &[("Smith", Per)])],
    };
    let mut linker = Linker::new();
    let mentions = linker.link(&doc, &spans);
    let entities = linker.entities();
    let john = entity(&entities, "person:john-smith");
    let mary = entity(&entities, "person:mary-smith");
    let smith = entity(&entities, "person:smith");
    assert_eq!((john.mentions, mary.mentions, smith.mentions), (1, 1, 2));
    assert_eq!(smith.label, "Smith");
    assert_ne!(john.id, mary.id);
    assert!(mentions.iter().filter(|m| m.text == "Smith").all(|m| m.entity_id == "person:smith"));
    assert_eq!(entity(&entities, "loc:london").kind, EntityType::Location);
}

#[test]
fn jordan_as_a_person_stays_a_person() {
    let text = "Jordan scored 40 points as Jordan beat Chicago.";
    let doc = document("jordan", text, &[]);
    let spans = DocumentSpans {
        article: vec![
            EntitySpan { start: 0, end: 6, kind: Per, text: "Jordan".into(), score: 0.9 },
            EntitySpan { start: 27, end: 33, kind: Loc, text: "Jordan".into(), score: 0.9 },
            EntitySpan { start: 39, end: 46, kind: Loc, text: "Chicago".into(), score: 0.9 },
        ],
        comments: vec![],
    };
    let mut linker = Linker::new();
    let mentions = linker.link(&doc, &spans);
    assert_eq!(mentions[0].entity_id, "person:jordan");
    assert_eq!(mentions[1].entity_id, "JOR", "a Location span is the country");
    let entities = linker.entities();
    assert_eq!(entity(&entities, "person:jordan").kind, EntityType::Person);
}

#[test]
fn party_words_and_misc_plurals_are_one_entity() {
    let text = "Republicans and Democrats met the Democratic National Committee. A Republican senator, \
                Muslims and a Muslim leader, Americans, Swiss bankers. Republican ran.";
    let doc = document("parties", text, &[]);
    let mut spans = tag(
        text,
        &[
            ("Republicans", Misc),
            ("Democrats", Org),
            ("Democratic National Committee", Org),
            ("Republican", Misc),
            ("Muslims", Misc),
            ("Muslim", Misc),
            ("Americans", Misc),
            ("Swiss", Misc),
        ],
    );
    // The last "Republican" is tagged Person: a person is never the party.
    let last = spans.iter_mut().rev().find(|s| s.text == "Republican").unwrap();
    last.kind = Per;
    let mut linker = Linker::new();
    let mentions = linker.link(&doc, &DocumentSpans { article: spans, comments: vec![] });
    let got: Vec<(&str, &str)> = mentions.iter().map(|m| (m.text.as_str(), m.entity_id.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("Republicans", "org:republican-party"),
            ("Democrats", "org:democratic-party"),
            ("Democratic National Committee", "org:democratic-national-committee"),
            ("Republican", "org:republican-party"),
            ("Muslims", "misc:muslims"),
            ("Muslim", "misc:muslims"),
            ("Americans", "USA"),
            ("Swiss", "CHE"),
            ("Republican", "person:republican"),
        ]
    );
    let entities = linker.entities();
    assert_eq!(entity(&entities, "org:republican-party").label, "Republican Party");
    assert_eq!(entity(&entities, "org:democratic-party").label, "Democratic Party");
    assert_eq!(entity(&entities, "misc:muslims").kind, EntityType::Misc);
}

#[test]
fn georgia_needs_country_context() {
    let us_state = "Voters in Georgia went to the polls.";
    let country = "Georgia and Russia argued over Abkhazia; Tbilisi protested.";
    let mut linker = Linker::new();
    let d1 = document("ga", us_state, &[]);
    let m1 = linker.link(&d1, &DocumentSpans { article: tag(us_state, &[("Georgia", Loc)]), comments: vec![] });
    assert_eq!(m1[0].entity_id, "loc:georgia");
    let d2 = document("geo", country, &[]);
    let m2 = linker.link(
        &d2,
        &DocumentSpans {
            article: tag(country, &[("Georgia", Loc), ("Russia", Loc), ("Abkhazia", Loc), ("Tbilisi", Loc)]),
            comments: vec![],
        },
    );
    assert_eq!(m2[0].entity_id, "GEO");
    assert_eq!(m2[1].entity_id, "RUS");
    let entities = linker.entities();
    assert_eq!(entity(&entities, "loc:georgia").kind, EntityType::Location);
    assert_eq!(entity(&entities, "GEO").label, "Georgia");
}

#[test]
fn lower_case_us_and_shouted_us_are_not_the_united_states() {
    let texts = ["Tell us where.", "Us folks know.", "LET US GO NOW", "IT and ME are not countries", "the us of where"];
    let mut linker = Linker::new();
    for (i, t) in texts.iter().enumerate() {
        let doc = document(&format!("us{i}"), t, &[]);
        let m = linker.link(&doc, &DocumentSpans::default());
        assert!(m.is_empty(), "{t}: {m:?}");
    }
    assert!(linker.entities().is_empty());
}

#[test]
fn spans_out_of_range_or_for_missing_comments_do_not_panic() {
    let doc = document("bad", "Short © text.", &[("x", "Iran’s move", None)]);
    let spans = DocumentSpans {
        article: vec![
            EntitySpan { start: 5, end: 500, kind: Loc, text: "x".into(), score: 0.5 },
            EntitySpan { start: 4, end: 2, kind: Per, text: "x".into(), score: 0.5 },
        ],
        comments: vec![vec![], vec![EntitySpan { start: 0, end: 4, kind: Loc, text: "Iran".into(), score: 0.5 }]],
    };
    let mut linker = Linker::new();
    let mentions = linker.link(&doc, &spans);
    // Only the gazetteer's "Iran" in the comment.
    assert_eq!(in_source(&mentions, Source::Comment(0)), vec![("Iran".into(), "IRN".into(), LinkedBy::Gazetteer)]);
    assert_eq!(mentions.len(), 1);
}

// ---------------------------------------------------------------------------
// Corpus level and registry

#[test]
fn the_same_full_name_across_documents_is_one_entity_and_surnames_join_it() {
    let mut linker = Linker::new();
    let a = "Finance Minister Anna Berglund presented the budget.";
    let b = "Critics said Berglund cut too much.";
    let c = "Anna Maria Berglund defended the plan.";
    for (id, text, needles) in [
        ("a", a, vec![("Anna Berglund", Per)]),
        ("b", b, vec![("Berglund", Per)]),
        ("c", c, vec![("Anna Maria Berglund", Per)]),
    ] {
        let doc = document(id, text, &[]);
        let spans = DocumentSpans { article: tag(text, &needles), comments: vec![] };
        let m = linker.link(&doc, &spans);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].entity_id, "person:anna-berglund", "{id}");
    }
    let e = linker.entities();
    let anna = entity(&e, "person:anna-berglund");
    assert_eq!(anna.mentions, 3);
    assert_eq!(anna.label, "Anna Maria Berglund", "longest full name, id unchanged");
}

#[test]
fn stable_ids_survive_a_relink_of_the_grown_corpus() {
    // Night 1: the seed-like document and a board learnt with its acronym.
    let (doc, spans) = seed_like();
    let text = "The Northern Fisheries Board (NFB) met on Monday.";
    let board = document("nfb", text, &[]);
    let board_spans =
        DocumentSpans { article: tag(text, &[("Northern Fisheries Board", Org), ("NFB", Org)]), comments: vec![] };
    let mut night1 = Linker::new();
    night1.link(&doc, &spans);
    let m = night1.link(&board, &board_spans);
    assert_eq!(m[0].entity_id, m[1].entity_id);
    let s1 = night1.stable_ids(&IssuedIds::default());
    let mut issued = IssuedIds::default();
    for (k, id) in &s1.keys {
        issued.keys.insert(k.clone(), id.clone());
    }
    for id in s1.ids.values() {
        issued.first_run.insert(id.clone(), 1);
    }

    // Night 2 relinks everything afresh, plus a later document.
    let mut night2 = Linker::new();
    night2.link(&doc, &spans);
    night2.link(&board, &board_spans);
    let text = "NFB chief Berglund praised Kamikawa.";
    let later = document("later", text, &[]);
    let m = night2
        .link(&later, &DocumentSpans { article: tag(text, &[("NFB", Org), ("Kamikawa", Per)]), comments: vec![] });
    let s2 = night2.stable_ids(&issued);
    let by_text: BTreeMap<String, String> =
        m.iter().map(|m| (m.text.clone(), s2.of(&m.entity_id).to_string())).collect();
    assert_eq!(by_text["NFB"], "org:northern-fisheries-board");
    assert_eq!(by_text["Kamikawa"], "person:yoko-kamikawa");
    for (fresh, id) in &s1.ids {
        assert_eq!(s2.of(fresh), id, "night 1's id {id} is kept");
    }
    assert!(s2.merged.is_empty());
}

// ---------------------------------------------------------------------------
// The project's seed document (read from ../shared/data when present)

fn seed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/seed/000_62d861501da0fb6e.txt")
}

/// Splits the seed file by hand: the article runs to the line with "©";
/// then a short line without sentence punctuation is a comment author and
/// the lines after it, up to the next author, are the comment.
fn parse_seed(raw: &str) -> Document {
    let lines: Vec<&str> = raw.lines().collect();
    let end = lines.iter().position(|l| l.contains('©')).expect("article end");
    let mut article: Vec<String> = lines[..=end].iter().map(|l| l.to_string()).collect();
    let first = article[0].trim_start().to_string();
    let first =
        first.strip_prefix("date ").map(|r| r.split_once(' ').map(|x| x.1).unwrap_or("").to_string()).unwrap_or(first);
    article[0] = first;
    let is_author = |l: &str| {
        l.chars().count() <= 20
            && l.split_whitespace().count() <= 3
            && !l.contains(['.', '?', '!', ',', '"'])
            && !l.trim().is_empty()
    };
    let mut comments: Vec<Comment> = Vec::new();
    for line in &lines[end + 1..] {
        if is_author(line) {
            comments.push(Comment {
                id: None,
                author: line.trim().to_string(),
                text: String::new(),
                parent: None,
                date: None,
            });
        } else if let Some(c) = comments.last_mut() {
            if !c.text.is_empty() {
                c.text.push('\n');
            }
            c.text.push_str(line);
        }
    }
    Document {
        id: "000_62d861501da0fb6e".into(),
        path: seed_path(),
        date: Some("2023-10-17".into()),
        title: None,
        text: article.join("\n"),
        comments,
    }
}

#[test]
fn seed_document_meets_the_acceptance_rules() {
    let Ok(raw) = std::fs::read_to_string(seed_path()) else {
        eprintln!("seed document not found at {}; skipped", seed_path().display());
        return;
    };
    let doc = parse_seed(&raw);
    assert_eq!(doc.comments.len(), 17, "{:#?}", doc.comments.iter().map(|c| &c.author).collect::<Vec<_>>());
    let article = tag(
        &doc.text,
        &[
            ("Japanese", Misc),
            ("Yoko Kamikawa", Per),
            ("Kamikawa", Per),
            ("Iranian", Misc),
            ("Palestinian", Misc),
            ("Palestinians", Misc),
            ("Hamas", Org),
            ("Israel", Loc),
            ("Iran", Loc),
            ("Japanese Foreign Ministry", Org),
            ("Gaza", Loc),
            ("Gaza Strip", Loc),
            ("Hossein Abdollahian", Per),
            ("Abdollahian", Per),
            ("Ali Khamenei", Per),
            ("Hideki Murai", Per),
            ("Thomson Reuters", Org),
        ],
    );
    // What the model finds in each comment; some country words are left for
    // the gazetteer ("Iranian markings", "The US of where?", "any US move").
    let per_comment: Vec<Vec<(&str, EntityKind)>> = vec![
        vec![("Israel", Loc), ("Iran", Loc)],
        vec![("Iran", Loc), ("Hamas", Org), ("Israel", Loc), ("Japan", Loc)],
        vec![],
        vec![("Gaza", Loc)],
        vec![],
        vec![("Iran", Loc), ("Israel-Arab", Misc), ("Hamas", Org)],
        vec![("Japan", Loc)],
        vec![("US", Loc)],
        vec![("Japan", Loc), ("US", Loc), ("Biden", Per), ("Iran", Loc), ("USA", Loc)],
        vec![],
        vec![("Hamas", Org)],
        vec![("Kishida", Per), ("BRICS", Org)],
        vec![("Japan", Loc)],
        vec![("Japan", Loc), ("Iran", Loc)],
        vec![("Kishida", Per), ("Abe", Per), ("Japan", Loc)],
        vec![("Hamas", Org), ("IDF", Org)],
        vec![],
    ];
    let spans = DocumentSpans {
        article,
        comments: doc.comments.iter().zip(&per_comment).map(|(c, needles)| tag(&c.text, needles)).collect(),
    };
    let mut linker = Linker::new();
    let mentions = linker.link(&doc, &spans);
    check_offsets(&doc, &mentions);
    let entities = linker.entities();

    let usa = entity(&entities, "USA");
    for alias in ["US", "USA"] {
        assert!(usa.aliases.contains(&alias.to_string()), "{usa:?}");
    }
    assert_eq!(usa.mentions, 5, "{usa:?}");
    let iran = entity(&entities, "IRN");
    assert!(iran.aliases.contains(&"Iranian".to_string()));
    let markings = in_source(&mentions, Source::Comment(0));
    assert!(markings.contains(&("Iranian".into(), "IRN".into(), LinkedBy::Gazetteer)), "{markings:?}");
    let where_from = in_source(&mentions, Source::Comment(3));
    assert!(where_from.contains(&("US".into(), "USA".into(), LinkedBy::Gazetteer)), "{where_from:?}");
    let japan = entity(&entities, "JPN");
    assert!(japan.aliases.contains(&"Japanese".to_string()) && japan.aliases.contains(&"Japan".to_string()));
    assert_eq!(entity(&entities, "ISR").kind, EntityType::Country);
    assert_eq!(entity(&entities, "org:hamas").kind, EntityType::Organisation);
    assert_eq!(entity(&entities, "person:fumio-kishida").mentions, 3, "two names and one 'he'");
    let kamikawa = entity(&entities, "person:yoko-kamikawa");
    assert!(
        kamikawa.aliases.contains(&"Kamikawa".to_string()) && kamikawa.aliases.contains(&"Yoko Kamikawa".to_string())
    );
    let biden = entity(&entities, "person:joe-biden");
    assert_eq!(biden.mentions, 2);
    for name in ["Kamikawa", "Kishida", "Biden"] {
        let n = entities.iter().filter(|e| e.aliases.iter().any(|a| a.contains(name))).count();
        assert_eq!(n, 1, "{name}");
    }
    for (country, label) in [("USA", "United States"), ("IRN", "Iran"), ("ISR", "Israel"), ("JPN", "Japan")] {
        assert_eq!(entity(&entities, country).label, label);
    }

    let author = |name: &str| doc.comments.iter().position(|c| c.author == name).unwrap();
    let antifun = in_source(&mentions, Source::Comment(author("antifun")));
    assert!(antifun.contains(&("she".into(), "person:yoko-kamikawa".into(), LinkedBy::Pronoun)), "{antifun:?}");
    let keep = in_source(&mentions, Source::Comment(author("Keepitreal")));
    assert!(keep.contains(&("her".into(), "person:yoko-kamikawa".into(), LinkedBy::Pronoun)), "{keep:?}");
    // Print the whole linking for a reader of the test log.
    for m in &mentions {
        eprintln!("{:?}\t{}..{}\t{:?}\t{}\t{:?}", m.source, m.start, m.end, m.text, m.entity_id, m.linked_by);
    }
}

// ---------------------------------------------------------------------------
// Throughput over a real corpus (run with `--ignored`; needs ../shared/data)

/// Crude NER stand-in: every run of capitalised words not at a sentence
/// start becomes a span (two or more words: Person; one: Location), so the
/// linker's classification, people rules and gazetteer all get work.
fn crude_spans(text: &str) -> Vec<EntitySpan> {
    let chars: Vec<char> = text.chars().collect();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let word_start = chars[i].is_uppercase() && (i == 0 || chars[i - 1] == ' ');
        let after_stop = i >= 2 && matches!(chars[i - 2], '.' | '!' | '?' | '\n');
        if word_start && !after_stop && i > 0 {
            let start = i;
            let mut end = i;
            let mut words = 0;
            loop {
                while end < chars.len() && chars[end].is_alphabetic() {
                    end += 1;
                }
                words += 1;
                if end + 1 < chars.len() && chars[end] == ' ' && chars[end + 1].is_uppercase() {
                    end += 1;
                } else {
                    break;
                }
            }
            let kind = if words >= 2 { Per } else { Loc };
            spans.push(EntitySpan { start, end, kind, text: chars[start..end].iter().collect(), score: 0.5 });
            i = end;
        } else {
            i += 1;
        }
    }
    spans
}

#[test]
#[ignore]
fn throughput_over_the_polnear_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/corpus/polnear");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{} not found; skipped", dir.display());
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let docs: Vec<(Document, DocumentSpans)> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok().map(|t| (p, t)))
        .map(|(p, text)| {
            // The article as text, its last two paragraphs as "comments".
            let paras: Vec<&str> = text.split("\n\n").collect();
            let cut = paras.len().saturating_sub(2).max(1).min(paras.len());
            let article = paras[..cut].join("\n");
            let comments: Vec<(&str, &str, Option<usize>)> =
                paras[cut..].iter().map(|c| ("reader", *c, None)).collect();
            let doc = document(&p.file_stem().unwrap().to_string_lossy(), &article, &comments);
            let spans = DocumentSpans {
                article: crude_spans(&doc.text),
                comments: doc.comments.iter().map(|c| crude_spans(&c.text)).collect(),
            };
            (doc, spans)
        })
        .collect();
    let words: usize = docs.iter().map(|(d, _)| d.text.split_whitespace().count()).sum();
    let started = std::time::Instant::now();
    let mut linker = Linker::new();
    let mut mentions = 0;
    for (doc, spans) in &docs {
        mentions += linker.link(doc, spans).len();
    }
    let seconds = started.elapsed().as_secs_f64();
    let entities = linker.entities();
    eprintln!(
        "{} documents, {} words, {} mentions, {} entities, {} surface forms in {:.2}s ({:.0} words/s)",
        docs.len(),
        words,
        mentions,
        entities.len(),
        linker.surface_forms_seen(),
        seconds,
        words as f64 / seconds
    );
    let mut top: Vec<&Entity> = entities.iter().collect();
    top.sort_by_key(|e| std::cmp::Reverse(e.mentions));
    for e in top.iter().take(25) {
        eprintln!("{:>6} {:<32} {:<28} {:?}", e.mentions, e.id, e.label, e.aliases.iter().take(6).collect::<Vec<_>>());
    }
    assert!(seconds < 30.0, "linking took {seconds:.1}s");

    // The gazetteer alone (no NER spans): what it finds, most frequent first.
    let mut linker = Linker::new();
    let mut hits: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (doc, _) in &docs {
        for m in linker.link(doc, &DocumentSpans::default()) {
            *hits.entry((m.text, m.entity_id)).or_default() += 1;
        }
    }
    let mut hits: Vec<_> = hits.into_iter().collect();
    hits.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    eprintln!("gazetteer only: {} distinct hits", hits.len());
    for ((text, id), n) in hits.iter().take(40) {
        eprintln!("{n:>6} {text:<24} {id}");
    }
}
