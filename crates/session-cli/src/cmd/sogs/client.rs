//! `session sogs rooms|info|read|post|react|delete|watch`: the SOGS client from the command
//! line (issue 6 §3). The server comes from `--link` or `--server/--server-pk/--room`;
//! `--json` prints machine output (one JSON document, or one per line for `watch`). With
//! `--onion` every request is a v4 onion request through 3-hop paths (issue 7 §5): of the
//! mainnet, or of a local network with `--network local --seed URL` (`session testnet`
//! prints `SEED=<url>`). The SOGS is the onion destination, addressed with its X25519 key
//! (the join link's `public_key`).

use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use clap::Args;
use futures_util::StreamExt;
use serde_json::{Value, json};
use session_crypto::ServerPubkey;
use session_net::{DirectTransport, OnionTransport, Transport};
use session_sogs::poller::Event;
use session_sogs::{JoinLink, Message, Poller, PollerConfig, RoomToken, Server, SogsClient};

use crate::cmd::common::{MnemonicArgs, print_json};
use crate::cmd::net::NetworkArgs;

/// Which server and room: `--link` or `--server` + `--server-pk` [+ `--room`].
#[derive(Debug, Args, Clone)]
pub struct ServerArgs {
    /// A join link: `http://host/room?public_key=HEX`.
    #[arg(long, value_name = "URL", conflicts_with_all = ["server", "server_pk"])]
    pub link: Option<String>,
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    #[arg(long, value_name = "URL", requires = "server_pk")]
    pub server: Option<String>,
    /// The server's public key (64 hex digits).
    #[arg(long, value_name = "HEX", requires = "server")]
    pub server_pk: Option<String>,
    /// The room token (overrides the link's room).
    #[arg(long, value_name = "TOKEN")]
    pub room: Option<String>,
}

impl ServerArgs {
    /// The server and the room, if one was named.
    pub fn resolve(&self) -> anyhow::Result<(Server, Option<RoomToken>)> {
        let (server, linked) = match (&self.link, &self.server, &self.server_pk) {
            (Some(link), _, _) => {
                let (s, r) = JoinLink::parse(link)
                    .map_err(|e| anyhow!("--link: {e}"))?
                    .into_parts();
                (s, Some(r))
            }
            (None, Some(url), Some(pk)) => {
                let pk: ServerPubkey = pk.parse().map_err(|e| anyhow!("--server-pk: {e}"))?;
                (
                    Server::new(url, pk).map_err(|e| anyhow!("--server: {e}"))?,
                    None,
                )
            }
            _ => bail!("no server: pass --link URL, or --server URL --server-pk HEX"),
        };
        let room = match &self.room {
            Some(r) => Some(RoomToken::new(r).map_err(|e| anyhow!("--room: {e}"))?),
            None => linked,
        };
        Ok((server, room))
    }

    /// The server and a room, which must be named.
    pub fn resolve_room(&self) -> anyhow::Result<(Server, RoomToken)> {
        let (server, room) = self.resolve()?;
        Ok((
            server,
            room.context("no room: pass --room TOKEN or a --link with a room")?,
        ))
    }
}

/// The transport of every client command, chosen here only: onion requests through the
/// selected network with `--onion` (the SOGS client sets each request's destination key
/// to the server's X25519 key), else direct HTTP(S).
pub fn transport(network: &NetworkArgs) -> anyhow::Result<Arc<dyn Transport>> {
    if network.onion {
        return Ok(Arc::new(OnionTransport::new(network.snode_network()?)));
    }
    network.check_direct()?;
    Ok(Arc::new(
        DirectTransport::new().context("cannot create the HTTP transport")?,
    ))
}

/// A client for `server` over the transport `network` selects, signed in when a phrase was
/// given.
pub fn client(
    server: Server,
    network: &NetworkArgs,
    mnemonic: &MnemonicArgs,
    required: bool,
) -> anyhow::Result<SogsClient> {
    let c = SogsClient::new(server, transport(network)?);
    if mnemonic.is_given() {
        Ok(c.with_identity(Arc::new(mnemonic.identity()?)))
    } else if required {
        bail!(
            "this command needs an identity: pass --mnemonic, --mnemonic-file or set SESSION_MNEMONIC"
        )
    } else {
        Ok(c)
    }
}

/// Runs a future on a fresh single-threaded runtime.
pub fn block_on<F: std::future::Future>(f: F) -> anyhow::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    Ok(rt.block_on(f))
}

/// A message as JSON: ids, times, flags, `verified`, the text and the decoded content.
pub fn message_json(m: &Message) -> Value {
    let (content, error) = match &m.content {
        Ok(c) => (serde_json::to_value(c).unwrap_or(Value::Null), Value::Null),
        Err(e) => (Value::Null, Value::String(e.to_string())),
    };
    json!({
        "id": m.id,
        "seqno": m.seqno,
        "sender": m.sender.to_string(),
        "posted": m.posted,
        "edited": m.edited,
        "deleted": m.deleted,
        "whisper": m.whisper,
        "whisper_mods": m.whisper_mods,
        "whisper_to": m.whisper_to.map(|w| w.to_string()),
        "verified": m.verified,
        "text": m.text(),
        "reactions": m.reactions.iter().map(|(k, v)| (k.clone(), json!(v.count))).collect::<serde_json::Map<_, _>>(),
        "content": content,
        "error": error,
    })
}

/// One readable line for a message.
pub fn message_line(m: &Message) -> String {
    let flag = if m.deleted {
        "deleted"
    } else if m.verified {
        "verified"
    } else {
        "NOT VERIFIED"
    };
    let body = match (&m.content, m.text()) {
        (_, Some(t)) => t.to_owned(),
        (Ok(_), None) => "<no text>".to_owned(),
        (Err(e), None) => format!("<{e}>"),
    };
    let whisper = if m.whisper { " (whisper)" } else { "" };
    format!(
        "#{} {} [{flag}]{whisper}: {body}",
        m.id,
        short(&m.sender.to_string())
    )
}

/// `15ab12…ef` for display.
pub fn short(id: &str) -> String {
    match (id.get(..8), id.get(id.len().saturating_sub(4)..)) {
        (Some(a), Some(b)) if id.len() > 14 => format!("{a}…{b}"),
        _ => id.to_owned(),
    }
}

/// What every client command takes: the server (and room), an identity, and the route.
#[derive(Debug, Args)]
pub struct ClientArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(flatten)]
    mnemonic: MnemonicArgs,
    #[command(flatten)]
    network: NetworkArgs,
}

/// `session sogs rooms`
#[derive(Debug, Args)]
pub struct RoomsArgs {
    #[command(flatten)]
    common: ClientArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Lists the server's rooms.
pub fn rooms(a: RoomsArgs) -> anyhow::Result<()> {
    let (server, _) = a.common.server.resolve()?;
    let c = client(server, &a.common.network, &a.common.mnemonic, false)?;
    let rooms = block_on(c.rooms())??;
    if a.json {
        return print_json(&serde_json::to_value(&rooms)?);
    }
    for r in rooms {
        println!("{}\t{}\t{} active users", r.token, r.name, r.active_users);
    }
    Ok(())
}

/// `session sogs info`
#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    common: ClientArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Prints one room's details.
pub fn info(a: InfoArgs) -> anyhow::Result<()> {
    let (server, room) = a.common.server.resolve_room()?;
    let c = client(server, &a.common.network, &a.common.mnemonic, false)?;
    let info = block_on(c.room(&room))??;
    if a.json {
        return print_json(&serde_json::to_value(&info)?);
    }
    println!("{} ({})", info.name, info.token);
    if let Some(d) = &info.description {
        println!("  {d}");
    }
    println!(
        "  {} active users, {} messages sequence, read={} write={} upload={}",
        info.active_users, info.message_sequence, info.read, info.write, info.upload
    );
    println!(
        "  admins: {}, moderators: {}",
        info.admins.len(),
        info.moderators.len()
    );
    Ok(())
}

/// `session sogs read`
#[derive(Debug, Args)]
pub struct ReadArgs {
    #[command(flatten)]
    common: ClientArgs,
    /// How many recent messages (1–256).
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u16).range(1..=256))]
    limit: u16,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Prints the recent messages, oldest first, decoded and verified.
pub fn read(a: ReadArgs) -> anyhow::Result<()> {
    let (server, room) = a.common.server.resolve_room()?;
    let c = client(server, &a.common.network, &a.common.mnemonic, false)?;
    let mut messages = block_on(c.recent_messages(&room, a.limit))??;
    messages.reverse();
    if a.json {
        return print_json(&Value::Array(messages.iter().map(message_json).collect()));
    }
    for m in &messages {
        println!("{}", message_line(m));
    }
    Ok(())
}

/// `session sogs post`
#[derive(Debug, Args)]
pub struct PostArgs {
    #[command(flatten)]
    common: ClientArgs,
    /// The message text.
    #[arg(
        long,
        conflicts_with = "text_file",
        required_unless_present = "text_file"
    )]
    text: Option<String>,
    /// A file holding the message text.
    #[arg(long, value_name = "F")]
    text_file: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Encodes, signs and posts a text message; prints it as stored.
pub fn post(a: PostArgs) -> anyhow::Result<()> {
    let (server, room) = a.common.server.resolve_room()?;
    let text = match (&a.text, &a.text_file) {
        (Some(t), _) => t.clone(),
        (None, Some(f)) => std::fs::read_to_string(f)
            .with_context(|| format!("cannot read text file {}", f.display()))?,
        (None, None) => bail!("pass --text or --text-file"),
    };
    let c = client(server, &a.common.network, &a.common.mnemonic, true)?;
    let posted = block_on(c.post_text(&room, &text))??;
    if a.json {
        return print_json(&message_json(&posted));
    }
    println!("posted {}", message_line(&posted));
    Ok(())
}

/// `session sogs react`
#[derive(Debug, Args)]
pub struct ReactArgs {
    #[command(flatten)]
    common: ClientArgs,
    /// The message id.
    #[arg(long)]
    id: i64,
    /// The reaction (1–12 characters).
    #[arg(long)]
    emoji: String,
    /// Remove the reaction instead of adding it.
    #[arg(long)]
    remove: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Adds or removes a reaction.
pub fn react(a: ReactArgs) -> anyhow::Result<()> {
    let (server, room) = a.common.server.resolve_room()?;
    let c = client(server, &a.common.network, &a.common.mnemonic, true)?;
    let (changed, seqno) = if a.remove {
        let r = block_on(c.unreact(&room, a.id, &a.emoji))??;
        (r.removed, r.seqno)
    } else {
        let r = block_on(c.react(&room, a.id, &a.emoji))??;
        (r.added, r.seqno)
    };
    let key = if a.remove { "removed" } else { "added" };
    if a.json {
        return print_json(&json!({ key: changed, "seqno": seqno }));
    }
    println!("{key}: {changed} (seqno {seqno})");
    Ok(())
}

/// `session sogs delete`
#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    common: ClientArgs,
    /// The message id.
    #[arg(long)]
    id: i64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Deletes a message.
pub fn delete(a: DeleteArgs) -> anyhow::Result<()> {
    let (server, room) = a.common.server.resolve_room()?;
    let c = client(server, &a.common.network, &a.common.mnemonic, true)?;
    block_on(c.delete(&room, a.id))??;
    if a.json {
        return print_json(&json!({ "deleted": a.id }));
    }
    println!("deleted #{}", a.id);
    Ok(())
}

/// `session sogs watch`
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    common: ClientArgs,
    /// Seconds between polls.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    interval: u64,
    /// Print one JSON object per event.
    #[arg(long)]
    json: bool,
}

/// An event as JSON (`{"event": kind, …}`).
pub fn event_json(e: &Event) -> Value {
    let room = e.room().map(ToString::to_string);
    match e {
        Event::MessageNew { message, .. } => {
            json!({"event": "message_new", "room": room, "message": message_json(message)})
        }
        Event::MessageEdited { message, .. } => {
            json!({"event": "message_edited", "room": room, "message": message_json(message)})
        }
        Event::MessageDeleted { id, seqno, .. } => {
            json!({"event": "message_deleted", "room": room, "id": id, "seqno": seqno})
        }
        Event::ReactionsChanged {
            id,
            seqno,
            reactions,
            ..
        } => json!({"event": "reactions_changed", "room": room, "id": id, "seqno": seqno,
            "reactions": reactions.iter().map(|(k, v)| (k.clone(), json!(v.count))).collect::<serde_json::Map<_, _>>()}),
        Event::RoomInfoChanged { info, .. } => {
            json!({"event": "room_info_changed", "room": room, "info": info})
        }
        Event::PinsChanged { pinned, .. } => {
            json!({"event": "pins_changed", "room": room, "pinned": pinned})
        }
        Event::DirectMessage(d) | Event::DirectMessageSent(d) => json!({
            "event": if matches!(e, Event::DirectMessage(_)) { "direct_message" } else { "direct_message_sent" },
            "id": d.id, "sender": d.sender.to_string(), "recipient": d.recipient.to_string(),
            "sender_session_id": d.sender_session_id.map(|s| s.to_string()), "verified": d.verified, "text": d.text()}),
        Event::MalformedRow { id, reason, .. } => {
            json!({"event": "malformed_row", "room": room, "id": id, "reason": reason})
        }
        Event::Error { error, .. } => {
            json!({"event": "error", "room": room, "error": error.to_string()})
        }
        _ => json!({"event": "other"}),
    }
}

/// One readable line for an event.
pub fn event_line(e: &Event) -> String {
    let room = e.room().map(|r| format!("[{r}] ")).unwrap_or_default();
    match e {
        Event::MessageNew { message, .. } => format!("{room}new {}", message_line(message)),
        Event::MessageEdited { message, .. } => format!("{room}edited {}", message_line(message)),
        Event::MessageDeleted { id, .. } => format!("{room}deleted #{id}"),
        Event::ReactionsChanged { id, reactions, .. } => format!(
            "{room}reactions on #{id}: {}",
            reactions
                .iter()
                .map(|(k, v)| format!("{k}×{}", v.count))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Event::RoomInfoChanged { info, .. } => format!(
            "{room}room info: {} (info_updates {})",
            info.name, info.info_updates
        ),
        Event::PinsChanged { pinned, .. } => format!(
            "{room}pinned: {:?}",
            pinned.iter().map(|p| p.id).collect::<Vec<_>>()
        ),
        Event::DirectMessage(d) => format!(
            "DM from {}: {}",
            short(&d.sender.to_string()),
            d.text().unwrap_or("<undecodable>")
        ),
        Event::DirectMessageSent(d) => format!(
            "DM to {}: {}",
            short(&d.recipient.to_string()),
            d.text().unwrap_or("<undecodable>")
        ),
        Event::MalformedRow { id, reason, .. } => format!("{room}malformed row {id:?}: {reason}"),
        Event::Error { error, .. } => format!("{room}error: {error}"),
        _ => format!("{room}event"),
    }
}

/// Streams events until interrupted.
pub fn watch(a: WatchArgs) -> anyhow::Result<()> {
    let (server, room) = a.common.server.resolve_room()?;
    let c = Arc::new(client(
        server,
        &a.common.network,
        &a.common.mnemonic,
        false,
    )?);
    let config = PollerConfig {
        interval: std::time::Duration::from_secs(a.interval),
        ..PollerConfig::default()
    };
    let mut poller = Poller::new(config);
    poller.add_room(room);
    block_on(async move {
        let mut events = session_sogs::poller::stream(c, poller);
        while let Some(e) = events.next().await {
            if a.json {
                println!("{}", event_json(&e));
            } else {
                println!("{}", event_line(&e));
            }
        }
    })
}
