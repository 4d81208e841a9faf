//! Unit tests of `link/junk.rs`.

use super::*;

use crate::link::test_util::{doc, link_text, span};
use crate::link::{DocumentSpans, Source};

#[test]
fn chat_abbreviations_and_vocatives_are_interjections_but_names_are_not() {
    for word in ["yea", "jfc", "bro", "bruh", "tbh", "broooo"] {
        assert!(is_interjection(word), "{word}");
    }
    for name in ["brody", "jeb", "yemen", "dudek"] {
        assert!(!is_interjection(name), "{name}");
    }
}

#[test]
fn junk_spans_are_dropped() {
    // The seed's shape: an interjection tagged Person opens the comment,
    // and "she" then means the article's woman.
    let article = "Foreign Minister Yoko Kamikawa asked her counterpart. Hossein Abdollahian agreed.";
    let c0 = "Wut? Hamas already asked. Does she even watch the news?";
    let c1 = "Blorp?! She called Tehran.";
    let c2 = "The US of where? Trump? Never. lol";
    let d = doc(article, &[(c0, None), (c1, None), (c2, None)]);
    let spans = DocumentSpans {
        article: vec![
            span(article, "Yoko Kamikawa", 0, EntityKind::Person),
            span(article, "Hossein Abdollahian", 0, EntityKind::Person),
        ],
        comments: vec![
            vec![span(c0, "Wut", 0, EntityKind::Person), span(c0, "Hamas", 0, EntityKind::Organisation)],
            vec![span(c1, "Blorp", 0, EntityKind::Person), span(c1, "Tehran", 0, EntityKind::Location)],
            vec![
                span(c2, "The", 0, EntityKind::Organisation),
                span(c2, "US", 0, EntityKind::Location),
                span(c2, "of", 0, EntityKind::Location),
                span(c2, "Trump", 0, EntityKind::Person),
                span(c2, "lol", 0, EntityKind::Person),
            ],
        ],
    };
    let mut linker = Linker::new();
    let got: Vec<(Source, String, String)> =
        linker.link(&d, &spans).into_iter().map(|m| (m.source, m.text, m.entity_id)).collect();
    let comment = |i: usize| -> Vec<(String, String)> {
        got.iter().filter(|m| m.0 == Source::Comment(i)).map(|m| (m.1.clone(), m.2.clone())).collect()
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    // "Wut" (listed interjection) and "Blorp" (a whole "?!" sentence, no
    // known name) are no people; "she" goes to Yoko Kamikawa.
    assert_eq!(comment(0), vec![pair("Hamas", "org:hamas"), pair("she", "person:yoko-kamikawa")],);
    assert_eq!(comment(1), vec![pair("She", "person:yoko-kamikawa"), pair("Tehran", "loc:tehran")]);
    // "The" and "of" name nothing; "US" stays the US, and "Trump?" alone
    // is a known name, kept.
    assert_eq!(comment(2), vec![pair("US", "USA"), pair("Trump", "person:donald-trump")]);
    assert!(linker
        .entities()
        .iter()
        .all(|e| !["person:wut", "person:blorp", "loc:of", "person:lol"].contains(&e.id.as_str())));

    // A whole-sentence name the corpus knows is kept; capitals are kept
    // as a possible acronym ("IT"), a name inside a sentence is kept.
    let text = "Zorg Blorp spoke. Blorp? IT said no. Then Blorp left.";
    let got = link_text(
        &mut linker,
        text,
        vec![
            span(text, "Zorg Blorp", 0, EntityKind::Person),
            span(text, "Blorp", 1, EntityKind::Person),
            span(text, "IT", 0, EntityKind::Organisation),
            span(text, "Blorp", 2, EntityKind::Person),
        ],
    );
    let ids: Vec<&str> = got.iter().map(|(_, id, _)| id.as_str()).collect();
    assert_eq!(ids, ["person:zorg-blorp", "person:zorg-blorp", "org:it", "person:zorg-blorp"]);
}

/// Linked (surface, id) pairs of one text with the given spans.
fn linked(text: &str, spans: &[(&str, usize, EntityKind)]) -> Vec<(String, String)> {
    let mut linker = Linker::new();
    let spans = spans.iter().map(|(needle, nth, kind)| span(text, needle, *nth, *kind)).collect();
    link_text(&mut linker, text, spans).into_iter().map(|(t, id, _)| (t, id)).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn capitalised_common_words_opening_a_sentence_are_dropped() {
    // Capitals from the position ("Vote", "Joke's"), not from a name;
    // the same word mid-sentence, an Organisation span and a known name
    // are kept.
    let text = "Vote blue. \"Joke's on them!\" We saw the Vote today. Senate votes. Trump spoke.";
    let got = linked(
        text,
        &[
            ("Vote", 0, EntityKind::Person),
            ("Joke's", 0, EntityKind::Person),
            ("Vote", 1, EntityKind::Misc),
            ("Senate", 0, EntityKind::Organisation),
            ("Trump", 0, EntityKind::Person),
        ],
    );
    assert_eq!(got, pairs(&[("Vote", "misc:vote"), ("Senate", "org:senate"), ("Trump", "person:donald-trump")]));
}

#[test]
fn shouted_lower_case_and_contracted_words_are_dropped() {
    let text = "He said NOTHING about AIDS or NATO, fucking u know. Im sure thats it, Shell said. Yall wait.";
    let got = linked(
        text,
        &[
            ("NOTHING", 0, EntityKind::Misc),
            ("AIDS", 0, EntityKind::Misc),
            ("NATO", 0, EntityKind::Organisation),
            ("fucking", 0, EntityKind::Misc),
            ("u", 0, EntityKind::Person),
            ("Im", 0, EntityKind::Misc),
            ("thats", 0, EntityKind::Misc),
            ("Shell", 0, EntityKind::Organisation),
            ("Yall", 0, EntityKind::Person),
        ],
    );
    // AIDS is an acronym of its own in the word list; Shell ("she'll")
    // is a common word, so no bare contraction, and mid-sentence.
    assert_eq!(got, pairs(&[("AIDS", "misc:aids"), ("NATO", "org:nato"), ("Shell", "org:shell")]));
}

#[test]
fn interjections_laughter_ids_and_fragments_are_dropped_for_every_type() {
    let text =
        "Yeah. Nahhh. Bwahahaha. See UopqWH70UAGA0 and Felon45. Joe the plumber. Aaand Hillary Clinton won lmao.";
    let got = linked(
        text,
        &[
            ("Yeah", 0, EntityKind::Misc),
            ("Nahhh", 0, EntityKind::Organisation),
            ("Bwahahaha", 0, EntityKind::Location),
            ("UopqWH70UAGA0", 0, EntityKind::Location),
            ("Felon45", 0, EntityKind::Person),
            ("Joe the", 0, EntityKind::Person),
            ("Aaand Hillary Clinton", 0, EntityKind::Person),
            ("won lmao", 0, EntityKind::Misc),
        ],
    );
    // "Aaand" is trimmed off the name; "won lmao" keeps "won" (a
    // lower-case common word: dropped too).
    assert_eq!(got, pairs(&[("Felon45", "person:felon45"), ("Hillary Clinton", "person:hillary-clinton")]));
}

#[test]
fn state_codes_and_names_after_a_title_are_kept() {
    // "OH" is Ohio, not "oh"; "Mr. Price" opens no sentence.
    let text = "He spoke in Berea, OH, said Mr. Price.";
    let got = linked(text, &[("OH", 0, EntityKind::Location), ("Price", 0, EntityKind::Person)]);
    assert_eq!(got, pairs(&[("OH", "loc:oh"), ("Price", "person:price")]));
}

#[test]
fn word_rules() {
    assert!(is_laughter("haha") && is_laughter("bwahahaha") && is_laughter("hehehe") && !is_laughter("hahn"));
    assert!(has_tripled_letter("nahhh") && !has_tripled_letter("hillary"));
    assert_eq!(shorten_runs("ooooops", 2), "oops");
    assert!(is_interjection("nahhh") && is_interjection("ooooops") && !is_interjection("otto"));
    assert!(looks_like_an_id("IKjbJJmKtWO7Uj4lul") && !looks_like_an_id("Felon45") && !looks_like_an_id("G7"));
    assert!(is_bare_contraction("im") && is_bare_contraction("wasnt") && is_bare_contraction("yall"));
    assert!(!is_bare_contraction("shell") && !is_bare_contraction("tom") && !is_bare_contraction("tod"));
}

#[test]
fn comment_fragments_initialisms_and_insults_are_junk_but_names_stay() {
    let names = |text: &str, spans: &[(&str, usize, EntityKind)]| -> Vec<String> {
        linked(text, spans).into_iter().map(|(surface, _)| surface).collect()
    };
    // Two Person spans one space apart are one name, unless one is a
    // common word or they share a word; a name ends at "Jr." with its
    // dot; a common word after a capitalised word is a cut-off piece.
    let text = "Judge Carlton W. Reeves ruled. Anchor Rips Colin Kaepernick. Christie Chris Christie spoke. \
                Huckleberry Slander is sitting on it. That's why he had Don Jr.  Misery loves company. \
                Ol' Googly-Eyes knows.";
    let person = EntityKind::Person;
    let got = names(
        text,
        &[
            ("Carlton", 0, person),
            ("W. Reeves", 0, person),
            ("Rips", 0, person),
            ("Colin Kaepernick", 0, person),
            ("Christie", 0, person),
            ("Chris Christie", 0, person),
            ("Huckleberry", 0, person),
            ("Slander", 0, person),
            ("Don Jr.  Misery", 0, person),
            ("Ol", 0, person),
            ("Eyes", 0, person),
        ],
    );
    assert_eq!(got, ["Carlton W. Reeves", "Colin Kaepernick", "Christie", "Chris Christie", "Don Jr."]);

    // A sentence-case title inside a sentence is a name; the same words
    // as a sentence of their own are not.
    let text = "We watched Eat pray love yesterday. Misery loves company. Eat pray love!";
    let misc = EntityKind::Misc;
    let got = names(text, &[("Eat pray love", 0, misc), ("Misery loves company", 0, misc), ("Eat pray love", 1, misc)]);
    assert_eq!(got, ["Eat pray love"]);

    // A capitalised Person span ends before a lower-case word; particles
    // inside a name and a name all in lower case stay whole.
    let text = "Kamala rec'd zero votes. Charles de Gaulle and michael cohen spoke.";
    let got = names(text, &[("Kamala rec", 0, person), ("Charles de Gaulle", 0, person), ("michael cohen", 0, person)]);
    assert_eq!(got, ["Kamala", "Charles de Gaulle", "michael cohen"]);

    // A common word cut off a longer capitalised title, a common-noun
    // initialism, a "-tard" insult: junk. "Mr. Price", "Senator Rice",
    // an organisation's acronym and "Mustard" mid-sentence: names.
    let text = "She was the Press Secretary. His IQ is low, you Libtards. \
                Mr. Price and Senator Rice met the FBI and Colonel Mustard when Trump was POTUS.";
    let got = names(
        text,
        &[
            ("Press", 0, EntityKind::Organisation),
            ("IQ", 0, EntityKind::Misc),
            ("POTUS", 0, person),
            ("Libtards", 0, EntityKind::Organisation),
            ("Price", 0, person),
            ("Rice", 0, person),
            ("FBI", 0, EntityKind::Organisation),
            ("Mustard", 0, person),
        ],
    );
    assert_eq!(got, ["Price", "Rice", "FBI", "Mustard"]);

    // Two spans parted by a sentence end stay two.
    let text = "Um. Trump said so.";
    let spans = vec![span(text, "Um.", 0, EntityKind::Person), span(text, "Trump", 0, EntityKind::Person)];
    let joined = join_split_person_spans(&spans, &TextInfo::new(text));
    assert_eq!(joined.len(), 2);
}

#[test]
fn deity_names_said_as_oaths_are_junk_but_the_deity_named_stays() {
    let text = "By God, they did it. Jesus this is painful. I mean Jesus do we care? Thank God it ended. \
                We know God is good. We pray to Jesus. For God's sake stop. I swear to God nobody reads.";
    let got = linked(
        text,
        &[
            ("God", 0, EntityKind::Person),
            ("Jesus", 0, EntityKind::Person),
            ("Jesus", 1, EntityKind::Person),
            ("God", 1, EntityKind::Person),
            ("God", 2, EntityKind::Person),
            ("Jesus", 2, EntityKind::Person),
            ("God", 3, EntityKind::Person),
            ("God", 4, EntityKind::Person),
        ],
    );
    let kept: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(kept, ["God", "Jesus"], "{got:?}");
    let ctx_of = |needle: &str, nth: usize| {
        let s = span(text, needle, nth, EntityKind::Person);
        let key = needle.to_lowercase();
        is_oath(&TextInfo::new(text), &s, &key)
    };
    assert!(!ctx_of("God", 2), "God is good");
    // At the start of a sentence "God is good" is no oath either (the
    // capitalised-common-word rule judges it there).
    let alone = "God is good.";
    assert!(!is_oath(&TextInfo::new(alone), &span(alone, "God", 0, EntityKind::Person), "god"));
    assert!(!ctx_of("Jesus", 2), "pray to Jesus");
}

#[test]
fn a_stutter_without_a_word_is_junk() {
    let text = "It's K-k-ken, coming to k-k-kill me! Ask Carole King.";
    let got = linked(text, &[("k-k", 0, EntityKind::Location), ("Carole King", 0, EntityKind::Person)]);
    assert_eq!(got.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(), ["Carole King"], "{got:?}");
    assert!(!is_stutter(&TextInfo::new("B.B. King")) && !is_stutter(&TextInfo::new("K-k-ken")));
}

#[test]
fn lower_case_words_are_names_only_when_known() {
    // "spesific" (a misspelling) and "yis" are no names; "trump" is a
    // known surname and "nato" a curated organisation in lower case.
    let text = "thats spesific to yis family, trump and nato said.";
    let got = linked(
        text,
        &[
            ("spesific", 0, EntityKind::Misc),
            ("yis", 0, EntityKind::Person),
            ("trump", 0, EntityKind::Person),
            ("nato", 0, EntityKind::Organisation),
        ],
    );
    let kept: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(kept, ["trump", "nato"], "{got:?}");
}

#[test]
fn a_lower_case_word_of_a_person_the_corpus_names_in_full_is_a_name() {
    // Sarah Huckabee Sanders and Anna Rose Ulm are named in full twice,
    // Zorg Ann Blorp once; Kim Jong Un is curated but never named here.
    let full = "Sarah Huckabee Sanders, Sarah Huckabee Sanders, Anna Rose Ulm, Anna Rose Ulm and Zorg Ann Blorp.";
    let lower = "the neck rolls huckabee has, rose said, ann and jong too.";
    let d1 = doc(full, &[]);
    let names = ["Sarah Huckabee Sanders", "Anna Rose Ulm", "Zorg Ann Blorp"];
    let s1 = DocumentSpans {
        article: names
            .iter()
            .flat_map(|n| (0..full.matches(n).count()).map(move |k| span(full, n, k, EntityKind::Person)))
            .collect(),
        comments: vec![],
    };
    let d2 = crate::corpus::Document { id: "d2".into(), ..doc(lower, &[]) };
    let s2 = DocumentSpans {
        article: ["huckabee", "rose", "ann", "jong"].iter().map(|n| span(lower, n, 0, EntityKind::Person)).collect(),
        comments: vec![],
    };
    let mut linker = Linker::new();
    linker.observe(&d1, &s1);
    linker.observe(&d2, &s2);
    linker.link(&d1, &s1);
    let got: Vec<(String, String)> = linker.link(&d2, &s2).into_iter().map(|m| (m.text, m.entity_id)).collect();
    // "huckabee" is hers; "rose" is a common word, "ann" backed by one
    // full name only and "jong" by none: still dropped in lower case.
    assert_eq!(got, [("huckabee".to_string(), "person:sarah-huckabee-sanders".to_string())]);
}

#[test]
fn one_off_lower_case_misc_phrases_are_junk_but_recurring_ones_stay() {
    // "beaver faced" is the corpus's only such span; "silence of the
    // lambs" recurs (two documents), "Silence Of The Lambs" has capitals,
    // and a lower-case curated organisation or person is no Misc phrase.
    let first = "that beaver faced liar, like in silence of the lambs.";
    let second = "straight out of silence of the lambs. Silence Of The Lambs too. nato agreed.";
    let spans = |text: &str, names: &[(&str, EntityKind)]| -> DocumentSpans {
        DocumentSpans { article: names.iter().map(|(n, k)| span(text, n, 0, *k)).collect(), comments: vec![] }
    };
    let d1 = doc(first, &[]);
    let s1 = spans(first, &[("beaver faced", EntityKind::Misc), ("silence of the lambs", EntityKind::Misc)]);
    let d2 = crate::corpus::Document { id: "d2".into(), ..doc(second, &[]) };
    let s2 = spans(
        second,
        &[
            ("silence of the lambs", EntityKind::Misc),
            ("Silence Of The Lambs", EntityKind::Misc),
            ("nato", EntityKind::Misc),
        ],
    );
    let mut linker = Linker::new();
    linker.observe(&d1, &s1);
    linker.observe(&d2, &s2);
    let mut texts = |d, s| linker.link(d, s).into_iter().map(|m| m.text).collect::<Vec<_>>();
    let got1 = texts(&d1, &s1);
    assert_eq!(got1, ["silence of the lambs"]);
    let got2 = texts(&d2, &s2);
    assert_eq!(got2, ["silence of the lambs", "Silence Of The Lambs", "nato"]);
    // Without the corpus seen (nothing observed), every such phrase is one-off.
    assert_eq!(lower_phrase_key("beaver  faced"), Some("beaver faced".to_string()));
    assert_eq!(lower_phrase_key("Beaver faced"), None);
    assert_eq!(lower_phrase_key("beaver"), None);
}

#[test]
fn a_function_word_run_into_a_known_name_is_cut_off() {
    // "white housenor" (a missing space before "nor") is the White House;
    // a name that is known whole ("Ireland") or whose shorter form is no
    // curated name ("Windsor") keeps its span.
    let text = "It being in the white housenor not is geography. Ireland and Windsor too.";
    let got = linked(
        text,
        &[
            ("white housenor", 0, EntityKind::Location),
            ("Ireland", 0, EntityKind::Location),
            ("Windsor", 0, EntityKind::Location),
        ],
    );
    assert_eq!(
        got,
        pairs(&[("white house", "org:white-house"), ("Ireland", "IRL"), ("Windsor", "loc:windsor")]),
        "{got:?}"
    );
}
