//! The warning models of shanzhi (DESIGN.md: person, event, industry, region) and the statistics
//! under them. Pure functions over data: no IO, no clock, randomness only from a given seed, so
//! the same ledger and seed give the same warnings on every machine and thread count.
//!
//! This crate does not know the database, the web or the text analyser: callers hand it case
//! summaries and get warnings back.

pub mod scan;
