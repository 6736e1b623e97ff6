//! [`Testnet`]: starting, steering and stopping the local network.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use session_net::danger::{self, CertPin};
use session_net::snode::SeedConfig;
use session_net::{DirectTransport, NetworkConfig};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use crate::cert;
use crate::clock::NetClock;
use crate::error::TestnetError;
use crate::fault::{Fault, SplitMix64};
use crate::network::{Network, Settings};
use crate::node::{Node, NodeStats, SnodeInfo};
use crate::rpc;
use crate::server::{Role, spawn_listener};

/// The default number of snodes (issue 7 §3).
pub const DEFAULT_SNODES: usize = 12;

/// Which snodes a control call acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// Every snode.
    All,
    /// The snode at this position of [`Testnet::snodes`].
    Index(usize),
    /// The snode with this Ed25519 key.
    Ed25519([u8; 32]),
}

impl From<usize> for Target {
    fn from(i: usize) -> Self {
        Self::Index(i)
    }
}

impl From<&SnodeInfo> for Target {
    fn from(s: &SnodeInfo) -> Self {
        Self::Index(s.index)
    }
}

impl From<[u8; 32]> for Target {
    fn from(ed25519: [u8; 32]) -> Self {
        Self::Ed25519(ed25519)
    }
}

impl From<&[u8; 32]> for Target {
    fn from(ed25519: &[u8; 32]) -> Self {
        Self::Ed25519(*ed25519)
    }
}

impl From<&session_net::snode::Snode> for Target {
    fn from(s: &session_net::snode::Snode) -> Self {
        Self::Ed25519(s.ed25519)
    }
}

/// A message as a snode holds it (for tests that inspect storage directly).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredInfo {
    /// Its hash (unpadded base64 of BLAKE2b-256, network.md §4.2).
    pub hash: String,
    /// The store's timestamp (ms).
    pub timestamp_ms: u64,
    /// When it expires (ms).
    pub expiry_ms: u64,
    /// The stored bytes.
    pub data: Vec<u8>,
}

/// Configures a [`Testnet`]. Defaults: 12 snodes in 3 swarms, random keys, a plain-HTTP
/// seed, hop timeout 10 s, proxy timeout 25 s, proxying only to loopback.
#[derive(Debug, Clone)]
#[must_use]
pub struct TestnetBuilder {
    snodes: usize,
    swarms: Option<usize>,
    seed: Option<u64>,
    hop_timeout: Duration,
    proxy_timeout: Duration,
    proxy_any_host: bool,
    seed_tls: bool,
}

impl Default for TestnetBuilder {
    fn default() -> Self {
        Self {
            snodes: DEFAULT_SNODES,
            swarms: None,
            seed: None,
            hop_timeout: Duration::from_secs(10),
            proxy_timeout: Duration::from_secs(25),
            proxy_any_host: false,
            seed_tls: false,
        }
    }
}

impl TestnetBuilder {
    /// How many snodes (1 to 254; each gets `127.0.<i+1>.1`). Paths of 3 hops need at
    /// least 3, and a client's pool is refetched at 8 or fewer (network.md §1.2).
    pub fn snodes(mut self, n: usize) -> Self {
        self.snodes = n;
        self
    }

    /// How many swarms (default: one per 4 snodes). Snode `i` joins swarm `i mod swarms`.
    pub fn swarms(mut self, n: usize) -> Self {
        self.swarms = Some(n);
        self
    }

    /// Derives every snode key and every fault draw from `seed`: the same seed gives the
    /// same network (addresses aside: ports are ephemeral).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// How long a relay waits for the next snode before answering 504.
    pub fn hop_timeout(mut self, timeout: Duration) -> Self {
        self.hop_timeout = timeout;
        self
    }

    /// How long the last snode waits for a server before answering 504.
    pub fn proxy_timeout(mut self, timeout: Duration) -> Self {
        self.proxy_timeout = timeout;
        self
    }

    /// Lets the last hop proxy to servers off loopback. Off by default, so that a test
    /// network never reaches the Internet whatever a client asks.
    pub fn proxy_any_host(mut self, on: bool) -> Self {
        self.proxy_any_host = on;
        self
    }

    /// Serves the seed over HTTPS with a pinned self-signed CA:TRUE certificate (as
    /// mainnet seeds do) instead of plain HTTP; see [`Testnet::seed_pin`].
    pub fn seed_tls(mut self, on: bool) -> Self {
        self.seed_tls = on;
        self
    }

    /// Starts the seed and the snodes on loopback and returns once all are listening.
    pub async fn start(self) -> Result<Testnet, TestnetError> {
        Testnet::start_with(self).await
    }
}

/// A local Session network: a seed node and N snodes on 127.0.0.0/8, in one process.
///
/// Everything runs as tokio tasks of the runtime that started it; [`Testnet::shutdown`] (or
/// dropping the value) stops them. See the crate documentation for an example.
#[derive(Debug)]
pub struct Testnet {
    net: Arc<Network>,
    seed_url: String,
    seed_pin: Option<CertPin>,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

async fn bind(ip: Ipv4Addr) -> Result<TcpListener, TestnetError> {
    let addr = SocketAddr::new(IpAddr::V4(ip), 0);
    TcpListener::bind(addr)
        .await
        .map_err(|source| TestnetError::Bind { addr, source })
}

fn node_seed(rng: &mut Option<SplitMix64>) -> Result<Zeroizing<[u8; 32]>, TestnetError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    match rng {
        Some(r) => r.fill(&mut seed[..]),
        None => getrandom::fill(&mut seed[..]).map_err(|e| TestnetError::Random {
            reason: e.to_string(),
        })?,
    }
    Ok(seed)
}

impl Testnet {
    /// A builder.
    pub fn builder() -> TestnetBuilder {
        TestnetBuilder::default()
    }

    /// Starts the default network (12 snodes, 3 swarms).
    pub async fn start() -> Result<Self, TestnetError> {
        Self::builder().start().await
    }

    async fn start_with(b: TestnetBuilder) -> Result<Self, TestnetError> {
        let invalid = |reason: String| Err(TestnetError::InvalidConfig { reason });
        if b.snodes == 0 || b.snodes > 254 {
            return invalid(format!("{} snodes (need 1 to 254)", b.snodes));
        }
        let swarms = b.swarms.unwrap_or((b.snodes / 4).max(1));
        if swarms == 0 || swarms > b.snodes {
            return invalid(format!("{swarms} swarms for {} snodes", b.snodes));
        }
        // Swarm ids spread over the ring, large enough to exceed 2^53 (as on mainnet).
        let step = u64::MAX / swarms as u64;
        let swarm_ids: Vec<u64> = (0..swarms as u64).map(|k| k * step + step / 2).collect();
        let mut rng = b.seed.map(SplitMix64::new);
        let fault_seed = b.seed.unwrap_or_else(|| {
            let mut r = [0u8; 8];
            let _ = getrandom::fill(&mut r);
            u64::from_le_bytes(r)
        });

        let mut nodes = Vec::with_capacity(b.snodes);
        let mut listeners = Vec::with_capacity(b.snodes);
        for i in 0..b.snodes {
            // i < 254, so i + 1 fits the third octet.
            let ip = Ipv4Addr::new(127, 0, u8::try_from(i + 1).unwrap_or(u8::MAX), 1);
            let listener = bind(ip).await?;
            let port = listener
                .local_addr()
                .map_err(|source| TestnetError::Bind {
                    addr: SocketAddr::new(IpAddr::V4(ip), 0),
                    source,
                })?
                .port();
            let seed = node_seed(&mut rng)?;
            let swarm = swarm_ids.get(i % swarms).copied().unwrap_or(0);
            let node =
                Node::new(i, ip, port, &seed, swarm, fault_seed ^ (i as u64 + 1)).map_err(|e| {
                    TestnetError::InvalidConfig {
                        reason: e.to_string(),
                    }
                })?;
            nodes.push(Arc::new(node));
            listeners.push(listener);
        }

        let transport_err = |e: session_net::TransportError| TestnetError::Transport {
            reason: e.to_string(),
        };
        let relay = DirectTransport::builder()
            .tls_config(danger::snode_tls_config())
            .timeout(b.hop_timeout)
            .build()
            .map_err(transport_err)?;
        let proxy = DirectTransport::builder()
            .timeout(b.proxy_timeout)
            .build()
            .map_err(transport_err)?;
        let net = Arc::new(Network {
            nodes,
            clock: NetClock::default(),
            relay,
            proxy,
            ons: Mutex::new(HashMap::new()),
            settings: Settings {
                hop_timeout: b.hop_timeout,
                proxy_timeout: b.proxy_timeout,
                proxy_any_host: b.proxy_any_host,
                height: 1_500_000,
            },
        });

        let (shutdown, watch_rx) = watch::channel(false);
        let mut tasks = Vec::with_capacity(net.nodes.len() + 1);
        for (node, listener) in net.nodes.iter().zip(listeners) {
            let tls = cert::snode()?.acceptor()?;
            tasks.push(spawn_listener(
                listener,
                Some(tls),
                net.clone(),
                Role::Snode(node.clone()),
                watch_rx.clone(),
            ));
        }
        let seed_ip = Ipv4Addr::LOCALHOST;
        let seed_listener = bind(seed_ip).await?;
        let seed_port = seed_listener
            .local_addr()
            .map_err(|source| TestnetError::Bind {
                addr: SocketAddr::new(IpAddr::V4(seed_ip), 0),
                source,
            })?
            .port();
        let (seed_url, seed_pin, seed_tls) = if b.seed_tls {
            let identity = cert::seed(IpAddr::V4(seed_ip))?;
            let pin = CertPin {
                host: seed_ip.to_string(),
                cert_sha256: identity.sha256(),
            };
            (
                format!("https://{seed_ip}:{seed_port}/"),
                Some(pin),
                Some(identity.acceptor()?),
            )
        } else {
            (format!("http://{seed_ip}:{seed_port}/"), None, None)
        };
        tasks.push(spawn_listener(
            seed_listener,
            seed_tls,
            net.clone(),
            Role::Seed,
            watch_rx,
        ));
        Ok(Self {
            net,
            seed_url,
            seed_pin,
            shutdown,
            tasks: Mutex::new(tasks),
        })
    }

    /// The seed's base URL (`http://127.0.0.1:PORT/`, or `https://` with
    /// [`TestnetBuilder::seed_tls`]); clients POST `json_rpc` under it.
    pub fn seed_url(&self) -> &str {
        &self.seed_url
    }

    /// The pin of the seed's certificate when it serves HTTPS.
    pub fn seed_pin(&self) -> Option<&CertPin> {
        self.seed_pin.as_ref()
    }

    /// The seed configuration for session-net.
    pub fn seed_config(&self) -> SeedConfig {
        let urls = self.seed_url.parse().into_iter().collect();
        SeedConfig::custom(urls, self.seed_pin.iter().cloned().collect())
    }

    /// A session-net configuration using this network's seed (default path shape: 2 paths
    /// of 3 hops in distinct /24s, which the `127.0.<i+1>.1` addresses satisfy).
    pub fn network_config(&self) -> NetworkConfig {
        NetworkConfig::with_seeds(self.seed_config())
    }

    /// Every snode, in index order.
    pub fn snodes(&self) -> Vec<SnodeInfo> {
        self.net.nodes.iter().map(|n| n.info()).collect()
    }

    /// One snode.
    pub fn snode(&self, target: impl Into<Target>) -> Result<SnodeInfo, TestnetError> {
        let target = target.into();
        match self.resolve(target)?.as_slice() {
            [node] => Ok(node.info()),
            _ => Err(TestnetError::UnknownNode {
                target: format!("{target:?} (not a single snode)"),
            }),
        }
    }

    /// The distinct swarm ids in use.
    pub fn swarm_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.net.registered().map(|n| n.swarm_id()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The snodes that store a 33-byte account's messages (the network's own view: a snode
    /// with a 421 fault is not among them).
    pub fn swarm_for(&self, account: &[u8; 33]) -> Vec<SnodeInfo> {
        self.net
            .swarm_members(account)
            .iter()
            .map(|n| n.info())
            .collect()
    }

    fn resolve(&self, target: Target) -> Result<Vec<Arc<Node>>, TestnetError> {
        let found: Vec<Arc<Node>> = match target {
            Target::All => self.net.nodes.clone(),
            Target::Index(i) => self.net.nodes.get(i).cloned().into_iter().collect(),
            Target::Ed25519(ed) => self
                .net
                .nodes
                .iter()
                .filter(|n| n.ed25519() == &ed)
                .cloned()
                .collect(),
        };
        if found.is_empty() {
            return Err(TestnetError::UnknownNode {
                target: match target {
                    Target::Ed25519(ed) => hex::encode(ed),
                    other => format!("{other:?}"),
                },
            });
        }
        Ok(found)
    }

    /// Injects a fault into one snode or all of them, replacing any fault of the same kind
    /// (see [`Fault`] for where each acts).
    pub fn set_fault(&self, target: impl Into<Target>, fault: Fault) -> Result<(), TestnetError> {
        if let Fault::Answer(code) = fault
            && !(100..=599).contains(&code)
        {
            return Err(TestnetError::InvalidFault {
                reason: format!("status {code} is not an HTTP status"),
            });
        }
        for node in self.resolve(target.into())? {
            node.set_fault(fault);
        }
        Ok(())
    }

    /// Removes every fault of one snode or all of them.
    pub fn clear_faults(&self, target: impl Into<Target>) -> Result<(), TestnetError> {
        for node in self.resolve(target.into())? {
            node.clear_faults();
        }
        Ok(())
    }

    /// Takes snodes off the network's list: relays answer `502 Next node not found` for
    /// them and the seed stops listing them (their servers keep running).
    pub fn deregister(&self, target: impl Into<Target>) -> Result<(), TestnetError> {
        for node in self.resolve(target.into())? {
            node.set_registered(false);
        }
        Ok(())
    }

    /// Puts deregistered snodes back on the list.
    pub fn register(&self, target: impl Into<Target>) -> Result<(), TestnetError> {
        for node in self.resolve(target.into())? {
            node.set_registered(true);
        }
        Ok(())
    }

    /// Moves snodes to another swarm (any id; a new id creates a swarm). Clients with a
    /// cached swarm then meet 421 answers carrying the new swarm. Messages stay where they
    /// were stored, as on a real network before its storage rebalances.
    pub fn move_to_swarm(
        &self,
        target: impl Into<Target>,
        swarm_id: u64,
    ) -> Result<(), TestnetError> {
        for node in self.resolve(target.into())? {
            node.set_swarm_id(swarm_id);
        }
        Ok(())
    }

    /// Moves the network's clock forward (TTL expiry without sleeping). Clients sign with
    /// their own clock, so stay within the 60 s signature window or let them learn the
    /// offset from `t`.
    pub fn advance_clock(&self, by: Duration) {
        self.net.clock.advance(by);
    }

    /// The network's time (Unix ms), without any node's skew.
    pub fn network_time_ms(&self) -> u64 {
        self.net.clock.now_ms(0)
    }

    /// Registers an ONS name for `ons_resolve` (network.md §6.2).
    pub fn register_ons(&self, name: &str, session_id: &[u8; 33]) -> Result<(), TestnetError> {
        rpc::register_ons(&self.net, name, session_id)
    }

    /// A snode's counters.
    pub fn stats(&self, target: impl Into<Target>) -> Result<NodeStats, TestnetError> {
        let nodes = self.resolve(target.into())?;
        Ok(nodes.iter().fold(NodeStats::default(), |acc, n| {
            let s = n.stats(self.net.node_time(n));
            NodeStats {
                onion_requests: acc.onion_requests + s.onion_requests,
                relayed: acc.relayed + s.relayed,
                proxied: acc.proxied + s.proxied,
                onion_rpcs: acc.onion_rpcs + s.onion_rpcs,
                direct_rpcs: acc.direct_rpcs + s.direct_rpcs,
                dropped: acc.dropped + s.dropped,
                dropped_replies: acc.dropped_replies + s.dropped_replies,
                corrupted: acc.corrupted + s.corrupted,
                wrong_swarm: acc.wrong_swarm + s.wrong_swarm,
                messages: acc.messages + s.messages,
                duplicate_stores: acc.duplicate_stores + s.duplicate_stores,
            }
        }))
    }

    /// The live messages (by the snode's own clock) a snode holds for an account in a
    /// namespace, in arrival order.
    pub fn messages(
        &self,
        target: impl Into<Target>,
        account: &[u8; 33],
        namespace: i16,
    ) -> Result<Vec<StoredInfo>, TestnetError> {
        let mut out = Vec::new();
        for node in self.resolve(target.into())? {
            // The node's own clock (with its skew) decides what has expired.
            let now = self.net.node_time(&node);
            let (messages, _) = node
                .store()
                .retrieve(account, namespace, "", None, u64::MAX, now);
            out.extend(messages.into_iter().map(|m| StoredInfo {
                hash: m.hash,
                timestamp_ms: m.timestamp_ms,
                expiry_ms: m.expiry_ms,
                data: m.data,
            }));
        }
        Ok(out)
    }

    /// Stops every listener and connection and waits for the listeners to finish.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let tasks = std::mem::take(&mut *crate::node::lock(&self.tasks));
        for task in tasks {
            let _ = task.await;
        }
    }
}

impl Drop for Testnet {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in crate::node::lock(&self.tasks).iter() {
            task.abort();
        }
    }
}
