//! Exponential back-off with jitter, for polls that fail.

use std::time::Duration;

/// Back-off after `failures` consecutive failures: `base · 2^(failures−1)`, capped at `max`,
/// scaled by a random factor in [0.5, 1.5) so that many clients do not retry in step.
pub(crate) fn delay(failures: u32, base: Duration, max: Duration, jitter: bool) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    let raw = base.saturating_mul(1u32 << exp).min(max);
    if !jitter {
        return raw;
    }
    let mut b = [0u8; 4];
    // Without randomness the delay is simply not jittered.
    let r = getrandom::fill(&mut b)
        .map_or(0.5, |()| f64::from(u32::from_le_bytes(b)) / 4_294_967_296.0);
    raw.mul_f64(0.5 + r)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_bounded_jitter() {
        let (base, max) = (Duration::from_secs(2), Duration::from_secs(60));
        assert_eq!(delay(1, base, max, false), Duration::from_secs(2));
        assert_eq!(delay(3, base, max, false), Duration::from_secs(8));
        assert_eq!(delay(30, base, max, false), max);
        for n in 1..10 {
            let d = delay(n, base, max, true);
            let raw = delay(n, base, max, false);
            assert!(d >= raw / 2 && d < raw.mul_f64(1.5), "{d:?} vs {raw:?}");
        }
    }
}
