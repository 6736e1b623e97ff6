//! The server's X25519 keypair: created on first start and then kept, in the database (`meta`
//! table) or in a key file of mode 0600 (raw 32 bytes, or 64 hex digits when written by hand).
//!
//! The public half is the `public_key` of every join link and the key onion requests to this
//! server are encrypted to (spec/sogs-api.md §3); losing the secret strands every client.

use std::io::Write;
use std::path::Path;

use rusqlite::OptionalExtension;
use session_crypto::X25519Keypair;
use zeroize::Zeroizing;

use crate::db::Db;
use crate::error::{Error, Result};

const META_KEY: &str = "x25519_secret";

/// Parses a stored secret: 32 raw bytes or 64 hex digits (surrounding whitespace ignored).
fn parse_secret(bytes: &[u8], origin: &str) -> Result<X25519Keypair> {
    if let Ok(raw) = <[u8; 32]>::try_from(bytes) {
        return Ok(X25519Keypair::from_secret(raw));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Error::InvalidKey(origin.to_owned()))?;
    let mut raw = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text.trim(), &mut raw[..])
        .map_err(|_| Error::InvalidKey(origin.to_owned()))?;
    Ok(X25519Keypair::from_secret(*raw))
}

/// Loads the key from `file`, or creates it there (mode 0600) if the file does not exist.
pub(crate) fn load_or_create_file(file: &Path) -> Result<X25519Keypair> {
    match std::fs::read(file) {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            parse_secret(&bytes, &file.display().to_string())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let kp = X25519Keypair::generate()?;
            write_key_file(file, kp.secret_bytes())?;
            Ok(kp)
        }
        Err(source) => Err(Error::Io {
            what: "cannot read key file",
            path: file.to_owned(),
            source,
        }),
    }
}

fn write_key_file(file: &Path, secret: &[u8; 32]) -> Result<()> {
    let io = |source| Error::Io {
        what: "cannot write key file",
        path: file.to_owned(),
        source,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(file).map_err(io)?;
    f.write_all(secret).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Loads the key from the database, or creates and stores it if there is none.
pub(crate) fn load_or_create_db(db: &Db) -> Result<X25519Keypair> {
    let stored: Option<Vec<u8>> = db.read(|c| {
        c.query_row("SELECT value FROM meta WHERE key = ?", [META_KEY], |r| {
            r.get(0)
        })
        .optional()
    })?;
    if let Some(bytes) = stored {
        let bytes = Zeroizing::new(bytes);
        return parse_secret(&bytes, "the database");
    }
    let kp = X25519Keypair::generate()?;
    // Insert-or-keep: if another process created a key meanwhile, use that one.
    db.write(|tx| {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
            rusqlite::params![META_KEY, &kp.secret_bytes()[..]],
        )
    })?;
    let bytes: Vec<u8> = db.read(|c| {
        c.query_row("SELECT value FROM meta WHERE key = ?", [META_KEY], |r| {
            r.get(0)
        })
    })?;
    let bytes = Zeroizing::new(bytes);
    parse_secret(&bytes, "the database")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::Durability;

    #[test]
    fn database_key_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let a = load_or_create_db(&Db::open(&path, Durability::Normal).unwrap()).unwrap();
        let b = load_or_create_db(&Db::open(&path, Durability::Normal).unwrap()).unwrap();
        assert_eq!(a.public_key(), b.public_key());
    }

    #[test]
    fn key_file_is_private_and_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key_x25519");
        let a = load_or_create_file(&path).unwrap();
        let b = load_or_create_file(&path).unwrap();
        assert_eq!(a.public_key(), b.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A hand-written hex key file is accepted.
        let hex_path = dir.path().join("hex");
        std::fs::write(&hex_path, format!("{}\n", hex::encode([5u8; 32]))).unwrap();
        let h = load_or_create_file(&hex_path).unwrap();
        assert_eq!(
            h.public_key(),
            X25519Keypair::from_secret([5; 32]).public_key()
        );
        std::fs::write(&hex_path, "nope").unwrap();
        assert!(matches!(
            load_or_create_file(&hex_path),
            Err(Error::InvalidKey(_))
        ));
    }
}
