//! `session sogs …`: one module per group of SOGS commands.

use clap::Subcommand;

pub mod message;
pub mod server;
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
    /// Run a SOGS server until interrupted; prints each room's join link.
    Serve(server::ServeArgs),
    /// Print a SOGS server's public key (hex), creating the key if needed.
    Key(server::KeyArgs),
    /// Manage the rooms of a SOGS server database.
    #[command(subcommand)]
    Room(server::RoomCommand),
    /// Manage the moderators and admins of a SOGS server database.
    #[command(subcommand)]
    Mod(server::ModCommand),
}

/// Runs `session sogs …`.
pub fn run(cmd: SogsCommand) -> anyhow::Result<()> {
    match cmd {
        SogsCommand::Sign(a) => sign::run(a),
        SogsCommand::Encode(a) => message::run_encode(a),
        SogsCommand::Decode(a) => message::run_decode(a),
        SogsCommand::Serve(a) => server::serve(a),
        SogsCommand::Key(a) => server::key(a),
        SogsCommand::Room(c) => server::room(c),
        SogsCommand::Mod(c) => server::moderator(c),
    }
}
