//! The arithmetic of the bench tables: nearest-rank percentiles, medians, and ratios of paired
//! trials (repeat i of the broker over repeat i of the baseline), with the table's row format.

use std::io::Write;

/// The nearest-rank percentile `p` (0..=100) of sorted values; `None` when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    // The smallest rank r >= 1 with r >= p/100 * n: p99 of 200 values is the 198th.
    let at = p / 100.0 * sorted.len() as f64;
    sorted
        .iter()
        .zip(1usize..)
        .find(|&(_, rank)| rank as f64 >= at)
        .or(sorted.iter().zip(1..).last())
        .map(|(&v, _)| v)
}

/// Sorts values (NaN last) so that [`percentile`] can read them.
pub fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// The median: the middle value, or the mean of the two middle ones; `None` when empty.
/// NaN values (a measure a trial could not take) are left out.
pub fn median(values: &[f64]) -> Option<f64> {
    let v = sorted(values.iter().copied().filter(|x| !x.is_nan()).collect());
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => v.get(n / 2).copied(),
        _ => Some(f64::midpoint(v[n / 2 - 1], v[n / 2])),
    }
}

/// `top / bottom`, or `None` when the bottom is zero or either is not a number.
pub fn ratio(top: f64, bottom: f64) -> Option<f64> {
    let r = top / bottom;
    (bottom != 0.0 && r.is_finite()).then_some(r)
}

/// The ratio of medians and the range of per-repeat ratios of paired trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratios {
    /// median(broker) / median(baseline).
    pub of_medians: f64,
    /// The smallest per-repeat ratio.
    pub min: f64,
    /// The largest per-repeat ratio.
    pub max: f64,
}

/// Compares paired repeats (`broker[i]` with `baseline[i]`); `None` when no pair has a ratio.
pub fn paired(broker: &[f64], baseline: &[f64]) -> Option<Ratios> {
    let pairs: Vec<f64> = broker
        .iter()
        .zip(baseline)
        .filter_map(|(&b, &a)| ratio(b, a))
        .collect();
    let lowest = pairs.iter().copied().reduce(f64::min)?;
    let highest = pairs.iter().copied().reduce(f64::max)?;
    Some(Ratios {
        of_medians: ratio(median(broker)?, median(baseline)?)?,
        min: lowest,
        max: highest,
    })
}

/// A value with `digits` decimals, or `-` when it could not be measured.
pub fn show(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

/// Writes one table row: the measure, the baseline's and the broker's medians, the ratio of the
/// medians with its per-repeat range, and the goal.
pub fn row(
    out: &mut impl Write,
    label: &str,
    (baseline, broker): (&str, &str),
    ratios: Option<Ratios>,
    goal: &str,
) -> std::io::Result<()> {
    let ratio = ratios.map_or_else(
        || "-".to_owned(),
        |r| format!("{:.2}x [{:.2}-{:.2}]", r.of_medians, r.min, r.max),
    );
    writeln!(
        out,
        "| {label:<38} | {baseline:>12} | {broker:>12} | {ratio:>20} | {goal:<14} |"
    )
}

/// The table's header.
pub fn header(out: &mut impl Write, baseline: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "| {:<38} | {baseline:>12} | {:>12} | {:>20} | {:<14} |",
        "measure", "handoff", "ratio [per repeat]", "goal"
    )?;
    writeln!(
        out,
        "|{}|{}|{}|{}|{}|",
        "-".repeat(40),
        "-".repeat(14),
        "-".repeat(14),
        "-".repeat(22),
        "-".repeat(16)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=200).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(100.0));
        assert_eq!(percentile(&v, 99.0), Some(198.0));
        assert_eq!(percentile(&v, 100.0), Some(200.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn medians_of_odd_and_even_counts_leave_out_what_was_not_measured() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 5.0]), Some(5.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn paired_ratios_are_by_repeat_and_the_headline_is_the_ratio_of_medians() {
        let broker = [90.0, 45.0, 100.0];
        let baseline = [100.0, 50.0, 200.0];
        let r = paired(&broker, &baseline).map(|r| (r.of_medians, r.min, r.max));
        assert_eq!(r, Some((0.9, 0.5, 0.9)));
        // A baseline of zero has no ratio; nothing to compare gives none.
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(paired(&[1.0], &[0.0]), None);
        assert_eq!(paired(&[], &[]), None);
    }

    #[test]
    fn a_row_shows_a_missing_ratio_as_a_dash() {
        let mut out = Vec::new();
        row(&mut out, "throughput", ("1", "2"), None, "-").ok();
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("| throughput"), "{text}");
        assert!(text.contains("| -"), "{text}");
        assert_eq!(show(None, 1), "-");
        assert_eq!(show(Some(1.24), 1), "1.2");
    }
}
