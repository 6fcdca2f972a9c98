//! Estimated village populations (`data/demo/population.toml`): the demo's cases follow them, so
//! a large community brings many times the cases of a mountain village. Every figure here is an
//! estimate derived from rounded town totals, and is called so wherever it is shown.

use std::collections::HashMap;

use anyhow::Context;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use shanzhi_core::{Gazetteer, Region, RegionCode};

const POPULATION: &str = include_str!("../../../../data/demo/population.toml");

#[derive(Deserialize)]
struct PopulationFile {
    basis: String,
    district: String,
    community_weight: f64,
    spread: f64,
    towns: HashMap<String, u32>,
}

/// Whether a village-level code is an urban community rather than a village, by the urban–rural
/// digit of the statistical code: 0 居委会, 1 虚拟居委会 and 4 类似居委会 are communities (社区);
/// 2 村委会, 3 虚拟村委会 and 5 类似村委会 are villages (村).
pub fn is_community(code: RegionCode) -> bool {
    matches!(code.to_string().as_bytes().get(9), Some(b'0' | b'1' | b'4'))
}

/// Estimated residents of each village of the district, in the gazetteer's order.
pub struct Populations {
    pub estimates: Vec<(RegionCode, u32)>,
}

impl Populations {
    /// The estimates for `gazetteer`'s villages. A district the file does not cover, or a town it
    /// does not list, gets its villages counted alike (a town of 10,000 per village), so that any
    /// district still gets a demo.
    pub fn estimate(gazetteer: &Gazetteer) -> anyhow::Result<Populations> {
        let file: PopulationFile = toml::from_str(POPULATION).context("data/demo/population.toml")?;
        anyhow::ensure!(file.basis == "estimate", "data/demo/population.toml: basis must say \"estimate\"");
        let covered = gazetteer.district().code.to_string().starts_with(&file.district);
        let mut estimates = Vec::new();
        for town in gazetteer.towns() {
            let villages: Vec<&Region> = gazetteer.villages_of(town.code).collect();
            let listed = covered.then(|| file.towns.get(&town.code.to_string()).copied()).flatten();
            let total = f64::from(listed.unwrap_or(10_000 * villages.len() as u32));
            let weights: Vec<f64> = villages
                .iter()
                .map(|v| {
                    let locale = if is_community(v.code) { file.community_weight } else { 1.0 };
                    locale * size_factor(v.code, file.spread)
                })
                .collect();
            let sum: f64 = weights.iter().sum();
            for (village, weight) in villages.iter().zip(&weights) {
                estimates.push((village.code, (total * weight / sum).round().max(1.0) as u32));
            }
        }
        Ok(Populations { estimates })
    }

    /// Draws villages in proportion to their estimated population: where a resident of the
    /// district picked at random lives.
    pub fn sampler(&self) -> anyhow::Result<ByPopulation> {
        Ok(ByPopulation {
            villages: self.estimates.iter().map(|(code, _)| *code).collect(),
            table: WeightedIndex::new(self.estimates.iter().map(|(_, p)| f64::from(*p)))
                .context("no village has an estimated population")?,
        })
    }
}

pub struct ByPopulation {
    villages: Vec<RegionCode>,
    table: WeightedIndex<f64>,
}

impl ByPopulation {
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> RegionCode {
        self.villages[self.table.sample(rng)]
    }
}

/// A village's fixed size factor around its town's mean: lognormal with the given spread, drawn
/// from its code, so that it is the same for every seed and every run.
fn size_factor(code: RegionCode, spread: f64) -> f64 {
    let seed = code.to_string().parse::<u64>().unwrap_or_default();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Box–Muller: one standard normal draw.
    let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
    let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (spread * normal).exp()
}

#[cfg(test)]
mod tests {
    use shanzhi_core::defaults;

    use super::*;

    #[test]
    fn every_village_gets_an_estimate_that_adds_up_to_its_town() {
        let g = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let populations = Populations::estimate(&g).unwrap();
        assert_eq!(populations.estimates.len(), g.villages().count());
        // 良渚街道 is listed at 300,000; rounding moves the sum by at most one per village.
        let liangzhu: u64 = populations
            .estimates
            .iter()
            .filter(|(code, _)| code.to_string().starts_with("330110010"))
            .map(|(_, p)| u64::from(*p))
            .sum();
        assert!(liangzhu.abs_diff(300_000) <= 45, "{liangzhu}");
        // Communities are larger than villages on the whole.
        let mean = |community: bool| {
            let sizes: Vec<u32> =
                populations.estimates.iter().filter(|(c, _)| is_community(*c) == community).map(|(_, p)| *p).collect();
            sizes.iter().map(|&p| f64::from(p)).sum::<f64>() / sizes.len() as f64
        };
        assert!(mean(true) > mean(false), "{} vs {}", mean(true), mean(false));
        // The same every time: the factors come from the codes.
        assert_eq!(Populations::estimate(&g).unwrap().estimates, populations.estimates);
    }
}
