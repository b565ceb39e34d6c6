//! The integration tests, one binary (ripgrep's layout): one link step and one
//! copy of `support`, every module run in parallel by libtest.

mod support;

mod action;
mod archive;
mod bounded;
mod changed;
mod check;
mod cli;
mod clients;
mod converge;
mod extract;
mod failure_paths;
mod faults;
mod first_hour;
mod fix;
mod follow;
mod forges;
mod github;
mod hostile;
mod html;
mod html_page;
mod lock;
mod outputs;
mod proxy;
mod report;
mod rows;
mod shard;
mod units;
mod verdict;
