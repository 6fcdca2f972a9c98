//! Small exact statistics the temporal models need: Poisson tails and seasonal baselines.

mod baseline;
mod poisson;

pub use baseline::{Baseline, farrington_threshold};
pub use poisson::{poisson_llr, poisson_upper_tail};
