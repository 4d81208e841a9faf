//! Stance records aggregated on a stance edge or an entity node: counts,
//! shares, the label rule ([`StanceCounts::label`]) and the counts kept per
//! date so that the exports can replay them cumulatively ([`StanceHistory`]).

use std::collections::BTreeMap;

use crate::stance::Stance;

/// The label of aggregated stance records ([`StanceCounts::label`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StanceLabel {
    Favour,
    Against,
    Neutral,
    Mixed,
}

impl StanceLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            StanceLabel::Favour => "favour",
            StanceLabel::Against => "against",
            StanceLabel::Neutral => "neutral",
            StanceLabel::Mixed => "mixed",
        }
    }
}

/// Stance records aggregated.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StanceCounts {
    pub favour: usize,
    pub against: usize,
    pub neutral: usize,
    /// Sum of the records' confidences.
    pub confidence_sum: f64,
}

impl StanceCounts {
    /// Adds one record.
    pub fn add(&mut self, stance: Stance, confidence: f32) {
        match stance {
            Stance::Favour => self.favour += 1,
            Stance::Against => self.against += 1,
            Stance::Neutral => self.neutral += 1,
        }
        if confidence.is_finite() {
            self.confidence_sum += f64::from(confidence);
        }
    }

    /// Adds all of `other`.
    pub fn merge(&mut self, other: &StanceCounts) {
        self.favour += other.favour;
        self.against += other.against;
        self.neutral += other.neutral;
        self.confidence_sum += other.confidence_sum;
    }

    /// Number of records.
    pub fn total(&self) -> usize {
        self.favour + self.against + self.neutral
    }

    fn share(&self, n: usize) -> f64 {
        match self.total() {
            0 => 0.0,
            total => n as f64 / total as f64,
        }
    }

    /// Favour records over all records; 0 when there are none.
    pub fn favour_share(&self) -> f64 {
        self.share(self.favour)
    }

    /// Against records over all records; 0 when there are none.
    pub fn against_share(&self) -> f64 {
        self.share(self.against)
    }

    /// `(favour − against) / total`, in `[-1, 1]`; 0 when there are no records.
    pub fn net(&self) -> f64 {
        self.favour_share() - self.against_share()
    }

    /// Mean confidence of the records; 0 when there are none.
    pub fn mean_confidence(&self) -> f64 {
        match self.total() {
            0 => 0.0,
            total => self.confidence_sum / total as f64,
        }
    }

    /// The label; `None` when there are no records. **Neutral** when
    /// neutral records are more than half; otherwise, of the polar records
    /// (favour + against), **favour** when favour is at least 2/3 of them,
    /// **against** when against is; otherwise **mixed**. One favour and one
    /// against is mixed; two favour and one against is favour; one favour
    /// and one neutral is favour; one favour and two neutral is neutral.
    pub fn label(&self) -> Option<StanceLabel> {
        if self.total() == 0 {
            return None;
        }
        let polar = self.favour + self.against;
        Some(if self.neutral > polar {
            StanceLabel::Neutral
        } else if 3 * self.favour >= 2 * polar {
            StanceLabel::Favour
        } else if 3 * self.against >= 2 * polar {
            StanceLabel::Against
        } else {
            StanceLabel::Mixed
        })
    }
}

/// Stance records of one edge or entity, kept per date so that the exports
/// can write them as values that change over time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StanceHistory {
    /// Records without a valid date.
    pub undated: StanceCounts,
    /// Records per date (not cumulative).
    pub by_date: BTreeMap<String, StanceCounts>,
}

impl StanceHistory {
    /// Adds one record, dated or not.
    pub fn add(&mut self, date: Option<&str>, stance: Stance, confidence: f32) {
        match date {
            Some(d) => self.by_date.entry(d.to_string()).or_default().add(stance, confidence),
            None => self.undated.add(stance, confidence),
        }
    }

    /// All records.
    pub fn total(&self) -> StanceCounts {
        let mut all = self.undated;
        for c in self.by_date.values() {
            all.merge(c);
        }
        all
    }

    /// At each date, every record up to and including it (undated ones
    /// included from the start).
    pub fn cumulative(&self) -> Vec<(&str, StanceCounts)> {
        let mut running = self.undated;
        self.by_date
            .iter()
            .map(|(d, c)| {
                running.merge(c);
                (d.as_str(), running)
            })
            .collect()
    }
}
