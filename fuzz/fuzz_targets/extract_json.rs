//! Fuzz target: Json extraction (see common.rs for the property checked).
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use paperlinks::extract::Format;

fuzz_target!(|data: &[u8]| common::check(Format::Json, data));
