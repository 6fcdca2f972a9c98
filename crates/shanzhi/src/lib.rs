//! The `shanzhi` binary: the command line, configuration, and the jobs that run at the edges
//! (import, serve, demo). Domain rules live in `shanzhi-core`; this crate wires them to files,
//! the database and the network.

pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod import;
pub mod jobs;
pub mod ledger;
pub mod report;
pub mod telemetry;
pub mod text;
pub mod warnings;
