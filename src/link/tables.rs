//! The lookup tables built once per process. This module only gathers
//! them: each table's type and loader live in the module that owns it
//! ([`CountryTable`] in `countries`, [`PeopleTable`] in `people`,
//! [`OrgTable`] in `orgs`, [`NicknameTable`] in `variants`), and none of those modules depends on this one.

use std::sync::OnceLock;

use super::countries::CountryTable;
use super::orgs::OrgTable;
use super::people::PeopleTable;
use super::variants::NicknameTable;

/// Lookup tables built once per process.
#[derive(Debug)]
pub(super) struct Tables {
    /// The country table: rows, alias keys, alias word prefixes.
    pub(super) countries: CountryTable,
    /// The curated people: full names, identity keys, one-word forms.
    pub(super) people: PeopleTable,
    /// The curated organisations' alias keys.
    pub(super) orgs: OrgTable,
    /// The curated nicknames and pet forms of first names.
    pub(super) nicknames: NicknameTable,
}

/// The process-wide tables, loaded on first use.
pub(super) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::build)
}

impl Tables {
    fn build() -> Tables {
        Tables {
            countries: CountryTable::load(),
            people: PeopleTable::load(),
            orgs: OrgTable::load(),
            nicknames: NicknameTable::load(),
        }
    }
}
