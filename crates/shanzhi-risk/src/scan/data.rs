//! What a scan runs on: case counts and their expectation under the null hypothesis, per location
//! and time interval.

use thiserror::Error;

/// The probability model, which says what "expected" means and how the Monte Carlo replicas are
/// drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// Kulldorff's space-time permutation model: the expectation of a cell is the product of its
    /// location's and its interval's totals over the grand total; replicas shuffle the times of
    /// the cases among them. Needs no population.
    SpaceTimePermutation,
    /// The discrete Poisson model: the expectation comes from the population at risk; replicas
    /// place the same number of cases anew in proportion to it.
    Poisson,
}

#[derive(Debug, Error, PartialEq)]
pub enum ScanDataError {
    #[error("there are no cases to scan")]
    NoCases,
    #[error("expected counts must be finite and non-negative with a positive total")]
    BadExpectation,
    #[error("{what} has {got} cells, the grid of locations × intervals has {want}")]
    Shape { what: &'static str, got: usize, want: usize },
}

/// Counts on a grid of locations × time intervals, row by location.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanData {
    model: Model,
    locations: usize,
    intervals: usize,
    cases: Vec<u32>,
    expected: Vec<f64>,
    total: u64,
}

impl ScanData {
    /// Data for the space-time permutation model; the expectation is derived from the counts.
    pub fn space_time_permutation(
        locations: usize,
        intervals: usize,
        cases: Vec<u32>,
    ) -> Result<ScanData, ScanDataError> {
        check_shape("the case grid", cases.len(), locations * intervals)?;
        let total: u64 = cases.iter().map(|&c| u64::from(c)).sum();
        if total == 0 {
            return Err(ScanDataError::NoCases);
        }
        let mut by_location = vec![0u64; locations];
        let mut by_interval = vec![0u64; intervals];
        for l in 0..locations {
            for t in 0..intervals {
                let c = u64::from(cases[l * intervals + t]);
                by_location[l] += c;
                by_interval[t] += c;
            }
        }
        let mut expected = vec![0.0; cases.len()];
        for l in 0..locations {
            for t in 0..intervals {
                expected[l * intervals + t] = (by_location[l] as f64) * (by_interval[t] as f64) / total as f64;
            }
        }
        Ok(ScanData { model: Model::SpaceTimePermutation, locations, intervals, cases, expected, total })
    }

    /// Data for the Poisson model; `expected` is scaled so that it sums to the number of cases.
    pub fn poisson(
        locations: usize,
        intervals: usize,
        cases: Vec<u32>,
        mut expected: Vec<f64>,
    ) -> Result<ScanData, ScanDataError> {
        check_shape("the case grid", cases.len(), locations * intervals)?;
        check_shape("the expectation grid", expected.len(), locations * intervals)?;
        let total: u64 = cases.iter().map(|&c| u64::from(c)).sum();
        if total == 0 {
            return Err(ScanDataError::NoCases);
        }
        let sum: f64 = expected.iter().sum();
        if expected.iter().any(|e| !e.is_finite() || *e < 0.0) || sum <= 0.0 || !sum.is_finite() {
            return Err(ScanDataError::BadExpectation);
        }
        let scale = total as f64 / sum;
        expected.iter_mut().for_each(|e| *e *= scale);
        Ok(ScanData { model: Model::Poisson, locations, intervals, cases, expected, total })
    }

    pub fn model(&self) -> Model {
        self.model
    }
    pub fn locations(&self) -> usize {
        self.locations
    }
    pub fn intervals(&self) -> usize {
        self.intervals
    }
    pub fn total(&self) -> u64 {
        self.total
    }
    pub fn cases(&self) -> &[u32] {
        &self.cases
    }
    pub fn expected(&self) -> &[f64] {
        &self.expected
    }

    /// Expected cases per location over the whole period: the population at risk that limits a
    /// circle's size (for the permutation model, the location's cases).
    pub fn expected_by_location(&self) -> Vec<f64> {
        self.expected.chunks(self.intervals).map(|row| row.iter().sum()).collect()
    }
}

fn check_shape(what: &'static str, got: usize, want: usize) -> Result<(), ScanDataError> {
    if got == want { Ok(()) } else { Err(ScanDataError::Shape { what, got, want }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_expectation_is_the_product_of_the_margins() {
        // Two locations × two intervals: [[3, 1], [0, 4]].
        let data = ScanData::space_time_permutation(2, 2, vec![3, 1, 0, 4]).unwrap();
        // Location 0 has 4 of 8 cases, interval 0 has 3 of 8: 4 × 3 / 8.
        assert_eq!(data.expected(), &[1.5, 2.5, 1.5, 2.5]);
        assert_eq!(data.total(), 8);
    }

    #[test]
    fn poisson_expectation_is_scaled_to_the_case_total() {
        let data = ScanData::poisson(1, 2, vec![2, 4], vec![10.0, 30.0]).unwrap();
        assert_eq!(data.expected(), &[1.5, 4.5]);
        assert_eq!(ScanData::poisson(1, 2, vec![0, 0], vec![1.0, 1.0]), Err(ScanDataError::NoCases));
        assert_eq!(ScanData::poisson(1, 2, vec![1, 0], vec![-1.0, 1.0]), Err(ScanDataError::BadExpectation));
    }
}
