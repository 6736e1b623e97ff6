//! `session sogs …`: one module per group of SOGS commands.

use clap::Subcommand;

pub mod message;
pub mod sign;

/// `session sogs …`
#[derive(Debug, Subcommand)]
pub enum SogsCommand {
    /// Sign a SOGS request: prints the four X-SOGS-* headers as JSON.
    Sign(sign::SignArgs),
    /// Encode and sign a community message: prints {"data","signature"} as JSON.
    Encode(message::EncodeArgs),
    /// Decode and verify a community message: prints {"verified","content"} as JSON.
    Decode(message::DecodeArgs),
}

/// Runs `session sogs …`.
pub fn run(cmd: SogsCommand) -> anyhow::Result<()> {
    match cmd {
        SogsCommand::Sign(a) => sign::run(a),
        SogsCommand::Encode(a) => message::run_encode(a),
        SogsCommand::Decode(a) => message::run_decode(a),
    }
}
