//! `session sogs encode` and `session sogs decode`: community message data (the `data` and
//! `signature` fields of a post), built and read with session-schema.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::{ArgGroup, Args};
use session_crypto::{AccountId, ServerPubkey, SigningMode};
use session_schema::{VisibleMessage, decode_sogs_message, encode_sogs_message, now_ms};

use crate::cmd::common::{MnemonicArgs, print_json};

/// `session sogs encode --mnemonic … --server-pk HEX (--text "hi" | --text-file F)
/// [--timestamp MS] [--unblinded | --blind25]`: prints `{"data","signature"}`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("message").required(true).args(["text", "text_file"])))]
pub struct EncodeArgs {
    #[command(flatten)]
    mnemonic: MnemonicArgs,
    /// The community server's public key (64 hex digits).
    #[arg(long, value_name = "HEX")]
    server_pk: String,
    /// The message text.
    #[arg(long)]
    text: Option<String>,
    /// A file holding the message text (UTF-8).
    #[arg(long, value_name = "F")]
    text_file: Option<PathBuf>,
    /// Creation time in milliseconds since the Unix epoch (default: now).
    #[arg(long, value_name = "MS")]
    timestamp: Option<u64>,
    /// Sign with the unblinded Session ID key (XEd25519) instead of blind15.
    #[arg(long, conflicts_with = "blind25")]
    unblinded: bool,
    /// Sign with the blind25 key instead of blind15.
    #[arg(long)]
    blind25: bool,
}

/// Runs `session sogs encode`.
pub fn run_encode(a: EncodeArgs) -> anyhow::Result<()> {
    let identity = a.mnemonic.identity()?;
    let server = parse_server(&a.server_pk)?;
    let text = match (&a.text, &a.text_file) {
        (Some(t), _) => t.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read text file {}", path.display()))?,
        (None, None) => return Err(anyhow!("pass --text or --text-file")),
    };
    let mode = if a.unblinded {
        SigningMode::Unblinded
    } else if a.blind25 {
        SigningMode::Blind25
    } else {
        SigningMode::Blind15
    };
    let content = VisibleMessage::text(text)
        .timestamp(a.timestamp.unwrap_or_else(now_ms))
        .into_content();
    let post = encode_sogs_message(&content, &identity, mode, &server)?;
    print_json(&serde_json::to_value(&post)?)
}

/// `session sogs decode --data B64 --signature B64 --sender ID --server-pk HEX`: prints
/// `{"verified": true|false, "content": {…}}`; malformed input is an error (non-zero exit).
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The post's `data` field (base64).
    #[arg(long, value_name = "B64", allow_hyphen_values = true)]
    data: String,
    /// The post's `signature` field (base64).
    #[arg(long, value_name = "B64", allow_hyphen_values = true)]
    signature: String,
    /// The poster's id as the server reports it (`05…`, `15…` or `25…`).
    #[arg(long, value_name = "ID")]
    sender: String,
    /// The community server's public key (64 hex digits).
    #[arg(long, value_name = "HEX")]
    server_pk: String,
    /// Also exit non-zero (after printing) when the signature does not verify.
    #[arg(long)]
    require_verified: bool,
}

/// Runs `session sogs decode`.
pub fn run_decode(a: DecodeArgs) -> anyhow::Result<()> {
    let server = parse_server(&a.server_pk)?;
    let sender: AccountId = a.sender.parse().map_err(|e| anyhow!("--sender: {e}"))?;
    let message = decode_sogs_message(&a.data, &a.signature, &sender, &server)?;
    print_json(&serde_json::json!({
        "verified": message.is_verified(),
        "content": message.content(),
    }))?;
    if a.require_verified && !message.is_verified() {
        return Err(anyhow!("the signature does not verify for sender {sender}"));
    }
    Ok(())
}

fn parse_server(hex: &str) -> anyhow::Result<ServerPubkey> {
    hex.parse().map_err(|e| anyhow!("--server-pk: {e}"))
}
