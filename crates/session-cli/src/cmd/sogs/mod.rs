//! `session sogs …`: one module per group of SOGS commands.

use clap::Subcommand;

pub mod client;
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
    /// List a server's rooms.
    Rooms(client::RoomsArgs),
    /// Show a room's details.
    Info(client::InfoArgs),
    /// Read a room's recent messages, decoded and verified.
    Read(client::ReadArgs),
    /// Encode, sign and post a text message.
    Post(client::PostArgs),
    /// Add or remove a reaction.
    React(client::ReactArgs),
    /// Delete a message.
    Delete(client::DeleteArgs),
    /// Stream a room's events until interrupted.
    Watch(client::WatchArgs),
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
        SogsCommand::Rooms(a) => client::rooms(a),
        SogsCommand::Info(a) => client::info(a),
        SogsCommand::Read(a) => client::read(a),
        SogsCommand::Post(a) => client::post(a),
        SogsCommand::React(a) => client::react(a),
        SogsCommand::Delete(a) => client::delete(a),
        SogsCommand::Watch(a) => client::watch(a),
    }
}
