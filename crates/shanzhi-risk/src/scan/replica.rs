//! Monte Carlo replicas under the null hypothesis. Replica `r` draws from its own ChaCha stream
//! of the seed, so the maxima are the same whatever the number of threads.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::engine::Scratch;
use super::{Model, ScanData, ScanSettings, ZoneChain, maximum};

/// The maximum log likelihood ratio of each replica, in replica order.
pub fn maxima(data: &ScanData, chains: &[ZoneChain], settings: &ScanSettings) -> Vec<f64> {
    let replications = settings.replications as usize;
    let threads = settings.threads.get().min(replications.max(1));
    let mut maxima = vec![0.0; replications];
    let per_thread = replications.div_ceil(threads);
    std::thread::scope(|scope| {
        for (part, slots) in maxima.chunks_mut(per_thread).enumerate() {
            scope.spawn(move || {
                let mut drawer = Drawer::new(data);
                let mut scratch = Scratch::new(&settings.windows);
                for (offset, slot) in slots.iter_mut().enumerate() {
                    let r = part * per_thread + offset;
                    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
                    rng.set_stream(r as u64 + 1);
                    let cases = drawer.draw(&mut rng);
                    *slot = maximum(cases, data.expected(), chains, settings, data.total() as f64, &mut scratch);
                }
            });
        }
    });
    maxima
}

/// Draws replica grids of one data set, reusing its buffers.
struct Drawer<'a> {
    data: &'a ScanData,
    grid: Vec<u32>,
    /// Permutation model: each case's location and time; each replica shuffles a fresh copy of
    /// the times, so that a replica depends on its own stream only.
    locations: Vec<u32>,
    times: Vec<u32>,
    shuffled: Vec<u32>,
    /// Poisson model: the cumulative expectation over the cells.
    cumulative: Vec<f64>,
}

impl<'a> Drawer<'a> {
    fn new(data: &'a ScanData) -> Drawer<'a> {
        let mut drawer = Drawer {
            data,
            grid: vec![0; data.cases().len()],
            locations: Vec::new(),
            times: Vec::new(),
            shuffled: Vec::new(),
            cumulative: Vec::new(),
        };
        match data.model() {
            Model::SpaceTimePermutation => {
                let intervals = data.intervals();
                for (cell, &count) in data.cases().iter().enumerate() {
                    for _ in 0..count {
                        drawer.locations.push((cell / intervals) as u32);
                        drawer.times.push((cell % intervals) as u32);
                    }
                }
            }
            Model::Poisson => {
                let mut sum = 0.0;
                drawer.cumulative = data
                    .expected()
                    .iter()
                    .map(|e| {
                        sum += e;
                        sum
                    })
                    .collect();
            }
        }
        drawer
    }

    fn draw(&mut self, rng: &mut ChaCha8Rng) -> &[u32] {
        self.grid.fill(0);
        let intervals = self.data.intervals();
        match self.data.model() {
            Model::SpaceTimePermutation => {
                self.shuffled.clone_from(&self.times);
                self.shuffled.shuffle(rng);
                for (&l, &t) in self.locations.iter().zip(&self.shuffled) {
                    self.grid[l as usize * intervals + t as usize] += 1;
                }
            }
            Model::Poisson => {
                let total = *self.cumulative.last().expect("a grid has cells");
                for _ in 0..self.data.total() {
                    let u = rng.random::<f64>() * total;
                    let cell = self.cumulative.partition_point(|&c| c <= u).min(self.grid.len() - 1);
                    self.grid[cell] += 1;
                }
            }
        }
        &self.grid
    }
}
