//! `session id new|show`.

use clap::{Args, Subcommand};
use serde_json::json;

use super::common::{MnemonicArgs, print_json};

/// `session id …`
#[derive(Debug, Subcommand)]
pub enum IdCommand {
    /// Create a new identity: prints its recovery phrase and Session ID.
    New(NewArgs),
    /// Show the Session ID of a recovery phrase.
    Show(ShowArgs),
}

/// `session id new`
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Print `{"mnemonic","session_id","ed25519_pk","x25519_pk"}`.
    #[arg(long)]
    json: bool,
}

/// `session id show`
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    mnemonic: MnemonicArgs,
    /// Print `{"session_id","ed25519_pk","x25519_pk"}`.
    #[arg(long)]
    json: bool,
}

/// Runs `session id …`.
pub fn run(cmd: IdCommand) -> anyhow::Result<()> {
    match cmd {
        IdCommand::New(a) => {
            let id = session_crypto::Identity::generate()?;
            if a.json {
                print_json(&json!({
                    "mnemonic": &*id.mnemonic().phrase(),
                    "session_id": id.session_id(),
                    "ed25519_pk": hex::encode(id.ed25519_public_key()),
                    "x25519_pk": hex::encode(id.x25519_public_key()),
                }))
            } else {
                println!("Recovery phrase: {}", &*id.mnemonic().phrase());
                println!("Session ID:      {}", id.session_id());
                Ok(())
            }
        }
        IdCommand::Show(a) => {
            let id = a.mnemonic.identity()?;
            if a.json {
                print_json(&json!({
                    "session_id": id.session_id(),
                    "ed25519_pk": hex::encode(id.ed25519_public_key()),
                    "x25519_pk": hex::encode(id.x25519_public_key()),
                }))
            } else {
                println!("{}", id.session_id());
                Ok(())
            }
        }
    }
}
