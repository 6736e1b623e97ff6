//! [`Room`]: the calls a bot or an app makes in one room.

use std::sync::Arc;

use session_schema::{Content, VisibleMessage};
use session_sogs::{Message, PollerConfig, RoomInfo, RoomToken, SogsClient};

use crate::error::Result;

/// One room of a community.
#[derive(Debug, Clone)]
pub struct Room {
    sogs: Arc<SogsClient>,
    token: RoomToken,
    poller: PollerConfig,
}

impl Room {
    pub(crate) fn new(sogs: Arc<SogsClient>, token: RoomToken, poller: PollerConfig) -> Self {
        Self {
            sogs,
            token,
            poller,
        }
    }

    /// The room token.
    pub fn token(&self) -> &RoomToken {
        &self.token
    }

    /// The room's details (a signed request when the client has an identity).
    pub async fn info(&self) -> Result<RoomInfo> {
        Ok(self.sogs.room(&self.token).await?)
    }

    /// The latest messages (up to 100), **oldest first**, each decoded and verified.
    pub async fn messages(&self) -> Result<Vec<Message>> {
        self.recent(100).await
    }

    /// The latest `limit` messages, oldest first.
    pub async fn recent(&self, limit: u16) -> Result<Vec<Message>> {
        let mut m = self.sogs.recent_messages(&self.token, limit).await?;
        m.reverse();
        Ok(m)
    }

    /// Posts a text message; returns it as stored, verified.
    pub async fn send_text(&self, text: &str) -> Result<Message> {
        self.send(&VisibleMessage::text(text).into_content()).await
    }

    /// Encodes, signs and posts any content.
    pub async fn send(&self, content: &Content) -> Result<Message> {
        Ok(self.sogs.post(&self.token, content).await?)
    }

    /// Reacts to a message; `false` if the user had already reacted so.
    pub async fn react(&self, message_id: i64, emoji: &str) -> Result<bool> {
        Ok(self.sogs.react(&self.token, message_id, emoji).await?.added)
    }

    /// Deletes a message (one's own, or any as a moderator).
    pub async fn delete(&self, message_id: i64) -> Result<()> {
        Ok(self.sogs.delete(&self.token, message_id).await?)
    }

    /// A stream of this room's events (and the user's DMs): new, edited and deleted messages,
    /// reactions, info and pin changes. The first poll reports the recent messages.
    pub fn events(&self) -> crate::EventStream {
        let mut poller = session_sogs::Poller::new(self.poller.clone());
        poller.add_room(self.token.clone());
        session_sogs::poller::stream(self.sogs.clone(), poller)
    }
}
