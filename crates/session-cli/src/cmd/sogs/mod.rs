//! `session sogs …`: one module per group of SOGS commands.

use clap::Subcommand;

pub mod sign;

/// `session sogs …`
#[derive(Debug, Subcommand)]
pub enum SogsCommand {
    /// Sign a SOGS request: prints the four X-SOGS-* headers as JSON.
    Sign(sign::SignArgs),
}

/// Runs `session sogs …`.
pub fn run(cmd: SogsCommand) -> anyhow::Result<()> {
    match cmd {
        SogsCommand::Sign(a) => sign::run(a),
    }
}
