//! Arguments shared by several commands.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use session_crypto::Identity;

/// Where a recovery phrase comes from: `--mnemonic`, `--mnemonic-file` or `SESSION_MNEMONIC`.
#[derive(Debug, Args, Clone, Default)]
pub struct MnemonicArgs {
    /// The 13-word recovery phrase (or set SESSION_MNEMONIC).
    #[arg(
        long,
        env = "SESSION_MNEMONIC",
        hide_env_values = true,
        conflicts_with = "mnemonic_file"
    )]
    pub mnemonic: Option<String>,
    /// A file holding the recovery phrase.
    #[arg(long, value_name = "PATH")]
    pub mnemonic_file: Option<PathBuf>,
}

impl MnemonicArgs {
    /// Whether a phrase was given at all.
    pub fn is_given(&self) -> bool {
        self.mnemonic.is_some() || self.mnemonic_file.is_some()
    }

    /// The identity of the given phrase.
    pub fn identity(&self) -> anyhow::Result<Identity> {
        let phrase = match (&self.mnemonic, &self.mnemonic_file) {
            (_, Some(path)) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read mnemonic file {}", path.display()))?,
            (Some(p), None) => p.clone(),
            (None, None) => {
                bail!(
                    "no recovery phrase: pass --mnemonic, --mnemonic-file or set SESSION_MNEMONIC"
                )
            }
        };
        Identity::from_mnemonic(&phrase).context("invalid recovery phrase")
    }
}

/// Prints `value` as one line of JSON.
pub fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}
