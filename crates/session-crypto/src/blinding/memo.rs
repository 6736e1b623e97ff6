//! A bounded, thread-safe memo of blinded public keys `kA`, so that deriving the blinded
//! keypair of a server again skips the fixed-base multiplication `ka·B` and its compression.
//!
//! Why: a blinded request signature costs two such multiplications when the keypair is
//! derived for the request (as [`crate::sign_request`] and a `RequestSigner` made per request
//! do): `kA = ka·B` for the key and `R = r·B` for the signature. The first is the same for
//! every request to a server, so the memo halves the cost of signing the second and later
//! requests (docs/PERFORMANCE.md, `session-crypto/blinded_request_signing`).
//!
//! Why this holds no secret: `kA` is the blinded id the server sees, and it is a function of
//! public values only — `kA = k·A` for blind15 and `k25·|A|` for blind25, with `A` the
//! Ed25519 public key (spec/crypto.md §2.2, §2.5). The blinded secret `ka` and the nonce key
//! are still derived for each [`super::BlindedKeypair`] and zeroized with it. A memo hit only
//! tells a local observer that this process derived that public key before.

use std::collections::{HashMap, VecDeque};
use std::sync::{LazyLock, Mutex};

/// Entries kept; the oldest is dropped first. A client talks to a handful of servers.
pub(super) const CAPACITY: usize = 128;

/// `(scheme tag 15 or 25, Ed25519 public key A, server public key)`: determines `kA`.
pub(super) type MemoKey = (u8, [u8; 32], [u8; 32]);

#[derive(Default)]
struct Memo {
    keys: HashMap<MemoKey, [u8; 32]>,
    /// Insertion order, for eviction.
    order: VecDeque<MemoKey>,
}

static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(Mutex::default);

/// `kA` for `key`: from the memo, or computed by `compute` and remembered.
///
/// A poisoned lock (impossible here: nothing panics while holding it) only disables the memo.
pub(super) fn blinded_public_key(key: MemoKey, compute: impl FnOnce() -> [u8; 32]) -> [u8; 32] {
    if let Some(hit) = lookup(&key) {
        return hit;
    }
    let public = compute();
    if let Ok(mut memo) = MEMO.lock() {
        memo.insert(key, public);
    }
    public
}

/// The remembered `kA` of `key`, if any.
pub(super) fn lookup(key: &MemoKey) -> Option<[u8; 32]> {
    MEMO.lock().ok()?.keys.get(key).copied()
}

impl Memo {
    fn insert(&mut self, key: MemoKey, public: [u8; 32]) {
        if self.keys.insert(key, public).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > CAPACITY {
            if let Some(oldest) = self.order.pop_front() {
                self.keys.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn key(i: usize) -> MemoKey {
        let mut server = [0u8; 32];
        server[..8].copy_from_slice(&(i as u64).to_le_bytes());
        (15, [1; 32], server)
    }

    #[test]
    fn keeps_at_most_capacity_entries_dropping_the_oldest() {
        let mut memo = Memo::default();
        for i in 0..CAPACITY + 10 {
            memo.insert(key(i), [i as u8; 32]);
            memo.insert(key(i), [i as u8; 32]); // a second insert of a key adds nothing
            assert!(memo.keys.len() <= CAPACITY && memo.order.len() == memo.keys.len());
        }
        assert_eq!(memo.keys.len(), CAPACITY);
        assert!((0..10).all(|i| !memo.keys.contains_key(&key(i))));
        assert_eq!(
            memo.keys.get(&key(CAPACITY + 9)),
            Some(&[(CAPACITY + 9) as u8; 32])
        );
    }

    #[test]
    fn computes_once_then_answers_from_the_memo() {
        // [0xff; 32] is no Ed25519 public key of any identity (a non-canonical encoding), so
        // this made-up entry cannot answer a real derivation running in parallel.
        let k = (25, [0xff; 32], [3; 32]);
        assert_eq!(blinded_public_key(k, || [9; 32]), [9; 32]);
        // The stored value is answered; the closure is not run again.
        assert_eq!(blinded_public_key(k, || unreachable!()), [9; 32]);
        assert_eq!(lookup(&k), Some([9; 32]));
    }
}
