//! Step 3 of a run, NER: every stored text without output, in chunks
//! committed as they finish; inside a chunk each batch's output is kept at
//! once, so that a killed run's batches are read back instead of run again.
//! Also the stored spans of a document, which the linking reads.

use anyhow::Result;

use super::model_work::ModelWork;
use crate::corpus::Document;
use crate::link::DocumentSpans;
use crate::store::{self, Store};

impl ModelWork<'_> {
    /// NER over every stored text without output, chunk by chunk. Each
    /// batch's output is kept in the store as it finishes and each chunk's
    /// spans are committed at its end, so a kill loses at most the batch in
    /// progress: the next run finds the same chunk first (hash order) and
    /// reads the kept batches back instead of running them.
    pub(super) fn recognise(&mut self, store: &mut Store) -> Result<()> {
        let mut after = String::new();
        loop {
            let pending = store.pending_ner(self.ner_model, self.work, &after, self.options.chunk_chars)?;
            let Some(last) = pending.last() else {
                if let Some(model) = self.models.ner.take() {
                    self.ner_padding = self.ner_padding.plus(model.padding());
                }
                return Ok(());
            };
            after = last.hash.clone();
            if self.done.ner_texts == 0 {
                self.log.info(&format!("ner: reading new texts with {}", self.ner_model));
            }
            let texts: Vec<&str> = pending.iter().map(|p| p.text.as_str()).collect();
            let spans = self.recognise_chunk(store, &pending, &texts)?;
            let found: Vec<(String, Vec<crate::ner::EntitySpan>)> =
                pending.iter().map(|p| p.hash.clone()).zip(spans).collect();
            store.save_spans(&found, self.ner_model, self.run_id)?;
            self.done.ner_texts += pending.len();
            self.done.ner_comments += store.comment_texts_among(pending.iter().map(|p| p.hash.as_str()))?;
            self.done.ner_words += texts.iter().map(|t| t.split_whitespace().count()).sum::<usize>();
            self.log.inc(pending.len());
            crate::pause_point("ner-chunk");
        }
    }

    /// The NER output of one chunk: the batches an interrupted run kept for
    /// this very chunk (same texts, model and batching) are read back, the
    /// others run and kept one by one.
    fn recognise_chunk(
        &mut self,
        store: &mut Store,
        pending: &[store::PendingText],
        texts: &[&str],
    ) -> Result<Vec<Vec<crate::ner::EntitySpan>>> {
        let (ner_model, run_id) = (self.ner_model, self.run_id);
        let batching = self.models.ner()?.batching();
        let chunk = crate::hashes::content_hash(
            [ner_model, batching.as_str()].into_iter().chain(pending.iter().map(|p| p.hash.as_str())),
        );
        let kept = store.ner_batches(&chunk)?;
        if !kept.is_empty() {
            let by = store.ner_batches_run(&chunk)?.map_or_else(String::new, |r| format!(" by run {r}"));
            self.log.info(&format!(
                "ner: resuming a chunk of {} texts: {} batches of it were kept{by} and are read back",
                pending.len(),
                kept.len()
            ));
        }
        let mut batches_run = 0;
        let spans = self.models.ner()?.predict_resuming(texts, &kept, |batch, labels| -> Result<()> {
            store.save_ner_batch(&chunk, batch, labels, run_id)?;
            batches_run += 1;
            crate::pause_point("ner-batch");
            Ok(())
        })?;
        self.done.ner_batches += batches_run;
        self.done.ner_batches_read_back += kept.len();
        Ok(spans)
    }
}

/// The stored NER spans of a document's article and comments.
pub(crate) fn stored_spans(store: &Store, doc: &Document) -> Result<DocumentSpans> {
    Ok(DocumentSpans {
        article: store.spans_of(&doc.text)?,
        comments: doc.comments.iter().map(|c| store.spans_of(&c.text)).collect::<Result<_, _>>()?,
    })
}
