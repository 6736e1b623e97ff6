//! `session testnet`: a local Session network (seed + snodes on 127.0.0.0/8, session-testnet)
//! that runs until interrupted (issue 7 §3, §5).
//!
//! Output contract: the first line of stdout is `SEED=<url>` (flushed at once, so a parent
//! process can read it and start clients with `--network local --seed <url>`); with
//! `--seed-tls` the next line is `SEED_PIN=<sha256 of the seed certificate, hex>`; then one
//! `SNODE …` line per snode. Ctrl-C (or SIGTERM) stops the network.

use std::io::Write as _;

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
    runtime.block_on(serve(args))
}

async fn serve(args: TestnetArgs) -> anyhow::Result<()> {
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
    {
        let mut out = std::io::stdout().lock();
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
    }
    interrupted().await?;
    testnet.shutdown().await;
    Ok(())
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
