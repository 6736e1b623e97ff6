//! [`SnodeNetwork`]: the async driver that puts the sans-I/O pieces together: seed bootstrap
//! and pool refresh, guard testing and path building, sending onion requests with the
//! failure policy of network.md §2, snode RPC with clock and swarm corrections (§4.3–4.4),
//! swarm lookup (§5.1) and ONS (§6.2).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

mod accounts;

use crate::clock::{NetworkClock, local_now_ms};
use crate::danger;
use crate::onion::{
    self, Destination, EncType, OnionError, OnionReply, PathErrorKind, ServerDestination,
    SnodeReply, V4Request, V4Response,
};
use crate::rpc::{self, RpcRequest};
use crate::snode::{
    MemoryStore, OnionPath, PathConfig, PathManager, SeedConfig, Snode, SnodeError, SnodePool,
    SnodeStore,
};
use crate::transport::{DirectTransport, HttpRequest, Transport};

/// Nodes that three snodes must agree on before their list replaces the pool (SD
/// `requiredSnodesForAgreement`).
pub const REQUIRED_FOR_AGREEMENT: usize = 24;

/// How to reach and use the network.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NetworkConfig {
    /// Where the snode list comes from.
    pub seeds: SeedConfig,
    /// Path shape.
    pub paths: PathConfig,
    /// The onion cipher (XChaCha20 by default, as libsession; replies fall back to GCM).
    pub enc_type: EncType,
    /// Timeout of one onion request or direct snode call (SD: 10 s for snode RPC).
    pub request_timeout: Duration,
    /// Attempts per request over different paths or swarm members (bounded retries).
    pub attempts: usize,
    /// Rounds of guard testing before giving up (SD: about 6).
    pub guard_rounds: usize,
}

impl NetworkConfig {
    /// Mainnet: the pinned seeds, 2 paths of 3 hops.
    pub fn mainnet() -> Self {
        Self::with_seeds(SeedConfig::mainnet())
    }

    /// Custom seeds (a local network) with the default path shape.
    pub fn with_seeds(seeds: SeedConfig) -> Self {
        Self {
            seeds,
            paths: PathConfig::default(),
            enc_type: EncType::XChaCha20,
            request_timeout: Duration::from_secs(10),
            attempts: 3,
            guard_rounds: 6,
        }
    }

    /// The same config with another path shape.
    #[must_use]
    pub fn paths(mut self, paths: PathConfig) -> Self {
        self.paths = paths;
        self
    }

    /// The same config with another cipher.
    #[must_use]
    pub fn enc_type(mut self, enc: EncType) -> Self {
        self.enc_type = enc;
        self
    }

    /// The same config with another request timeout.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

#[derive(Debug)]
struct State {
    pool: SnodePool,
    paths: PathManager,
}

/// A client of the Session network.
///
/// Cheap to share (`Arc<SnodeNetwork>`); all methods take `&self`. Every loop is bounded by
/// [`NetworkConfig::attempts`] or [`NetworkConfig::guard_rounds`].
#[derive(Debug)]
pub struct SnodeNetwork {
    config: NetworkConfig,
    snode_transport: Arc<dyn Transport>,
    seed_transport: Arc<dyn Transport>,
    store: Arc<dyn SnodeStore>,
    state: Mutex<State>,
    clock: NetworkClock,
}

/// What [`SnodeNetwork::send_onion`] does after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Give up: another path would fail the same way.
    Stop,
    /// Try again; `paths_changed` when the failure dropped or repaired paths.
    Retry { paths_changed: bool },
}

/// What [`SnodeNetwork::send_onion`] delivered: the reply and the path it used.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The destination's reply.
    pub reply: OnionReply,
    /// The path the request went through.
    pub path: OnionPath,
}

impl SnodeNetwork {
    /// A network client with an in-memory store. Snodes are reached over HTTPS with the
    /// [`danger::snode_tls_config`] verifier; seeds with [`SeedConfig::transport`].
    pub fn new(config: NetworkConfig) -> Result<Self, SnodeError> {
        Self::with_store(config, Arc::new(MemoryStore::default()))
    }

    /// Like [`SnodeNetwork::new`], persisting the pool, guards and swarms in `store` (e.g. a
    /// [`crate::snode::JsonFileStore`]).
    pub fn with_store(
        config: NetworkConfig,
        store: Arc<dyn SnodeStore>,
    ) -> Result<Self, SnodeError> {
        let snode_transport = DirectTransport::builder()
            .tls_config(danger::snode_tls_config())
            .timeout(config.request_timeout)
            .build()?;
        let seed_transport = config.seeds.transport()?;
        Ok(Self::with_parts(
            config,
            Arc::new(snode_transport),
            Arc::new(seed_transport),
            store,
        ))
    }

    /// A network client from explicit parts (custom transports, e.g. through SOCKS5, and a
    /// persistent store). The stored pool is loaded now.
    pub fn with_parts(
        config: NetworkConfig,
        snode_transport: Arc<dyn Transport>,
        seed_transport: Arc<dyn Transport>,
        store: Arc<dyn SnodeStore>,
    ) -> Self {
        let mut pool = SnodePool::new();
        pool.restore(store.load_pool());
        let paths = PathManager::new(config.paths);
        Self {
            config,
            snode_transport,
            seed_transport,
            store,
            state: Mutex::new(State { pool, paths }),
            clock: NetworkClock::new(),
        }
    }

    /// The network clock (offset learned from snode replies).
    pub fn clock(&self) -> &NetworkClock {
        &self.clock
    }

    /// The configuration.
    pub fn config(&self) -> &NetworkConfig {
        &self.config
    }

    /// A copy of the current pool.
    pub async fn pool(&self) -> SnodePool {
        self.state.lock().await.pool.clone()
    }

    /// Makes sure the pool is usable: refetches from the seeds when it is too small or
    /// older than an hour.
    pub async fn bootstrap(&self) -> Result<(), SnodeError> {
        let mut state = self.state.lock().await;
        self.ensure_pool(&mut state).await
    }

    async fn ensure_pool(&self, state: &mut State) -> Result<(), SnodeError> {
        let now = Instant::now();
        if !state.pool.is_insufficient(0) && !state.pool.needs_refresh(now) {
            return Ok(());
        }
        match self.config.seeds.fetch(self.seed_transport.as_ref()).await {
            Ok(nodes) => {
                state.pool.replace(nodes, now);
                self.store.save_pool(state.pool.nodes());
                Ok(())
            }
            // A stale but sufficient pool is still usable when the seeds are down.
            Err(e) if !state.pool.is_insufficient(0) => {
                tracing::warn!(error = %e, "seed refresh failed; keeping the old pool");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Refreshes the pool from the snodes themselves (network.md §1.2): three random pool
    /// snodes are asked for the node list (`oxend_request get_service_nodes`) and the pool is
    /// replaced by the nodes all three agree on, if at least [`REQUIRED_FOR_AGREEMENT`] do.
    /// Otherwise the seeds are asked. Returns the new pool size.
    pub async fn refresh_pool(&self) -> Result<usize, SnodeError> {
        let mut lists: Vec<Vec<Snode>> = Vec::new();
        let mut used = Vec::new();
        for _ in 0..3 {
            let Ok(snode) = self.random_snode_excluding(&used).await else {
                break;
            };
            used.push(snode.ed25519);
            match self.rpc(&snode, &|_| RpcRequest::get_service_nodes()).await {
                Ok(value) => {
                    match crate::snode::parse_service_nodes(value.to_string().as_bytes(), None) {
                        Ok(list) => lists.push(list),
                        Err(e) => tracing::debug!(error = %e, "bad node list from a snode"),
                    }
                }
                Err(e) => tracing::debug!(error = %e, "node list request failed"),
            }
        }
        let agreed: Vec<Snode> = match lists.split_first() {
            Some((first, rest)) if rest.len() == 2 => first
                .iter()
                .filter(|n| {
                    rest.iter().all(|l| {
                        l.iter()
                            .any(|m| m.ip == n.ip && m.port == n.port && m.ed25519 == n.ed25519)
                    })
                })
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let mut state = self.state.lock().await;
        if agreed.len() >= REQUIRED_FOR_AGREEMENT {
            state.pool.replace(agreed, Instant::now());
        } else {
            tracing::debug!(
                agreed = agreed.len(),
                "no snode consensus; asking the seeds"
            );
            let nodes = self
                .config
                .seeds
                .fetch(self.seed_transport.as_ref())
                .await?;
            state.pool.replace(nodes, Instant::now());
        }
        self.store.save_pool(state.pool.nodes());
        Ok(state.pool.len())
    }

    async fn random_snode_excluding(&self, exclude: &[[u8; 32]]) -> Result<Snode, SnodeError> {
        let mut state = self.state.lock().await;
        self.ensure_pool(&mut state).await?;
        state
            .pool
            .random(exclude)
            .ok_or(SnodeError::InsufficientSnodes {
                reason: "pool exhausted".into(),
            })
    }

    /// The current paths, building them first if needed.
    pub async fn paths(&self) -> Result<Vec<OnionPath>, SnodeError> {
        let mut state = self.state.lock().await;
        self.ensure_paths(&mut state).await?;
        Ok(state.paths.paths().to_vec())
    }

    async fn ensure_paths(&self, state: &mut State) -> Result<(), SnodeError> {
        self.ensure_pool(state).await?;
        if !state.paths.needs_paths() {
            return Ok(());
        }
        let saved = self.store.load_guards();
        let mut tested: Vec<[u8; 32]> = Vec::new();
        for _ in 0..self.config.guard_rounds {
            let missing = state.paths.missing_paths();
            if missing == 0 {
                break;
            }
            let candidates: Vec<Snode> = state
                .paths
                .guard_candidates(&state.pool, &saved, state.pool.len())
                .into_iter()
                .filter(|c| !tested.contains(&c.ed25519))
                .take(missing)
                .collect();
            if candidates.is_empty() {
                break;
            }
            tested.extend(candidates.iter().map(|c| c.ed25519));
            let checks = candidates.iter().map(|c| self.guard_reachable(c));
            let results = futures_util::future::join_all(checks).await;
            let good: Vec<Snode> = candidates
                .into_iter()
                .zip(results)
                .filter_map(|(c, ok)| ok.then_some(c))
                .collect();
            if !good.is_empty() {
                state.paths.build(&state.pool, &good)?;
            }
        }
        if state.paths.paths().is_empty() {
            return Err(SnodeError::InsufficientSnodes {
                reason: "no reachable guard".into(),
            });
        }
        self.store.save_guards(&state.paths.guards());
        Ok(())
    }

    /// The guard test (network.md §2): a direct `get_swarm` for a random account; any 2xx
    /// passes. The account is random so the test does not reveal ours.
    async fn guard_reachable(&self, snode: &Snode) -> bool {
        let mut account = [0u8; 33];
        account[0] = 0x05;
        if getrandom::fill(&mut account[1..]).is_err() {
            return false;
        }
        let Ok(url) = snode.url("/storage_rpc/v1") else {
            return false;
        };
        let mut body = serde_json::json!({"jsonrpc": "2.0"});
        let req = RpcRequest::get_swarm(&account);
        body["method"] = Value::String(req.method);
        body["params"] = req.params;
        let request = HttpRequest::post(url, body.to_string())
            .with_header(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            )
            .with_timeout(self.config.request_timeout);
        matches!(self.snode_transport.send(request).await, Ok(r) if r.is_success())
    }

    /// Sends an onion request to `destination` and opens the reply, applying the failure
    /// policy: path strikes on unattributed failures, immediate removal on `Next node not
    /// found`, no penalty for a server that is down; up to [`NetworkConfig::attempts`]
    /// attempts over fresh path choices.
    ///
    /// Two guarantees on top of the budget (both bounded):
    /// - a failure that drops or repairs the paths (a third strike, a missing node) is
    ///   always followed by an attempt on the new paths, with **one** attempt over the
    ///   budget if needed: a dead guard costs a request a rebuild, never its answer;
    /// - a snode destination that is on every path is reached through a detour
    ///   ([`PathManager::detour`](crate::snode::PathManager::detour)), or through a one-off
    ///   path from a newly tested guard when it guards every path, whenever the pool allows.
    pub async fn send_onion(
        &self,
        destination: &Destination,
        payload: &[u8],
    ) -> Result<Delivered, SnodeError> {
        let avoid = match destination {
            Destination::Snode(keys) => Some(keys.ed25519),
            Destination::Server(_) => None,
        };
        let mut last = SnodeError::InsufficientSnodes {
            reason: "no attempt made".into(),
        };
        let mut budget = self.config.attempts.max(1);
        let mut extra_granted = false;
        let mut attempt = 0;
        while attempt < budget {
            attempt += 1;
            let path = {
                let mut state = self.state.lock().await;
                self.ensure_paths(&mut state).await?;
                match state.paths.pick(avoid.as_ref()) {
                    Some(p) => p,
                    None => match &avoid {
                        Some(dest) => self.detour(&mut state, dest).await?,
                        None => {
                            return Err(SnodeError::InsufficientSnodes {
                                reason: "no path".into(),
                            });
                        }
                    },
                }
            };
            match self.try_path(&path, destination, payload).await {
                Ok(reply) => return Ok(Delivered { reply, path }),
                Err(e) => {
                    let verdict = self.account_failure(&path, &e).await;
                    last = e;
                    match verdict {
                        Verdict::Stop => break,
                        Verdict::Retry { paths_changed } => {
                            if paths_changed && attempt == budget && !extra_granted {
                                budget += 1;
                                extra_granted = true;
                            }
                        }
                    }
                }
            }
        }
        Err(last)
    }

    /// A path to the snode `avoid` when every kept path contains it: a kept path with `avoid`
    /// replaced, else (every path's guard is `avoid`) a one-off path from a newly tested
    /// guard; bounded by [`NetworkConfig::guard_rounds`].
    async fn detour(&self, state: &mut State, avoid: &[u8; 32]) -> Result<OnionPath, SnodeError> {
        if let Some(path) = state.paths.detour(&state.pool, avoid) {
            tracing::debug!("every path contains the destination; using a detour");
            return Ok(path);
        }
        let mut tested = vec![*avoid];
        for _ in 0..self.config.guard_rounds {
            let Some(guard) = state
                .paths
                .guard_candidates(&state.pool, &[], state.pool.len())
                .into_iter()
                .find(|c| !tested.contains(&c.ed25519))
            else {
                break;
            };
            tested.push(guard.ed25519);
            if self.guard_reachable(&guard).await
                && let Some(path) = state.paths.detour_from(&state.pool, &guard, avoid)
            {
                tracing::debug!("every guard is the destination; using a one-off path");
                return Ok(path);
            }
        }
        Err(SnodeError::InsufficientSnodes {
            reason: "every path contains the destination and no path around it can be built".into(),
        })
    }

    async fn try_path(
        &self,
        path: &OnionPath,
        destination: &Destination,
        payload: &[u8],
    ) -> Result<OnionReply, SnodeError> {
        let guard = path.guard().ok_or(SnodeError::InsufficientSnodes {
            reason: "empty path".into(),
        })?;
        let built = onion::build(&path.hop_keys(), destination, payload, self.config.enc_type)?;
        let request = HttpRequest::post(guard.url("/onion_req/v2")?, built.body)
            .with_timeout(self.config.request_timeout);
        let response = self.snode_transport.send(request).await?;
        Ok(built.reply.open(response.status.as_u16(), &response.body)?)
    }

    /// Records a failure; says whether another attempt makes sense and whether the paths
    /// changed (so that a retry would use a fresh one).
    async fn account_failure(&self, path: &OnionPath, error: &SnodeError) -> Verdict {
        let mut state = self.state.lock().await;
        let State { pool, paths } = &mut *state;
        let before = paths.paths().to_vec();
        match error {
            SnodeError::Onion(OnionError::Path {
                kind: PathErrorKind::NodeNotFound { ed25519 },
                ..
            }) => {
                tracing::debug!(node = %hex::encode(ed25519), "next node not found; dropped");
                paths.report_node_not_found(ed25519, pool);
            }
            // The destination server is down or oxend had trouble: not the path's fault.
            SnodeError::Onion(OnionError::Path {
                kind: PathErrorKind::BadGateway | PathErrorKind::OxenServerError,
                ..
            }) => return Verdict::Stop,
            SnodeError::Onion(e) if e.is_path_failure() => {
                paths.report_failure(path, pool);
            }
            SnodeError::Transport(e) if e.is_retryable() => {
                let outcome = paths.report_failure(path, pool);
                tracing::debug!(?outcome, error = %e, "path failure");
            }
            _ => return Verdict::Stop,
        }
        Verdict::Retry {
            paths_changed: paths.paths() != before.as_slice(),
        }
    }

    /// Runs an RPC on `snode` through the onion and returns its JSON body, mapping non-2xx
    /// statuses to [`SnodeError`] variants. On a clock error (406/425) it asks the snode's
    /// time, corrects the clock and retries once with a request rebuilt for the corrected
    /// time. Node times in replies update the clock.
    pub async fn rpc(
        &self,
        snode: &Snode,
        make: &(dyn Fn(u64) -> RpcRequest + Sync),
    ) -> Result<Value, SnodeError> {
        match self.rpc_once(snode, &make(self.clock.now_ms())).await {
            Err(SnodeError::ClockSkew { status, .. }) => {
                let info = self.rpc_once(snode, &RpcRequest::info()).await?;
                let node_time = rpc::node_time(&info);
                if let Some(t) = node_time {
                    self.clock.record(local_now_ms(), t);
                }
                match self.rpc_once(snode, &make(self.clock.now_ms())).await {
                    Err(SnodeError::ClockSkew { .. }) => Err(SnodeError::ClockSkew {
                        status,
                        node_time_ms: node_time,
                    }),
                    other => other,
                }
            }
            other => other,
        }
    }

    async fn rpc_once(&self, snode: &Snode, request: &RpcRequest) -> Result<Value, SnodeError> {
        let delivered = self
            .send_onion(&Destination::Snode(snode.hop_keys()), &request.to_bytes())
            .await?;
        let OnionReply::Snode(reply) = delivered.reply else {
            return Err(SnodeError::Decode {
                what: "snode reply",
                reason: "server-shaped reply".into(),
            });
        };
        self.rpc_body(reply)
    }

    fn rpc_body(&self, reply: SnodeReply) -> Result<Value, SnodeError> {
        if !reply.is_success() {
            return Err(SnodeError::from_status(reply.status, &reply.body));
        }
        let value = reply.json()?;
        if let Some(t) = rpc::node_time(&value) {
            self.clock.record(local_now_ms(), t);
        }
        if let Some(results) = value.get("results").and_then(Value::as_array) {
            for body in results.iter().filter_map(|r| r.get("body")) {
                if let Some(t) = rpc::node_time(body) {
                    self.clock.record(local_now_ms(), t);
                }
            }
        }
        match rpc::batch_failure(&value) {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    async fn random_snode(&self) -> Result<Snode, SnodeError> {
        let mut state = self.state.lock().await;
        self.ensure_pool(&mut state).await?;
        state
            .pool
            .random(&[])
            .ok_or(SnodeError::InsufficientSnodes {
                reason: "empty pool".into(),
            })
    }

    /// Sends a v4 request to a server through the onion.
    pub async fn server_request(
        &self,
        server: &ServerDestination,
        request: &V4Request,
    ) -> Result<(V4Response, OnionPath), SnodeError> {
        let delivered = self
            .send_onion(&Destination::Server(server.clone()), &request.encode())
            .await?;
        match delivered.reply {
            OnionReply::Server(response) => Ok((response, delivered.path)),
            OnionReply::Snode(_) => Err(SnodeError::Decode {
                what: "server reply",
                reason: "snode-shaped reply".into(),
            }),
        }
    }
}
