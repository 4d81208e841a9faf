//! The persistent registry: canonical keys → ids with the entities' labels,
//! types and genders, written as JSON and read back so a later run reuses
//! the ids.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::pronouns::Gender;
use super::{EntityRec, EntityType, LinkError, Linker, REGISTRY_VERSION};

/// The registry as stored on disk.
#[derive(Debug, Serialize, Deserialize)]
struct RegistryFile {
    version: u32,
    /// Every non-country entity known, sorted by id.
    entities: Vec<RegistryEntity>,
    /// Canonical key (`person:joe biden`, `org:idf`, `loc:tokyo`) → id.
    keys: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RegistryEntity {
    id: String,
    label: String,
    #[serde(rename = "type")]
    kind: EntityType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gender: Option<Gender>,
}

impl Linker {
    /// A linker that reuses the ids of an earlier run's registry (see
    /// [`Linker::save_registry`]). A missing file gives [`Linker::new`].
    pub fn load_registry(path: &Path) -> Result<Linker, LinkError> {
        let raw = match std::fs::read(path) {
            Ok(raw) => raw,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Linker::new()),
            Err(source) => return Err(LinkError::Io { path: path.to_path_buf(), source }),
        };
        let file: RegistryFile =
            serde_json::from_slice(&raw).map_err(|source| LinkError::Format { path: path.to_path_buf(), source })?;
        if file.version != REGISTRY_VERSION {
            return Err(LinkError::Version { path: path.to_path_buf(), found: file.version });
        }
        let mut linker = Linker::new();
        for e in file.entities {
            if e.id.is_empty() || e.kind == EntityType::Country {
                continue;
            }
            let mut rec = EntityRec::new(&e.label, e.kind);
            match e.gender {
                Some(Gender::Male) => rec.male = 2,
                Some(Gender::Female) => rec.female = 2,
                None => {}
            }
            if e.kind == EntityType::Person {
                linker.index_names(&e.id, &e.label);
            }
            linker.entities.insert(e.id, rec);
        }
        for (key, id) in file.keys {
            if linker.entities.contains_key(&id) {
                linker.keys.insert(key, id);
            }
        }
        Ok(linker)
    }

    /// Writes the registry (canonical keys → ids, with labels, types and
    /// genders) as JSON: to `<path>.tmp` first, then renamed over `path`.
    pub fn save_registry(&self, path: &Path) -> Result<(), LinkError> {
        let io = |source| LinkError::Io { path: path.to_path_buf(), source };
        let mut entities: Vec<RegistryEntity> = self
            .entities
            .iter()
            .filter(|(_, e)| e.kind != EntityType::Country)
            .map(|(id, e)| RegistryEntity {
                id: id.clone(),
                label: e.label.clone(),
                kind: e.kind(),
                gender: self.gender_of(id),
            })
            .collect();
        entities.sort_by(|a, b| a.id.cmp(&b.id));
        let file = RegistryFile {
            version: REGISTRY_VERSION,
            entities,
            keys: self.keys.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        };
        let json = serde_json::to_vec_pretty(&file)
            .map_err(|source| LinkError::Format { path: path.to_path_buf(), source })?;
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            io(source)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::link::test_util::{link_text, span};
    use crate::ner::EntityKind;

    #[test]
    fn registry_keeps_first_names_and_two_word_surnames() {
        let dir = std::env::temp_dir().join(format!("stancegraph-link-{}", std::process::id()));
        let path = dir.join("registry.json");
        let mut linker = Linker::new();
        let text = "Debbie Wasserman Schultz and Reince Priebus.";
        link_text(
            &mut linker,
            text,
            vec![
                span(text, "Debbie Wasserman Schultz", 0, EntityKind::Person),
                span(text, "Reince Priebus", 0, EntityKind::Person),
            ],
        );
        linker.save_registry(&path).unwrap();
        let mut again = Linker::load_registry(&path).unwrap();
        let text = "Wasserman Schultz met Reince.";
        let got = link_text(
            &mut again,
            text,
            vec![span(text, "Wasserman Schultz", 0, EntityKind::Person), span(text, "Reince", 0, EntityKind::Person)],
        );
        let ids: Vec<&str> = got.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(ids, ["person:debbie-wasserman-schultz", "person:reince-priebus"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
