//! Step 4 of a run, linking, in one of two ways (`docs/nightly.md`):
//! **full** (the whole store afresh, documents in id order: what a rebuild
//! does) or **incremental** (the night's new and changed documents, in id
//! order, against the linker state the last linking kept). A night links
//! incrementally unless `--relink` (or `--reprocess`) asks for a full
//! relink, no usable state is kept, or the documents linked incrementally
//! since the last full relink reach `--relink-after` percent of the store.

use std::collections::{BTreeSet, HashMap, HashSet};

use anyhow::Result;

use super::{stored_spans, Log, PAGE_DOCS};
use crate::corpus::Document;
use crate::link::{Entity, EntityType, Linker, StableIds};
use crate::store::{KeptLinking, NightCommit, Store};

/// How a run links.
pub(super) enum Plan {
    Full,
    /// The kept linker, what it was kept with, and the ids of the documents
    /// changed since (each with whether an earlier version of it was linked).
    Incremental(Box<Linker>, KeptLinking, Vec<(String, bool)>),
}

/// Decides between a full and an incremental linking (see the module docs).
pub(super) fn plan(store: &Store, full: bool, relink_after: u32) -> Result<Plan> {
    if full {
        return Ok(Plan::Full);
    }
    let Some(kept) = store.kept_linking()? else { return Ok(Plan::Full) };
    let Some(linker) = Linker::from_state(&kept.state) else { return Ok(Plan::Full) };
    let changed = store.documents_changed_since(kept.run)?;
    let drift = (kept.since_full + changed.len()) as u64 * 100;
    if drift > relink_after as u64 * store.document_count()? as u64 {
        return Ok(Plan::Full);
    }
    Ok(Plan::Incremental(Box::new(linker), kept, changed))
}

/// A linking in progress, ready for its stance questions and its commit.
pub(super) struct Linked {
    /// Every entity of the store, with stable ids.
    pub(super) entities: Vec<Entity>,
    pub(super) stable: StableIds,
    pub(super) surface_forms: usize,
    pub(super) kept: KeptLinking,
    pub(super) documents_linked: usize,
    /// What an incremental linking replaces; none: the whole store.
    pub(super) night: Option<Night>,
}

/// What an incremental linking replaces in the store.
pub(super) struct Night {
    /// Documents whose mentions and stance records are replaced: the changed
    /// ones and those mentioning an entity whose label, type or id changed.
    pub(super) replaced: Vec<String>,
    /// Entities (stable ids) to write again.
    pub(super) touched: Vec<Entity>,
    /// Entity ids left with no mention.
    pub(super) gone: Vec<String>,
    /// Keys whose id is new or changed.
    pub(super) keys: Vec<(String, String)>,
}

impl Linked {
    /// Swaps the linking in (one transaction).
    pub(super) fn commit(&self, store: &mut Store) -> Result<()> {
        match &self.night {
            None => store.commit_linking(&self.entities, &self.stable, &self.kept)?,
            Some(n) => {
                let night = NightCommit {
                    replaced: &n.replaced,
                    touched: &n.touched,
                    gone: &n.gone,
                    stable: &self.stable,
                    keys: &n.keys,
                };
                store.commit_night(&night, &self.kept)?
            }
        }
        Ok(())
    }

    /// `full` or `incremental`, as summary.json says.
    pub(super) fn kind(&self) -> &'static str {
        if self.night.is_some() {
            "incremental"
        } else {
            "full"
        }
    }
}

/// Links the whole store afresh, document by document in id order; the
/// mentions go to the store's linking in progress with stable ids.
pub(super) fn link_all(store: &mut Store, log: &Log, run: i64) -> Result<Linked> {
    store.begin_linking()?;
    let mut linker = Linker::new();
    // First pass: the corpus's full names, so that name variants resolve
    // the same whatever the document order.
    let mut after: Option<String> = None;
    let mut documents = 0;
    loop {
        let page = store.documents_page(after.as_deref(), PAGE_DOCS)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        for doc in &page {
            linker.observe(doc, &stored_spans(store, doc)?);
        }
        documents += page.len();
    }
    let mut after: Option<String> = None;
    loop {
        let page = store.documents_page(after.as_deref(), PAGE_DOCS)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        let mut mentions = Vec::new();
        for doc in &page {
            mentions.extend(linker.link(doc, &stored_spans(store, doc)?));
        }
        store.add_mentions(&mentions)?;
    }
    let stable = linker.stable_ids(&store.issued_ids()?);
    store.apply_stable_ids(&stable)?;
    let entities = with_stable_ids(linker.entities(), &stable);
    log.info(&format!("link: {} entities (full relink of {documents} documents)", entities.len()));
    let kept = KeptLinking { state: linker.save_state(), run, since_full: 0 };
    let surface_forms = linker.surface_forms_seen();
    Ok(Linked { entities, stable, surface_forms, kept, documents_linked: documents, night: None })
}

/// Links the documents changed since the kept linking against its state:
/// an earlier version's mentions are taken back first, the new mentions go
/// to the linking in progress, and the documents mentioning an entity whose
/// label, type or id changed are carried along so that their stance
/// questions are asked again.
pub(super) fn link_night(
    store: &mut Store,
    mut linker: Linker,
    kept: KeptLinking,
    changed: Vec<(String, bool)>,
    run: i64,
    log: &Log,
) -> Result<Linked> {
    store.begin_linking()?;
    let issued = store.issued_ids()?;
    let forgotten = forget_earlier_versions(store, &mut linker, &issued, &changed)?;
    let before: HashMap<String, (String, EntityType)> =
        linker.entities().into_iter().map(|e| (e.id, (e.label, e.kind))).collect();
    for (id, _) in &changed {
        let doc = changed_document(store, id)?;
        linker.observe(&doc, &stored_spans(store, &doc)?);
    }
    let mut touched: HashSet<String> = forgotten.keys().cloned().collect();
    for page in changed.chunks(PAGE_DOCS) {
        let mut mentions = Vec::new();
        for (id, _) in page {
            let doc = changed_document(store, id)?;
            mentions.extend(linker.link(&doc, &stored_spans(store, &doc)?));
        }
        touched.extend(mentions.iter().map(|m| m.entity_id.clone()));
        store.add_mentions(&mentions)?;
    }
    let stable = linker.stable_ids(&issued);
    store.apply_stable_ids(&stable)?;

    let fresh = linker.entities();
    let reread: Vec<String> = fresh
        .iter()
        .filter(|e| before.get(&e.id).is_some_and(|(label, kind)| *label != e.label || *kind != e.kind))
        .map(|e| stable.of(&e.id).to_string())
        .chain(stable.merged.iter().map(|(old, _)| old.clone()))
        .collect();
    let changed_ids: BTreeSet<String> = changed.iter().map(|(id, _)| id.clone()).collect();
    let carried: Vec<String> =
        store.documents_mentioning(&reread)?.into_iter().filter(|d| !changed_ids.contains(d)).collect();
    store.carry_mentions(&carried, &stable.merged)?;

    let live: HashSet<&str> = fresh.iter().map(|e| e.id.as_str()).collect();
    let gone: Vec<String> =
        forgotten.iter().filter(|(f, _)| !live.contains(f.as_str())).map(|(_, s)| s.clone()).collect();
    let mut rewrite: HashSet<&str> = reread.iter().map(String::as_str).collect();
    rewrite.extend(touched.iter().map(|f| stable.of(f)));
    let entities = with_stable_ids(fresh, &stable);
    let touched: Vec<Entity> = entities.iter().filter(|e| rewrite.contains(e.id.as_str())).cloned().collect();
    let keys: Vec<(String, String)> = stable
        .keys
        .iter()
        .filter(|(k, id)| issued.keys.get(*k) != Some(*id))
        .map(|(k, id)| (k.clone(), id.clone()))
        .collect();
    log.info(&format!(
        "link: {} entities (incremental: {} changed documents, {} more asked again, {} entities touched)",
        entities.len(),
        changed.len(),
        carried.len(),
        touched.len()
    ));
    let replaced: Vec<String> = changed_ids.into_iter().chain(carried).collect();
    let since_full = kept.since_full + changed.len();
    let kept = KeptLinking { state: linker.save_state(), run, since_full };
    let surface_forms = linker.surface_forms_seen();
    let night = Night { replaced, touched, gone, keys };
    Ok(Linked { entities, stable, surface_forms, kept, documents_linked: changed.len(), night: Some(night) })
}

/// Takes back from the linker the mentions that the linked versions of
/// changed documents gave their entities; returns those entities (fresh
/// id → stable id).
fn forget_earlier_versions(
    store: &Store,
    linker: &mut Linker,
    issued: &crate::link::IssuedIds,
    changed: &[(String, bool)],
) -> Result<HashMap<String, String>> {
    let mut forgotten = HashMap::new();
    if !changed.iter().any(|(_, updated)| *updated) {
        return Ok(forgotten);
    }
    let now = linker.stable_ids(issued);
    let fresh_of: HashMap<&str, &str> = now.ids.iter().map(|(f, s)| (s.as_str(), f.as_str())).collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (id, _) in changed.iter().filter(|(_, updated)| *updated) {
        for (stable_id, n) in store.mention_counts(id)? {
            if let Some(fresh) = fresh_of.get(stable_id.as_str()) {
                *counts.entry(fresh.to_string()).or_default() += n;
                forgotten.insert(fresh.to_string(), stable_id);
            }
        }
    }
    linker.forget_mentions(&counts);
    Ok(forgotten)
}

/// A changed document, read again from the store.
fn changed_document(store: &Store, id: &str) -> Result<Document> {
    store.document(id)?.ok_or_else(|| anyhow::anyhow!("document {id:?} left the store during the run"))
}

/// The linker's entities under their stable ids.
fn with_stable_ids(entities: Vec<Entity>, stable: &StableIds) -> Vec<Entity> {
    entities
        .into_iter()
        .map(|mut e| {
            e.id = stable.of(&e.id).to_string();
            e
        })
        .collect()
}
