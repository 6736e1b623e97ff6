//! Uniform choices from the OS RNG, for picking snodes and paths (no `rand` dependency).

/// A uniform index below `n` (`n > 0`), or 0 if the RNG fails (choices here need
/// unpredictability, not secrecy; a failing OS RNG still yields a valid index).
pub(crate) fn index(n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0;
    }
    // Modulo bias is below 2^-40 for any realistic n.
    (u64::from_le_bytes(b) % n as u64) as usize
}

/// Shuffles `items` in place (Fisher–Yates).
pub(crate) fn shuffle<T>(items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, index(i + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_stay_in_range_and_shuffles_keep_elements() {
        for n in 1..20 {
            assert!(index(n) < n);
        }
        let mut v: Vec<u32> = (0..50).collect();
        shuffle(&mut v);
        v.sort_unstable();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
    }
}
