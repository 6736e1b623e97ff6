//! Seed example 1: an identity from a recovery phrase, then a signed (blinded) request for a
//! room's info.
//!
//! `cargo run -p session-client --example room_info -- <join-link>`
//! (or `<server-url> <server-pk-hex> <room>`); the phrase comes from `SESSION_MNEMONIC`, else a
//! new identity is made.

use anyhow::Context as _;
use session_client::{Client, Identity, RoomInfo};

/// Fetches and prints the room's info; returns it.
pub async fn run(args: &[String]) -> anyhow::Result<RoomInfo> {
    let identity = match std::env::var("SESSION_MNEMONIC") {
        Ok(phrase) => Identity::from_mnemonic(&phrase)?,
        Err(_) => Identity::generate()?,
    };
    println!("Session ID: {}", identity.session_id());
    let client = Client::builder().identity(identity).build()?;
    let room = match args {
        [link] => client
            .community(link)?
            .linked_room()
            .context("the link names no room")?,
        [url, pk, room] => client.server(url, pk.parse()?)?.room(room)?,
        _ => anyhow::bail!("usage: room_info <join-link> | <server-url> <server-pk> <room>"),
    };
    let info = room.info().await?;
    println!(
        "{} ({}): {} active users, read={} write={}",
        info.name, info.token, info.active_users, info.read, info.write
    );
    Ok(info)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    run(&std::env::args().skip(1).collect::<Vec<_>>())
        .await
        .map(drop)
}
