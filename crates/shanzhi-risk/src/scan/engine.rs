//! The inner loop: every zone of a chain crossed with every time window, scored by the log
//! likelihood ratio. Real data and every Monte Carlo replica go through the same loop, so the
//! replicas' maxima are comparable with the observed statistic by construction.

use super::geometry::ZoneChain;

/// Which time windows are scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindows {
    pub intervals: usize,
    /// Longest window, in intervals.
    pub max_length: usize,
    /// Prospective surveillance: only windows that end with the last interval ("still going on").
    pub prospective: bool,
}

impl TimeWindows {
    /// The first interval any window can touch; counts before it never matter.
    pub fn first(&self) -> usize {
        if self.prospective { self.intervals - self.max_length.min(self.intervals) } else { 0 }
    }

    fn span(&self) -> usize {
        self.intervals - self.first()
    }
}

/// The log likelihood ratio of a zone-window with `c` cases where `mu` were expected, out of
/// `total`, scanning for high rates; `None` when the rate is not high or the cluster too small.
#[inline]
pub fn llr(c: u32, mu: f64, total: f64, min_cases: u32) -> Option<f64> {
    let cf = f64::from(c);
    // No expectation, no rate to compare with: a location without population is not a cluster.
    if c < min_cases || cf <= mu || mu <= 0.0 {
        return None;
    }
    let inside = cf * (cf / mu).ln();
    let rest = total - cf;
    let outside = if rest > 0.0 { rest * (rest / (total - mu)).ln() } else { 0.0 };
    Some(inside + outside)
}

/// A scored zone-window: the first `size` members of a chain over intervals `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub size: usize,
    pub start: usize,
    pub end: usize,
    pub observed: u32,
    pub expected: f64,
    pub llr: f64,
}

/// Working memory for one thread, reused across chains and replicas.
pub struct Scratch {
    cases: Vec<u32>,
    expected: Vec<f64>,
}

impl Scratch {
    pub fn new(windows: &TimeWindows) -> Scratch {
        Scratch { cases: vec![0; windows.span()], expected: vec![0.0; windows.span()] }
    }
}

/// The best zone-window of one chain. `cases` and `expected` are the location × interval grids,
/// row by location.
#[allow(clippy::too_many_arguments)]
pub fn best_of_chain(
    chain: &ZoneChain,
    cases: &[u32],
    expected: &[f64],
    windows: &TimeWindows,
    total: f64,
    min_cases: u32,
    scratch: &mut Scratch,
) -> Option<Hit> {
    let first = windows.first();
    let span = windows.span();
    let Scratch { cases: acc_c, expected: acc_mu } = scratch;
    acc_c.fill(0);
    acc_mu.fill(0.0);
    let mut best: Option<Hit> = None;
    let last = chain.members.len();
    for (k, &location) in chain.members.iter().enumerate() {
        let row = location * windows.intervals + first;
        for (t, (c, mu)) in acc_c.iter_mut().zip(acc_mu.iter_mut()).enumerate() {
            *c += cases[row + t];
            *mu += expected[row + t];
        }
        if !chain.every_prefix && k + 1 < last {
            continue;
        }
        let mut consider = |start: usize, end: usize, c: u32, mu: f64| {
            if let Some(value) = llr(c, mu, total, min_cases)
                && best.is_none_or(|b| value > b.llr)
            {
                best = Some(Hit {
                    size: k + 1,
                    start: first + start,
                    end: first + end,
                    observed: c,
                    expected: mu,
                    llr: value,
                });
            }
        };
        if windows.prospective {
            let (mut c, mut mu) = (0, 0.0);
            for start in (0..span).rev() {
                c += acc_c[start];
                mu += acc_mu[start];
                consider(start, span - 1, c, mu);
            }
        } else {
            // By end, then shortest first: among equal ratios the first stays, as in SaTScan.
            for end in 0..span {
                let (mut c, mut mu) = (0, 0.0);
                for start in (end + 1 - windows.max_length.min(end + 1)..=end).rev() {
                    c += acc_c[start];
                    mu += acc_mu[start];
                    consider(start, end, c, mu);
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llr_matches_the_formula_and_ignores_low_rates() {
        // 4 observed where 0.67 expected, out of 194 (the NYC fever cluster's shape).
        let value = llr(4, 0.67, 194.0, 2).unwrap();
        let expected = 4.0 * (4.0f64 / 0.67).ln() + 190.0 * (190.0f64 / 193.33).ln();
        assert!((value - expected).abs() < 1e-12);
        assert_eq!(llr(1, 0.1, 194.0, 2), None, "below the minimum number of cases");
        assert_eq!(llr(3, 3.5, 194.0, 2), None, "not a high rate");
    }

    #[test]
    fn prospective_windows_end_with_the_last_interval() {
        // One location, five intervals, a burst in intervals 3–4 and an older one at 0.
        let chain = ZoneChain { centre: 0, members: vec![0], distances: vec![0.0], every_prefix: true };
        let cases = [5, 0, 0, 3, 3];
        let expected = [1.0, 1.0, 1.0, 1.0, 1.0];
        let windows = TimeWindows { intervals: 5, max_length: 3, prospective: true };
        let hit = best_of_chain(&chain, &cases, &expected, &windows, 11.0, 2, &mut Scratch::new(&windows)).unwrap();
        assert_eq!((hit.start, hit.end, hit.observed), (3, 4, 6));
        let windows = TimeWindows { intervals: 5, max_length: 1, prospective: false };
        let hit = best_of_chain(&chain, &cases, &expected, &windows, 11.0, 2, &mut Scratch::new(&windows)).unwrap();
        assert_eq!((hit.start, hit.end, hit.observed), (0, 0, 5), "retrospective finds the old burst");
    }
}
