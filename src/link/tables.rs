//! The lookup tables built once per process: the country table, the
//! curated people and the curated organisations (each loaded by its own
//! module).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::countries::{load_countries, AliasEntry, CountryRow};
use super::orgs::{load_orgs, OrgAlias};
use super::people::load_people;

/// Lookup tables built once per process.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) countries: Vec<CountryRow>,
    pub(super) country_keys: HashMap<String, AliasEntry>,
    /// Every word-prefix of every country alias key ("united",
    /// "united states", "united states of"...): the gazetteer grows an
    /// n-gram only while it is one.
    pub(super) alias_prefixes: HashSet<String>,
    pub(super) max_alias_words: usize,
    /// Curated people: full-name key → row of PEOPLE.
    pub(super) people_full: HashMap<String, usize>,
    /// Curated people: identity key ([`person_key`](super::names::person_key)) → row of PEOPLE.
    pub(super) people_fl: HashMap<String, usize>,
    /// Curated people: unambiguous one-word forms → row of PEOPLE.
    pub(super) people_short: HashMap<String, usize>,
    pub(super) orgs_by_key: HashMap<String, OrgAlias>,
}

pub(super) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::build)
}

impl Tables {
    fn build() -> Tables {
        let mut t = Tables::default();
        load_countries(&mut t);
        load_people(&mut t);
        load_orgs(&mut t);
        t
    }
}
