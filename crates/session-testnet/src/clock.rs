//! The network's clock: the machine's time plus an offset a test can move forward, so that
//! TTL expiry is tested without sleeping. Each snode adds its own skew (a fault).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use session_net::clock::local_now_ms;

/// Shared by every node of one network.
#[derive(Debug, Default)]
pub(crate) struct NetClock {
    advanced_ms: AtomicI64,
}

impl NetClock {
    /// The network's time in Unix milliseconds, shifted by `skew_ms` (a node's skew).
    pub(crate) fn now_ms(&self, skew_ms: i64) -> u64 {
        let t = i128::from(local_now_ms())
            + i128::from(self.advanced_ms.load(Ordering::Relaxed))
            + i128::from(skew_ms);
        u64::try_from(t.max(0)).unwrap_or(u64::MAX)
    }

    /// Moves the network's time forward.
    pub(crate) fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self
            .advanced_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_add(ms))
            });
    }

    /// How far the network's time was moved forward (ms).
    #[cfg(test)]
    pub(crate) fn advanced_ms(&self) -> i64 {
        self.advanced_ms.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_reading_forward_by_the_same_amount() {
        let clock = NetClock::default();
        clock.advance(Duration::from_secs(11));
        clock.advance(Duration::from_millis(5));
        assert_eq!(clock.advanced_ms(), 11_005);
        let before = local_now_ms();
        let t = clock.now_ms(-1_000);
        let after = local_now_ms();
        assert!(
            t >= before + 10_005 && t <= after + 10_005,
            "{t} {before} {after}"
        );
    }
}
