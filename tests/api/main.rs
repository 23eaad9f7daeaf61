//! HTTP tests against a real PostgreSQL: one binary, tests run in parallel threads, each on its
//! own database.

mod common;

mod assignments;
mod auth;
mod bad_input;
mod contract;
mod evaluations;
mod evidence;
mod feeds;
mod matrix;
mod org;
mod people;
mod progress;
mod results;
mod service;
mod supervision;
