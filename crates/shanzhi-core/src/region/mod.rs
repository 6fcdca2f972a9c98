//! The region tree of one district: district › town (镇/街道) › village (村/社区), by the official
//! statistical division codes, and the resolution of the names people write to those codes.

mod code;
mod gazetteer;
mod names;

pub use code::{RegionCode, RegionCodeError, RegionLevel};
pub use gazetteer::{Gazetteer, GazetteerError, Region};
pub use names::RegionNameError;

#[cfg(test)]
pub(crate) mod tests {
    pub(crate) use super::gazetteer::tests::yuhang;
}
