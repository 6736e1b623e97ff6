//! `session sogs sign`.

use anyhow::{Context, anyhow};
use clap::Args;
use session_crypto::{ServerPubkey, SigningMode, sign_request};

use crate::cmd::common::{MnemonicArgs, print_json};

/// `session sogs sign --mnemonic … --server-pk HEX --method M --path P [--body-file F]
/// [--nonce HEX] [--timestamp N] [--unblinded | --blind25]`
#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    mnemonic: MnemonicArgs,
    /// The community server's public key (64 hex digits).
    #[arg(long, value_name = "HEX")]
    server_pk: String,
    /// HTTP method, e.g. GET.
    #[arg(long)]
    method: String,
    /// Request path with query, as sent (e.g. `/room/lobby/messages/recent?limit=25`).
    #[arg(long)]
    path: String,
    /// File whose bytes are the request body.
    #[arg(long, value_name = "F")]
    body_file: Option<std::path::PathBuf>,
    /// The 16-byte nonce as 32 hex digits (default: random).
    #[arg(long, value_name = "HEX")]
    nonce: Option<String>,
    /// Unix timestamp in seconds (default: now).
    #[arg(long, value_name = "N")]
    timestamp: Option<u64>,
    /// Sign with the unblinded (00) key.
    #[arg(long, conflicts_with = "blind25")]
    unblinded: bool,
    /// Sign with the blind25 key.
    #[arg(long)]
    blind25: bool,
}

/// Runs `session sogs sign`.
pub fn run(a: SignArgs) -> anyhow::Result<()> {
    let id = a.mnemonic.identity()?;
    let server: ServerPubkey = a
        .server_pk
        .parse()
        .map_err(|e| anyhow!("--server-pk: {e}"))?;
    let body = match &a.body_file {
        Some(p) => {
            std::fs::read(p).with_context(|| format!("cannot read body file {}", p.display()))?
        }
        None => Vec::new(),
    };
    let nonce: [u8; 16] = match &a.nonce {
        Some(h) => {
            let bytes = hex::decode(h).map_err(|_| anyhow!("--nonce is not valid hex"))?;
            bytes.try_into().map_err(|b: Vec<u8>| {
                anyhow!("--nonce must be 16 bytes (32 hex digits), got {}", b.len())
            })?
        }
        None => {
            let mut n = [0u8; 16];
            getrandom::fill(&mut n)
                .map_err(|_| anyhow!("the OS random number generator failed"))?;
            n
        }
    };
    let timestamp = match a.timestamp {
        Some(t) => t,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs(),
    };
    let mode = if a.unblinded {
        SigningMode::Unblinded
    } else if a.blind25 {
        SigningMode::Blind25
    } else {
        SigningMode::Blind15
    };
    let auth = sign_request(
        &id, &server, mode, &a.method, &a.path, &body, &nonce, timestamp,
    );
    print_json(&serde_json::to_value(&auth)?)
}
