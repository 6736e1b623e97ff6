//! [`JsonFileStore`]: a [`SnodeStore`] that keeps the pool, guards and swarms in one JSON
//! file, so a client starts from its last pool instead of asking the seeds every time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{Snode, SnodeStore};

#[derive(Debug, Default, Serialize, Deserialize)]
struct Contents {
    pool: Vec<Snode>,
    #[serde(default)]
    guards: Vec<String>,
    #[serde(default)]
    swarms: HashMap<String, Vec<String>>,
}

/// Persists to a JSON file, rewritten (through a temporary file and a rename) on every save.
/// A missing or unreadable file counts as empty: the network then bootstraps from the seeds.
#[derive(Debug)]
pub struct JsonFileStore {
    path: PathBuf,
    contents: Mutex<Contents>,
}

impl JsonFileStore {
    /// Opens (or will create) the store at `path`.
    pub fn open(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let contents = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Self {
            path,
            contents: Mutex::new(contents),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn update(&self, f: impl FnOnce(&mut Contents)) {
        let mut contents = self.contents.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut contents);
        if let Err(e) = write_atomically(&self.path, &contents) {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot save snode store");
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Contents) -> T) -> T {
        f(&self.contents.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn write_atomically(path: &Path, contents: &Contents) -> std::io::Result<()> {
    let json = serde_json::to_vec(contents).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, json)?;
    std::fs::rename(tmp, path)
}

fn keys_from_hex(list: &[String]) -> Vec<[u8; 32]> {
    list.iter()
        .filter_map(|h| {
            let mut k = [0u8; 32];
            hex::decode_to_slice(h, &mut k).ok().map(|()| k)
        })
        .collect()
}

impl SnodeStore for JsonFileStore {
    fn load_pool(&self) -> Vec<Snode> {
        self.read(|c| c.pool.clone())
    }
    fn save_pool(&self, pool: &[Snode]) {
        self.update(|c| c.pool = pool.to_vec());
    }
    fn load_guards(&self) -> Vec<[u8; 32]> {
        self.read(|c| keys_from_hex(&c.guards))
    }
    fn save_guards(&self, guards: &[[u8; 32]]) {
        self.update(|c| c.guards = guards.iter().map(hex::encode).collect());
    }
    fn load_swarm(&self, account: &[u8; 33]) -> Option<Vec<[u8; 32]>> {
        self.read(|c| {
            c.swarms
                .get(&hex::encode(account))
                .map(|l| keys_from_hex(l))
        })
    }
    fn save_swarm(&self, account: &[u8; 33], swarm: &[[u8; 32]]) {
        self.update(|c| {
            c.swarms.insert(
                hex::encode(account),
                swarm.iter().map(hex::encode).collect(),
            );
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::pool::tests::node;
    use super::*;

    #[test]
    fn survives_a_reopen_and_treats_garbage_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snodes.json");
        let store = JsonFileStore::open(&path);
        assert!(store.load_pool().is_empty());
        store.save_pool(&[node(1, 1), node(2, 1)]);
        store.save_guards(&[[1; 32]]);
        store.save_swarm(&[5; 33], &[[2; 32], [3; 32]]);
        let reopened = JsonFileStore::open(&path);
        assert_eq!(reopened.load_pool(), vec![node(1, 1), node(2, 1)]);
        assert_eq!(reopened.load_guards(), vec![[1; 32]]);
        assert_eq!(reopened.load_swarm(&[5; 33]), Some(vec![[2; 32], [3; 32]]));
        std::fs::write(&path, b"{not json").unwrap();
        assert!(JsonFileStore::open(&path).load_pool().is_empty());
    }
}
