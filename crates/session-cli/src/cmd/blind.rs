//! `session blind`.

use anyhow::bail;
use clap::Args;
use serde_json::json;
use session_crypto::{ServerPubkey, SessionId, blind15_candidates, blind25_id};

use super::common::{MnemonicArgs, print_json};

/// `session blind (--mnemonic … | --session-id 05…) --server-pk HEX [--json]`
#[derive(Debug, Args)]
pub struct BlindArgs {
    #[command(flatten)]
    mnemonic: MnemonicArgs,
    /// Blind someone else's Session ID instead: prints both blind15 candidates.
    #[arg(long, value_name = "05…", conflicts_with_all = ["mnemonic", "mnemonic_file"])]
    session_id: Option<String>,
    /// The community server's public key (64 hex digits).
    #[arg(long, value_name = "HEX")]
    server_pk: String,
    /// Print JSON: `{"blind15","blind25"}` for a phrase, `{"blind15_candidates","blind25"}` for an id.
    #[arg(long)]
    json: bool,
}

/// Runs `session blind`.
pub fn run(a: BlindArgs) -> anyhow::Result<()> {
    let server: ServerPubkey = a
        .server_pk
        .parse()
        .map_err(|e| anyhow::anyhow!("--server-pk: {e}"))?;
    if let Some(sid) = &a.session_id {
        let sid: SessionId = sid
            .parse()
            .map_err(|e| anyhow::anyhow!("--session-id: {e}"))?;
        let candidates = blind15_candidates(&sid, &server)?;
        if a.json {
            return print_json(&json!({
                "blind15_candidates": candidates,
                "blind25": blind25_id(&sid, &server)?,
            }));
        }
        for c in candidates {
            println!("{c}");
        }
        return Ok(());
    }
    if !a.mnemonic.is_given() {
        bail!("pass --mnemonic (or --mnemonic-file, SESSION_MNEMONIC) or --session-id");
    }
    let id = a.mnemonic.identity()?;
    let b15 = id.blind15(&server).id();
    if a.json {
        print_json(&json!({ "blind15": b15, "blind25": id.blind25(&server).id() }))
    } else {
        println!("{b15}");
        Ok(())
    }
}
