//! Stance decisions, kept per question (input hash) whatever model made them:
//! the stored answers to a page of questions (only the current model's with
//! `--reprocess`), and storing new ones in one transaction.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use super::{sql_error, Result, Store, Work};
use crate::stance::{Stance, StanceDecision};

/// A stored stance decision and the model that made it.
#[derive(Debug, Clone)]
pub struct StoredDecision {
    pub decision: StanceDecision,
    pub model: String,
}

impl Store {
    /// Stored decisions for some stance questions. Without `reprocess`,
    /// any model's decision counts; with it, only `model`'s.
    pub fn decisions(&self, hashes: &[&str], model: &str, work: Work) -> Result<HashMap<String, StoredDecision>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT model, stance, p_against, p_neutral, p_favour, confidence FROM stance_decisions WHERE input_hash = ?1",
            )
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for h in hashes {
            let row: Option<(String, String, f32, f32, f32, f32)> = stmt
                .query_row([h], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
                .optional()
                .map_err(|e| self.err(e))?;
            let Some((m, stance, a, n, f, confidence)) = row else { continue };
            if work.reprocess && m != model {
                continue;
            }
            let decision = StanceDecision {
                stance: Stance::parse(&stance).unwrap_or(Stance::Neutral),
                confidence,
                probabilities: [a, n, f],
            };
            out.insert(h.to_string(), StoredDecision { decision, model: m });
        }
        Ok(out)
    }

    /// Stores stance decisions, in one transaction.
    pub(crate) fn save_decisions(&mut self, found: &[(String, StanceDecision)], model: &str, run: i64) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql_error(&path, e))?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO stance_decisions(input_hash, model, run, stance, p_against, p_neutral, p_favour, confidence)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(|e| sql_error(&path, e))?;
            for (hash, d) in found {
                let [a, n, f] = d.probabilities;
                put.execute(params![hash, model, run, d.stance.as_str(), a, n, f, d.confidence])
                    .map_err(|e| sql_error(&path, e))?;
            }
        }
        tx.commit().map_err(|e| sql_error(&path, e))
    }
}
