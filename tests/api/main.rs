#![allow(clippy::unwrap_used, clippy::expect_used)]
//! HTTP tests against a real PostgreSQL: one binary, tests run in parallel threads, each on its
//! own database.

mod builders;
mod common;

mod accountables;
mod assignments;
mod audit;
mod auth;
mod bad_input;
mod batches;
mod bootstrap;
mod consequences;
mod contract;
mod demo;
mod evaluations;
mod events;
mod evidence;
mod feeds;
mod headers;
mod history;
mod indicators;
mod matrix;
mod org;
mod people;
mod person_evaluations;
mod progress;
mod public;
mod results;
mod scoping;
mod service;
mod sessions;
mod supervision;
mod webhooks;
