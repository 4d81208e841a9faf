//! Organisations: the curated institutions and their aliases (owning the
//! alias table, [`OrgTable`], and its loader), party words, organisation
//! keys, and acronyms joining the one long form of their document that they
//! spell.

use std::collections::{BTreeSet, HashMap};

use super::text::{clean_label, has_lowercase, key_of, TextInfo};
use super::{EntityType, Linker, Pending, Target};

#[derive(Debug)]
pub(super) struct OrgAlias {
    org: usize,
    /// Every alias with this key is written in capitals (WHO): the surface
    /// must be too.
    pub(super) acronym_only: bool,
}

/// The curated organisations' alias table.
#[derive(Debug, Default)]
pub(super) struct OrgTable {
    /// Alias key ([`org_key`]) → its organisation (row of ORGS) and whether
    /// it needs capitals.
    pub(super) by_key: HashMap<String, OrgAlias>,
}

impl OrgTable {
    /// Loads the curated organisations' alias keys.
    pub(super) fn load() -> OrgTable {
        let mut t = OrgTable::default();
        for (oi, (label, aliases)) in ORGS.iter().enumerate() {
            for alias in std::iter::once(label).chain(aliases.iter()) {
                let key = org_key(alias);
                if key.is_empty() {
                    continue;
                }
                let entry = t.by_key.entry(key).or_insert(OrgAlias { org: oi, acronym_only: true });
                if entry.org == oi {
                    entry.acronym_only &= !has_lowercase(alias);
                }
            }
        }
        t
    }
}

impl Linker {
    pub(super) fn resolve_orgs(&mut self, pending: &[Pending], ids: &mut [Option<String>]) {
        let mut acronyms: Vec<(usize, String, String)> = Vec::new();
        let mut long_forms: Vec<(String, Vec<String>)> = Vec::new();
        for (i, p) in pending.iter().enumerate() {
            let Target::Org(label) = &p.target else { continue };
            let key = org_key(label);
            if key.is_empty() {
                continue;
            }
            let curated = self.tables.orgs.by_key.get(&key).filter(|a| !a.acronym_only || !has_lowercase(label));
            let id = if let Some(alias) = curated {
                let (name, _) = ORGS[alias.org];
                let id = self.intern(&format!("org:{}", org_key(name)), EntityType::Organisation, name);
                if let Some(rec) = self.entities.get_mut(&id) {
                    rec.label = name.to_string();
                }
                id
            } else if let Some(acr) = acronym_of(label) {
                acronyms.push((i, acr, key));
                continue;
            } else {
                self.org_id(&key, label)
            };
            let inits = initials(label);
            if !inits.is_empty() {
                long_forms.push((id.clone(), inits));
            }
            ids[i] = Some(id);
        }
        for (i, acr, key) in acronyms {
            let matches: BTreeSet<&String> =
                long_forms.iter().filter(|(_, inits)| inits.contains(&acr)).map(|(id, _)| id).collect();
            let id = match (matches.len(), matches.first()) {
                (1, Some(&id)) => {
                    // Remember the expansion for later documents (first one wins).
                    self.keys.entry(format!("org:{key}")).or_insert_with(|| id.clone());
                    id.clone()
                }
                _ => {
                    let label = match &pending[i].target {
                        Target::Org(label) => label.clone(),
                        _ => acr.clone(),
                    };
                    self.intern(&format!("org:{key}"), EntityType::Organisation, &label)
                }
            };
            ids[i] = Some(id);
        }
    }
}

/// Common organisations: (label, other names). Keys ignore case, dots, a
/// leading "the" and a possessive; names written only in capitals (WHO)
/// need capitals in the text.
pub(super) const ORGS: &[(&str, &[&str])] = &[
    ("United Nations", &["UN", "U.N."]),
    ("UN Security Council", &["UNSC", "Security Council", "United Nations Security Council", "U.N. Security Council"]),
    ("UN General Assembly", &["UNGA", "United Nations General Assembly"]),
    ("European Union", &["EU", "E.U."]),
    ("NATO", &["Nato", "North Atlantic Treaty Organization", "North Atlantic Treaty Organisation"]),
    ("BRICS", &["Brics"]),
    ("Hamas", &["HAMAS", "Islamic Resistance Movement"]),
    ("Hezbollah", &["Hizbollah", "Hizballah", "Hizbullah"]),
    ("World Health Organization", &["WHO", "World Health Organisation"]),
    ("International Monetary Fund", &["IMF"]),
    ("World Bank", &[]),
    ("World Trade Organization", &["WTO", "World Trade Organisation"]),
    ("Federal Bureau of Investigation", &["FBI", "F.B.I."]),
    ("Central Intelligence Agency", &["CIA", "C.I.A."]),
    ("National Security Agency", &["NSA"]),
    ("Israel Defense Forces", &["IDF", "Israel Defence Forces", "Israeli Defense Forces", "Israeli Defence Forces"]),
    ("UNRWA", &["United Nations Relief and Works Agency"]),
    ("UNICEF", &["Unicef"]),
    ("UNESCO", &["Unesco"]),
    ("International Atomic Energy Agency", &["IAEA"]),
    ("OPEC", &["Opec", "Organization of the Petroleum Exporting Countries"]),
    ("ASEAN", &["Asean", "Association of Southeast Asian Nations"]),
    ("G7", &["G-7", "Group of Seven"]),
    ("G20", &["G-20", "Group of Twenty"]),
    ("African Union", &[]),
    (
        "OECD",
        &[
            "Organisation for Economic Co-operation and Development",
            "Organization for Economic Cooperation and Development",
        ],
    ),
    ("International Criminal Court", &["ICC"]),
    ("International Court of Justice", &["ICJ"]),
    ("International Committee of the Red Cross", &["ICRC", "Red Cross"]),
    ("Palestine Liberation Organization", &["PLO"]),
    ("Palestinian Authority", &[]),
    ("Fatah", &[]),
    (
        "Islamic State",
        &["ISIS", "ISIL", "Daesh", "Islamic State of Iraq and Syria", "Islamic State of Iraq and the Levant"],
    ),
    ("Al-Qaeda", &["Al Qaeda", "al-Qaida", "Al-Qaida"]),
    ("Taliban", &[]),
    ("Houthis", &["Houthi", "Ansar Allah"]),
    ("Islamic Revolutionary Guard Corps", &["IRGC", "Revolutionary Guards", "Revolutionary Guard"]),
    ("Liberal Democratic Party", &["LDP"]),
    ("Republican Party", &["GOP"]),
    ("Democratic Party", &[]),
    ("Shanghai Cooperation Organisation", &["SCO", "Shanghai Cooperation Organization"]),
    ("Mossad", &[]),
    ("Japan Self-Defense Forces", &["SDF", "JSDF", "Self-Defense Forces", "Self-Defence Forces"]),
    ("Associated Press", &["AP"]),
    ("Reuters", &[]),
    // Institutions named after their building, which CoNLL-style models tag
    // Location as often as Organisation: always the organisation.
    ("White House", &[]),
    ("Pentagon", &[]),
    ("Kremlin", &[]),
    ("Capitol Hill", &[]),
    ("Downing Street", &["No 10", "Number 10"]),
    ("Élysée", &["Elysee Palace", "Élysée Palace"]),
];

/// Adjective and member forms of curated organisations, like demonyms of
/// countries: a capitalised Misc/Organisation span that is exactly one of
/// them is the organisation (label as in [`ORGS`]).
const ORG_WORDS: &[(&str, &[&str])] = &[
    ("Republican Party", &["Republican", "Republicans"]),
    ("Democratic Party", &["Democrat", "Democrats", "Democratic", "Dem", "Dems"]),
];

/// The curated organisation a whole label is an adjective or member form
/// of ("Republicans" → "Republican Party"); the label must start with a
/// capital ("democratic values" is not the party).
pub(super) fn org_word(label: &str) -> Option<&'static str> {
    if !label.chars().next().map(char::is_uppercase).unwrap_or(false) {
        return None;
    }
    let key = key_of(label);
    ORG_WORDS.iter().find(|(_, forms)| forms.iter().any(|f| key_of(f) == key)).map(|(org, _)| *org)
}

/// Org comparison key: cleaned, folded words; all-single-letter words are
/// joined ("U.N." = "UN" → "un", "G-7" → "g7").
pub(super) fn org_key(label: &str) -> String {
    let cleaned = clean_label(label);
    let info = TextInfo::new(&cleaned);
    let words: Vec<&str> = info.words.iter().map(|w| w.lower.as_str()).collect();
    if words.len() >= 2 && words.iter().all(|w| w.chars().count() == 1) {
        words.concat()
    } else {
        words.join(" ")
    }
}

/// The letters of an all-capital acronym ("IDF", "U.N." → "UN").
fn acronym_of(label: &str) -> Option<String> {
    let s: String = label.chars().filter(|c| !matches!(c, '.' | '-' | '&')).collect();
    let n = s.chars().count();
    let letters = s.chars().filter(|c| c.is_ascii_uppercase()).count();
    ((2..=8).contains(&n) && letters >= 2 && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        .then_some(s)
}

/// Acronyms a long organisation name may go by: initials of its capitalised
/// words, of its words but "of/the/and…", and of all its words.
fn initials(label: &str) -> Vec<String> {
    let words: Vec<&str> = label
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| w.chars().next().map(char::is_alphanumeric).unwrap_or(false))
        .collect();
    if words.len() < 2 {
        return Vec::new();
    }
    let first = |w: &&str| w.chars().next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    let starts_upper = |w: &&str| w.chars().next().map(char::is_uppercase).unwrap_or(false);
    let mut out: Vec<String> = vec![
        words.iter().filter(|w| starts_upper(w)).map(first).collect(),
        words.iter().filter(|w| !INITIALS_STOP.contains(&w.to_lowercase().as_str())).map(first).collect(),
        words.iter().map(first).collect(),
    ];
    out.retain(|s| s.chars().count() >= 2);
    out.dedup();
    out
}

const INITIALS_STOP: &[&str] = &["of", "the", "and", "for", "on", "in", "at", "de", "du", "la", "le", "des", "&"];

#[cfg(test)]
mod tests {
    use super::*;

    use crate::link::test_util::link_text;
    use crate::link::test_util::span;
    use crate::ner::EntityKind;

    #[test]
    fn organisation_aliases_and_acronyms() {
        assert_eq!(org_key("U.N."), org_key("UN"));
        assert_eq!(org_key("the United Nations'"), "united nations");
        assert_eq!(org_key("G-7"), "g7");
        assert_eq!(acronym_of("IDF").as_deref(), Some("IDF"));
        assert_eq!(acronym_of("U.N.").as_deref(), Some("UN"));
        assert_eq!(acronym_of("Hamas"), None);
        assert!(initials("Israel Defense Forces").contains(&"IDF".to_string()));
        assert!(initials("Bank of Japan").contains(&"BOJ".to_string()));
        assert!(initials("Bank of Japan").contains(&"BJ".to_string()));

        let mut linker = Linker::new();
        let text = "The UN and the United Nations and U.N. staff; NATO and Nato; the WHO said, who knows.";
        let spans = vec![
            span(text, "UN", 0, EntityKind::Organisation),
            span(text, "the United Nations", 0, EntityKind::Organisation),
            span(text, "U.N.", 0, EntityKind::Organisation),
            span(text, "NATO", 0, EntityKind::Organisation),
            span(text, "Nato", 0, EntityKind::Organisation),
            span(text, "WHO", 0, EntityKind::Organisation),
            span(text, "who", 0, EntityKind::Organisation),
        ];
        let m = link_text(&mut linker, text, spans);
        let ids: Vec<&str> = m.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "org:united-nations",
                "org:united-nations",
                "org:united-nations",
                "org:nato",
                "org:nato",
                "org:world-health-organization",
                "org:who",
            ]
        );
    }

    #[test]
    fn acronym_joins_its_long_form_in_the_document_only_when_unique() {
        let mut linker = Linker::new();
        let text = "The Coastal Fisheries Board (CFB) and the Central Finance Bureau met; CFB agreed.";
        let m = link_text(
            &mut linker,
            text,
            vec![
                span(text, "Coastal Fisheries Board", 0, EntityKind::Organisation),
                span(text, "CFB", 0, EntityKind::Organisation),
                span(text, "Central Finance Bureau", 0, EntityKind::Organisation),
                span(text, "CFB", 1, EntityKind::Organisation),
            ],
        );
        // Two long forms spell CFB: the acronym stays its own organisation.
        assert_eq!(m[1].1, "org:cfb");
        assert_eq!(m[3].1, "org:cfb");
        let text = "The Coastal Fisheries Agency (CFA) met.";
        let m = link_text(
            &mut linker,
            text,
            vec![
                span(text, "Coastal Fisheries Agency", 0, EntityKind::Organisation),
                span(text, "CFA", 0, EntityKind::Organisation),
            ],
        );
        assert_eq!(m[0].1, m[1].1);
        assert_eq!(m[1].1, "org:coastal-fisheries-agency");
    }

    #[test]
    fn curated_org_typed_misc_and_other_kinds() {
        let mut linker = Linker::new();
        let text = "Hamas fighters, Arab states and Tokyo officials; the US said.";
        let m = link_text(
            &mut linker,
            text,
            vec![
                span(text, "Hamas", 0, EntityKind::Misc),
                span(text, "Arab", 0, EntityKind::Misc),
                span(text, "Tokyo", 0, EntityKind::Location),
                span(text, "the US", 0, EntityKind::Organisation),
            ],
        );
        let ids: Vec<&str> = m.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(ids, vec!["org:hamas", "misc:arab", "loc:tokyo", "USA"]);
        let e = linker.entities();
        assert_eq!(e.iter().find(|e| e.id == "misc:arab").map(|e| e.kind), Some(EntityType::Misc));
        assert_eq!(e.iter().find(|e| e.id == "org:hamas").map(|e| e.kind), Some(EntityType::Organisation));
    }
}
