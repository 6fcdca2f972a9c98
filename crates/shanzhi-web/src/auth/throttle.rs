//! Login throttling: after a few failures, a user name (and, more loosely, a client address) must
//! wait before the next try. Kept in memory: a restart forgets, which only helps a user locked
//! out by mistake; several servers behind one address would each keep their own count.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per user name within the window.
const PER_USER: usize = 5;
/// Failures allowed per client address within the window (a clerk's office shares one).
const PER_ADDRESS: usize = 30;
const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub(crate) struct LoginThrottle {
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Address(IpAddr),
}

impl LoginThrottle {
    /// `Err(wait)` when the user name or the address has failed too often lately; otherwise the
    /// attempt counts as a failure from now on, until [`LoginThrottle::succeeded`] takes it back.
    /// Checking and counting under one lock is what keeps attempts sent at the same instant from
    /// all passing the check while each is still hashing its password.
    pub(crate) fn attempt(&self, username: &str, address: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock().expect("throttle lock");
        wait(&mut failures, username, address, now)?;
        record(&mut failures, username, address, now);
        Ok(())
    }

    /// `Err(wait)` when the user name or the address has failed too often lately.
    #[cfg(test)]
    pub(crate) fn check(&self, username: &str, address: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        wait(&mut self.failures.lock().expect("throttle lock"), username, address, now)
    }

    #[cfg(test)]
    pub(crate) fn failed(&self, username: &str, address: Option<IpAddr>, now: Instant) {
        record(&mut self.failures.lock().expect("throttle lock"), username, address, now);
    }

    /// The attempt made at `at` succeeded: the user name starts afresh, and the address no longer
    /// counts that attempt.
    pub(crate) fn succeeded(&self, username: &str, address: Option<IpAddr>, at: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        failures.remove(&Key::User(normalise(username)));
        if let Some(times) = address.and_then(|a| failures.get_mut(&Key::Address(a)))
            && let Some(i) = times.iter().rposition(|t| *t == at)
        {
            times.remove(i);
        }
    }
}

fn wait(
    failures: &mut HashMap<Key, VecDeque<Instant>>,
    username: &str,
    address: Option<IpAddr>,
    now: Instant,
) -> Result<(), Duration> {
    let mut wait = Duration::ZERO;
    for (key, limit) in keys(username, address) {
        if let Some(times) = failures.get_mut(&key) {
            times.retain(|t| now.duration_since(*t) < WINDOW);
            if times.len() >= limit {
                let oldest = times[times.len() - limit];
                wait = wait.max(WINDOW - now.duration_since(oldest));
            }
        }
    }
    if wait.is_zero() { Ok(()) } else { Err(wait) }
}

fn record(failures: &mut HashMap<Key, VecDeque<Instant>>, username: &str, address: Option<IpAddr>, now: Instant) {
    // Forget keys with no recent failure, so that the map does not grow without bound.
    failures.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
    for (key, _) in keys(username, address) {
        failures.entry(key).or_default().push_back(now);
    }
}

fn keys(username: &str, address: Option<IpAddr>) -> impl Iterator<Item = (Key, usize)> {
    std::iter::once((Key::User(normalise(username)), PER_USER)).chain(address.map(|a| (Key::Address(a), PER_ADDRESS)))
}

fn normalise(username: &str) -> String {
    username.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_name_waits_after_five_failures_and_the_wait_ends() {
        let throttle = LoginThrottle::default();
        let address = Some(IpAddr::from([10, 0, 0, 1]));
        let start = Instant::now();
        for i in 0..PER_USER {
            assert!(throttle.check("Wang", address, start).is_ok(), "try {i}");
            throttle.failed("wang ", address, start);
        }
        let wait = throttle.check("WANG", address, start).unwrap_err();
        assert_eq!(wait, WINDOW);
        assert!(throttle.check("li", address, start).is_ok(), "another user from the same office may try");
        assert!(throttle.check("wang", address, start + WINDOW).is_ok());
        throttle.succeeded("wang", address, start);
        assert!(throttle.check("wang", address, start).is_ok());
    }

    #[test]
    fn an_address_that_tries_many_names_waits() {
        let throttle = LoginThrottle::default();
        let address = Some(IpAddr::from([10, 0, 0, 2]));
        let now = Instant::now();
        for i in 0..PER_ADDRESS {
            throttle.failed(&format!("user{i}"), address, now);
        }
        assert!(throttle.check("fresh", address, now).is_err());
        assert!(throttle.check("fresh", Some(IpAddr::from([10, 0, 0, 3])), now).is_ok());
    }

    #[test]
    fn attempts_in_flight_count_before_they_fail_and_a_success_takes_its_own_back() {
        let throttle = LoginThrottle::default();
        let office = IpAddr::from([10, 0, 0, 4]);
        let address = Some(office);
        let now = Instant::now();
        for i in 0..PER_USER {
            assert!(throttle.attempt("zhao", address, now).is_ok(), "attempt {i}");
        }
        assert!(throttle.attempt("ZHAO ", address, now).is_err(), "five attempts still hashing are five failures");
        throttle.succeeded("zhao", address, now);
        assert!(throttle.attempt("zhao", address, now).is_ok());
        let later = now + Duration::from_secs(1);
        assert!(throttle.attempt("qian", address, later).is_ok());
        throttle.succeeded("qian", address, later);
        let counted = throttle.failures.lock().unwrap()[&Key::Address(office)].len();
        assert_eq!(counted, PER_USER, "successful attempts no longer count against the address");
    }
}
