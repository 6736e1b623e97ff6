//! Seed example 2: read a room's recent messages and decode each into its `Content`, with the
//! signature checked.
//!
//! `cargo run -p session-client --example read_messages -- <join-link>`

use anyhow::Context as _;
use session_client::{Client, Message};

/// Prints the recent messages, oldest first; returns them.
pub async fn run(args: &[String]) -> anyhow::Result<Vec<Message>> {
    let client = Client::builder().build()?;
    let room = match args {
        [link] => client
            .community(link)?
            .linked_room()
            .context("the link names no room")?,
        [url, pk, room] => client.server(url, pk.parse()?)?.room(room)?,
        _ => anyhow::bail!("usage: read_messages <join-link> | <server-url> <server-pk> <room>"),
    };
    let messages = room.messages().await?;
    for m in &messages {
        match &m.content {
            Ok(content) => println!(
                "#{} {} [{}]: {}",
                m.id,
                m.sender,
                if m.verified {
                    "verified"
                } else {
                    "NOT VERIFIED"
                },
                content.text().unwrap_or("<no text>")
            ),
            Err(e) => println!("#{} {}: cannot decode: {e}", m.id, m.sender),
        }
    }
    Ok(messages)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    run(&std::env::args().skip(1).collect::<Vec<_>>())
        .await
        .map(drop)
}
