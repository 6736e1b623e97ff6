//! [`Client`] and [`Community`]: one identity and transport, many servers.

use std::sync::Arc;

use session_crypto::{Identity, ServerPubkey};
use session_net::{DirectTransport, SnodeNetwork, Transport};
use session_sogs::{JoinLink, PollerConfig, RoomToken, Server, SigningPolicy, SogsClient};

use crate::direct::DirectMessages;
use crate::error::{Error, Result};
use crate::room::Room;

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    identity: Option<Arc<Identity>>,
    transport: Option<Arc<dyn Transport>>,
    signing: SigningPolicy,
    poller: Option<PollerConfig>,
    network: Option<Arc<SnodeNetwork>>,
}

impl ClientBuilder {
    /// Signs in as `identity` (e.g. `Identity::from_mnemonic(phrase)?`). Without one the
    /// client is anonymous: it can read public rooms but not post.
    #[must_use]
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(Arc::new(identity));
        self
    }

    /// Sends through `transport` (default: a direct HTTP(S) transport). An onion transport
    /// plugs in here.
    #[must_use]
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Overrides how the signing key is chosen (default: from each server's capabilities).
    #[must_use]
    pub fn signing(mut self, policy: SigningPolicy) -> Self {
        self.signing = policy;
        self
    }

    /// How event streams poll (default: every 10 s).
    #[must_use]
    pub fn poller(mut self, config: PollerConfig) -> Self {
        self.poller = Some(config);
        self
    }

    /// Reaches the Session network through `network` (snode pool, onion paths, swarms), for
    /// 1:1 messages ([`Client::direct_messages`]). The same network can carry community
    /// requests too: pass `OnionTransport::new(network)` to [`ClientBuilder::transport`].
    #[must_use]
    pub fn network(mut self, network: Arc<SnodeNetwork>) -> Self {
        self.network = Some(network);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let transport = match self.transport {
            Some(t) => t,
            None => Arc::new(DirectTransport::new()?),
        };
        Ok(Client {
            identity: self.identity,
            transport,
            signing: self.signing,
            poller: self.poller.unwrap_or_default(),
            network: self.network,
        })
    }
}

/// The SDK's entry point: an identity (or none) and a transport.
///
/// ```no_run
/// # async fn run() -> session_client::Result<()> {
/// use session_client::{Client, Identity};
/// let client = Client::builder()
///     .identity(Identity::from_mnemonic("love love love love love love love love love love love love love")?)
///     .build()?;
/// let room = client
///     .community("https://open.getsession.org/session?public_key=a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238")?
///     .room("session")?;
/// println!("{}", room.info().await?.name);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    identity: Option<Arc<Identity>>,
    transport: Arc<dyn Transport>,
    signing: SigningPolicy,
    poller: PollerConfig,
    network: Option<Arc<SnodeNetwork>>,
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// 1:1 messages of the signed-in identity through the Session network. Needs an
    /// identity and a network ([`ClientBuilder::network`]); each call starts a new inbox
    /// cursor, so keep the value while receiving.
    pub fn direct_messages(&self) -> Result<DirectMessages> {
        let identity = self
            .identity
            .clone()
            .ok_or(Error::NotConfigured("identity"))?;
        let network = self
            .network
            .clone()
            .ok_or(Error::NotConfigured("network"))?;
        Ok(DirectMessages::new(identity, network))
    }

    /// The identity, if signed in.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_deref()
    }

    /// The community of a join link (`https://host/room?public_key=…`); the link's room is
    /// [`Community::linked_room`].
    pub fn community(&self, link: &str) -> Result<Community> {
        let (server, room) = JoinLink::parse(link)?.into_parts();
        Ok(self.community_at(server, Some(room)))
    }

    /// The community at a base URL with a known key.
    pub fn server(&self, base_url: &str, public_key: ServerPubkey) -> Result<Community> {
        Ok(self.community_at(Server::new(base_url, public_key)?, None))
    }

    fn community_at(&self, server: Server, linked: Option<RoomToken>) -> Community {
        let mut sogs = SogsClient::new(server, self.transport.clone()).with_signing(self.signing);
        if let Some(id) = &self.identity {
            sogs = sogs.with_identity(id.clone());
        }
        Community {
            sogs: Arc::new(sogs),
            linked,
            poller: self.poller.clone(),
        }
    }
}

/// One community server, as seen by the client's identity.
#[derive(Debug, Clone)]
pub struct Community {
    sogs: Arc<SogsClient>,
    linked: Option<RoomToken>,
    poller: PollerConfig,
}

impl Community {
    /// A room of this server by token.
    pub fn room(&self, token: &str) -> Result<Room> {
        Ok(Room::new(
            self.sogs.clone(),
            RoomToken::new(token)?,
            self.poller.clone(),
        ))
    }

    /// The room the join link named, if the community came from one.
    pub fn linked_room(&self) -> Option<Room> {
        self.linked
            .clone()
            .map(|t| Room::new(self.sogs.clone(), t, self.poller.clone()))
    }

    /// Every room the user can see.
    pub async fn rooms(&self) -> Result<Vec<session_sogs::RoomInfo>> {
        Ok(self.sogs.rooms().await?)
    }

    /// The typed low-level client, for every endpoint and `/batch`.
    pub fn sogs(&self) -> &Arc<SogsClient> {
        &self.sogs
    }

    /// The id this server sees for the client (its blinded id on blinding servers).
    pub async fn account_id(&self) -> Result<session_crypto::AccountId> {
        Ok(self.sogs.account_id().await?)
    }

    /// Events of several rooms of this server (and DMs), from one poller.
    pub fn events<'a>(&self, rooms: impl IntoIterator<Item = &'a Room>) -> crate::EventStream {
        let mut poller = session_sogs::Poller::new(self.poller.clone());
        for room in rooms {
            poller.add_room(room.token().clone());
        }
        session_sogs::poller::stream(self.sogs.clone(), poller)
    }
}
