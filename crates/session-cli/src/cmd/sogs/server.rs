//! `session sogs serve|key|room|mod`: the embedded SOGS server (crate session-sogs-server).
//!
//! The arguments and output formats are those of the `session-sogs-server` binary, defined
//! once in `session_sogs_server::cli`:
//!
//! - `serve --db FILE [--bind 127.0.0.1] [--port N]` serves until interrupted, printing the
//!   server key and one `TOKEN: http://host:port/TOKEN?public_key=HEX` line per room;
//! - `key --db FILE` prints the public key (hex) alone on one line, creating it if needed;
//! - `room add TOKEN --db FILE [--name NAME] [--perms LETTERS]`, `room list`, `room delete`;
//! - `mod add|remove ID --db FILE (--room TOKEN | --global) [--admin] [--hidden]`.

use session_sogs_server::cli;

pub use cli::{KeyArgs, ModCommand, RoomCommand, ServeArgs};

/// Runs `session sogs serve`.
pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    Ok(cli::serve(args)?)
}

/// Runs `session sogs key`.
pub fn key(args: KeyArgs) -> anyhow::Result<()> {
    Ok(cli::key(args)?)
}

/// Runs `session sogs room …`.
pub fn room(cmd: RoomCommand) -> anyhow::Result<()> {
    Ok(cli::room(cmd)?)
}

/// Runs `session sogs mod …`.
pub fn moderator(cmd: ModCommand) -> anyhow::Result<()> {
    Ok(cli::moderator(cmd)?)
}
