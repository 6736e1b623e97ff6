//! `cargo xtask vectors`: runs every conformance vector set and prints a table.
//!
//! Each vector test prints one line per set to stdout:
//! `vectors: set=<name> source=<file> passed=<n> failed=<m>`; this command runs those tests
//! with `--nocapture` and collects the lines.

use anyhow::{Context, bail};

/// Test targets that run vector sets: (package, test target, test-name filters; none = all).
const VECTOR_TESTS: &[(&str, &str, &[&str])] = &[
    ("session-crypto", "vectors", &[]),
    ("session-crypto", "onion_vectors", &[]),
    ("session-schema", "vectors", &[]),
    ("session-net", "onion_vectors", &[]),
    ("session-sogs", "vectors", &[]),
    // The server checks its vectors inside its scenario tests; these names select them.
    (
        "session-sogs-server",
        "integration",
        &["vector", "inbox_outbox_since_and_clear"],
    ),
];

struct Row {
    set: String,
    source: String,
    passed: u64,
    failed: u64,
}

fn parse_line(line: &str) -> Option<Row> {
    // libtest may print `test name ... ` on the same line before the test's own output.
    let start = line.find("vectors: set=")?;
    let rest = line[start..].strip_prefix("vectors: ")?;
    let mut row = Row {
        set: String::new(),
        source: String::new(),
        passed: 0,
        failed: 0,
    };
    for field in rest.split_whitespace() {
        let (k, v) = field.split_once('=')?;
        match k {
            "set" => row.set = v.to_owned(),
            "source" => row.source = v.to_owned(),
            "passed" => row.passed = v.parse().ok()?,
            "failed" => row.failed = v.parse().ok()?,
            _ => {}
        }
    }
    Some(row)
}

/// Runs the vector tests and prints the table.
pub(crate) fn run() -> anyhow::Result<()> {
    let mut rows = Vec::new();
    let mut test_failures = Vec::new();
    for (package, target, filters) in VECTOR_TESTS {
        let mut cmd = crate::cargo();
        cmd.args(["test", "-p", package, "--test", target, "--"]);
        cmd.args(filters.iter());
        let out = cmd
            .args(["--nocapture", "--test-threads=1"])
            .output()
            .with_context(|| format!("cannot run vector tests of {package}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let before = rows.len();
        rows.extend(stdout.lines().filter_map(parse_line));
        if !out.status.success() {
            test_failures.push(format!("{package} --test {target}"));
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        }
        if rows.len() == before {
            test_failures.push(format!("{package} --test {target} reported no vector sets"));
        }
    }
    let w_set = rows.iter().map(|r| r.set.len()).max().unwrap_or(3).max(3);
    let w_src = rows
        .iter()
        .map(|r| r.source.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!(
        "{:<w_set$}  {:<w_src$}  {:>6}  {:>6}",
        "set", "source", "passed", "failed"
    );
    for r in &rows {
        println!(
            "{:<w_set$}  {:<w_src$}  {:>6}  {:>6}",
            r.set, r.source, r.passed, r.failed
        );
    }
    let passed: u64 = rows.iter().map(|r| r.passed).sum();
    let failed: u64 = rows.iter().map(|r| r.failed).sum();
    println!(
        "{:<w_set$}  {:<w_src$}  {passed:>6}  {failed:>6}",
        "total", ""
    );
    if failed > 0 || !test_failures.is_empty() {
        bail!("vector failures: {failed} failed; failing test targets: {test_failures:?}");
    }
    Ok(())
}
