//! A poller-driven bot: answers every new text message with `echo: <text>`.
//!
//! `cargo run -p session-client --example echo_bot -- <join-link> [max-echoes]`
//! Runs until interrupted, or until it has sent `max-echoes` replies.

use anyhow::Context as _;
use futures_util::StreamExt;
use session_client::{Client, Event, Identity};

/// Echoes new messages from others; returns how many it answered.
pub async fn run(args: &[String]) -> anyhow::Result<usize> {
    let identity = match std::env::var("SESSION_MNEMONIC") {
        Ok(phrase) => Identity::from_mnemonic(&phrase)?,
        Err(_) => Identity::generate()?,
    };
    let client = Client::builder().identity(identity).build()?;
    let (link, max) = match args {
        [link] => (link, usize::MAX),
        [link, max] => (link, max.parse().context("max-echoes must be a number")?),
        _ => anyhow::bail!("usage: echo_bot <join-link> [max-echoes]"),
    };
    let community = client.community(link)?;
    let room = community.linked_room().context("the link names no room")?;
    let me = community.account_id().await?;
    println!("echo bot {me} in {}", room.token());
    let mut answered = 0;
    let mut events = room.events();
    while answered < max {
        let Some(event) = events.next().await else {
            break;
        };
        match event {
            Event::MessageNew { message, .. } if message.sender != me && message.verified => {
                if let Some(text) = message.text() {
                    room.send_text(&format!("echo: {text}")).await?;
                    answered += 1;
                }
            }
            Event::Error { error, .. } => eprintln!("poll failed: {error}"),
            _ => {}
        }
    }
    Ok(answered)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n = run(&std::env::args().skip(1).collect::<Vec<_>>()).await?;
    println!("answered {n} messages");
    Ok(())
}
