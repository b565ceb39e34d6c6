//! Local servers used by the integration tests. Everything listens on
//! 127.0.0.1 only.
#![allow(dead_code)]

pub mod archive;
pub mod closing;
pub mod cmd;
pub mod fake_forges;
pub mod fake_github;
pub mod proxy;
pub mod web;
