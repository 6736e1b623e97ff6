//! `session testnet`: a local Session network (seed + snodes on 127.0.0.0/8, session-testnet)
//! that runs until interrupted (issue 7 §3, §5).
//!
//! Output contract: the first line of stdout is `SEED=<url>` (flushed at once, so a parent
//! process can read it and start clients with `--network local --seed <url>`); with
//! `--seed-tls` the next line is `SEED_PIN=<sha256 of the seed certificate, hex>`; then one
//! `SNODE …` line per snode. Ctrl-C (or SIGTERM) stops the network.

use std::future::Future;
use std::io::Write;

use anyhow::Context;
use clap::Args;
use session_testnet::Testnet;

/// `session testnet`.
#[derive(Debug, Args)]
pub struct TestnetArgs {
    /// Number of snodes (1 to 254; snode i listens on 127.0.(i+1).1).
    #[arg(long, default_value_t = session_testnet::DEFAULT_SNODES, value_name = "N")]
    pub snodes: usize,
    /// Number of swarms (default: one per 4 snodes).
    #[arg(long, value_name = "N")]
    pub swarms: Option<usize>,
    /// Derive every snode key from this number (same number, same keys).
    #[arg(long, value_name = "U64")]
    pub seed: Option<u64>,
    /// Serve the seed over HTTPS with a self-signed CA certificate (its pin is printed).
    #[arg(long)]
    pub seed_tls: bool,
}

/// Runs the network until interrupted.
pub fn run(args: TestnetArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve_until(args, &mut std::io::stdout(), |_| interrupted()))
}

/// Starts the network, prints the contract lines to `out` (the `SEED=` line flushed on its
/// own), then runs until `until(seed_url)` completes.
async fn serve_until<F, Fut>(args: TestnetArgs, out: &mut dyn Write, until: F) -> anyhow::Result<()>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut builder = Testnet::builder()
        .snodes(args.snodes)
        .seed_tls(args.seed_tls);
    if let Some(n) = args.swarms {
        builder = builder.swarms(n);
    }
    if let Some(seed) = args.seed {
        builder = builder.seed(seed);
    }
    let testnet = builder
        .start()
        .await
        .context("cannot start the local network")?;
    writeln!(out, "SEED={}", testnet.seed_url())?;
    out.flush()?;
    if let Some(pin) = testnet.seed_pin() {
        writeln!(out, "SEED_PIN={}", hex::encode(pin.cert_sha256))?;
    }
    for s in testnet.snodes() {
        writeln!(
            out,
            "SNODE index={} ip={} port={} ed25519={} x25519={} swarm={:016x}",
            s.index,
            s.ip,
            s.port,
            hex::encode(s.ed25519),
            hex::encode(s.x25519),
            s.swarm_id
        )?;
    }
    out.flush()?;
    let outcome = until(testnet.seed_url().to_owned()).await;
    testnet.shutdown().await;
    outcome
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn interrupted() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("cannot watch Ctrl-C")?,
            _ = term.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.context("cannot watch Ctrl-C")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use session_net::snode::SeedConfig;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn prints_the_seed_url_first_and_the_seed_answers_there() {
        let args = TestnetArgs {
            snodes: 4,
            swarms: None,
            seed: Some(1),
            seed_tls: false,
        };
        let mut out = Vec::new();
        serve_until(args, &mut out, |seed| async move {
            let config = SeedConfig::custom(vec![seed.parse()?], vec![]);
            let nodes = config.fetch(&config.transport()?).await?;
            anyhow::ensure!(nodes.len() == 4, "{} snodes listed", nodes.len());
            Ok(())
        })
        .await
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("SEED=http://127.0.0.1:"), "{text}");
        assert_eq!(lines.len(), 5);
        for (i, line) in lines[1..].iter().enumerate() {
            assert!(
                line.starts_with(&format!("SNODE index={i} ip=127.0.{}.1 port=", i + 1)),
                "{line}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tls_seed_prints_its_pin_second() {
        let args = TestnetArgs {
            snodes: 3,
            swarms: Some(1),
            seed: None,
            seed_tls: true,
        };
        let mut out = Vec::new();
        serve_until(args, &mut out, |_| async { Ok(()) })
            .await
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("SEED=https://127.0.0.1:"), "{text}");
        let pin = lines[1].strip_prefix("SEED_PIN=").unwrap();
        assert_eq!(hex::decode(pin).unwrap().len(), 32);
    }
}
