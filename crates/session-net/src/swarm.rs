//! Which swarm stores a Session ID's messages (network.md §5.1): the snodes' own rule, so a
//! client can pick the swarm locally from a pool that knows `swarm_id`s.

/// The position of a 32-byte account key (a Session ID without its `05`/`03` prefix byte) in
/// swarm space: the XOR of its four 8-byte chunks, read big-endian.
pub fn swarm_space(pubkey: &[u8; 32]) -> u64 {
    pubkey
        .chunks_exact(8)
        .map(|chunk| {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            u64::from_be_bytes(b)
        })
        .fold(0, |acc, x| acc ^ x)
}

/// The swarm id closest to `x` on the 2^64 ring among `swarm_ids` (any order, duplicates
/// allowed): `right` is the first id ≥ x (wrapping to the smallest), `left` the one before it
/// (wrapping to the largest); `right` wins only if strictly closer, so ties go left.
/// `None` when there are no swarms.
pub fn closest_swarm(swarm_ids: &[u64], x: u64) -> Option<u64> {
    let mut ids = swarm_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let (&first, &last) = (ids.first()?, ids.last()?);
    let idx = ids.partition_point(|&id| id < x);
    let right = ids.get(idx).copied().unwrap_or(first);
    let left = match idx.checked_sub(1).and_then(|i| ids.get(i)) {
        Some(&id) if ids.get(idx).is_some() => id,
        // `right` wrapped to the first id, or x is before every id: left is the last id.
        _ => last,
    };
    let right_dist = right.wrapping_sub(x);
    let left_dist = x.wrapping_sub(left);
    Some(if right_dist < left_dist { right } else { left })
}

/// The swarm of a Session ID's 32 key bytes among `swarm_ids`.
pub fn swarm_for(pubkey: &[u8; 32], swarm_ids: &[u64]) -> Option<u64> {
    closest_swarm(swarm_ids, swarm_space(pubkey))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_swarm_is_always_chosen() {
        assert_eq!(closest_swarm(&[7], 0), Some(7));
        assert_eq!(closest_swarm(&[7], u64::MAX), Some(7));
        assert_eq!(closest_swarm(&[], 1), None);
    }

    #[test]
    fn ties_go_left_and_the_ring_wraps() {
        assert_eq!(closest_swarm(&[100, 200], 150), Some(100));
        assert_eq!(closest_swarm(&[100, 200], 151), Some(200));
        assert_eq!(closest_swarm(&[100, u64::MAX - 10], 5), Some(u64::MAX - 10));
        assert_eq!(closest_swarm(&[100, u64::MAX - 10], 50), Some(100));
        assert_eq!(
            closest_swarm(&[100, u64::MAX - 10], u64::MAX),
            Some(u64::MAX - 10)
        );
    }
}
