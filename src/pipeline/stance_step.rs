//! Step 5 of a run, stance: one question per (comment, entity) pair of the
//! linking in progress; questions answered before are not asked again, the
//! others are answered in chunks, each committed as it finishes.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use super::model_work::ModelWork;
use super::PAGE_DOCS;
use crate::link::Entity;
use crate::stance::questions::{self, Question};
use crate::stance::{ConversationParts, StanceDecision, StanceQuery};
use crate::store::{StancePair, Store};

impl ModelWork<'_> {
    /// One stance question per (comment, entity) pair of the linking in
    /// progress, over all the mentions of that entity in that comment
    /// (pronoun mentions included); the target is the entity's label.
    /// Questions answered before are not asked again; the others are
    /// answered in chunks, each committed as it finishes. `only`: the
    /// documents of an incremental linking (default: every document).
    pub(super) fn decide_stances(
        &mut self,
        store: &mut Store,
        entities: &[Entity],
        only: Option<&[String]>,
    ) -> Result<()> {
        let by_id: HashMap<&str, &Entity> = entities.iter().map(|e| (e.id.as_str(), e)).collect();
        let reads = ConversationParts::read_by(self.options.stance_baseline, &self.options.stance_dir()?);
        let mut waiting: Vec<Question> = Vec::new();
        let mut waiting_hashes: HashSet<String> = HashSet::new();
        let mut after: Option<String> = None;
        let mut listed = only.map(|ids| ids.chunks(PAGE_DOCS));
        loop {
            let page = match listed.as_mut() {
                None => store.documents_page(after.as_deref(), PAGE_DOCS)?,
                Some(chunks) => match chunks.next() {
                    Some(ids) => ids
                        .iter()
                        .map(|id| store.document(id))
                        .filter_map(Result::transpose)
                        .collect::<Result<_, _>>()?,
                    None => Vec::new(),
                },
            };
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            let mut questions: Vec<Question> = Vec::new();
            for doc in &page {
                questions.extend(questions::of_document(doc, &store.document_mentions(&doc.id)?, &by_id, reads));
            }
            let pairs: Vec<StancePair> = questions.iter().map(stance_pair).collect();
            let hashes: Vec<&str> = questions.iter().map(|q| q.hash.as_str()).collect();
            let known = store.decisions(&hashes, self.stance_model, self.work)?;
            for q in questions {
                if !known.contains_key(&q.hash) && waiting_hashes.insert(q.hash.clone()) {
                    waiting.push(q);
                }
            }
            store.add_stance_pairs(&pairs)?;
            while waiting.len() >= self.options.chunk_pairs {
                let rest = waiting.split_off(self.options.chunk_pairs);
                self.answer(store, &waiting)?;
                waiting = rest;
            }
        }
        if !waiting.is_empty() {
            self.answer(store, &waiting)?;
        }
        self.done.stance_comments = self.comments_asked.len();
        Ok(())
    }

    /// Runs the stance model over one chunk of questions and commits the answers.
    fn answer(&mut self, store: &mut Store, chunk: &[Question]) -> Result<()> {
        if self.done.stance_pairs == 0 {
            self.log.info(&format!("stance: answering new questions with {}", self.stance_model));
        }
        let queries: Vec<StanceQuery> = chunk.iter().map(Question::query).collect();
        let decisions: Vec<StanceDecision> = self.models.stance()?.predict(&queries)?;
        let found: Vec<(String, StanceDecision)> = chunk.iter().map(|q| q.hash.clone()).zip(decisions).collect();
        store.save_decisions(&found, self.stance_model, self.run_id)?;
        self.done.stance_pairs += chunk.len();
        self.comments_asked.extend(chunk.iter().map(|q| (q.doc_id.clone(), q.comment)));
        crate::pause_point("stance-chunk");
        Ok(())
    }
}

/// The store's record of a question asked in the linking in progress.
fn stance_pair(q: &Question) -> StancePair {
    StancePair {
        doc_id: q.doc_id.clone(),
        comment: q.comment,
        author: q.author.clone(),
        entity_id: q.entity_id.clone(),
        input_hash: q.hash.clone(),
        implicit: q.implicit,
    }
}
