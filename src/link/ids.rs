//! Canonical keys → entity ids: creating an entity the first time its key
//! is seen (ids unique even when slugs collide), the Misc plural key, and a
//! name tagged Organisation in one place and Location in another joining one
//! entity.

use super::orgs::org_key;
use super::text::{has_uppercase, key_of, slug};
use super::{EntityRec, EntityType, Linker};

impl Linker {
    /// A Location name: `loc:<key>` (a US state's postal code is its name:
    /// "CA" is California), unless the name is only known as an
    /// organisation so far (tagged Organisation elsewhere: "White House",
    /// "Pentagon"), which it then joins.
    pub(super) fn place_id(&mut self, label: &str) -> Option<String> {
        let label = us_state(label).unwrap_or(label);
        let key = key_of(label);
        if key.is_empty() {
            return None;
        }
        let loc = format!("loc:{key}");
        if !self.keys.contains_key(&loc) {
            if let Some(id) = self.keys.get(&format!("org:{}", org_key(label))).cloned() {
                self.keys.insert(loc, id.clone());
                return Some(id);
            }
        }
        Some(self.intern(&loc, EntityType::Location, label))
    }

    /// An Organisation name (not curated, not an acronym): `org:<key>`,
    /// unless the name is only known as a location so far, which it joins.
    pub(super) fn org_id(&mut self, key: &str, label: &str) -> String {
        let org = format!("org:{key}");
        if !self.keys.contains_key(&org) {
            if let Some(id) = self.keys.get(&format!("loc:{}", key_of(label))).cloned() {
                self.keys.insert(org, id.clone());
                return id;
            }
        }
        self.intern(&org, EntityType::Organisation, label)
    }

    /// The id for a canonical key, creating the entity when the key is new.
    /// A better-cased label replaces an all-lower-case one.
    pub(super) fn intern(&mut self, key: &str, kind: EntityType, label: &str) -> String {
        if let Some(id) = self.keys.get(key) {
            if let Some(rec) = self.entities.get_mut(id) {
                if kind != EntityType::Person && !has_uppercase(&rec.label) && has_uppercase(label) {
                    rec.label = label.to_string();
                }
            }
            return id.clone();
        }
        let prefix = match kind {
            EntityType::Person => "person",
            EntityType::Organisation => "org",
            EntityType::Location => "loc",
            EntityType::Misc => "misc",
            EntityType::Country => "country",
        };
        let mut slugged = slug(label);
        if slugged.is_empty() {
            slugged = "unnamed".to_string();
        }
        let base = format!("{prefix}:{slugged}");
        let mut id = base.clone();
        let mut n = 2;
        while self.entities.contains_key(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.entities.insert(id.clone(), EntityRec::new(label, kind));
        self.keys.insert(key.to_string(), id.clone());
        id
    }
}

/// The US state a Location span's text names by its two-capital postal
/// code ("MI" → "Michigan"); codes that are also English words (IN, OR,
/// ME, OK, HI, OH) are left alone.
fn us_state(label: &str) -> Option<&'static str> {
    US_STATES.iter().find(|(code, _)| *code == label).map(|(_, name)| *name)
}

/// USPS two-letter codes of the 50 states and DC (USPS Publication 28,
/// Appendix B), less those that are English words.
const US_STATES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "Washington, D.C."),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
];

/// Misc comparison key: [`key_of`], except that a single capitalised word
/// ending in one "s" (not "ss") is keyed by its singular ("Muslims" →
/// "muslim"), so a group word and its plural are one entity whatever order
/// they come in.
pub(super) fn misc_key(label: &str) -> String {
    let key = key_of(label);
    let mut chars = label.chars();
    let capitalised = chars.next().map(char::is_uppercase).unwrap_or(false)
        && chars.clone().all(|c| c.is_alphabetic())
        && chars.all(char::is_lowercase);
    if capitalised && !key.contains(' ') && key.chars().count() >= 4 && key.ends_with('s') && !key.ends_with("ss") {
        key[..key.len() - 1].to_string()
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_unique_when_slugs_collide() {
        let mut linker = Linker::new();
        let a = linker.intern("loc:x one", EntityType::Location, "X-One");
        let b = linker.intern("loc:x  one other key", EntityType::Location, "X One");
        assert_eq!(a, "loc:x-one");
        assert_eq!(b, "loc:x-one-2");
        assert_eq!(linker.intern("loc:x one", EntityType::Location, "x one"), a);
    }

    #[test]
    fn us_state_codes_are_their_states() {
        let mut linker = Linker::new();
        let a = linker.place_id("California").unwrap();
        assert_eq!(linker.place_id("CA"), Some(a));
        assert_eq!(linker.place_id("MI").unwrap(), "loc:michigan");
        assert_eq!(linker.place_id("IN").unwrap(), "loc:in");
    }
}
