//! Onion paths and their bookkeeping (network.md §2): two paths of three snodes, hops of a
//! path in distinct /24 subnets, strike counting, repair and rebuild. Sans-I/O: the network
//! layer tests guards and reports outcomes; this decides.

use std::collections::HashMap;

use super::pool::STRIKES_TO_DROP;
use super::{Snode, SnodeError, SnodePool};
use crate::onion::HopKeys;
use crate::random;

/// Shape of the paths to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PathConfig {
    /// Number of paths, one per guard (SD `desiredGuardCount` = 2).
    pub paths: usize,
    /// Snodes per path, guard included (`ONION_REQUEST_HOPS` = 3).
    pub hops: usize,
    /// Keep every hop of a path in a different /24 (SD); turn off only for networks where
    /// all nodes share a subnet.
    pub distinct_subnets: bool,
}

impl Default for PathConfig {
    fn default() -> Self {
        Self {
            paths: 2,
            hops: crate::onion::PATH_HOPS,
            distinct_subnets: true,
        }
    }
}

impl PathConfig {
    /// A config with `paths` paths of `hops` hops, distinct subnets required.
    pub fn new(paths: usize, hops: usize) -> Self {
        Self {
            paths,
            hops,
            distinct_subnets: true,
        }
    }

    /// The same config with the subnet rule set as given.
    #[must_use]
    pub fn with_distinct_subnets(mut self, on: bool) -> Self {
        self.distinct_subnets = on;
        self
    }
}

/// A path: the guard first, then the relays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnionPath {
    /// The snodes, guard first.
    pub hops: Vec<Snode>,
}

impl OnionPath {
    /// The guard (first hop).
    pub fn guard(&self) -> Option<&Snode> {
        self.hops.first()
    }

    /// Whether a snode is on this path.
    pub fn contains(&self, ed25519: &[u8; 32]) -> bool {
        self.hops.iter().any(|h| &h.ed25519 == ed25519)
    }

    /// The hops' keys, for [`crate::onion::build`].
    pub fn hop_keys(&self) -> Vec<HopKeys> {
        self.hops.iter().map(Snode::hop_keys).collect()
    }
}

impl std::fmt::Display for OnionPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, hop) in self.hops.iter().enumerate() {
            if i > 0 {
                f.write_str(" → ")?;
            }
            write!(f, "{hop}")?;
        }
        Ok(())
    }
}

/// What a reported failure changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailureOutcome {
    /// Snodes dropped from the pool (third strike).
    pub dropped_snodes: Vec<[u8; 32]>,
    /// Whether the path reached its third strike: its guard is gone and all paths must be
    /// rebuilt.
    pub paths_dropped: bool,
}

/// Keeps the onion paths.
#[derive(Debug, Clone, Default)]
pub struct PathManager {
    config: PathConfig,
    paths: Vec<OnionPath>,
    path_strikes: HashMap<[u8; 32], u8>,
}

impl PathManager {
    /// No paths yet.
    pub fn new(config: PathConfig) -> Self {
        Self {
            config,
            paths: Vec::new(),
            path_strikes: HashMap::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> PathConfig {
        self.config
    }

    /// The current paths.
    pub fn paths(&self) -> &[OnionPath] {
        &self.paths
    }

    /// The current guards' keys (to persist).
    pub fn guards(&self) -> Vec<[u8; 32]> {
        self.paths
            .iter()
            .filter_map(|p| p.guard().map(|g| g.ed25519))
            .collect()
    }

    /// Whether fewer paths than configured exist.
    pub fn needs_paths(&self) -> bool {
        self.paths.len() < self.config.paths
    }

    /// Guards still needed.
    pub fn missing_paths(&self) -> usize {
        self.config.paths.saturating_sub(self.paths.len())
    }

    /// Up to `count` shuffled guard candidates from the pool that are not on any path yet;
    /// `preferred` (saved guard keys) come first. The caller tests each (a direct
    /// `get_swarm`; any 2xx passes) and passes the good ones to [`PathManager::build`].
    pub fn guard_candidates(
        &self,
        pool: &SnodePool,
        preferred: &[[u8; 32]],
        count: usize,
    ) -> Vec<Snode> {
        let used: Vec<[u8; 32]> = self
            .paths
            .iter()
            .flat_map(|p| p.hops.iter().map(|h| h.ed25519))
            .collect();
        let mut saved: Vec<Snode> = preferred
            .iter()
            .filter(|k| !used.contains(k))
            .filter_map(|k| pool.get(k).cloned())
            .collect();
        let mut others: Vec<Snode> = pool
            .nodes()
            .iter()
            .filter(|n| !used.contains(&n.ed25519) && !preferred.contains(&n.ed25519))
            .cloned()
            .collect();
        random::shuffle(&mut others);
        saved.extend(others);
        saved.truncate(count);
        saved
    }

    /// Builds one path per tested guard (until [`PathConfig::paths`] exist), drawing relays
    /// at random from the pool without reusing any snode and, if configured, with every hop
    /// of a path in a different /24 subnet.
    pub fn build(&mut self, pool: &SnodePool, guards: &[Snode]) -> Result<(), SnodeError> {
        for guard in guards {
            if !self.needs_paths() {
                break;
            }
            if self.paths.iter().any(|p| p.contains(&guard.ed25519)) {
                continue;
            }
            let used = self.used_keys(guards);
            let mut hops = vec![guard.clone()];
            while hops.len() < self.config.hops {
                let next = self.candidate(pool, &hops, &used).ok_or_else(|| {
                    SnodeError::InsufficientSnodes {
                        reason: format!(
                            "no snode left for hop {} of a path (pool has {})",
                            hops.len() + 1,
                            pool.len()
                        ),
                    }
                })?;
                hops.push(next);
            }
            self.path_strikes.remove(&guard.ed25519);
            self.paths.push(OnionPath { hops });
        }
        if self.paths.is_empty() {
            return Err(SnodeError::InsufficientSnodes {
                reason: "no usable guard".into(),
            });
        }
        Ok(())
    }

    fn used_keys(&self, guards: &[Snode]) -> Vec<[u8; 32]> {
        self.paths
            .iter()
            .flat_map(|p| p.hops.iter().map(|h| h.ed25519))
            .chain(guards.iter().map(|g| g.ed25519))
            .collect()
    }

    /// A random pool snode not in `used` or `hops`, in a /24 (and IP) none of `hops` has.
    fn candidate(&self, pool: &SnodePool, hops: &[Snode], used: &[[u8; 32]]) -> Option<Snode> {
        let ok: Vec<&Snode> = pool
            .nodes()
            .iter()
            .filter(|n| !used.contains(&n.ed25519) && !hops.iter().any(|h| h.ed25519 == n.ed25519))
            .filter(|n| !hops.iter().any(|h| h.ip == n.ip))
            .filter(|n| {
                !self.config.distinct_subnets || !hops.iter().any(|h| h.subnet24() == n.subnet24())
            })
            .collect();
        ok.get(random::index(ok.len())).map(|n| (*n).clone())
    }

    /// A random path that does not contain `avoid` (the destination snode: a request never
    /// goes through its own destination).
    pub fn pick(&self, avoid: Option<&[u8; 32]>) -> Option<OnionPath> {
        let ok: Vec<&OnionPath> = self
            .paths
            .iter()
            .filter(|p| avoid.is_none_or(|ed| !p.contains(ed)))
            .collect();
        ok.get(random::index(ok.len())).map(|p| (*p).clone())
    }

    /// A path for a request to the snode `avoid` when every kept path contains it
    /// (network.md §2: a request never goes through its own destination): a kept path whose
    /// guard is not `avoid`, with `avoid` replaced by a random pool snode that keeps the
    /// path's /24 rule (preferring snodes on no other path). The kept paths do not change:
    /// the detour serves this request only. `None` if every path's guard is `avoid` (see
    /// [`PathManager::detour_from`]) or the pool has no replacement.
    pub fn detour(&self, pool: &SnodePool, avoid: &[u8; 32]) -> Option<OnionPath> {
        let mut paths: Vec<&OnionPath> = self
            .paths
            .iter()
            .filter(|p| p.guard().is_some_and(|g| &g.ed25519 != avoid))
            .collect();
        random::shuffle(&mut paths);
        paths.into_iter().find_map(|path| {
            let Some(at) = path.hops.iter().position(|h| &h.ed25519 == avoid) else {
                return Some(path.clone());
            };
            let others: Vec<Snode> = path
                .hops
                .iter()
                .filter(|h| &h.ed25519 != avoid)
                .cloned()
                .collect();
            let next = self.relay_avoiding(pool, &others, avoid)?;
            let mut hops = path.hops.clone();
            *hops.get_mut(at)? = next;
            Some(OnionPath { hops })
        })
    }

    /// A one-off path from `guard` (tested by the caller) with random relays, none of them
    /// `avoid`, for when every kept path's guard is the destination. Not kept. `None` if the
    /// pool has too few snodes.
    pub fn detour_from(
        &self,
        pool: &SnodePool,
        guard: &Snode,
        avoid: &[u8; 32],
    ) -> Option<OnionPath> {
        if &guard.ed25519 == avoid {
            return None;
        }
        let mut hops = vec![guard.clone()];
        while hops.len() < self.config.hops {
            let next = self.relay_avoiding(pool, &hops, avoid)?;
            hops.push(next);
        }
        Some(OnionPath { hops })
    }

    /// A relay for a detour: not `avoid`, not in `hops`, preferably on no kept path.
    fn relay_avoiding(&self, pool: &SnodePool, hops: &[Snode], avoid: &[u8; 32]) -> Option<Snode> {
        let mut used = self.used_keys(&[]);
        used.push(*avoid);
        self.candidate(pool, hops, &used)
            .or_else(|| self.candidate(pool, hops, &[*avoid]))
    }

    /// Strikes for an unattributed path failure (a non-200 at the guard, no answer at all):
    /// +1 for every relay in the pool (dropped and replaced at 3), +1 for the path; at 3 the
    /// guard leaves the pool and all paths are dropped for a rebuild (network.md §2). A
    /// one-off path from [`PathManager::detour_from`], whose guard guards no kept path,
    /// strikes that guard as a snode instead of striking a kept path.
    pub fn report_failure(&mut self, path: &OnionPath, pool: &mut SnodePool) -> FailureOutcome {
        let mut outcome = FailureOutcome::default();
        let Some(guard) = path.guard().map(|g| g.ed25519) else {
            return outcome;
        };
        let kept_guard = self.guards().contains(&guard);
        let struck = path.hops.iter().skip(usize::from(kept_guard));
        for hop in struck {
            if pool.strike(&hop.ed25519) {
                outcome.dropped_snodes.push(hop.ed25519);
            }
        }
        for dropped in &outcome.dropped_snodes {
            self.repair(dropped, pool);
        }
        if !kept_guard {
            return outcome;
        }
        let strikes = self.path_strikes.entry(guard).or_insert(0);
        *strikes = strikes.saturating_add(1);
        if *strikes >= STRIKES_TO_DROP {
            pool.remove(&guard);
            outcome.dropped_snodes.push(guard);
            self.paths.clear();
            self.path_strikes.clear();
            outcome.paths_dropped = true;
        }
        outcome
    }

    /// The path strike count of a guard.
    pub fn path_strikes(&self, guard: &[u8; 32]) -> u8 {
        self.path_strikes.get(guard).copied().unwrap_or(0)
    }

    /// `Next node not found: <ed>`: the snode leaves the pool at once; a path through it gets
    /// a random replacement in its place (not tested, which would reveal our IP), or is
    /// dropped if it was the guard.
    pub fn report_node_not_found(&mut self, ed25519: &[u8; 32], pool: &mut SnodePool) {
        pool.remove(ed25519);
        self.repair(ed25519, pool);
    }

    /// Drops every path (e.g. the guard is unreachable); they are rebuilt on next use.
    pub fn drop_path_of(&mut self, guard: &[u8; 32]) {
        self.paths
            .retain(|p| p.guard().is_none_or(|g| &g.ed25519 != guard));
        self.path_strikes.remove(guard);
    }

    fn repair(&mut self, missing: &[u8; 32], pool: &SnodePool) {
        let used: Vec<[u8; 32]> = self.used_keys(&[]);
        let mut rebuilt = Vec::with_capacity(self.paths.len());
        for mut path in std::mem::take(&mut self.paths) {
            match path.hops.iter().position(|h| &h.ed25519 == missing) {
                None => rebuilt.push(path),
                Some(0) => {
                    self.path_strikes.remove(missing);
                }
                Some(i) => {
                    let others: Vec<Snode> = path
                        .hops
                        .iter()
                        .filter(|h| &h.ed25519 != missing)
                        .cloned()
                        .collect();
                    if let Some(next) = self.candidate(pool, &others, &used) {
                        path.hops[i] = next;
                        rebuilt.push(path);
                    }
                }
            }
        }
        self.paths = rebuilt;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Instant;

    use super::super::pool::tests::node;
    use super::*;

    fn pool(n: u8) -> SnodePool {
        let mut pool = SnodePool::new();
        pool.replace((0..n).map(|i| node(i, 1)).collect(), Instant::now());
        pool
    }

    #[test]
    fn builds_two_disjoint_paths_with_distinct_subnets() {
        let pool = pool(12);
        let mut pm = PathManager::new(PathConfig::default());
        let guards = pm.guard_candidates(&pool, &[], 2);
        pm.build(&pool, &guards).unwrap();
        assert_eq!(pm.paths().len(), 2);
        let mut all: Vec<[u8; 32]> = Vec::new();
        for p in pm.paths() {
            assert_eq!(p.hops.len(), 3);
            let mut subnets: Vec<[u8; 3]> = p.hops.iter().map(Snode::subnet24).collect();
            subnets.dedup();
            assert_eq!(subnets.len(), 3);
            all.extend(p.hops.iter().map(|h| h.ed25519));
        }
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "no snode on two paths");
        assert!(!pm.needs_paths());
    }

    #[test]
    fn same_subnet_nodes_never_share_a_path() {
        // 8 nodes, all in 10.0.0.0/24 except two: a 3-hop path needs three subnets.
        let mut nodes: Vec<Snode> = (0..8).map(|i| node(i, 1)).collect();
        for n in nodes.iter_mut().skip(2) {
            n.ip = std::net::Ipv4Addr::new(10, 0, 0, n.ed25519[0]);
        }
        let mut p = SnodePool::new();
        p.replace(nodes.clone(), Instant::now());
        let mut pm = PathManager::new(PathConfig::new(1, 3));
        pm.build(&p, &nodes[..1]).unwrap();
        let subnets: Vec<[u8; 3]> = pm.paths()[0].hops.iter().map(Snode::subnet24).collect();
        assert!(subnets[0] != subnets[1] && subnets[1] != subnets[2] && subnets[0] != subnets[2]);
        let mut pm = PathManager::new(PathConfig::new(1, 4));
        assert!(matches!(
            pm.build(&p, &nodes[..1]),
            Err(SnodeError::InsufficientSnodes { .. })
        ));
    }

    #[test]
    fn pick_avoids_the_destination() {
        let pool = pool(12);
        let mut pm = PathManager::new(PathConfig::default());
        let guards = pm.guard_candidates(&pool, &[], 2);
        pm.build(&pool, &guards).unwrap();
        let on_first = pm.paths()[0].hops[1].ed25519;
        for _ in 0..20 {
            assert!(!pm.pick(Some(&on_first)).unwrap().contains(&on_first));
        }
    }

    #[test]
    fn three_path_failures_drop_the_guard_and_all_paths() {
        let mut pool = pool(12);
        let mut pm = PathManager::new(PathConfig::default());
        let guards = pm.guard_candidates(&pool, &[], 2);
        pm.build(&pool, &guards).unwrap();
        let path = pm.paths()[0].clone();
        let guard = path.guard().unwrap().ed25519;
        assert_eq!(
            pm.report_failure(&path, &mut pool),
            FailureOutcome::default()
        );
        assert!(!pm.report_failure(&path, &mut pool).paths_dropped);
        let third = pm.report_failure(&path, &mut pool);
        assert!(third.paths_dropped);
        // Both relays got their third strike too and were dropped, then the guard.
        assert_eq!(third.dropped_snodes.len(), 3);
        assert!(pool.get(&guard).is_none());
        assert!(pm.paths().is_empty() && pm.needs_paths());
    }

    #[test]
    fn node_not_found_is_replaced_in_place_or_drops_a_guard_path() {
        let mut pool = pool(12);
        let mut pm = PathManager::new(PathConfig::default());
        let guards = pm.guard_candidates(&pool, &[], 2);
        pm.build(&pool, &guards).unwrap();
        let path = pm.paths()[0].clone();
        let relay = path.hops[1].ed25519;
        pm.report_node_not_found(&relay, &mut pool);
        assert!(pool.get(&relay).is_none());
        let repaired = pm
            .paths()
            .iter()
            .find(|p| p.guard() == path.guard())
            .unwrap();
        assert_eq!(repaired.hops.len(), 3);
        assert!(!repaired.contains(&relay));
        assert_eq!(repaired.hops[2], path.hops[2]);
        let guard = path.guard().unwrap().ed25519;
        pm.report_node_not_found(&guard, &mut pool);
        assert_eq!(pm.paths().len(), 1);
        assert!(pm.paths().iter().all(|p| !p.contains(&guard)));
    }

    fn distinct_subnets(path: &OnionPath) -> bool {
        let mut subnets: Vec<[u8; 3]> = path.hops.iter().map(Snode::subnet24).collect();
        subnets.sort_unstable();
        subnets.dedup();
        subnets.len() == path.hops.len()
    }

    #[test]
    fn a_detour_replaces_the_destination_and_leaves_the_kept_path_alone() {
        let pool = pool(12);
        let mut pm = PathManager::new(PathConfig::new(1, 3));
        let guards = pm.guard_candidates(&pool, &[], 1);
        pm.build(&pool, &guards).unwrap();
        let kept = pm.paths()[0].clone();
        for at in 1..3 {
            let avoid = kept.hops[at].ed25519;
            assert!(pm.pick(Some(&avoid)).is_none());
            let detour = pm.detour(&pool, &avoid).unwrap();
            assert!(!detour.contains(&avoid));
            assert_eq!(detour.hops.len(), 3);
            assert!(distinct_subnets(&detour));
            // Only the destination's place changed.
            for (i, hop) in detour.hops.iter().enumerate() {
                assert_eq!(i == at, hop != &kept.hops[i]);
            }
        }
        // The guard is the destination: no detour from the kept path, a one-off from
        // another guard instead, never through the destination.
        let guard = kept.hops[0].ed25519;
        assert!(pm.detour(&pool, &guard).is_none());
        let other = pool
            .nodes()
            .iter()
            .find(|n| !kept.contains(&n.ed25519))
            .unwrap();
        assert!(pm.detour_from(&pool, &kept.hops[0], &guard).is_none());
        for _ in 0..20 {
            let one_off = pm.detour_from(&pool, other, &guard).unwrap();
            assert_eq!(one_off.hops[0], *other);
            assert!(!one_off.contains(&guard) && distinct_subnets(&one_off));
        }
        assert_eq!(pm.paths(), [kept]);
    }

    #[test]
    fn a_one_off_path_strikes_its_guard_as_a_snode_not_a_kept_path() {
        let mut pool = pool(12);
        let mut pm = PathManager::new(PathConfig::new(1, 3));
        let guards = pm.guard_candidates(&pool, &[], 1);
        pm.build(&pool, &guards).unwrap();
        let kept = pm.paths()[0].clone();
        let other = pool
            .nodes()
            .iter()
            .find(|n| !kept.contains(&n.ed25519))
            .cloned()
            .unwrap();
        let one_off = pm
            .detour_from(&pool, &other, &kept.hops[0].ed25519)
            .unwrap();
        for strike in 1..=3u8 {
            let outcome = pm.report_failure(&one_off, &mut pool);
            assert!(!outcome.paths_dropped);
            assert_eq!(outcome.dropped_snodes.contains(&other.ed25519), strike == 3);
        }
        assert!(pool.get(&other.ed25519).is_none());
        assert_eq!(pm.path_strikes(&kept.hops[0].ed25519), 0);
        assert!(pm.paths().iter().all(|p| p.guard() == kept.guard()));
    }

    #[test]
    fn saved_guards_are_preferred() {
        let pool = pool(12);
        let pm = PathManager::new(PathConfig::default());
        let c = pm.guard_candidates(&pool, &[[7; 32], [99; 32]], 4);
        assert_eq!(c[0].ed25519, [7; 32]);
        assert_eq!(c.len(), 4);
    }
}
