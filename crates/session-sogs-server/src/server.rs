//! The server as a product: open a database, serve HTTP with axum on tokio, run the
//! maintenance thread, shut down cleanly.
//!
//! Each request is read whole (up to `[net] max_body_bytes`, else 413), then handled on the
//! blocking thread pool: handlers do synchronous SQLite work and signature checks, and a
//! panicking handler becomes a 500 for that request only.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use session_crypto::ServerPubkey;

use crate::app::App;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{self, Auth, request::Request, response::Response};
use crate::maintenance;

/// How often buffered nonces and activity are written.
const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// How often the cleanup job runs (the reference: 10 s).
const CLEANUP_EVERY: Duration = Duration::from_secs(10);
/// Requests handled at once per CPU core. Handlers are CPU-bound (signature checks, SQLite)
/// so more threads than this only add context switches; further requests wait their turn.
const WORKERS_PER_CORE: usize = 4;

/// An opened server: database migrated, key loaded. [`Server::bind`] starts serving.
///
/// ```no_run
/// # async fn demo() -> Result<(), session_sogs_server::Error> {
/// use session_sogs_server::{Config, RoomPermissions, Server};
/// let server = Server::open("sogs.db", Config::default())?;
/// server.add_room("lobby", Some("Lobby"), None, RoomPermissions::default())?;
/// let running = server.bind().await?;
/// println!("{}", running.join_link("lobby"));
/// running.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Server {
    app: Arc<App>,
}

impl Server {
    /// Opens (creating and migrating) the database at `db_path` and loads or creates the
    /// server key (in the database, or in `[db] key_file`).
    pub fn open(db_path: impl AsRef<Path>, config: Config) -> Result<Self> {
        Ok(Self {
            app: Arc::new(App::open(config, db_path.as_ref())?),
        })
    }

    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    /// The server's X25519 public key: the `public_key` of join links.
    pub fn public_key(&self) -> ServerPubkey {
        self.app.server
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.app.config
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        self.app.db.path()
    }

    /// Binds `[net] bind:port` and starts serving in the background.
    pub async fn bind(self) -> Result<RunningServer> {
        let addr = SocketAddr::new(self.app.config.net.bind, self.app.config.net.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let state = Shared {
            app: self.app.clone(),
            workers: Arc::new(tokio::sync::Semaphore::new(WORKERS_PER_CORE * cores)),
        };
        let router = axum::Router::new()
            .fallback(serve_request)
            .with_state(state);
        let serve = tokio::spawn(async move {
            let shutdown = async {
                let _ = stop_rx.await;
            };
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
        });
        let maintenance = Maintenance::start(self.app.clone());
        Ok(RunningServer {
            server: self,
            addr: local,
            stop: Some(stop_tx),
            serve: Some(serve),
            maintenance: Some(maintenance),
        })
    }

    /// Binds and serves until `shutdown` completes (e.g. Ctrl-C), then stops cleanly.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> Result<()> {
        let running = self.bind().await?;
        shutdown.await;
        running.shutdown().await;
        Ok(())
    }

    /// The join link of a room: `BASE/TOKEN?public_key=HEX` (spec/sogs-api.md §3).
    pub fn join_link(&self, token: &str, port: u16) -> String {
        format!(
            "{}/{token}?public_key={}",
            self.app.config.base_url(port),
            self.app.server
        )
    }

    /// Writes buffered bookkeeping and runs the cleanup job now (the maintenance thread does
    /// this every 10 s while serving).
    pub fn run_maintenance(&self) -> Result<()> {
        Ok(maintenance::cleanup(&self.app)?)
    }
}

/// A server accepting connections. Dropping it stops accepting; [`RunningServer::shutdown`]
/// also waits for in-flight requests and writes buffered state.
#[derive(Debug)]
pub struct RunningServer {
    server: Server,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    serve: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    maintenance: Option<Maintenance>,
}

impl RunningServer {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The opened server (for operator commands while serving).
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The base URL clients should use, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        self.server.app.config.base_url(self.addr.port())
    }

    /// The join link of a room on this server.
    pub fn join_link(&self, token: &str) -> String {
        self.server.join_link(token, self.addr.port())
    }

    /// Stops accepting, waits for in-flight requests, then flushes buffered state.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.serve.take() {
            let _ = task.await;
        }
        if let Some(m) = self.maintenance.take() {
            let _ = tokio::task::spawn_blocking(move || m.stop()).await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(m) = self.maintenance.take() {
            m.signal();
        }
    }
}

/// The maintenance thread: flushes buffers every 250 ms and runs cleanup every 10 s.
#[derive(Debug)]
struct Maintenance {
    stop: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Maintenance {
    fn start(app: Arc<App>) -> Self {
        let (stop, rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let mut last_cleanup = Instant::now();
            loop {
                let stopping = !matches!(
                    rx.recv_timeout(FLUSH_EVERY),
                    Err(mpsc::RecvTimeoutError::Timeout)
                );
                if let Err(e) = maintenance::flush(&app) {
                    tracing::warn!("flushing buffered state failed: {e}");
                }
                if stopping {
                    break;
                }
                if last_cleanup.elapsed() >= CLEANUP_EVERY {
                    last_cleanup = Instant::now();
                    if let Err(e) = maintenance::cleanup(&app) {
                        tracing::warn!("periodic cleanup failed: {e}");
                    }
                }
            }
        });
        Self { stop, thread }
    }

    /// Asks the thread to flush and exit, without waiting.
    fn signal(self) {
        let _ = self.stop.send(());
    }

    /// Asks the thread to flush and exit, and waits for it.
    fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

/// What the axum handler shares: the server and the permits bounding concurrent handlers.
#[derive(Clone)]
struct Shared {
    app: Arc<App>,
    workers: Arc<tokio::sync::Semaphore>,
}

/// The one axum handler: every request goes through `http::handle`.
async fn serve_request(
    State(Shared { app, workers }): State<Shared>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, app.config.net.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => return to_axum(Response::html_error(413), false),
    };
    let head = parts.method == axum::http::Method::HEAD;
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let request = Request::from_http(parts.method.as_str(), &target, headers, body.to_vec());
    // The semaphore is never closed, so acquiring only waits for a free worker.
    let _permit = workers.acquire_owned().await.ok();
    let response =
        tokio::task::spawn_blocking(move || http::handle(&app, &request, Auth::Headers, 0))
            .await
            .unwrap_or_else(|e| {
                tracing::error!("request handler panicked: {e}");
                Response::html_error(500)
            });
    to_axum(response, head)
}

fn to_axum(r: Response, head: bool) -> axum::response::Response {
    let mut builder = axum::http::Response::builder().status(r.status);
    if let Some(ct) = r.content_type {
        builder = builder.header(axum::http::header::CONTENT_TYPE, ct);
    }
    for (k, v) in &r.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let body = if head {
        Body::empty()
    } else {
        Body::from(r.body)
    };
    builder.body(body).unwrap_or_else(|_| {
        // Only an invalid header value (never produced here) can fail the builder.
        let mut fallback = axum::http::Response::new(Body::empty());
        *fallback.status_mut() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}
