//! `session net …`: the Session network as session-net sees it, and the `--onion` options
//! other commands flatten in ([`NetworkArgs`]).

use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use session_net::snode::{JsonFileStore, OnionPath, SeedConfig};
use session_net::{NetworkConfig, SnodeNetwork};

use super::common::print_json;

/// Which Session network to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum NetworkKind {
    /// The real network, bootstrapped from the pinned mainnet seeds.
    #[default]
    Mainnet,
    /// A local test network (`session testnet`), bootstrapped from `--seed`.
    Local,
}

/// How to reach servers: directly, or through onion paths (`--onion`). Flatten into any
/// command that talks to a server; `session sogs`'s client commands turn it into a transport
/// with [`crate::cmd::sogs::client::transport`].
#[derive(Debug, Args, Clone, Default)]
pub struct NetworkArgs {
    /// Route requests through 3-hop onion paths of the Session network.
    #[arg(long)]
    pub onion: bool,
    /// Which network the onion paths use (with --onion).
    #[arg(long, value_enum, default_value_t = NetworkKind::Mainnet)]
    pub network: NetworkKind,
    /// Seed URL of a local network (as printed by `session testnet`: `SEED=<url>`; with
    /// --onion --network local).
    #[arg(long, value_name = "URL")]
    pub seed: Option<String>,
}

impl NetworkArgs {
    /// The network configuration these arguments select.
    pub fn config(&self) -> anyhow::Result<NetworkConfig> {
        match (self.network, &self.seed) {
            (NetworkKind::Mainnet, None) => Ok(NetworkConfig::mainnet()),
            (NetworkKind::Mainnet, Some(_)) => bail!("--seed needs --network local"),
            (NetworkKind::Local, None) => bail!("--network local needs --seed URL"),
            (NetworkKind::Local, Some(seed)) => {
                let url = seed
                    .parse()
                    .with_context(|| format!("invalid seed URL {seed:?}"))?;
                Ok(NetworkConfig::with_seeds(SeedConfig::local(vec![url])))
            }
        }
    }

    /// A client of the selected network.
    pub fn snode_network(&self) -> anyhow::Result<Arc<SnodeNetwork>> {
        Ok(Arc::new(
            SnodeNetwork::new(self.config()?).context("cannot set up the Session network")?,
        ))
    }

    /// Refuses `--network local` or `--seed` without `--onion`, which would otherwise be
    /// ignored silently.
    pub fn check_direct(&self) -> anyhow::Result<()> {
        if !self.onion && (self.network != NetworkKind::Mainnet || self.seed.is_some()) {
            bail!("--network and --seed choose the onion network: add --onion");
        }
        Ok(())
    }
}

/// `session net` subcommands.
#[derive(Debug, Subcommand)]
pub enum NetCommand {
    /// Bootstrap from the seeds and show the onion paths in use.
    Paths(PathsArgs),
}

/// `session net paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    /// Which network.
    #[arg(long, value_enum, default_value_t = NetworkKind::Mainnet)]
    pub network: NetworkKind,
    /// Seed URL of a local network.
    #[arg(long, value_name = "URL")]
    pub seed: Option<String>,
    /// Keep the snode pool and guards in this JSON file between runs.
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
    /// Print JSON: `{"pool_size": n, "paths": [{"hops": [{"ip","port","ed25519","x25519"}]}]}`.
    #[arg(long)]
    pub json: bool,
}

/// Runs a `session net` command.
pub fn run(command: NetCommand) -> anyhow::Result<()> {
    match command {
        NetCommand::Paths(args) => paths(args),
    }
}

fn paths(args: PathsArgs) -> anyhow::Result<()> {
    let config = NetworkArgs {
        onion: true,
        network: args.network,
        seed: args.seed,
    }
    .config()?;
    let network = match &args.state {
        Some(path) => SnodeNetwork::with_store(config, Arc::new(JsonFileStore::open(path)))?,
        None => SnodeNetwork::new(config)?,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (paths, pool_size) = runtime.block_on(async {
        let paths = network.paths().await?;
        anyhow::Ok((paths, network.pool().await.len()))
    })?;
    if args.json {
        return print_json(&json!({
            "pool_size": pool_size,
            "paths": paths.iter().map(path_json).collect::<Vec<_>>(),
        }));
    }
    println!("snode pool: {pool_size} nodes");
    for (i, path) in paths.iter().enumerate() {
        println!("path {}: {path}", i + 1);
    }
    Ok(())
}

fn path_json(path: &OnionPath) -> serde_json::Value {
    json!({
        "hops": path.hops.iter().map(|h| json!({
            "ip": h.ip.to_string(),
            "port": h.port,
            "ed25519": hex::encode(h.ed25519),
            "x25519": hex::encode(h.x25519),
        })).collect::<Vec<_>>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_args_validate_seed_combinations() {
        let mut args = NetworkArgs::default();
        assert!(args.config().is_ok());
        args.seed = Some("http://127.0.0.1:1/".into());
        assert!(args.config().is_err());
        args.network = NetworkKind::Local;
        let config = args.config();
        assert!(config.is_ok_and(|c| c.seeds.accept_any_certificate));
        args.seed = None;
        assert!(args.config().is_err());
    }

    #[test]
    fn network_choices_without_onion_are_refused() {
        let mut args = NetworkArgs::default();
        assert!(args.check_direct().is_ok());
        args.seed = Some("http://127.0.0.1:1/".into());
        assert!(args.check_direct().is_err());
        args.seed = None;
        args.network = NetworkKind::Local;
        assert!(args.check_direct().is_err());
        args.onion = true;
        assert!(args.check_direct().is_ok());
    }
}
