//! `cargo xtask bench`: runs the criterion benches and writes docs/PERFORMANCE.md.

/// Runs the benches (optionally filtered) and writes the report.
pub(crate) fn run(filter: &[String]) -> anyhow::Result<()> {
    let _ = filter;
    eprintln!("xtask: bench: no benches yet");
    Ok(())
}
