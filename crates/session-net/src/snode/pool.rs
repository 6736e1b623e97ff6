//! The pool of known snodes (network.md §1.2) and the trait that persists it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Snode;
use crate::random;
use crate::swarm;

/// Below or at this many snodes (plus the ones a caller wants to exclude) the pool is
/// insufficient and is refetched from a seed: 1 guard × (3 hops + 1) × 2 = 8 (SD
/// `minSnodePoolCount`).
pub const MIN_POOL_SIZE: usize = 8;

/// Failures after which a snode is dropped (SD and libsession both use 3).
pub const STRIKES_TO_DROP: u8 = 3;

/// How old a pool may get before it is refreshed (SD refreshes every hour).
pub const POOL_REFRESH_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// Persists the pool, the chosen guards and cached swarms between runs. Implementations
/// must be cheap and must not fail loudly: a store that cannot load returns nothing, and the
/// network falls back to the seeds.
pub trait SnodeStore: Send + Sync + std::fmt::Debug {
    /// The saved pool (empty if none).
    fn load_pool(&self) -> Vec<Snode>;
    /// Saves the pool.
    fn save_pool(&self, pool: &[Snode]);
    /// The saved guard Ed25519 keys.
    fn load_guards(&self) -> Vec<[u8; 32]>;
    /// Saves the guard Ed25519 keys.
    fn save_guards(&self, guards: &[[u8; 32]]);
    /// The cached swarm (Ed25519 keys) of an account (33-byte id), if any.
    fn load_swarm(&self, account: &[u8; 33]) -> Option<Vec<[u8; 32]>>;
    /// Caches the swarm of an account.
    fn save_swarm(&self, account: &[u8; 33], swarm: &[[u8; 32]]);
}

/// An in-memory [`SnodeStore`] (the default; nothing survives the process).
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<MemoryInner>,
}

#[derive(Debug, Default)]
struct MemoryInner {
    pool: Vec<Snode>,
    guards: Vec<[u8; 32]>,
    swarms: HashMap<[u8; 33], Vec<[u8; 32]>>,
}

impl MemoryStore {
    fn with<T>(&self, f: impl FnOnce(&mut MemoryInner) -> T) -> T {
        // A poisoned lock only means another thread panicked mid-update of plain data;
        // the data is still usable.
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

impl SnodeStore for MemoryStore {
    fn load_pool(&self) -> Vec<Snode> {
        self.with(|m| m.pool.clone())
    }
    fn save_pool(&self, pool: &[Snode]) {
        self.with(|m| m.pool = pool.to_vec());
    }
    fn load_guards(&self) -> Vec<[u8; 32]> {
        self.with(|m| m.guards.clone())
    }
    fn save_guards(&self, guards: &[[u8; 32]]) {
        self.with(|m| m.guards = guards.to_vec());
    }
    fn load_swarm(&self, account: &[u8; 33]) -> Option<Vec<[u8; 32]>> {
        self.with(|m| m.swarms.get(account).cloned())
    }
    fn save_swarm(&self, account: &[u8; 33], swarm: &[[u8; 32]]) {
        self.with(|m| {
            m.swarms.insert(*account, swarm.to_vec());
        });
    }
}

/// The snodes we know, with failure counts. Sans-I/O: the network layer fills it from seeds
/// and reports failures; the pool decides who to drop.
#[derive(Debug, Clone, Default)]
pub struct SnodePool {
    nodes: Vec<Snode>,
    strikes: HashMap<[u8; 32], u8>,
    refreshed_at: Option<Instant>,
}

impl SnodePool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the whole pool (after a seed fetch) and resets every failure count
    /// (network.md §1.1: a successful fetch resets all counters).
    pub fn replace(&mut self, nodes: Vec<Snode>, now: Instant) {
        let mut nodes = nodes;
        nodes.sort_by_key(|n| n.ed25519);
        nodes.dedup_by_key(|n| n.ed25519);
        self.nodes = nodes;
        self.strikes.clear();
        self.refreshed_at = Some(now);
    }

    /// Loads a persisted pool without marking it fresh.
    pub fn restore(&mut self, nodes: Vec<Snode>) {
        self.replace(nodes, Instant::now());
        self.refreshed_at = None;
    }

    /// All snodes.
    pub fn nodes(&self) -> &[Snode] {
        &self.nodes
    }

    /// How many snodes there are.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Whether the pool is too small to work with `exclude` nodes set aside (≤ 8 + exclude).
    pub fn is_insufficient(&self, exclude: usize) -> bool {
        self.nodes.len() <= MIN_POOL_SIZE + exclude
    }

    /// Whether the pool should be refetched: never fetched in this process, or older than
    /// [`POOL_REFRESH_INTERVAL`].
    pub fn needs_refresh(&self, now: Instant) -> bool {
        self.refreshed_at
            .is_none_or(|t| now.saturating_duration_since(t) >= POOL_REFRESH_INTERVAL)
    }

    /// The snode with this Ed25519 key.
    pub fn get(&self, ed25519: &[u8; 32]) -> Option<&Snode> {
        self.nodes.iter().find(|n| &n.ed25519 == ed25519)
    }

    /// Removes a snode (e.g. `Next node not found`).
    pub fn remove(&mut self, ed25519: &[u8; 32]) -> Option<Snode> {
        self.strikes.remove(ed25519);
        let idx = self.nodes.iter().position(|n| &n.ed25519 == ed25519)?;
        Some(self.nodes.remove(idx))
    }

    /// Counts a failure against a snode; returns `true` if that was its third and it was
    /// dropped.
    pub fn strike(&mut self, ed25519: &[u8; 32]) -> bool {
        let count = self.strikes.entry(*ed25519).or_insert(0);
        *count = count.saturating_add(1);
        if *count >= STRIKES_TO_DROP {
            self.remove(ed25519);
            true
        } else {
            false
        }
    }

    /// The failure count of a snode.
    pub fn strikes(&self, ed25519: &[u8; 32]) -> u8 {
        self.strikes.get(ed25519).copied().unwrap_or(0)
    }

    /// A random snode whose key is not in `exclude`.
    pub fn random(&self, exclude: &[[u8; 32]]) -> Option<Snode> {
        let candidates: Vec<&Snode> = self
            .nodes
            .iter()
            .filter(|n| !exclude.contains(&n.ed25519))
            .collect();
        candidates
            .get(random::index(candidates.len()))
            .map(|n| (*n).clone())
    }

    /// The swarm of an account computed locally from the pool's `swarm_id`s (network.md
    /// §5.1), empty if the pool has none.
    pub fn swarm_for(&self, account_key: &[u8; 32]) -> Vec<Snode> {
        let ids: Vec<u64> = self.nodes.iter().filter_map(|n| n.swarm_id).collect();
        match swarm::swarm_for(account_key, &ids) {
            Some(id) => self
                .nodes
                .iter()
                .filter(|n| n.swarm_id == Some(id))
                .cloned()
                .collect(),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    /// Snode `i` on 127.0.i.1 (distinct /24s), swarm `i % swarms`.
    pub(crate) fn node(i: u8, swarms: u8) -> Snode {
        Snode {
            ip: std::net::Ipv4Addr::new(127, 0, i, 1),
            port: 20000 + u16::from(i),
            ed25519: [i; 32],
            x25519: [i.wrapping_add(100); 32],
            swarm_id: Some(u64::from(i % swarms.max(1)) * 1000),
        }
    }

    #[test]
    fn three_strikes_drop_a_snode_and_refresh_resets_counts() {
        let mut pool = SnodePool::new();
        pool.replace((0..10).map(|i| node(i, 1)).collect(), Instant::now());
        assert!(!pool.strike(&[1; 32]));
        assert!(!pool.strike(&[1; 32]));
        assert_eq!(pool.strikes(&[1; 32]), 2);
        assert!(pool.strike(&[1; 32]));
        assert!(pool.get(&[1; 32]).is_none());
        assert_eq!(pool.len(), 9);
        pool.strike(&[2; 32]);
        pool.replace((0..10).map(|i| node(i, 1)).collect(), Instant::now());
        assert_eq!(pool.strikes(&[2; 32]), 0);
    }

    #[test]
    fn sufficiency_and_refresh_thresholds() {
        let mut pool = SnodePool::new();
        let t0 = Instant::now();
        assert!(pool.needs_refresh(t0));
        pool.replace((0..9).map(|i| node(i, 1)).collect(), t0);
        assert!(!pool.is_insufficient(0));
        assert!(pool.is_insufficient(1));
        assert!(!pool.needs_refresh(t0 + Duration::from_secs(60)));
        assert!(pool.needs_refresh(t0 + POOL_REFRESH_INTERVAL));
    }

    #[test]
    fn local_swarm_lookup_uses_swarm_ids() {
        let mut pool = SnodePool::new();
        pool.replace((0..12).map(|i| node(i, 3)).collect(), Instant::now());
        // swarm space of [0;32] is 0 → swarm id 0 → nodes 0, 3, 6, 9.
        let swarm: Vec<u8> = pool
            .swarm_for(&[0; 32])
            .iter()
            .map(|n| n.ed25519[0])
            .collect();
        assert_eq!(swarm, vec![0, 3, 6, 9]);
    }

    #[test]
    fn memory_store_round_trips() {
        let store = MemoryStore::default();
        store.save_pool(&[node(1, 1)]);
        store.save_guards(&[[1; 32]]);
        store.save_swarm(&[5; 33], &[[2; 32]]);
        assert_eq!(store.load_pool(), vec![node(1, 1)]);
        assert_eq!(store.load_guards(), vec![[1; 32]]);
        assert_eq!(store.load_swarm(&[5; 33]), Some(vec![[2; 32]]));
        assert_eq!(store.load_swarm(&[6; 33]), None);
    }
}
