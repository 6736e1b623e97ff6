//! What a [`SnodeNetwork`] does for accounts (network.md §4–§6): swarm lookup, RPC on a
//! swarm member with 421 and failure handling, store, retrieve, delete, network time and
//! ONS.

use serde_json::Value;

use super::SnodeNetwork;
use crate::rpc::{self, RpcRequest};
use crate::snode::{Snode, SnodeError};

impl SnodeNetwork {
    /// The swarm of a 33-byte account id: the cached one while ≥ 3 of its members are
    /// still in the pool, else computed locally from `swarm_id`s, else asked of a random
    /// snode with `get_swarm` (network.md §5.1).
    pub async fn swarm_for(&self, account: &[u8; 33]) -> Result<Vec<Snode>, SnodeError> {
        let key: [u8; 32] = account[1..].try_into().map_err(|_| SnodeError::Decode {
            what: "account id",
            reason: "not 33 bytes".into(),
        })?;
        let target = {
            let mut state = self.state.lock().await;
            self.ensure_pool(&mut state).await?;
            if let Some(cached) = self.store.load_swarm(account) {
                let members: Vec<Snode> = cached
                    .iter()
                    .filter_map(|k| state.pool.get(k).cloned())
                    .collect();
                if members.len() >= 3 {
                    return Ok(members);
                }
            }
            let local = state.pool.swarm_for(&key);
            if !local.is_empty() {
                self.save_swarm(account, &local);
                return Ok(local);
            }
            state
                .pool
                .random(&[])
                .ok_or(SnodeError::InsufficientSnodes {
                    reason: "empty pool".into(),
                })?
        };
        let value = self
            .rpc(&target, &|_| RpcRequest::get_swarm(account))
            .await?;
        let swarm = rpc::parse_swarm(&value)?;
        self.save_swarm(account, &swarm);
        Ok(swarm)
    }

    fn save_swarm(&self, account: &[u8; 33], swarm: &[Snode]) {
        let keys: Vec<[u8; 32]> = swarm.iter().map(|s| s.ed25519).collect();
        self.store.save_swarm(account, &keys);
    }

    /// Runs an RPC on a random member of `account`'s swarm. A 421 replaces the cached swarm
    /// with the one in the reply (or drops the member if none came) and retries on another
    /// member; a member answering 500/502/503 gets a strike and another member is tried; up
    /// to [`NetworkConfig::attempts`](super::NetworkConfig::attempts) attempts.
    pub async fn swarm_rpc(
        &self,
        account: &[u8; 33],
        make: &(dyn Fn(u64) -> RpcRequest + Sync),
    ) -> Result<Value, SnodeError> {
        let mut swarm = self.swarm_for(account).await?;
        let mut last = SnodeError::InsufficientSnodes {
            reason: "empty swarm".into(),
        };
        for _ in 0..self.config.attempts.max(1) {
            let Some(member) = swarm.get(crate::random::index(swarm.len())).cloned() else {
                break;
            };
            match self.rpc(&member, make).await {
                Err(SnodeError::WrongSwarm { swarm: suggested }) => {
                    if suggested.is_empty() {
                        swarm.retain(|s| s.ed25519 != member.ed25519);
                    } else {
                        swarm = suggested.clone();
                    }
                    self.save_swarm(account, &swarm);
                    last = SnodeError::WrongSwarm { swarm: suggested };
                }
                // The member itself failed (502/503/500): strike it (network.md §2,
                // destination snode error) and try another member.
                Err(e @ (SnodeError::Unavailable { .. } | SnodeError::Server { .. })) => {
                    self.state.lock().await.pool.strike(&member.ed25519);
                    swarm.retain(|s| s.ed25519 != member.ed25519);
                    last = e;
                }
                other => return other,
            }
        }
        Err(last)
    }

    /// Stores `data` for `account` in an unsigned public-inbox namespace (0 for DMs) with
    /// the network time as timestamp.
    pub async fn store(
        &self,
        account: &[u8; 33],
        namespace: i16,
        data: &[u8],
        ttl_ms: u64,
    ) -> Result<rpc::StoreResponse, SnodeError> {
        let value = self
            .swarm_rpc(account, &|now| {
                RpcRequest::store_unsigned(account, namespace, data, ttl_ms, now)
            })
            .await?;
        rpc::parse_store(&value)
    }

    /// Retrieves `identity`'s messages in `namespace` after `last_hash`.
    pub async fn retrieve(
        &self,
        identity: &session_crypto::Identity,
        namespace: i16,
        last_hash: Option<&str>,
    ) -> Result<rpc::RetrieveResponse, SnodeError> {
        let account = identity.session_id().to_bytes();
        let value = self
            .swarm_rpc(&account, &|now| {
                RpcRequest::retrieve(identity, namespace, last_hash, now)
            })
            .await?;
        rpc::parse_retrieve(&value)
    }

    /// Retrieves `identity`'s messages from several namespaces in one `batch` (each with its
    /// own `last_hash`), as Session clients poll. One result per namespace, in order.
    pub async fn retrieve_namespaces(
        &self,
        identity: &session_crypto::Identity,
        namespaces: &[(i16, Option<String>)],
    ) -> Result<Vec<Result<rpc::RetrieveResponse, SnodeError>>, SnodeError> {
        if namespaces.is_empty() || namespaces.len() > rpc::MAX_SUBREQUESTS {
            return Err(SnodeError::BadRequest {
                reason: format!(
                    "{} namespaces (1 to {})",
                    namespaces.len(),
                    rpc::MAX_SUBREQUESTS
                ),
            });
        }
        let account = identity.session_id().to_bytes();
        let value = self
            .swarm_rpc(&account, &|now| {
                let subs: Vec<RpcRequest> = namespaces
                    .iter()
                    .map(|(ns, last)| RpcRequest::retrieve(identity, *ns, last.as_deref(), now))
                    .collect();
                RpcRequest::batch(&subs)
            })
            .await?;
        Ok(rpc::parse_batch(&value)?
            .into_iter()
            .map(|(code, body)| {
                if (200..300).contains(&code) {
                    rpc::parse_retrieve(&body)
                } else {
                    Err(SnodeError::from_status(code, body.to_string().as_bytes()))
                }
            })
            .collect())
    }

    /// Deletes `identity`'s messages by hash.
    pub async fn delete(
        &self,
        identity: &session_crypto::Identity,
        hashes: &[String],
    ) -> Result<Value, SnodeError> {
        let account = identity.session_id().to_bytes();
        self.swarm_rpc(&account, &|_| RpcRequest::delete(identity, hashes))
            .await
    }

    /// A random snode's time (ms), which also updates the clock.
    pub async fn network_time(&self) -> Result<u64, SnodeError> {
        let snode = self.random_snode().await?;
        let value = self.rpc(&snode, &|_| RpcRequest::info()).await?;
        Ok(rpc::parse_info(&value)?.timestamp_ms)
    }

    /// Resolves an ONS name to a Session ID (33 bytes) by asking three random snodes, which
    /// must agree (network.md §6.2).
    pub async fn resolve_ons(&self, name: &str) -> Result<[u8; 33], SnodeError> {
        let (_, name_hash) = rpc::ons_name_hash(name)?;
        let mut answers = Vec::new();
        let mut used = Vec::new();
        for _ in 0..3 {
            let snode = {
                let mut state = self.state.lock().await;
                self.ensure_pool(&mut state).await?;
                state
                    .pool
                    .random(&used)
                    .ok_or(SnodeError::InsufficientSnodes {
                        reason: "fewer than 3 snodes for ONS".into(),
                    })?
            };
            used.push(snode.ed25519);
            let value = self
                .rpc(&snode, &|_| RpcRequest::ons_resolve(&name_hash))
                .await?;
            answers.push(rpc::decrypt_ons_record(name, &value)?);
        }
        match answers.as_slice() {
            [a, rest @ ..] if rest.iter().all(|b| b == a) => Ok(*a),
            _ => Err(SnodeError::Ons {
                reason: "snodes disagree about the name".into(),
            }),
        }
    }
}
