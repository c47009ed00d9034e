//! ccmeter-proto's integration tests, one binary: the captured Claude Code data decoded right, and the
//! decoders' properties under random and mutated input.

mod fixture_traps;
mod kept_requests;
mod properties;
