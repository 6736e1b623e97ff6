//! The operator commands, shared by the `session-sogs-server` binary and `session sogs …`:
//!
//! - `serve --db FILE [--bind 127.0.0.1] [--port N] [--config FILE] …` — serves until
//!   interrupted; prints the server key and each room's join link at start.
//! - `key --db FILE` — prints the server's public key (hex) alone on one line, creating the
//!   key if there is none yet.
//! - `room add TOKEN --db FILE [--name NAME] [--description TEXT] [--perms LETTERS]`,
//!   `room list --db FILE [--json]`, `room delete TOKEN --db FILE`.
//! - `mod add|remove ID --db FILE (--room TOKEN | --global) [--admin] [--hidden]`.
//!
//! Output formats here are contracts for scripts: keep them stable.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::admin::{ModScope, RoomPermissions};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::server::Server;

/// Where the database (and optionally the key and a configuration file) live.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// The SQLite database file (created if missing).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// A TOML configuration file (see the crate docs for its sections).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Keep the server key in this file (mode 0600) instead of the database.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

impl DbArgs {
    fn config(&self) -> Result<Config> {
        let mut c = match &self.config {
            Some(p) => Config::from_file(p)?,
            None => Config::default(),
        };
        if let Some(k) = &self.key_file {
            c.db.key_file = Some(k.clone());
        }
        Ok(c)
    }

    fn open(&self) -> Result<Server> {
        Server::open(&self.db, self.config()?)
    }
}

/// `serve`: run the server until interrupted.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Database, configuration file and key file.
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, value_name = "IP")]
    pub bind: Option<IpAddr>,
    /// Port to listen on (default 8080; 0 picks a free one).
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Public base URL for join links (default http://BIND:PORT).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Accept unblinded (00) keys; `blind` is then not advertised.
    #[arg(long)]
    pub allow_unblinded: bool,
    /// Accept blind25 (25) keys and advertise `blind25`.
    #[arg(long)]
    pub blind25: bool,
}

/// `key`: print the server's public key.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// Database, configuration file and key file.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `room …`
#[derive(Debug, Clone, Subcommand)]
pub enum RoomCommand {
    /// Create a room.
    Add(RoomAddArgs),
    /// List rooms.
    List(RoomListArgs),
    /// Delete a room and everything in it.
    Delete(RoomDeleteArgs),
}

/// `room add TOKEN`
#[derive(Debug, Clone, Args)]
pub struct RoomAddArgs {
    /// Room token: 1-64 of A-Z a-z 0-9 _ -.
    pub token: String,
    /// Database, configuration file and key file.
    #[command(flatten)]
    pub db: DbArgs,
    /// Display name (default: the token).
    #[arg(long)]
    pub name: Option<String>,
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
    /// Default permissions: r read, w write, u upload, a accessible.
    #[arg(long, value_name = "LETTERS", default_value = "rwua")]
    pub perms: String,
}

/// `room list`
#[derive(Debug, Clone, Args)]
pub struct RoomListArgs {
    /// Database, configuration file and key file.
    #[command(flatten)]
    pub db: DbArgs,
    /// One JSON array instead of one line per room.
    #[arg(long)]
    pub json: bool,
}

/// `room delete TOKEN`
#[derive(Debug, Clone, Args)]
pub struct RoomDeleteArgs {
    /// The room to delete.
    pub token: String,
    /// Database, configuration file and key file.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `mod …`
#[derive(Debug, Clone, Subcommand)]
pub enum ModCommand {
    /// Make ID a moderator (or admin) of a room or of every room.
    Add(ModArgs),
    /// Remove ID's moderator status (with --admin: only the admin status).
    Remove(ModArgs),
}

/// `mod add|remove ID`
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["room", "global"])))]
pub struct ModArgs {
    /// Session ID (05…) or blinded id (15…/25…).
    pub id: String,
    /// Database, configuration file and key file.
    #[command(flatten)]
    pub db: DbArgs,
    /// The room.
    #[arg(long, value_name = "TOKEN")]
    pub room: Option<String>,
    /// Every room (global moderator).
    #[arg(long)]
    pub global: bool,
    /// Admin rather than moderator.
    #[arg(long)]
    pub admin: bool,
    /// Not listed publicly.
    #[arg(long)]
    pub hidden: bool,
}

impl ModArgs {
    fn scope(&self) -> ModScope {
        match &self.room {
            Some(r) if !self.global => ModScope::Room(r.clone()),
            _ => ModScope::Global,
        }
    }
}

/// Runs `serve`: prints `public key: HEX` and one `TOKEN: JOIN_LINK` line per room on
/// stdout, then serves until Ctrl-C or SIGTERM.
pub fn serve(args: ServeArgs) -> Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let mut config = args.db.config()?;
    if let Some(b) = args.bind {
        config.net.bind = b;
    }
    if let Some(p) = args.port {
        config.net.port = p;
    }
    if let Some(u) = args.base_url {
        config.net.base_url = Some(u);
    }
    if args.allow_unblinded {
        config.users.require_blind_keys = false;
    }
    if args.blind25 {
        config.users.blind25 = true;
    }
    let server = Server::open(&args.db.db, config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            what: "cannot start the async runtime",
            path: PathBuf::new(),
            source,
        })?;
    runtime.block_on(async move {
        let rooms = server.rooms()?;
        let running = server.bind().await?;
        println!("listening on http://{}", running.local_addr());
        println!("public key: {}", running.server().public_key());
        if rooms.is_empty() {
            println!("no rooms yet: add one with `room add TOKEN --db FILE`");
        }
        for r in &rooms {
            println!("{}: {}", r.token, running.join_link(&r.token));
        }
        tracing::info!("serving {} room(s) on {}", rooms.len(), running.url());
        shutdown_signal().await;
        tracing::info!("shutting down");
        running.shutdown().await;
        Ok(())
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs `key`: the public key, hex, alone on one line.
pub fn key(args: KeyArgs) -> Result<()> {
    let server = args.db.open()?;
    println!("{}", server.public_key());
    Ok(())
}

/// Runs `room …`.
pub fn room(cmd: RoomCommand) -> Result<()> {
    match cmd {
        RoomCommand::Add(a) => {
            let perms: RoomPermissions = a.perms.parse()?;
            let server = a.db.open()?;
            let r =
                server.add_room(&a.token, a.name.as_deref(), a.description.as_deref(), perms)?;
            println!(
                "added room {} ({}) perms={}",
                r.token, r.name, r.permissions
            );
        }
        RoomCommand::List(a) => {
            let rooms = a.db.open()?.rooms()?;
            if a.json {
                let v = serde_json::to_string(&rooms).map_err(|e| Error::Config(e.to_string()))?;
                println!("{v}");
            } else {
                for r in rooms {
                    println!(
                        "{}\t{}\tperms={}\tmessages={}\tactive_users={}",
                        r.token, r.name, r.permissions, r.messages, r.active_users
                    );
                }
            }
        }
        RoomCommand::Delete(a) => {
            a.db.open()?.delete_room(&a.token)?;
            println!("deleted room {}", a.token);
        }
    }
    Ok(())
}

/// Runs `mod …`.
pub fn moderator(cmd: ModCommand) -> Result<()> {
    match cmd {
        ModCommand::Add(a) => {
            let scope = a.scope();
            a.db.open()?
                .add_moderator(&a.id, &scope, a.admin, !a.hidden)?;
            let role = match (a.hidden, a.admin) {
                (false, false) => "a moderator",
                (false, true) => "an admin",
                (true, false) => "a hidden moderator",
                (true, true) => "a hidden admin",
            };
            println!("{} is now {role} of {}", a.id, scope_name(&scope));
        }
        ModCommand::Remove(a) => {
            let scope = a.scope();
            a.db.open()?.remove_moderator(&a.id, &scope, a.admin)?;
            println!(
                "{} is no longer {} of {}",
                a.id,
                if a.admin { "an admin" } else { "a moderator" },
                scope_name(&scope)
            );
        }
    }
    Ok(())
}

fn scope_name(s: &ModScope) -> String {
    match s {
        ModScope::Room(r) => format!("room {r}"),
        ModScope::Global => "every room (global)".into(),
    }
}
