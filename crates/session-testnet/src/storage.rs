//! A snode's message store: messages per (account, namespace) in arrival order, deduplicated
//! by hash, with expiry (network.md §4.2).

use std::collections::HashMap;

use base64::Engine as _;

/// A 33-byte account id: the `05`/`03` prefix byte and the 32-byte key.
pub(crate) type Account = [u8; 33];

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredMessage {
    pub hash: String,
    pub timestamp_ms: u64,
    pub expiry_ms: u64,
    pub data: Vec<u8>,
}

/// The largest `retrieve` answer in bytes of base64 data (SS `RETRIEVE_MAX_SIZE`).
pub(crate) const RETRIEVE_MAX_SIZE: u64 = 7_800_000;

/// The message hash (SS `computeMessageHash`): unpadded standard base64 of
/// BLAKE2b-256(`prefix ‖ key ‖ (ns == 0 ? "" : decimal ns) ‖ data`).
pub(crate) fn message_hash(account: &Account, namespace: i16, data: &[u8]) -> String {
    let mut input = Vec::with_capacity(33 + 6 + data.len());
    input.extend_from_slice(account);
    if namespace != 0 {
        input.extend_from_slice(namespace.to_string().as_bytes());
    }
    input.extend_from_slice(data);
    // Invariant: 32 is a valid BLAKE2b output length and the key, salt and personal string
    // are empty, which is always accepted.
    #[allow(clippy::expect_used)]
    let digest = session_crypto::blake2b(32, b"", b"", b"", &input).expect("BLAKE2b-256");
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
}

/// What a store did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoreOutcome {
    /// `false` if the node already held the message (`"already": true`).
    pub new: bool,
    /// The message's expiry (ms).
    pub expiry_ms: u64,
}

/// The messages of one snode.
#[derive(Debug, Default)]
pub(crate) struct MessageStore {
    by_box: HashMap<(Account, i16), Vec<StoredMessage>>,
    /// hash → (account, namespace) of the box holding it.
    index: HashMap<String, (Account, i16)>,
    duplicates: u64,
}

impl MessageStore {
    /// Stores a message unless its hash is already here; a duplicate keeps the later of the
    /// two expiries (a re-send extends, never shortens).
    pub(crate) fn store(
        &mut self,
        account: &Account,
        namespace: i16,
        message: StoredMessage,
    ) -> StoreOutcome {
        if let Some(key) = self.index.get(&message.hash).copied()
            && let Some(existing) = self
                .by_box
                .get_mut(&key)
                .and_then(|b| b.iter_mut().find(|m| m.hash == message.hash))
        {
            existing.expiry_ms = existing.expiry_ms.max(message.expiry_ms);
            self.duplicates += 1;
            return StoreOutcome {
                new: false,
                expiry_ms: existing.expiry_ms,
            };
        }
        let expiry_ms = message.expiry_ms;
        self.index
            .insert(message.hash.clone(), (*account, namespace));
        self.by_box
            .entry((*account, namespace))
            .or_default()
            .push(message);
        StoreOutcome {
            new: true,
            expiry_ms,
        }
    }

    /// Drops expired messages.
    pub(crate) fn prune(&mut self, now_ms: u64) {
        let index = &mut self.index;
        for messages in self.by_box.values_mut() {
            messages.retain(|m| {
                let live = m.expiry_ms > now_ms;
                if !live {
                    index.remove(&m.hash);
                }
                live
            });
        }
        self.by_box.retain(|_, v| !v.is_empty());
    }

    /// The live messages of a box after `last_hash` (from the start if empty or unknown),
    /// at most `max_count` of them and at most `max_size` bytes of base64 data (at least one
    /// message is returned if any is waiting); `more` if some were left out.
    pub(crate) fn retrieve(
        &mut self,
        account: &Account,
        namespace: i16,
        last_hash: &str,
        max_count: Option<usize>,
        max_size: u64,
        now_ms: u64,
    ) -> (Vec<StoredMessage>, bool) {
        self.prune(now_ms);
        let Some(messages) = self.by_box.get(&(*account, namespace)) else {
            return (Vec::new(), false);
        };
        let start = messages
            .iter()
            .position(|m| m.hash == last_hash)
            .map_or(0, |i| i + 1);
        let mut out = Vec::new();
        let mut size = 0u64;
        let waiting = messages.get(start..).unwrap_or_default();
        for m in waiting {
            let b64_len = (m.data.len() as u64).div_ceil(3) * 4;
            let over_count = max_count.is_some_and(|c| out.len() >= c);
            let over_size = !out.is_empty() && size + b64_len > max_size;
            if over_count || over_size {
                break;
            }
            size += b64_len;
            out.push(m.clone());
        }
        let more = out.len() < waiting.len();
        (out, more)
    }

    /// Deletes the account's messages with these hashes (any namespace); returns the hashes
    /// deleted.
    pub(crate) fn delete_by_hash(&mut self, account: &Account, hashes: &[String]) -> Vec<String> {
        let mut deleted = Vec::new();
        for hash in hashes {
            let Some(key) = self.index.get(hash).copied() else {
                continue;
            };
            if &key.0 != account {
                continue;
            }
            if let Some(messages) = self.by_box.get_mut(&key) {
                messages.retain(|m| &m.hash != hash);
            }
            self.index.remove(hash);
            deleted.push(hash.clone());
        }
        self.by_box.retain(|_, v| !v.is_empty());
        deleted
    }

    /// Deletes all of an account's messages in `namespace` (every namespace if `None`);
    /// returns `(namespace, hash)` of each.
    pub(crate) fn delete_all(
        &mut self,
        account: &Account,
        namespace: Option<i16>,
    ) -> Vec<(i16, String)> {
        let keys: Vec<(Account, i16)> = self
            .by_box
            .keys()
            .filter(|(a, ns)| a == account && namespace.is_none_or(|n| n == *ns))
            .copied()
            .collect();
        let mut deleted = Vec::new();
        for key in keys {
            for m in self.by_box.remove(&key).unwrap_or_default() {
                self.index.remove(&m.hash);
                deleted.push((key.1, m.hash));
            }
        }
        deleted
    }

    /// Live messages held.
    pub(crate) fn live_count(&self, now_ms: u64) -> u64 {
        self.by_box
            .values()
            .flat_map(|v| v.iter())
            .filter(|m| m.expiry_ms > now_ms)
            .count() as u64
    }

    /// Stores that found the message already here.
    pub(crate) fn duplicates(&self) -> u64 {
        self.duplicates
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn msg(account: &Account, ns: i16, data: &[u8], expiry_ms: u64) -> StoredMessage {
        StoredMessage {
            hash: message_hash(account, ns, data),
            timestamp_ms: 1,
            expiry_ms,
            data: data.to_vec(),
        }
    }

    const ALICE: Account = {
        let mut a = [0x11; 33];
        a[0] = 5;
        a
    };

    #[test]
    fn hash_is_unpadded_base64_of_blake2b_over_prefix_key_namespace_and_data() {
        let h = message_hash(&ALICE, 0, b"hi");
        assert_eq!(h.len(), 43);
        assert!(!h.ends_with('='));
        // Namespace 0 contributes nothing; others their decimal text.
        let mut input = ALICE.to_vec();
        input.extend_from_slice(b"-11hi");
        let expected = session_crypto::blake2b(32, b"", b"", b"", &input).unwrap();
        assert_eq!(
            message_hash(&ALICE, -11, b"hi"),
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(expected)
        );
        assert_ne!(
            message_hash(&ALICE, 0, b"hi"),
            message_hash(&ALICE, 10, b"hi")
        );
    }

    #[test]
    fn duplicate_stores_are_not_stored_again_and_keep_the_later_expiry() {
        let mut s = MessageStore::default();
        assert!(s.store(&ALICE, 0, msg(&ALICE, 0, b"a", 100)).new);
        let again = s.store(&ALICE, 0, msg(&ALICE, 0, b"a", 150));
        assert_eq!(
            again,
            StoreOutcome {
                new: false,
                expiry_ms: 150
            }
        );
        assert_eq!(s.store(&ALICE, 0, msg(&ALICE, 0, b"a", 120)).expiry_ms, 150);
        assert_eq!((s.live_count(0), s.duplicates()), (1, 2));
    }

    #[test]
    fn retrieve_resumes_after_last_hash_and_restarts_on_unknown_hashes() {
        let mut s = MessageStore::default();
        for d in [b"1", b"2", b"3"] {
            s.store(&ALICE, 0, msg(&ALICE, 0, d, 100));
        }
        let (all, more) = s.retrieve(&ALICE, 0, "", None, RETRIEVE_MAX_SIZE, 0);
        assert_eq!((all.len(), more), (3, false));
        let (rest, _) = s.retrieve(&ALICE, 0, &all[0].hash, None, RETRIEVE_MAX_SIZE, 0);
        assert_eq!(rest, all[1..].to_vec());
        let (from_start, _) = s.retrieve(&ALICE, 0, "unknown", None, RETRIEVE_MAX_SIZE, 0);
        assert_eq!(from_start.len(), 3);
        let (two, more) = s.retrieve(&ALICE, 0, "", Some(2), RETRIEVE_MAX_SIZE, 0);
        assert_eq!((two.len(), more), (2, true));
        // A size limit smaller than one message still returns one.
        let (one, more) = s.retrieve(&ALICE, 0, "", None, 1, 0);
        assert_eq!((one.len(), more), (1, true));
        let (other_ns, _) = s.retrieve(&ALICE, 2, "", None, RETRIEVE_MAX_SIZE, 0);
        assert!(other_ns.is_empty());
    }

    #[test]
    fn expired_messages_disappear() {
        let mut s = MessageStore::default();
        s.store(&ALICE, 0, msg(&ALICE, 0, b"short", 100));
        s.store(&ALICE, 0, msg(&ALICE, 0, b"long", 1_000));
        let (live, _) = s.retrieve(&ALICE, 0, "", None, RETRIEVE_MAX_SIZE, 100);
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].data, b"long");
        assert_eq!(s.live_count(1_000), 0);
    }

    #[test]
    fn deletes_by_hash_only_the_owners_messages_and_all_of_a_namespace() {
        let mut s = MessageStore::default();
        let mut bob = ALICE;
        bob[1] = 0x22;
        let a = msg(&ALICE, 0, b"a", 100);
        let b = msg(&bob, 0, b"b", 100);
        s.store(&ALICE, 0, a.clone());
        s.store(&bob, 0, b.clone());
        s.store(&ALICE, 5, msg(&ALICE, 5, b"c", 100));
        assert_eq!(
            s.delete_by_hash(&ALICE, &[a.hash.clone(), b.hash.clone()]),
            vec![a.hash]
        );
        assert_eq!(s.live_count(0), 2);
        let all = s.delete_all(&ALICE, None);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].0, 5);
        assert_eq!(s.live_count(0), 1);
    }
}
