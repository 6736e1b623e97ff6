//! `session demo`: the seed's three steps, end to end, offline by default (issue 6 §3).
//!
//! Without a server argument it starts session-sogs-server in-process (loopback, ephemeral
//! port, a temporary database, a `lobby` room with two welcome posts), then: creates an
//! identity (prints its Session ID and blinded ID); step 1, a signed blinded request for the
//! room's info; step 2, reads recent messages and decodes each into its `Content` with the
//! signature checked; step 3, encodes, signs and posts a `VisibleMessage`; and reads the post
//! back, verified. `--link …` or `--server … --server-pk …` runs the same steps against any
//! SOGS. Fails (non-zero exit) if the read-back is not the verified post.
//!
//! `--onion` (issue 7 §5) sends every request as a v4 onion request through 3-hop paths and
//! prints the paths it used (each hop's `ip:port` and Ed25519 key prefix). Without a server
//! argument it also starts a local Session network in-process (session-testnet: a seed and
//! 12 snodes on `127.0.<i>.1`) beside the local SOGS, unless `--network local --seed URL` names
//! a running one; with `--link`/`--server` the paths are the mainnet's (or `--network local
//! --seed URL`'s).

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use clap::Args;
use serde_json::json;
use session_crypto::Identity;
use session_net::snode::OnionPath;
use session_net::{OnionTransport, SnodeNetwork, Transport};
use session_schema::VisibleMessage;
use session_sogs::{RoomToken, Server, SogsClient};
use session_sogs_server::{Config, RoomPermissions};
use session_testnet::Testnet;

use crate::cmd::common::{MnemonicArgs, print_json};
use crate::cmd::net::{NetworkArgs, NetworkKind};
use crate::cmd::sogs::client::{ServerArgs, block_on, message_line, short, transport};

/// `session demo [--link URL | --server URL --server-pk HEX [--room TOKEN]]
/// [--onion [--network local --seed URL]] [--text T] [--json]`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run against this server instead of a local one.
    #[command(flatten)]
    server: ServerArgs,
    /// Use this identity instead of a new one.
    #[command(flatten)]
    mnemonic: MnemonicArgs,
    /// `--onion`: every step as an onion request (a local network is started if needed).
    #[command(flatten)]
    network: NetworkArgs,
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
    if !a.network.onion {
        return block_on(demo(a))?;
    }
    // The in-process network relays between its snodes on the same runtime: give it two
    // worker threads, as `session testnet` does.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(demo(a))
}

/// The onion side of the demo: the transport (to read the paths it used) and the local
/// network it runs on, if the demo started one.
struct Onion {
    transport: OnionTransport,
    testnet: Option<Testnet>,
    paths: Vec<OnionPath>,
}

impl Onion {
    /// The onion transport for the demo: over a local network started here when no server
    /// and no seed is given, else over the network `--network`/`--seed` select.
    async fn start(a: &DemoArgs, remote: bool, say: &dyn Fn(String)) -> anyhow::Result<Self> {
        if remote || a.network.network == NetworkKind::Local || a.network.seed.is_some() {
            return Ok(Self {
                transport: OnionTransport::new(a.network.snode_network()?),
                testnet: None,
                paths: Vec::new(),
            });
        }
        let testnet = Testnet::builder()
            .start()
            .await
            .context("cannot start the local Session network")?;
        say(format!(
            "Started a local Session network: {} snodes, seed {}",
            testnet.snodes().len(),
            testnet.seed_url()
        ));
        let network = SnodeNetwork::new(testnet.network_config())
            .context("cannot set up the Session network client")?;
        Ok(Self {
            transport: OnionTransport::new(Arc::new(network)),
            testnet: Some(testnet),
            paths: Vec::new(),
        })
    }

    /// Notes the path of the last request (each distinct path once, in order of use).
    fn record(&mut self) {
        if let Some(p) = self.transport.last_path()
            && !self.paths.contains(&p)
        {
            self.paths.push(p);
        }
    }
}

/// `guard 127.0.5.1:40123 ed25519 3fa81c0d…` lines of a path.
fn path_lines(path: &OnionPath) -> Vec<String> {
    path.hops
        .iter()
        .enumerate()
        .map(|(i, hop)| {
            let role = if i == 0 { "guard" } else { "relay" };
            let ed = hex::encode(hop.ed25519);
            format!(
                "{role} {}:{}  ed25519 {}…",
                hop.ip,
                hop.port,
                ed.get(..8).unwrap_or(&ed)
            )
        })
        .collect()
}

fn path_json(path: &OnionPath) -> serde_json::Value {
    json!(
        path.hops
            .iter()
            .map(|h| json!({"ip": h.ip.to_string(), "port": h.port, "ed25519": hex::encode(h.ed25519)}))
            .collect::<Vec<_>>()
    )
}

async fn demo(a: DemoArgs) -> anyhow::Result<()> {
    let say = |s: String| {
        if !a.json {
            println!("{s}");
        }
    };
    let remote = a.server.link.is_some() || a.server.server.is_some();
    let mut onion = if a.network.onion {
        Some(Onion::start(&a, remote, &say).await?)
    } else {
        None
    };
    let transport: Arc<dyn Transport> = match &onion {
        Some(o) => Arc::new(o.transport.clone()),
        None => transport(&a.network)?,
    };
    let mut local = None;
    let (server, room): (Server, RoomToken) = if remote {
        match a.server.resolve()? {
            (server, Some(room)) => (server, room),
            // `--server … --server-pk …` alone: the first room the server lists.
            (server, None) => {
                let rooms = SogsClient::new(server.clone(), transport.clone())
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
        let neighbour = SogsClient::new(server.clone(), transport.clone())
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
    let client = SogsClient::new(server.clone(), transport.clone()).with_identity(identity.clone());
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
    if let Some(o) = onion.as_mut() {
        o.record();
        let where_ = if o.testnet.is_some() || a.network.seed.is_some() {
            "the local Session network"
        } else {
            "the Session network (mainnet)"
        };
        say(format!(
            "  Route: onion requests through 3-hop paths of {where_}, to the SOGS's X25519 key"
        ));
    }

    // Step 1: room info with a signed, blinded request.
    let info = client
        .room(&room)
        .await
        .context("step 1 (room info) failed")?;
    if let Some(o) = onion.as_mut() {
        o.record();
    }
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
    if let Some(o) = onion.as_mut() {
        o.record();
    }
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
    if let Some(o) = onion.as_mut() {
        o.record();
    }
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
    if let Some(o) = onion.as_mut() {
        o.record();
    }
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
    if let Some(o) = &onion {
        say(String::new());
        let n = o.paths.len();
        let url = server.base_url();
        say(if n == 1 {
            format!("Onion path used (guard first; the third hop forwards to {url}):")
        } else {
            format!("Onion paths used ({n}, each guard first; the third hop forwards to {url}):")
        });
        for (i, path) in o.paths.iter().enumerate() {
            if n > 1 {
                say(format!("  path {}:", i + 1));
            }
            for line in path_lines(path) {
                say(format!("    {line}"));
            }
        }
    }

    if a.json {
        let mut summary = json!({
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
        });
        if let Some(o) = &onion {
            summary["onion"] = json!({
                "local_network": o.testnet.as_ref().map(|t| t.seed_url()),
                "paths": o.paths.iter().map(path_json).collect::<Vec<_>>(),
            });
        }
        print_json(&summary)?;
    }
    if let Some(r) = local.as_mut().and_then(|l| l.running.take()) {
        r.shutdown().await;
    }
    if let Some(t) = onion.and_then(|o| o.testnet) {
        t.shutdown().await;
    }
    Ok(())
}

/// The decoded length of a base64 string (for display).
fn session_sogs_decoded_len(b64: &str) -> usize {
    let trimmed = b64.trim_end_matches('=');
    trimmed.len() * 3 / 4
}
