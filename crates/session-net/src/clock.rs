//! Network time (network.md §4.3): the rolling average of how far our clock is from the
//! snodes' `t`, so that timestamps and signatures use the network's time.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// How many offsets the average spans (SD keeps the last 10).
pub const OFFSET_WINDOW: usize = 10;

/// Node times before 2021-01-01 are not believed (SD's sanity check).
const EARLIEST_PLAUSIBLE_MS: u64 = 1_609_459_200_000;

/// Tracks the offset between our clock and the network's.
#[derive(Debug, Default)]
pub struct NetworkClock {
    offsets: Mutex<VecDeque<i64>>,
}

/// Our clock in Unix milliseconds.
pub fn local_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl NetworkClock {
    /// A clock with no offset known yet (offset 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a node time `node_ms` observed when our clock read `local_ms`. Ignored if
    /// implausible (before 2021).
    pub fn record(&self, local_ms: u64, node_ms: u64) {
        if node_ms < EARLIEST_PLAUSIBLE_MS {
            return;
        }
        let offset = i64::try_from(i128::from(local_ms) - i128::from(node_ms)).unwrap_or(0);
        let mut offsets = self.offsets.lock().unwrap_or_else(|p| p.into_inner());
        if offsets.len() == OFFSET_WINDOW {
            offsets.pop_front();
        }
        offsets.push_back(offset);
    }

    /// The average offset `local − network` in ms (0 until one is known).
    pub fn offset_ms(&self) -> i64 {
        let offsets = self.offsets.lock().unwrap_or_else(|p| p.into_inner());
        if offsets.is_empty() {
            return 0;
        }
        let sum: i128 = offsets.iter().map(|&o| i128::from(o)).sum();
        i64::try_from(sum / offsets.len() as i128).unwrap_or(0)
    }

    /// Network time for our clock reading `local_ms`.
    pub fn network_ms(&self, local_ms: u64) -> u64 {
        let t = i128::from(local_ms) - i128::from(self.offset_ms());
        u64::try_from(t.max(0)).unwrap_or(0)
    }

    /// Network time now.
    pub fn now_ms(&self) -> u64 {
        self.network_ms(local_now_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_the_last_ten_offsets_and_ignores_implausible_times() {
        let clock = NetworkClock::new();
        let base = 1_700_000_000_000;
        assert_eq!(clock.network_ms(base), base);
        clock.record(base, 5);
        assert_eq!(clock.offset_ms(), 0);
        clock.record(base, base - 1000);
        clock.record(base, base - 3000);
        assert_eq!(clock.offset_ms(), 2000);
        assert_eq!(clock.network_ms(base), base - 2000);
        for _ in 0..OFFSET_WINDOW {
            clock.record(base, base + 500);
        }
        assert_eq!(clock.offset_ms(), -500);
    }
}
