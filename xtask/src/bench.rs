//! `cargo xtask bench`: runs every bench target of the workspace and writes
//! `docs/PERFORMANCE.md`.
//!
//! Two kinds of results are collected:
//! - criterion groups named `<crate>/<operation>` whose functions are `session-rs` and, where a
//!   comparison is asked for, `libsodium` (or other named variants); their mean times are read
//!   from criterion's `estimates.json` files;
//! - `harness = false` load generators that print `perf: name=<metric> value=<n> unit=<u>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, bail};

/// Time-ratio targets (session-rs time / libsodium time) of named groups; others use 1.2.
const RATIO_TARGETS: &[(&str, f64)] = &[
    ("session-crypto/blinded_request_signing", 1.0),
    ("session-schema/encode_sign_200b", 1.0),
    ("session-schema/decode_verify_200b", 1.0),
];
const DEFAULT_RATIO_TARGET: f64 = 1.2;

/// Where a run keeps its `perf:` lines, so `--report-only` can render the report again.
const PERF_LINES: &str = "perf-lines.txt";

/// Targets stated as absolute figures in the issues, checked against what the run measured.
enum Absolute {
    /// A criterion mean (group, function prefix) at most this many microseconds.
    MaxMicros(&'static str, &'static str, f64),
    /// Function `fast` of a group at least this many times faster than function `slow`.
    Speedup(&'static str, &'static str, &'static str, f64),
    /// A `perf:` line at least this value.
    MinPerf(&'static str, f64),
}

const ABSOLUTE_TARGETS: &[Absolute] = &[
    Absolute::MaxMicros("session-net/onion_build_peel", "3-hop-", 50.0),
    Absolute::Speedup("session-schema/decode_page_100", "batch", "one_by_one", 2.0),
    Absolute::MinPerf("sogs_server/signed_posts_per_sec", 2000.0),
    Absolute::MinPerf("sogs_server/signed_polls_per_sec", 10_000.0),
];

/// One criterion measurement.
struct Measurement {
    group: String,
    function: String,
    mean_ns: f64,
    throughput: Option<String>,
}

/// One `perf:` line of a load generator.
struct Perf {
    name: String,
    value: f64,
    unit: String,
}

/// Runs the benches (optionally only those matching `filter`) and writes the report.
pub(crate) fn run(filter: &[String]) -> anyhow::Result<()> {
    let root = crate::root();
    let criterion_home = root.join("target").join("criterion");
    let perf_file = criterion_home.join(PERF_LINES);
    if filter.first().is_some_and(|a| a == "--report-only") {
        let lines = std::fs::read_to_string(&perf_file).unwrap_or_default();
        let perfs = lines.lines().filter_map(parse_perf).collect::<Vec<_>>();
        return write_report(&root, &criterion_home, &perfs);
    }
    if filter.is_empty() && criterion_home.exists() {
        // A full run reports only what it measured: no figures of renamed or removed benches.
        std::fs::remove_dir_all(&criterion_home)
            .with_context(|| format!("cannot clear {}", criterion_home.display()))?;
    }
    let mut cmd = crate::cargo();
    cmd.args(["bench", "--workspace", "--locked"]);
    if !filter.is_empty() {
        cmd.arg("--").args(filter);
    }
    cmd.env("CRITERION_HOME", &criterion_home)
        .stdout(Stdio::piped());
    eprintln!("xtask: cargo bench --workspace");
    let mut child = cmd.spawn().context("cannot start cargo bench")?;
    let mut perfs = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line?;
            println!("{line}");
            if let Some(p) = parse_perf(&line) {
                perfs.push(p);
            }
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("cargo bench failed ({status})");
    }
    std::fs::create_dir_all(&criterion_home)?;
    // A filtered run keeps the figures of the load benches it did not run (a full run starts
    // from an empty folder, so nothing old survives it).
    let earlier = std::fs::read_to_string(&perf_file).unwrap_or_default();
    for old in earlier.lines().filter_map(parse_perf) {
        if !perfs.iter().any(|p| p.name == old.name) {
            perfs.push(old);
        }
    }
    let kept: String = perfs
        .iter()
        .map(|p| format!("perf: name={} value={} unit={}\n", p.name, p.value, p.unit))
        .collect();
    std::fs::write(&perf_file, kept)?;
    write_report(&root, &criterion_home, &perfs)
}

/// Renders criterion's results and the load figures into `docs/PERFORMANCE.md`.
fn write_report(root: &Path, criterion_home: &Path, perfs: &[Perf]) -> anyhow::Result<()> {
    let measurements = read_criterion(criterion_home)?;
    let report = render(&measurements, perfs)?;
    let path = root.join("docs").join("PERFORMANCE.md");
    std::fs::write(&path, report).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

fn parse_perf(line: &str) -> Option<Perf> {
    let rest = line.trim().strip_prefix("perf: ")?;
    let (mut name, mut value, mut unit) = (None, None, None);
    for field in rest.split_whitespace() {
        match field.split_once('=')? {
            ("name", v) => name = Some(v.to_owned()),
            ("value", v) => value = v.parse().ok(),
            ("unit", v) => unit = Some(v.to_owned()),
            _ => {}
        }
    }
    Some(Perf {
        name: name?,
        value: value?,
        unit: unit?,
    })
}

/// Every `<group>/<function>/new/{benchmark,estimates}.json` under criterion's home.
fn read_criterion(home: &Path) -> anyhow::Result<Vec<Measurement>> {
    let mut out = Vec::new();
    if !home.exists() {
        return Ok(out);
    }
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == "new") {
                    if let Some(m) = read_measurement(&path)? {
                        out.push(m);
                    }
                } else if path
                    .file_name()
                    .is_none_or(|n| n != "base" && n != "change")
                {
                    stack.push(path);
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.group, &a.function).cmp(&(&b.group, &b.function)));
    Ok(out)
}

fn read_measurement(dir: &Path) -> anyhow::Result<Option<Measurement>> {
    let (bench, est) = (dir.join("benchmark.json"), dir.join("estimates.json"));
    if !bench.exists() || !est.exists() {
        return Ok(None);
    }
    let bench: serde_json::Value = serde_json::from_slice(&std::fs::read(&bench)?)?;
    let est: serde_json::Value = serde_json::from_slice(&std::fs::read(&est)?)?;
    let group = bench["group_id"].as_str().unwrap_or_default().to_owned();
    let function = bench["function_id"].as_str().unwrap_or("").to_owned();
    let function = match bench["value_str"].as_str() {
        Some(v) if !function.is_empty() => format!("{function}/{v}"),
        Some(v) => v.to_owned(),
        None => function,
    };
    let Some(mean_ns) = est["mean"]["point_estimate"].as_f64() else {
        return Ok(None);
    };
    let throughput = match &bench["throughput"] {
        serde_json::Value::Object(t) => t.iter().next().and_then(|(kind, n)| {
            let n = n.as_f64()?;
            let per_sec = n / (mean_ns / 1e9);
            Some(match kind.as_str() {
                "Bytes" | "BytesDecimal" => format!("{:.1} MB/s", per_sec / 1e6),
                _ => format!("{per_sec:.0} elem/s"),
            })
        }),
        _ => None,
    };
    Ok(Some(Measurement {
        group,
        function,
        mean_ns,
        throughput,
    }))
}

fn human_time(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// A line or two about the machine the numbers come from.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "{cpu}, {cores} cores available, {mem_gib:.0} GiB RAM, {} {}; {rustc}; `cargo bench` \
         (release profile with debug info off)",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

fn today() -> String {
    std::process::Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn render(ms: &[Measurement], perfs: &[Perf]) -> anyhow::Result<String> {
    let mut s = String::new();
    writeln!(s, "# Performance")?;
    writeln!(s)?;
    writeln!(
        s,
        "Generated by `cargo xtask bench` on {}. Do not edit by hand: rerun the command.",
        today()
    )?;
    writeln!(s)?;
    writeln!(s, "**Machine:** {}", machine())?;
    writeln!(s)?;
    let mut groups: BTreeMap<&str, Vec<&Measurement>> = BTreeMap::new();
    for m in ms {
        groups.entry(&m.group).or_default().push(m);
    }
    writeln!(s, "## Operations (criterion, mean time per iteration)")?;
    writeln!(s)?;
    writeln!(
        s,
        "Ratio = session-rs time ÷ the comparison's time in the same run (below 1 is faster)."
    )?;
    writeln!(s)?;
    writeln!(
        s,
        "| group | function | mean | throughput | ratio | target |"
    )?;
    writeln!(s, "|---|---|---|---|---|---|")?;
    for (group, fns) in &groups {
        let target = RATIO_TARGETS
            .iter()
            .find(|(g, _)| g == group)
            .map_or(DEFAULT_RATIO_TARGET, |(_, t)| *t);
        for m in fns {
            let (ratio, goal) = match comparison(fns, &m.function) {
                Some(l) => {
                    let r = m.mean_ns / l.mean_ns;
                    let mark = if r <= target { "met" } else { "**missed**" };
                    (
                        format!("{r:.2}× {}", l.function),
                        format!("≤ {target:.1}× ({mark})"),
                    )
                }
                None => (String::new(), String::new()),
            };
            writeln!(
                s,
                "| {group} | {} | {} | {} | {ratio} | {goal} |",
                m.function,
                human_time(m.mean_ns),
                m.throughput.as_deref().unwrap_or("")
            )?;
        }
    }
    render_absolute(&mut s, ms, perfs)?;
    if !perfs.is_empty() {
        writeln!(s)?;
        writeln!(s, "## Load and end-to-end figures")?;
        writeln!(s)?;
        writeln!(s, "| metric | value | unit |")?;
        writeln!(s, "|---|---|---|")?;
        for p in perfs {
            writeln!(s, "| {} | {:.1} | {} |", p.name, p.value, p.unit)?;
        }
    }
    Ok(s)
}

/// What a `session-rs…` function is compared with: `libsodium…` with the same suffix
/// (`session-rs-cached-key` with `libsodium-cached-key`), else plain `libsodium`.
fn comparison<'a>(fns: &[&'a Measurement], function: &str) -> Option<&'a Measurement> {
    let suffix = function.strip_prefix("session-rs")?;
    let named = |name: &str| fns.iter().copied().find(|m| m.function == name);
    named(&format!("libsodium{suffix}")).or_else(|| named("libsodium"))
}

/// The table of absolute targets: what each is, what this run measured, met or missed.
fn render_absolute(s: &mut String, ms: &[Measurement], perfs: &[Perf]) -> std::fmt::Result {
    let mean = |group: &str, prefix: &str| {
        ms.iter()
            .filter(|m| m.group == group && m.function.starts_with(prefix))
            .collect::<Vec<_>>()
    };
    let mut rows = Vec::new();
    for t in ABSOLUTE_TARGETS {
        match *t {
            Absolute::MaxMicros(group, prefix, max) => {
                for m in mean(group, prefix) {
                    let us = m.mean_ns / 1000.0;
                    rows.push((
                        format!("{group} {}", m.function),
                        format!("{us:.1} µs"),
                        format!("≤ {max:.0} µs"),
                        us <= max,
                    ));
                }
            }
            Absolute::Speedup(group, fast, slow, min) => {
                let exact = |f: &str| ms.iter().find(|m| m.group == group && m.function == f);
                if let (Some(f), Some(sl)) = (exact(fast), exact(slow)) {
                    let x = sl.mean_ns / f.mean_ns;
                    rows.push((
                        format!("{group}: {fast} vs {slow}"),
                        format!("{x:.2}× faster"),
                        format!("≥ {min:.1}×"),
                        x >= min,
                    ));
                }
            }
            Absolute::MinPerf(name, min) => {
                if let Some(p) = perfs.iter().find(|p| p.name == name) {
                    rows.push((
                        name.to_owned(),
                        format!("{:.0} {}", p.value, p.unit),
                        format!("≥ {min:.0}"),
                        p.value >= min,
                    ));
                }
            }
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(s)?;
    writeln!(s, "## Absolute targets")?;
    writeln!(s)?;
    writeln!(s, "| measurement | this run | target | |")?;
    writeln!(s, "|---|---|---|---|")?;
    for (what, got, goal, met) in rows {
        let mark = if met { "met" } else { "**missed**" };
        writeln!(s, "| {what} | {got} | {goal} | {mark} |")?;
    }
    writeln!(s)?;
    writeln!(
        s,
        "Why a target is missed, and what was tried: `docs/PERFORMANCE-NOTES.md`."
    )?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn perf_lines_parse() {
        let p = parse_perf("perf: name=posts_per_sec value=2512.5 unit=posts/s").unwrap();
        assert_eq!(
            (p.name.as_str(), p.value, p.unit.as_str()),
            ("posts_per_sec", 2512.5, "posts/s")
        );
        assert!(parse_perf("perf: name=x unit=y").is_none());
        assert!(parse_perf("other line").is_none());
    }

    #[test]
    fn report_computes_ratios_against_libsodium() {
        let ms = vec![
            Measurement {
                group: "c/op".into(),
                function: "libsodium".into(),
                mean_ns: 100.0,
                throughput: None,
            },
            Measurement {
                group: "c/op".into(),
                function: "session-rs".into(),
                mean_ns: 150.0,
                throughput: None,
            },
        ];
        let r = render(&ms, &[]).unwrap();
        assert!(!r.contains("## Absolute targets"), "{r}");
        assert!(
            r.contains("| c/op | session-rs | 150 ns |  | 1.50× libsodium | ≤ 1.2× (**missed**) |"),
            "{r}"
        );
    }

    #[test]
    fn variants_are_compared_with_the_libsodium_function_of_the_same_suffix() {
        let m = |function: &str, mean_ns: f64| Measurement {
            group: "c/sign".into(),
            function: function.into(),
            mean_ns,
            throughput: None,
        };
        let ms = vec![
            m("libsodium", 100.0),
            m("libsodium-cached-key", 50.0),
            m("session-rs", 90.0),
            m("session-rs-cached-key", 55.0),
            m("session-rs-first-use", 110.0),
        ];
        let r = render(&ms, &[]).unwrap();
        for row in [
            "| c/sign | session-rs | 90 ns |  | 0.90× libsodium | ≤ 1.2× (met) |",
            "| c/sign | session-rs-cached-key | 55 ns |  | 1.10× libsodium-cached-key | ≤ 1.2× (met) |",
            "| c/sign | session-rs-first-use | 110 ns |  | 1.10× libsodium | ≤ 1.2× (met) |",
            "| c/sign | libsodium | 100 ns |  |  |  |",
        ] {
            assert!(r.contains(row), "{row} not in {r}");
        }
    }

    #[test]
    fn absolute_targets_are_marked_met_or_missed() {
        let m = |group: &str, function: &str, mean_ns: f64| Measurement {
            group: group.into(),
            function: function.into(),
            mean_ns,
            throughput: None,
        };
        let ms = vec![
            m("session-net/onion_build_peel", "3-hop-aes-gcm", 120_000.0),
            m("session-net/onion_build_peel", "1-layer-aes-gcm", 40_000.0),
            m("session-schema/decode_page_100", "batch", 1_000.0),
            m("session-schema/decode_page_100", "one_by_one", 2_500.0),
        ];
        let perfs = vec![Perf {
            name: "sogs_server/signed_posts_per_sec".into(),
            value: 5400.0,
            unit: "posts/s".into(),
        }];
        let r = render(&ms, &perfs).unwrap();
        assert!(
            r.contains(
                "| session-net/onion_build_peel 3-hop-aes-gcm | 120.0 µs | ≤ 50 µs | **missed** |"
            ),
            "{r}"
        );
        assert!(!r.contains("1-layer-aes-gcm | 40.0 µs"), "{r}");
        assert!(
            r.contains("| session-schema/decode_page_100: batch vs one_by_one | 2.50× faster | ≥ 2.0× | met |"),
            "{r}"
        );
        assert!(
            r.contains("| sogs_server/signed_posts_per_sec | 5400 posts/s | ≥ 2000 | met |"),
            "{r}"
        );
    }
}
