//! The server's notion of "now": Unix time in float seconds (the reference server's timestamp
//! type), plus an offset that tests move forward to expire bans, rate limits and files without
//! sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock time with an adjustable offset.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_micros: AtomicI64,
}

impl Clock {
    /// Unix time in seconds, with microsecond resolution.
    pub(crate) fn now(&self) -> f64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let offset = self.offset_micros.load(Ordering::Relaxed) as f64 / 1e6;
        // Round to microseconds so stored and returned floats look like Python's time.time().
        ((wall + offset) * 1e6).round() / 1e6
    }

    /// Moves the clock forward by `secs` seconds.
    #[cfg_attr(not(any(test, feature = "testing")), allow(dead_code))]
    pub(crate) fn advance(&self, secs: f64) {
        self.offset_micros
            .fetch_add((secs * 1e6) as i64, Ordering::Relaxed);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now_forward() {
        let c = Clock::default();
        let before = c.now();
        c.advance(3600.0);
        let after = c.now();
        assert!(after - before >= 3600.0);
        assert!(after - before < 3700.0);
    }
}
