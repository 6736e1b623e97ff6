//! Seed example 3: encode a `VisibleMessage`, sign it with the blinded key, post it.
//!
//! `cargo run -p session-client --example send_message -- <join-link> "hello"`
//! (the phrase from `SESSION_MNEMONIC`, else a new identity).

use anyhow::Context as _;
use session_client::{Client, Identity, Message, VisibleMessage};

/// Posts the text; returns the message as the server stored it.
pub async fn run(args: &[String]) -> anyhow::Result<Message> {
    let identity = match std::env::var("SESSION_MNEMONIC") {
        Ok(phrase) => Identity::from_mnemonic(&phrase)?,
        Err(_) => Identity::generate()?,
    };
    let client = Client::builder().identity(identity).build()?;
    let (room, text) = match args {
        [link, text] => (
            client
                .community(link)?
                .linked_room()
                .context("the link names no room")?,
            text,
        ),
        [url, pk, room, text] => (client.server(url, pk.parse()?)?.room(room)?, text),
        _ => anyhow::bail!("usage: send_message <join-link> <text> | <url> <pk> <room> <text>"),
    };
    let content = VisibleMessage::text(text.as_str()).into_content();
    let posted = room.send(&content).await?;
    println!(
        "posted #{} as {} (verified: {})",
        posted.id, posted.sender, posted.verified
    );
    Ok(posted)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    run(&std::env::args().skip(1).collect::<Vec<_>>())
        .await
        .map(drop)
}
