//! `session-sogs-server`: the single-binary SOGS. The same commands are available as
//! `session sogs serve|key|room|mod`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use session_sogs_server::cli;

/// A Session Open Group Server (SOGS) on SQLite.
#[derive(Debug, Parser)]
#[command(name = "session-sogs-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve until interrupted.
    Serve(cli::ServeArgs),
    /// Print the server's public key (hex), creating it if needed.
    Key(cli::KeyArgs),
    /// Manage rooms.
    #[command(subcommand)]
    Room(cli::RoomCommand),
    /// Manage moderators and admins.
    #[command(subcommand)]
    Mod(cli::ModCommand),
}

fn main() -> ExitCode {
    let args = Cli::parse();
    let result = match args.command {
        Command::Serve(a) => cli::serve(a),
        Command::Key(a) => cli::key(a),
        Command::Room(c) => cli::room(c),
        Command::Mod(c) => cli::moderator(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
