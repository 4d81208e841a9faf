//! Person-name normalisation: titles (and the gender they imply), a country
//! word (looked up in the [`CountryTable`] it is given) or acronym before a
//! title, possessives, name-word keys, identity keys (first name, surname,
//! suffix), middle initials and two-word surname tails. Owns no table.

use serde::{Deserialize, Serialize};

use super::countries::CountryTable;
use super::text::{fold_lower, has_lowercase, strip_possessive, TextInfo};

/// A person's grammatical gender, as far as the linker can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Gender {
    Male,
    Female,
}

/// A person's name as written, titles and possessive stripped.
#[derive(Debug, Clone)]
pub(super) struct PersonName {
    /// Words as written ("Yoko", "Kamikawa").
    pub(super) words: Vec<String>,
    /// Comparison keys of the words ("yoko", "kamikawa").
    pub(super) keys: Vec<String>,
    /// Gender implied by a stripped title (Mr, Mrs, Queen…).
    pub(super) cue: Option<Gender>,
}

/// Parses a Person span: strips leading titles ("Prime Minister", "Mr",
/// "the", "House Speaker"), a leading country word or organisation acronym
/// before a title ("Japanese Foreign Minister", "FBI Director") and a
/// possessive. A generational suffix (Jr, Sr, II, III)
/// stays: it tells Donald Trump Jr from Donald Trump. `None` when nothing
/// but titles is left.
pub(super) fn person_name(countries: &CountryTable, surface: &str) -> Option<PersonName> {
    let s = strip_possessive(surface.trim());
    let mut words: Vec<&str> = s.split_whitespace().map(trim_name_punct).filter(|w| !w.is_empty()).collect();
    let mut cue = None;
    while words.len() > 1 {
        let k = plain_key(words[0]);
        let title = TITLES.contains(&k.as_str());
        let next = plain_key(words[1]);
        // A country word or an organisation acronym before a title ("Japanese
        // Foreign Minister", "FBI Director", "DNC Chairwoman").
        let acronym = words[0].chars().filter(|c| c.is_alphabetic()).count() >= 2 && !has_lowercase(words[0]);
        let country_before_title = (countries.keys.contains_key(&k) || acronym) && TITLES.contains(&next.as_str());
        // "White House Press Secretary …", but "Mr. White" keeps its name.
        let white_house = k == "white" && next == "house";
        if !(title || country_before_title || white_house) {
            break;
        }
        if let Some(g) = title_gender(&k) {
            cue = Some(g);
        }
        words.remove(0);
    }
    if words.len() == 1 && TITLES.contains(&plain_key(words[0]).as_str()) {
        return None;
    }
    let mut out_words = Vec::new();
    let mut keys = Vec::new();
    for w in words {
        let k = name_word_key(w);
        if !k.is_empty() {
            out_words.push(w.to_string());
            keys.push(k);
        }
    }
    if keys.is_empty() {
        return None;
    }
    Some(PersonName { words: out_words, keys, cue })
}

/// Trims quotes, commas and the like around a name word (keeps the dot of
/// an initial, inner hyphens and apostrophes).
fn trim_name_punct(w: &str) -> &str {
    w.trim_start_matches(|c: char| !c.is_alphanumeric()).trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '.'))
}

/// Key of a title-like word: folded, lower case, letters and digits only.
fn plain_key(w: &str) -> String {
    fold_lower(strip_possessive(w)).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Key of one name word: folded, lower case, dots dropped, inner hyphens and
/// apostrophes kept ("Amir-Abdollahian" → "amir-abdollahian").
fn name_word_key(w: &str) -> String {
    let k: String = fold_lower(w)
        .chars()
        .map(|c| if c == '’' { '\'' } else { c })
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '\'')
        .collect();
    k.trim_matches(|c| c == '-' || c == '\'').to_string()
}

pub(super) fn name_keys(label: &str) -> Vec<String> {
    label.split_whitespace().map(name_word_key).filter(|k| !k.is_empty()).collect()
}

/// (first name, surname, suffix) of a full name's keys: the surname is the
/// last word before a Jr/Sr/II/III suffix ("donald trump jr" →
/// ("donald", "trump", "jr")). `None` for fewer than two words.
pub(super) fn name_parts(keys: &[String]) -> Option<(&str, &str, &str)> {
    if keys.len() < 2 {
        return None;
    }
    let (rest, suffix) = match keys.split_last() {
        Some((last, rest)) if SUFFIXES.contains(&last.as_str()) => (rest, last.as_str()),
        _ => (keys, ""),
    };
    Some((rest.first()?.as_str(), rest.last()?.as_str(), suffix))
}

/// Middle initials of a full name as written ("George H.W. Bush" → "hw",
/// "George Herbert Walker Bush" → "hw", "Paul D. Ryan" → "d", "Joe Biden" →
/// ""): one letter per middle word, every letter of a dotted or all-capital
/// initials word ("H.W.", "HW").
pub(super) fn middle_initials(label: &str) -> String {
    let words: Vec<&str> = label.split_whitespace().filter(|w| !name_word_key(w).is_empty()).collect();
    let core = match words.split_last() {
        Some((last, rest)) if SUFFIXES.contains(&name_word_key(last).as_str()) => rest,
        _ => &words[..],
    };
    if core.len() < 3 {
        return String::new();
    }
    let mut out = String::new();
    for w in &core[1..core.len() - 1] {
        let letters: Vec<char> = fold_lower(w).chars().filter(|c| c.is_alphabetic()).collect();
        let initials = w.contains('.') || (letters.len() <= 3 && !has_lowercase(w));
        if initials {
            out.extend(letters);
        } else if let Some(&c) = letters.first() {
            out.push(c);
        }
    }
    out
}

/// The last two words of a name of three or more words, before a suffix
/// ("debbie wasserman schultz" → "wasserman schultz").
pub(super) fn name_tail(keys: &[String]) -> Option<String> {
    let core = match keys.split_last() {
        Some((last, rest)) if SUFFIXES.contains(&last.as_str()) => rest,
        _ => keys,
    };
    (core.len() >= 3).then(|| core[core.len() - 2..].join(" "))
}

/// Identity key of a full name: "first surname", plus " suffix" if any.
pub(super) fn person_key(keys: &[String]) -> Option<String> {
    let (first, surname, suffix) = name_parts(keys)?;
    Some(if suffix.is_empty() { format!("{first} {surname}") } else { format!("{first} {surname} {suffix}") })
}

fn title_gender(key: &str) -> Option<Gender> {
    if MALE_TITLES.contains(&key) {
        Some(Gender::Male)
    } else if FEMALE_TITLES.contains(&key) {
        Some(Gender::Female)
    } else {
        None
    }
}

/// Gender of a title word just before a person span ("Mr Kishida").
pub(super) fn title_before(text: &TextInfo, start: usize) -> Option<Gender> {
    let idx = text.words.partition_point(|w| w.end <= start);
    let w = text.words.get(idx.checked_sub(1)?)?;
    let gap = if w.end == start { "" } else { text.slice(w.end, start)? };
    // Spaces only, or the dot of an abbreviated title ("Mr. Smith").
    let gap_ok = match gap.strip_prefix('.') {
        Some(rest) => ABBREVIATED_TITLES.contains(&w.lower.as_str()) && rest.chars().all(char::is_whitespace),
        None => gap.chars().all(char::is_whitespace),
    };
    if gap.chars().count() <= 3 && gap_ok {
        title_gender(&w.lower)
    } else {
        None
    }
}

/// Whether a word (its lower-case key, no dots) is a title or office word
/// that may stand before a name ("mr", "senator", "press").
pub(super) fn is_title(key: &str) -> bool {
    TITLES.contains(&key)
}

/// Leading words stripped from person names (keys: lower case, no dots).
const TITLES: &[&str] = &[
    "the",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "sir",
    "dame",
    "madam",
    "madame",
    "mme",
    "lord",
    "lady",
    "president",
    "vice",
    "prime",
    "minister",
    "foreign",
    "defense",
    "defence",
    "finance",
    "interior",
    "home",
    "trade",
    "economy",
    "justice",
    "health",
    "chief",
    "deputy",
    "cabinet",
    "secretary",
    "state",
    "of",
    "general",
    "gen",
    "governor",
    "gov",
    "senator",
    "sen",
    "rep",
    "representative",
    "congressman",
    "congresswoman",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
    "emperor",
    "empress",
    "crown",
    "pope",
    "ayatollah",
    "supreme",
    "leader",
    "sheikh",
    "sheik",
    "emir",
    "mayor",
    "premier",
    "ambassador",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "judge",
    "colonel",
    "col",
    "captain",
    "capt",
    "lieutenant",
    "lt",
    "sergeant",
    "sgt",
    "admiral",
    "commander",
    "chairman",
    "chairwoman",
    "chair",
    "ceo",
    "director",
    "professor",
    "prof",
    "rev",
    "reverend",
    "former",
    "vp",
    "veep",
    "potus",
    "ex",
    "then",
    "acting",
    "opposition",
    "monsieur",
    "herr",
    "frau",
    // US offices and campaign descriptions ("House Speaker Paul Ryan",
    // "Senate Majority Leader Mitch McConnell", "Attorney General Loretta
    // Lynch", "White House Press Secretary Josh Earnest", "Chief Justice
    // John Roberts", "First Lady Michelle Obama", "presidential candidate
    // Ted Cruz").
    "speaker",
    "house",
    "senate",
    "majority",
    "minority",
    "whip",
    "attorney",
    "press",
    "treasury",
    "homeland",
    "security",
    "national",
    "adviser",
    "advisor",
    "commerce",
    "labor",
    "labour",
    "energy",
    "education",
    "agriculture",
    "transportation",
    "veterans",
    "affairs",
    "first",
    "presidential",
    "candidate",
    "nominee",
];

const MALE_TITLES: &[&str] = &[
    "mr",
    "sir",
    "lord",
    "king",
    "prince",
    "emperor",
    "ayatollah",
    "sheikh",
    "sheik",
    "emir",
    "congressman",
    "chairman",
    "spokesman",
    "monsieur",
    "herr",
];

const FEMALE_TITLES: &[&str] = &[
    "mrs",
    "ms",
    "miss",
    "madam",
    "madame",
    "mme",
    "dame",
    "lady",
    "queen",
    "princess",
    "empress",
    "congresswoman",
    "chairwoman",
    "spokeswoman",
    "frau",
];

/// Titles written with a dot ("Mr.") in front of a name.
const ABBREVIATED_TITLES: &[&str] =
    &["mr", "mrs", "ms", "mme", "dr", "gen", "sen", "rep", "gov", "prof", "lt", "col", "sgt", "capt", "rev"];

pub(super) const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_names_lose_titles_possessives_and_suffixes() {
        let t = &CountryTable::load();
        let words = |s: &str| person_name(t, s).map(|n| n.words.join(" "));
        assert_eq!(words("Japanese Foreign Minister Yoko Kamikawa").as_deref(), Some("Yoko Kamikawa"));
        assert_eq!(words("Prime Minister Kishida").as_deref(), Some("Kishida"));
        assert_eq!(words("US President Joe Biden").as_deref(), Some("Joe Biden"));
        assert_eq!(words("the Biden").as_deref(), Some("Biden"));
        assert_eq!(words("Kishida's").as_deref(), Some("Kishida"));
        assert_eq!(words("Martin Luther King Jr.").as_deref(), Some("Martin Luther King Jr."));
        assert_eq!(words("Jordan Peterson").as_deref(), Some("Jordan Peterson"));
        assert_eq!(words("President"), None);
        assert_eq!(person_name(t, "Mr. Kipling").and_then(|n| n.cue), Some(Gender::Male));
        assert_eq!(person_name(t, "Mrs Smith").and_then(|n| n.cue), Some(Gender::Female));
    }

    #[test]
    fn us_office_titles_are_stripped_but_name_words_stay() {
        let t = &CountryTable::load();
        let words = |s: &str| person_name(t, s).map(|n| n.words.join(" "));
        for (surface, name) in [
            ("House Speaker Paul Ryan", "Paul Ryan"),
            ("Senate Majority Leader Mitch McConnell", "Mitch McConnell"),
            ("Minority Whip Dick Durbin", "Dick Durbin"),
            ("U.S. Attorney General Loretta Lynch", "Loretta Lynch"),
            ("White House Press Secretary Josh Earnest", "Josh Earnest"),
            ("National Security Adviser Susan Rice", "Susan Rice"),
            ("Chief Justice John Roberts", "John Roberts"),
            ("Vice President Joe Biden", "Joe Biden"),
            ("Secretary of State John Kerry", "John Kerry"),
            ("DNC Chairwoman Debbie Wasserman Schultz", "Debbie Wasserman Schultz"),
            ("FBI Director James Comey", "James Comey"),
            ("GOP nominee Donald Trump", "Donald Trump"),
            ("JOHN SMITH", "JOHN SMITH"),
            ("First Lady Michelle Obama", "Michelle Obama"),
            ("presidential candidate Ted Cruz", "Ted Cruz"),
            ("Mr. White", "White"),
            ("Betty White", "Betty White"),
            ("Jack House", "Jack House"),
        ] {
            assert_eq!(words(surface).as_deref(), Some(name), "{surface}");
        }
        assert_eq!(person_name(t, "First Lady Michelle Obama").and_then(|n| n.cue), Some(Gender::Female));
        for title_only in ["Speaker", "Attorney General", "Press Secretary", "Majority Leader"] {
            assert_eq!(words(title_only), None, "{title_only}");
        }
    }
}
