//! Where locations are, how far apart, and the circles of nearest neighbours that the scan's
//! spatial windows are made of.

/// How coordinates are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordinateSystem {
    /// Degrees of latitude and longitude.
    LatLong,
    /// Planar x and y in any unit (kilometres for the platform's own data).
    Cartesian,
}

/// The earth's radius in kilometres as SaTScan uses it, so that distances, and with them the
/// circles, are the same as the reference implementation's.
pub const EARTH_RADIUS_KM: f64 = 6367.0;

/// A location as a point in 3-D space: latitude and longitude lie on a sphere and distances are
/// straight chords through it, which orders neighbours exactly as great-circle distance does.
/// Radius limits apply to the chord, as in SaTScan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point([f64; 3]);

impl Point {
    pub fn new(system: CoordinateSystem, a: f64, b: f64) -> Point {
        match system {
            CoordinateSystem::Cartesian => Point([a, b, 0.0]),
            CoordinateSystem::LatLong => {
                let (lat, long) = (a.to_radians(), b.to_radians());
                Point([
                    EARTH_RADIUS_KM * lat.cos() * long.cos(),
                    EARTH_RADIUS_KM * lat.cos() * long.sin(),
                    EARTH_RADIUS_KM * lat.sin(),
                ])
            }
        }
    }

    /// Orders points by x, then y, then z.
    pub fn cmp_position(&self, other: &Point) -> std::cmp::Ordering {
        let (a, b) = (self.0, other.0);
        a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])).then(a[2].total_cmp(&b[2]))
    }

    pub fn distance(&self, other: &Point) -> f64 {
        let [x, y, z] = self.0;
        let [u, v, w] = other.0;
        ((x - u).powi(2) + (y - v).powi(2) + (z - w).powi(2)).sqrt()
    }
}

/// The great-circle length of a chord of the earth, for reporting radii in kilometres.
pub fn arc_of_chord(chord: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (chord / (2.0 * EARTH_RADIUS_KM)).min(1.0).asin()
}

/// One candidate spatial window family: a centre and the locations in the order in which a
/// growing window takes them in. Every prefix of `members` up to `largest` locations is a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneChain {
    /// The location at the centre (for circles) or that names the zone (for region trees).
    pub centre: usize,
    pub members: Vec<usize>,
    /// The distance from the centre to each member (0 for region-tree zones).
    pub distances: Vec<f64>,
    /// Which prefix lengths are zones: all of them for circles, only the whole for a region.
    pub every_prefix: bool,
}

/// The limits on a circle's size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CircleLimits {
    /// Largest radius, in the coordinates' distance unit (km for latitude/longitude).
    pub max_radius: Option<f64>,
    /// Largest share of the total population at risk that one circle may hold (0 < s ≤ 1).
    pub max_population_share: f64,
}

/// Circles around every location over its nearest neighbours, each as long as the limits allow.
/// `population` is the population at risk per location: its expected cases over the whole period
/// (for the permutation model, its cases), as SaTScan measures a circle's share.
pub fn circles(points: &[Point], population: &[f64], limits: CircleLimits) -> Vec<ZoneChain> {
    assert_eq!(points.len(), population.len());
    let total: f64 = population.iter().sum();
    let population_cap = limits.max_population_share * total;
    let mut order: Vec<(f64, usize)> = Vec::with_capacity(points.len());
    points
        .iter()
        .enumerate()
        .map(|(centre, point)| {
            order.clear();
            order.extend(points.iter().enumerate().map(|(j, other)| (point.distance(other), j)));
            // Ties are broken by position, as SaTScan does, so that the same circles come out.
            order.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| points[a.1].cmp_position(&points[b.1])));
            let mut held = 0.0;
            let mut chain = ZoneChain { centre, members: Vec::new(), distances: Vec::new(), every_prefix: true };
            for &(distance, j) in &order {
                if limits.max_radius.is_some_and(|r| distance > r) {
                    break;
                }
                held += population[j];
                if held > population_cap {
                    break;
                }
                chain.members.push(j);
                chain.distances.push(distance);
            }
            chain
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latitude_longitude_distances_are_chords_of_the_earth() {
        let a = Point::new(CoordinateSystem::LatLong, 30.0, 120.0);
        let b = Point::new(CoordinateSystem::LatLong, 30.0, 120.01);
        // One hundredth of a degree of longitude at 30°N is about 0.96 km.
        let expected = EARTH_RADIUS_KM * 30f64.to_radians().cos() * 0.01f64.to_radians();
        assert!((a.distance(&b) - expected).abs() < 1e-6, "{}", a.distance(&b));
    }

    #[test]
    fn circles_grow_by_nearest_neighbour_within_the_limits() {
        let points: Vec<Point> =
            [0.0, 1.0, 3.0, 10.0].iter().map(|&x| Point::new(CoordinateSystem::Cartesian, x, 0.0)).collect();
        let population = [1.0, 1.0, 1.0, 1.0];
        let limits = CircleLimits { max_radius: Some(3.0), max_population_share: 0.5 };
        let chains = circles(&points, &population, limits);
        assert_eq!(chains[0].members, vec![0, 1], "two of four is half the population");
        assert_eq!(chains[2].members, vec![2, 1]);
        assert_eq!(chains[3].members, vec![3], "nothing within 3 of the outlier");
        let wide = circles(&points, &population, CircleLimits { max_radius: None, max_population_share: 1.0 });
        assert_eq!(wide[3].members, vec![3, 2, 1, 0]);
    }
}
