//! One simulated snode: its keys and address, its faults, its message store, its counters.

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use session_crypto::{Identity, X25519Keypair};
use session_net::onion::HopKeys;
use session_net::snode::Snode;
use zeroize::Zeroizing;

use crate::fault::{Fault, FaultSet, SplitMix64};
use crate::storage::MessageStore;

/// What a client needs to know about a snode of the local network: where it listens, its
/// keys, and its swarm. A copy: later changes (a swarm move) need a fresh
/// [`Testnet::snodes`](crate::Testnet::snodes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SnodeInfo {
    /// Position in [`Testnet::snodes`](crate::Testnet::snodes), from 0.
    pub index: usize,
    /// Its address, `127.0.<index+1>.1`: every snode is in a /24 of its own, as paths need.
    pub ip: Ipv4Addr,
    /// Its HTTPS port (`storage_port`).
    pub port: u16,
    /// Its Ed25519 public key (its identity).
    pub ed25519: [u8; 32],
    /// Its X25519 public key (the Montgomery form of the Ed25519 key).
    pub x25519: [u8; 32],
    /// Its swarm.
    pub swarm_id: u64,
}

impl SnodeInfo {
    /// The snode as session-net sees it.
    pub fn snode(&self) -> Snode {
        Snode {
            ip: self.ip,
            port: self.port,
            ed25519: self.ed25519,
            x25519: self.x25519,
            swarm_id: Some(self.swarm_id),
        }
    }

    /// Its keys as an onion hop.
    pub fn hop_keys(&self) -> HopKeys {
        HopKeys {
            ed25519: self.ed25519,
            x25519: self.x25519,
        }
    }

    /// `https://ip:port`.
    pub fn url(&self) -> String {
        format!("https://{}:{}", self.ip, self.port)
    }
}

/// How many requests of each kind a snode received, and what its faults did to them. Tests
/// use these to check path shapes ("the destination never relayed its own request"), that a
/// dead guard is not reused, or that nothing was stored twice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeStats {
    /// `POST /onion_req/v2` requests (in any role).
    pub onion_requests: u64,
    /// Onion requests it relayed to another snode.
    pub relayed: u64,
    /// Onion requests it proxied to an HTTP server.
    pub proxied: u64,
    /// RPCs it ran as the final destination of an onion request.
    pub onion_rpcs: u64,
    /// Direct `POST /storage_rpc/v1` requests.
    pub direct_rpcs: u64,
    /// Requests whose connection it dropped before working on them.
    pub dropped: u64,
    /// Requests it worked on and then dropped the reply of.
    pub dropped_replies: u64,
    /// Replies it corrupted.
    pub corrupted: u64,
    /// `store` requests answered 421 (not its swarm).
    pub wrong_swarm: u64,
    /// Messages it holds now (expired ones excluded).
    pub messages: u64,
    /// Stores of a message it already held (same hash), which were not stored again.
    pub duplicate_stores: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub onion_requests: AtomicU64,
    pub relayed: AtomicU64,
    pub proxied: AtomicU64,
    pub onion_rpcs: AtomicU64,
    pub direct_rpcs: AtomicU64,
    pub dropped: AtomicU64,
    pub dropped_replies: AtomicU64,
    pub corrupted: AtomicU64,
    pub wrong_swarm: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// A snode's state, shared between its server task and the control API.
#[derive(Debug)]
pub(crate) struct Node {
    pub index: usize,
    pub ip: Ipv4Addr,
    pub port: u16,
    /// Signs store hashes and deletion proofs.
    pub identity: Identity,
    /// Decrypts onion layers.
    pub x25519: X25519Keypair,
    swarm_id: AtomicU64,
    registered: AtomicBool,
    faults: Mutex<FaultSet>,
    rng: Mutex<SplitMix64>,
    store: Mutex<MessageStore>,
    pub counters: Counters,
}

/// Locks a mutex whose data stays consistent even if a holder panicked (plain values only).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Node {
    /// A node from its 32-byte Ed25519 seed. The X25519 secret is the clamped first half of
    /// SHA-512(seed), as for every Ed25519 key (network.md §8 "Identity").
    pub(crate) fn new(
        index: usize,
        ip: Ipv4Addr,
        port: u16,
        seed: &Zeroizing<[u8; 32]>,
        swarm_id: u64,
        rng_seed: u64,
    ) -> Result<Self, session_crypto::Error> {
        let identity = Identity::from_seed(&seed[..])?;
        let x25519 = identity.x25519_keypair();
        Ok(Self {
            index,
            ip,
            port,
            identity,
            x25519,
            swarm_id: AtomicU64::new(swarm_id),
            registered: AtomicBool::new(true),
            faults: Mutex::new(FaultSet::default()),
            rng: Mutex::new(SplitMix64::new(rng_seed)),
            store: Mutex::new(MessageStore::default()),
            counters: Counters::default(),
        })
    }

    pub(crate) fn ed25519(&self) -> &[u8; 32] {
        self.identity.ed25519_public_key()
    }

    pub(crate) fn x25519_public(&self) -> &[u8; 32] {
        self.x25519.public_key()
    }

    pub(crate) fn swarm_id(&self) -> u64 {
        self.swarm_id.load(Ordering::Relaxed)
    }

    pub(crate) fn set_swarm_id(&self, id: u64) {
        self.swarm_id.store(id, Ordering::Relaxed);
    }

    /// Whether the network lists this node (relays find it, the seed lists it).
    pub(crate) fn is_registered(&self) -> bool {
        self.registered.load(Ordering::Relaxed)
    }

    pub(crate) fn set_registered(&self, on: bool) {
        self.registered.store(on, Ordering::Relaxed);
    }

    pub(crate) fn faults(&self) -> FaultSet {
        *lock(&self.faults)
    }

    pub(crate) fn set_fault(&self, fault: Fault) {
        lock(&self.faults).set(fault);
    }

    pub(crate) fn clear_faults(&self) {
        *lock(&self.faults) = FaultSet::default();
    }

    /// Draws for a probabilistic fault.
    pub(crate) fn hit(&self, rate: Option<crate::fault::Rate>) -> bool {
        rate.is_some_and(|r| r.hit(&mut lock(&self.rng)))
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, MessageStore> {
        lock(&self.store)
    }

    pub(crate) fn info(&self) -> SnodeInfo {
        SnodeInfo {
            index: self.index,
            ip: self.ip,
            port: self.port,
            ed25519: *self.ed25519(),
            x25519: *self.x25519_public(),
            swarm_id: self.swarm_id(),
        }
    }

    pub(crate) fn stats(&self, now_ms: u64) -> NodeStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let store = self.store();
        NodeStats {
            onion_requests: get(&c.onion_requests),
            relayed: get(&c.relayed),
            proxied: get(&c.proxied),
            onion_rpcs: get(&c.onion_rpcs),
            direct_rpcs: get(&c.direct_rpcs),
            dropped: get(&c.dropped),
            dropped_replies: get(&c.dropped_replies),
            corrupted: get(&c.corrupted),
            wrong_swarm: get(&c.wrong_swarm),
            messages: store.live_count(now_ms),
            duplicate_stores: store.duplicates(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use sha2::{Digest, Sha512};

    use super::*;

    #[test]
    fn x25519_key_is_the_clamped_sha512_of_the_seed_and_matches_the_ed25519_key() {
        let seed = Zeroizing::new([42u8; 32]);
        let node = Node::new(0, Ipv4Addr::new(127, 0, 1, 1), 1, &seed, 0, 0).unwrap();
        let mut expected: [u8; 32] = Sha512::digest(*seed)[..32].try_into().unwrap();
        expected[0] &= 248;
        expected[31] &= 127;
        expected[31] |= 64;
        assert_eq!(
            node.x25519_public(),
            X25519Keypair::from_secret(expected).public_key()
        );
        assert_eq!(
            &session_crypto::ed25519_to_x25519_public(node.ed25519()).unwrap(),
            node.x25519_public()
        );
    }
}
