//! How far a stance model's confidence can be trusted: expected calibration
//! error, favour/against precision when only the most confident answers are
//! kept, the confidence threshold that reaches a wanted precision, and the
//! temperature that best fits the probabilities to the gold labels.

use serde_json::{json, Map, Value};

use crate::stance::{Stance, StanceDecision};

/// The coverages `precision_at_coverage` reports, in percent.
pub(crate) const COVERAGES: [u32; 4] = [100, 80, 60, 40];

/// Equal-width confidence bins of the expected calibration error.
const ECE_BINS: usize = 10;

/// The precision the default `--min-confidence` is chosen for.
pub(crate) const WANTED_PRECISION: f64 = 0.8;

/// Calibration of one model's answers on one gold set.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Expected calibration error over [`ECE_BINS`] bins of the winning
    /// probability.
    pub ece: f64,
    /// (coverage %, favour/against precision, the confidence of the least
    /// confident answer kept), the answers that said favour or against
    /// ranked by confidence.
    pub precision_at_coverage: Vec<(u32, f64, f32)>,
    /// The lowest confidence threshold at which the favour/against answers
    /// kept are at least [`WANTED_PRECISION`] precise, with the share of
    /// them kept; `None` when no threshold reaches it.
    pub threshold: Option<(f32, f64)>,
    /// The temperature, relative to the model's present one, that minimises
    /// the negative log-likelihood of the gold labels (multiply the model's
    /// temperature by it).
    pub temperature_factor: f64,
}

impl Calibration {
    /// Calibration of `decisions` against `gold` (aligned).
    pub fn of(gold: &[Stance], decisions: &[StanceDecision]) -> Calibration {
        assert_eq!(gold.len(), decisions.len(), "gold and decisions differ in number");
        let mut sided: Vec<(f32, bool)> = gold
            .iter()
            .zip(decisions)
            .filter(|(_, d)| d.stance != Stance::Neutral)
            .map(|(&g, d)| (d.confidence, g == d.stance))
            .collect();
        sided.sort_by(|a, b| b.0.total_cmp(&a.0));
        let precision_at_coverage = COVERAGES
            .iter()
            .filter(|_| !sided.is_empty())
            .map(|&c| {
                let k = ((sided.len() as f64 * f64::from(c) / 100.0).round() as usize).clamp(1, sided.len());
                let right = sided[..k].iter().filter(|s| s.1).count();
                (c, right as f64 / k as f64, sided[k - 1].0)
            })
            .collect();
        Calibration {
            ece: expected_calibration_error(gold, decisions),
            precision_at_coverage,
            threshold: threshold_for(&sided, WANTED_PRECISION),
            temperature_factor: fit_temperature(gold, decisions),
        }
    }

    /// The JSON keys `eval stance` adds: `ece`, `precision_at_coverage`
    /// (keyed "100", "80", "60", "40"), `confidence_at_coverage`,
    /// `min_confidence_for_precision_0.8` and `temperature_factor`.
    pub fn json(&self) -> Value {
        let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        let by_coverage = |f: &dyn Fn(&(u32, f64, f32)) -> Value| -> Map<String, Value> {
            self.precision_at_coverage.iter().map(|p| (p.0.to_string(), f(p))).collect()
        };
        json!({
            "ece": r4(self.ece),
            "precision_at_coverage": by_coverage(&|p| json!(r4(p.1))),
            "confidence_at_coverage": by_coverage(&|p| json!(r4(f64::from(p.2)))),
            format!("min_confidence_for_precision_{WANTED_PRECISION}"): self.threshold.map(|(t, c)| json!({
                "threshold": r4(f64::from(t)),
                "coverage": r4(c),
            })),
            "temperature_factor": r4(self.temperature_factor),
        })
    }
}

fn expected_calibration_error(gold: &[Stance], decisions: &[StanceDecision]) -> f64 {
    let mut bins = [(0usize, 0.0f64, 0usize); ECE_BINS];
    for (&g, d) in gold.iter().zip(decisions) {
        let b = ((d.confidence as f64 * ECE_BINS as f64) as usize).min(ECE_BINS - 1);
        bins[b].0 += 1;
        bins[b].1 += f64::from(d.confidence);
        bins[b].2 += usize::from(g == d.stance);
    }
    let n = gold.len().max(1) as f64;
    bins.iter()
        .filter(|b| b.0 > 0)
        .map(|&(count, conf, right)| (count as f64 / n) * (conf / count as f64 - right as f64 / count as f64).abs())
        .sum()
}

/// The lowest confidence whose kept answers (those at or above it, `sided`
/// sorted by confidence, highest first) are at least `wanted` precise, and
/// the share kept.
fn threshold_for(sided: &[(f32, bool)], wanted: f64) -> Option<(f32, f64)> {
    let mut best = None;
    let mut right = 0usize;
    for (k, &(conf, ok)) in sided.iter().enumerate() {
        right += usize::from(ok);
        let ties_follow = sided.get(k + 1).is_some_and(|next| next.0 == conf);
        if !ties_follow && right as f64 / (k + 1) as f64 >= wanted {
            best = Some((conf, (k + 1) as f64 / sided.len() as f64));
        }
    }
    best
}

/// The factor f for which softmax(log p / f) best fits the gold labels
/// (negative log-likelihood, searched over f in [0.25, 4] on a log grid,
/// then refined). Since log p equals the logits over the model's temperature
/// up to a constant, the model's temperature times f is the fitted one.
fn fit_temperature(gold: &[Stance], decisions: &[StanceDecision]) -> f64 {
    let nll = |f: f64| -> f64 {
        gold.iter()
            .zip(decisions)
            .map(|(&g, d)| {
                let z: Vec<f64> = d.probabilities.iter().map(|&p| f64::from(p.max(1e-7)).ln() / f).collect();
                let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let log_sum = z.iter().map(|x| (x - max).exp()).sum::<f64>().ln() + max;
                log_sum - z[g.index()]
            })
            .sum()
    };
    let grid = |lo: f64, hi: f64, steps: usize| {
        (0..=steps)
            .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / steps as f64).exp())
            .min_by(|a, b| nll(*a).total_cmp(&nll(*b)))
            .unwrap_or(1.0)
    };
    let coarse = grid(0.25, 4.0, 40);
    grid(coarse / 1.08, coarse * 1.08, 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(stance: Stance, p: [f32; 3]) -> StanceDecision {
        StanceDecision { stance, confidence: p[stance.index()], probabilities: p }
    }

    #[test]
    fn a_perfectly_calibrated_set_has_no_error() {
        use Stance::*;
        let gold = [Favour, Favour, Against, Against];
        let dec = [
            d(Favour, [0.0, 0.0, 1.0]),
            d(Favour, [0.0, 0.0, 1.0]),
            d(Against, [1.0, 0.0, 0.0]),
            d(Against, [1.0, 0.0, 0.0]),
        ];
        let c = Calibration::of(&gold, &dec);
        assert!(c.ece < 1e-9);
        assert_eq!(c.precision_at_coverage[0], (100, 1.0, 1.0));
    }

    #[test]
    fn confident_wrong_answers_cost_precision_and_raise_the_threshold() {
        use Stance::*;
        let gold = [Favour, Against, Favour, Against, Neutral];
        let dec = [
            d(Favour, [0.05, 0.05, 0.9]),
            d(Against, [0.8, 0.1, 0.1]),
            d(Against, [0.6, 0.2, 0.2]),
            d(Favour, [0.25, 0.25, 0.5]),
            d(Neutral, [0.2, 0.6, 0.2]),
        ];
        let c = Calibration::of(&gold, &dec);
        let at: Vec<(u32, f64)> = c.precision_at_coverage.iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(at, vec![(100, 0.5), (80, 2.0 / 3.0), (60, 1.0), (40, 1.0)]);
        assert_eq!(c.threshold, Some((0.8, 0.5)));
        assert!(c.ece > 0.1);
    }

    #[test]
    fn overconfidence_is_fitted_with_a_higher_temperature() {
        use Stance::*;
        let gold = [Favour, Against, Favour, Against];
        let dec = [d(Favour, [0.05, 0.05, 0.9]); 4];
        assert!(Calibration::of(&gold, &dec).temperature_factor > 1.5);
        let dec = [d(Favour, [0.3, 0.3, 0.4]); 4];
        assert!(Calibration::of(&[Favour; 4], &dec).temperature_factor < 0.5, "underconfident: lower");
    }
}
