//! Fault injection: what a snode does wrong, on purpose, so that tests see how clients cope
//! (network.md §8 "Controls for tests").
//!
//! A fault is set per node or for all nodes with [`Testnet::set_fault`](crate::Testnet::set_fault);
//! setting a fault of a kind replaces the node's previous fault of that kind, and
//! [`Testnet::clear_faults`](crate::Testnet::clear_faults) removes them all. Probabilistic
//! faults draw from a per-node generator seeded from the network's seed, so a run with the
//! same seed and the same request order sees the same faults.

use std::time::Duration;

/// How often a probabilistic fault strikes: a share of requests, from never to always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    per_million: u32,
}

impl Rate {
    /// Every request.
    pub const ALWAYS: Self = Self {
        per_million: 1_000_000,
    };
    /// No request.
    pub const NEVER: Self = Self { per_million: 0 };

    /// `percent` % of requests (values above 100 mean always).
    pub const fn percent(percent: u8) -> Self {
        let p = if percent > 100 { 100 } else { percent };
        Self {
            per_million: p as u32 * 10_000,
        }
    }

    /// `per_mille` ‰ of requests (values above 1000 mean always).
    pub const fn per_mille(per_mille: u16) -> Self {
        let p = if per_mille > 1000 { 1000 } else { per_mille };
        Self {
            per_million: p as u32 * 1_000,
        }
    }

    /// The share as a fraction of one million.
    pub const fn per_million(self) -> u32 {
        self.per_million
    }

    /// Whether every request is hit.
    pub const fn is_always(self) -> bool {
        self.per_million >= 1_000_000
    }

    /// Draws: `true` for a hit.
    pub(crate) fn hit(self, rng: &mut SplitMix64) -> bool {
        match self.per_million {
            0 => false,
            p if p >= 1_000_000 => true,
            p => (rng.next_u64() % 1_000_000) < u64::from(p),
        }
    }
}

/// Something a snode does wrong.
///
/// Where each fault acts, in the order a request meets them:
///
/// | fault | effect |
/// |---|---|
/// | [`Fault::Drop`] | the connection is closed before the request is looked at: a dead or unreachable node |
/// | [`Fault::Delay`] | the node waits before working on the request |
/// | [`Fault::Answer`] 5xx | the node answers every request, in any role (guard, relay, destination), with that status in plain text, as a failing storage server does (`502 Bad Gateway`, `503 Snode not ready: <ed25519>`, `504 Request time out`, other: `500 Internal server error`) |
/// | [`Fault::Answer`] 421 | the node behaves as if it had left its swarm: it refuses requests for accounts of that swarm with 421 and the swarm without it, and every node leaves it out of `get_swarm` answers (a consistent world: the network agrees the node is elsewhere) |
/// | [`Fault::Answer`] other 4xx (406, 425...) | as an RPC destination, the node answers every RPC with that status (406: `Timestamp error: check your clock`, 425: `Too Early`) |
/// | [`Fault::ClockSkew`] | the node's clock is off: the `t` of its replies and its timestamp checks (±60 s for signatures, +10 s for stores) use the skewed time |
/// | [`Fault::DropReply`] | the node does the work (stores, relays, proxies), then closes the connection without answering: the client cannot know it succeeded |
/// | [`Fault::CorruptReply`] | the node flips a bit in the middle of its reply body (inside the base64 text of a snode reply, so that the text stays base64 and the ciphertext is what breaks) |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Close the connection without answering, before doing anything.
    Drop(Rate),
    /// Do the work, then close the connection without answering.
    DropReply(Rate),
    /// Wait this long before working on each request.
    Delay(Duration),
    /// Flip a bit of the reply body.
    CorruptReply(Rate),
    /// The node's clock is this many milliseconds ahead of the network's (negative: behind).
    ClockSkew(i64),
    /// Answer with this HTTP status (100..=599); see the table above for where.
    Answer(u16),
}

impl Fault {
    /// A dead node: every connection is dropped.
    pub const DEAD: Self = Self::Drop(Rate::ALWAYS);
}

/// The faults of one node, one slot per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FaultSet {
    pub drop: Option<Rate>,
    pub drop_reply: Option<Rate>,
    pub delay: Option<Duration>,
    pub corrupt: Option<Rate>,
    pub skew_ms: i64,
    pub answer: Option<u16>,
}

impl FaultSet {
    /// Sets `fault`, replacing the previous fault of its kind.
    pub(crate) fn set(&mut self, fault: Fault) {
        match fault {
            Fault::Drop(r) => self.drop = Some(r),
            Fault::DropReply(r) => self.drop_reply = Some(r),
            Fault::Delay(d) => self.delay = Some(d),
            Fault::CorruptReply(r) => self.corrupt = Some(r),
            Fault::ClockSkew(ms) => self.skew_ms = ms,
            Fault::Answer(code) => self.answer = Some(code),
        }
    }

    /// Whether every connection is dropped.
    pub(crate) fn is_dead(&self) -> bool {
        self.drop.is_some_and(Rate::is_always)
    }

    /// Whether the node plays "not in this swarm" (a 421 fault).
    pub(crate) fn refuses_swarm(&self) -> bool {
        self.answer == Some(421)
    }

    /// A 5xx status answered at the HTTP level in any role.
    pub(crate) fn hop_status(&self) -> Option<u16> {
        self.answer.filter(|c| *c >= 500)
    }

    /// A 4xx status (other than 421) answered by the RPC layer.
    pub(crate) fn rpc_status(&self) -> Option<u16> {
        self.answer.filter(|c| (400..500).contains(c) && *c != 421)
    }
}

/// The plain-text body a storage server sends with a hop-level status.
pub(crate) fn hop_status_text(status: u16, own_ed25519: &[u8; 32]) -> String {
    match status {
        502 => "Bad Gateway".to_owned(),
        503 => format!("Snode not ready: {}", hex::encode(own_ed25519)),
        504 => "Request time out".to_owned(),
        _ => "Internal server error".to_owned(),
    }
}

/// The text an RPC answers with for an injected 4xx status.
pub(crate) fn rpc_status_text(status: u16) -> &'static str {
    match status {
        406 => "Timestamp error: check your clock",
        425 => "Too Early",
        401 => "signature verification failed",
        403 => "Forbidden",
        404 => "Not found",
        429 => "Too many requests",
        _ => "Bad request",
    }
}

/// Flips one bit in the middle of `body`. A body that is base64 text stays base64 (the
/// high bit of one character's 6-bit value is flipped, which always changes the decoded
/// bytes), so the corruption reaches the ciphertext instead of stopping at the decoder.
pub(crate) fn corrupt(body: &mut [u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c);
    let data_len = body.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1);
    let is_b64 = data_len > 0
        && body.len() - data_len <= 2
        && body.iter().take(data_len).all(|&c| value(c).is_some());
    let mid = body.len() / 2;
    if is_b64 {
        let at = if mid < data_len { mid } else { 0 };
        if let Some(c) = body.get_mut(at)
            && let Some(v) = value(*c)
            && let Some(&flipped) = ALPHABET.get(v ^ 0b10_0000)
        {
            *c = flipped;
        }
    } else if let Some(c) = body.get_mut(mid) {
        *c ^= 0x01;
    }
}

/// A small deterministic generator (SplitMix64) for fault draws and test keys.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            let n = chunk.len();
            chunk.copy_from_slice(&bytes[..n]);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use base64::Engine as _;

    use super::*;

    #[test]
    fn rates_hit_about_their_share_and_the_extremes_exactly() {
        let mut rng = SplitMix64::new(7);
        let hits = (0..10_000)
            .filter(|_| Rate::percent(10).hit(&mut rng))
            .count();
        assert!((800..1200).contains(&hits), "{hits}");
        assert!((0..100).all(|_| Rate::ALWAYS.hit(&mut rng)));
        assert!((0..100).all(|_| !Rate::NEVER.hit(&mut rng)));
        assert_eq!(Rate::percent(200), Rate::ALWAYS);
        assert_eq!(Rate::per_mille(100), Rate::percent(10));
    }

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // SplitMix64 with seed 0 (Vigna's reference implementation).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn setting_a_fault_replaces_only_its_kind() {
        let mut f = FaultSet::default();
        f.set(Fault::DEAD);
        f.set(Fault::ClockSkew(-5));
        f.set(Fault::Drop(Rate::percent(10)));
        assert_eq!(f.drop, Some(Rate::percent(10)));
        assert_eq!(f.skew_ms, -5);
        assert!(!f.is_dead());
        f.set(Fault::Answer(421));
        assert!(f.refuses_swarm());
        assert_eq!((f.hop_status(), f.rpc_status()), (None, None));
        f.set(Fault::Answer(406));
        assert_eq!((f.hop_status(), f.rpc_status()), (None, Some(406)));
        f.set(Fault::Answer(502));
        assert_eq!((f.hop_status(), f.rpc_status()), (Some(502), None));
    }

    #[test]
    fn corrupting_base64_keeps_it_base64_but_changes_the_bytes() {
        let b64 = base64::engine::general_purpose::STANDARD;
        for len in [1usize, 2, 17, 64, 333] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let text = b64.encode(&data);
            let mut corrupted = text.clone().into_bytes();
            corrupt(&mut corrupted);
            assert_ne!(corrupted, text.as_bytes());
            let decoded = b64.decode(&corrupted).unwrap();
            assert_ne!(decoded, data, "length {len}");
        }
        let mut raw = vec![0u8; 10];
        corrupt(&mut raw);
        assert_eq!(raw[5], 1);
        let mut empty: Vec<u8> = Vec::new();
        corrupt(&mut empty);
    }
}
