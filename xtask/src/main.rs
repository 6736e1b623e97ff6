//! `cargo xtask`: the project's single entry point for codegen, tests, CI and benchmarks.
//!
//! - `cargo xtask test`: the whole test suite (README's test command).
//! - `cargo xtask ci`: fmt check, clippy `-D warnings`, docs `-D warnings`, codegen drift, test.
//! - `cargo xtask vectors`: every conformance vector set, as a table; non-zero exit on failure.
//! - `cargo xtask codegen [--check]`: protobuf code generation for session-schema.
//! - `cargo xtask bench`: criterion benches; writes docs/PERFORMANCE.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

mod bench;
mod codegen;
mod vectors;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("test") => test(rest),
        Some("ci") => ci(),
        Some("vectors") => vectors::run(),
        Some("codegen") => codegen::run(rest.iter().any(|a| a == "--check")),
        Some("bench") => bench::run(rest),
        _ => {
            eprintln!(
                "usage: cargo xtask <test|ci|vectors|codegen [--check]|bench [--report-only | filter]>"
            );
            std::process::exit(2);
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A `cargo` command run from the workspace root.
pub(crate) fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

/// Runs a command, failing with its description if it fails.
pub(crate) fn run(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    eprintln!("xtask: {what}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start: {what}"))?;
    if !status.success() {
        bail!("failed: {what} ({status})");
    }
    Ok(())
}

/// `cargo xtask test`: every unit, integration and doc test of the workspace (xtask included).
fn test(extra: &[String]) -> anyhow::Result<()> {
    let mut c = cargo();
    c.args(["test", "--workspace", "--locked"]).args(extra);
    // Property tests run at least 256 cases each (the proptest default) unless raised.
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.env("PROPTEST_CASES", "256");
    }
    run(c, "cargo test --workspace")
}

/// `cargo xtask ci`: everything CI checks, in order of speed.
fn ci() -> anyhow::Result<()> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run(fmt, "cargo fmt --check")?;

    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]);
    run(clippy, "cargo clippy --all-targets -D warnings")?;

    let mut doc = cargo();
    doc.args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings");
    run(doc, "cargo doc -D warnings")?;

    codegen::run(true)?;
    test(&[])
}
