//! `session demo`: the seed's three steps, end to end, offline by default (issue 6 §3).
//!
//! Without a server argument it starts session-sogs-server in-process (loopback, ephemeral
//! port, a temporary database, a `lobby` room with two welcome posts), then: creates an
//! identity (prints its Session ID and blinded ID); step 1, a signed blinded request for the
//! room's info; step 2, reads recent messages and decodes each into its `Content` with the
//! signature checked; step 3, encodes, signs and posts a `VisibleMessage`; and reads the post
//! back, verified. `--link …` or `--server … --server-pk …` runs the same steps against any
//! SOGS. Fails (non-zero exit) if the read-back is not the verified post.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use clap::Args;
use serde_json::json;
use session_crypto::Identity;
use session_schema::VisibleMessage;
use session_sogs::{RoomToken, Server, SogsClient};
use session_sogs_server::{Config, RoomPermissions};

use crate::cmd::common::{MnemonicArgs, print_json};
use crate::cmd::sogs::client::{ServerArgs, block_on, message_line, short, transport};

/// `session demo [--link URL | --server URL --server-pk HEX [--room TOKEN]] [--text T]`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run against this server instead of a local one.
    #[command(flatten)]
    server: ServerArgs,
    /// Use this identity instead of a new one.
    #[command(flatten)]
    mnemonic: MnemonicArgs,
    /// The text to post in step 3.
    #[arg(long, default_value = "Hello from session-rs!")]
    text: String,
    /// Print one JSON summary instead of the readable steps.
    #[arg(long)]
    json: bool,
}

/// A local server for the demo, removed when dropped.
struct LocalServer {
    running: Option<session_sogs_server::RunningServer>,
    dir: PathBuf,
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn local_server() -> anyhow::Result<(LocalServer, String)> {
    let mut tag = [0u8; 8];
    getrandom::fill(&mut tag)
        .map_err(|_| anyhow::anyhow!("the OS random number generator failed"))?;
    let dir = std::env::temp_dir().join(format!("session-demo-{}", hex::encode(tag)));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut local = LocalServer { running: None, dir };
    let mut config = Config::default();
    config.net.bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
    config.net.port = 0;
    config.db.key_file = Some(local.dir.join("key_x25519"));
    let server = session_sogs_server::Server::open(local.dir.join("sogs.db"), config)
        .context("cannot open the demo server's database")?;
    server
        .add_room(
            "lobby",
            Some("Lobby"),
            Some("The session-rs demo room"),
            RoomPermissions::default(),
        )
        .context("cannot create the demo room")?;
    let running = server
        .bind()
        .await
        .context("cannot start the demo server")?;
    let link = running.join_link("lobby");
    local.running = Some(running);
    Ok((local, link))
}

/// Runs `session demo`.
pub fn run(a: DemoArgs) -> anyhow::Result<()> {
    block_on(demo(a))?
}

async fn demo(a: DemoArgs) -> anyhow::Result<()> {
    let say = |s: String| {
        if !a.json {
            println!("{s}");
        }
    };
    let remote = a.server.link.is_some() || a.server.server.is_some();
    let mut local = None;
    let (server, room): (Server, RoomToken) = if remote {
        match a.server.resolve()? {
            (server, Some(room)) => (server, room),
            // `--server … --server-pk …` alone: the first room the server lists.
            (server, None) => {
                let rooms = SogsClient::new(server.clone(), transport()?)
                    .rooms()
                    .await?;
                let first = rooms
                    .first()
                    .context("the server lists no rooms; pass --room")?;
                let room = RoomToken::new(&first.token)?;
                (server, room)
            }
        }
    } else {
        let (l, link) = local_server().await?;
        local = Some(l);
        say(format!("Started a local SOGS: {link}"));
        let (server, room) = session_sogs::JoinLink::parse(&link)?.into_parts();
        // A neighbour posts first, so that step 2 has messages to read.
        let neighbour = SogsClient::new(server.clone(), transport()?)
            .with_identity(Arc::new(Identity::generate()?));
        for text in [
            "Welcome to the session-rs demo room!",
            "Every message here is signed; the demo checks each signature.",
        ] {
            neighbour.post_text(&room, text).await?;
        }
        (server, room)
    };

    // The identity.
    let identity = Arc::new(if a.mnemonic.is_given() {
        a.mnemonic.identity()?
    } else {
        Identity::generate()?
    });
    let client = SogsClient::new(server.clone(), transport()?).with_identity(identity.clone());
    let mode = client
        .signing_mode()
        .await
        .context("cannot fetch the server's capabilities")?;
    let me = client.account_id().await?;
    say(String::new());
    say("Identity".to_owned());
    say(format!("  Session ID: {}", identity.session_id()));
    say(format!(
        "  Blinded ID: {me}  ({mode:?} on {})",
        server.base_url()
    ));

    // Step 1: room info with a signed, blinded request.
    let info = client
        .room(&room)
        .await
        .context("step 1 (room info) failed")?;
    say(String::new());
    say(format!("Step 1: room info (signed {mode:?} request)"));
    say(format!(
        "  {} ({}): {}",
        info.name,
        info.token,
        info.description.as_deref().unwrap_or("")
    ));
    say(format!(
        "  {} active users, read={} write={} upload={}",
        info.active_users, info.read, info.write, info.upload
    ));

    // Step 2: recent messages, decoded and verified.
    let mut recent = client
        .recent_messages(&room, 10)
        .await
        .context("step 2 (read) failed")?;
    recent.reverse();
    say(String::new());
    say(format!(
        "Step 2: {} recent messages, decoded and verified",
        recent.len()
    ));
    for m in &recent {
        say(format!("  {}", message_line(m)));
    }

    // Step 3: encode, sign and post a VisibleMessage.
    let content = VisibleMessage::text(a.text.as_str()).into_content();
    let post = client.post_request(&room, &content).await?;
    say(String::new());
    say("Step 3: encode, sign and post a VisibleMessage".to_owned());
    say(format!(
        "  data: {} bytes padded, signature: {}…",
        session_sogs_decoded_len(&post.data),
        post.signature.get(..16).unwrap_or(&post.signature)
    ));
    let posted = client.send(&post).await.context("step 3 (post) failed")?;
    say(format!(
        "  posted as #{} by {}",
        posted.id,
        short(&posted.sender.to_string())
    ));

    // Read back.
    let back = client
        .message(&room, posted.id)
        .await
        .context("read-back failed")?;
    ensure!(back.verified, "the read-back message did not verify");
    ensure!(
        back.sender == me,
        "the read-back message has another sender: {}",
        back.sender
    );
    if back.text() != Some(a.text.as_str()) {
        bail!("the read-back text differs: {:?}", back.text());
    }
    say(String::new());
    say(format!(
        "Read back #{}: \"{}\" — signature verified ✓",
        back.id, a.text
    ));

    if a.json {
        print_json(&json!({
            "server": server.base_url(),
            "server_pk": server.public_key().to_string(),
            "room": room.as_str(),
            "local": !remote,
            "session_id": identity.session_id().to_string(),
            "blinded_id": me.to_string(),
            "signing_mode": format!("{mode:?}"),
            "room_info": {"name": info.name, "token": info.token, "active_users": info.active_users},
            "recent": recent.iter().map(crate::cmd::sogs::client::message_json).collect::<Vec<_>>(),
            "posted": crate::cmd::sogs::client::message_json(&posted),
            "read_back_verified": back.verified,
        }))?;
    }
    if let Some(r) = local.as_mut().and_then(|l| l.running.take()) {
        r.shutdown().await;
    }
    Ok(())
}

/// The decoded length of a base64 string (for display).
fn session_sogs_decoded_len(b64: &str) -> usize {
    let trimmed = b64.trim_end_matches('=');
    trimmed.len() * 3 / 4
}
