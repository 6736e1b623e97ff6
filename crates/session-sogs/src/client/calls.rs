//! One convenience call per endpoint of spec §2, each a thin wrapper over
//! [`SogsClient::send`] with the matching [`api`] request.

use std::time::Duration;

use session_crypto::AccountId;
use session_schema::{Content, VisibleMessage};

use super::SogsClient;
use crate::api;
use crate::batch::{Batch, BatchResponses};
use crate::error::{Error, Result};
use crate::link::RoomToken;
use crate::model::{
    DirectMessage, DmSent, InfoUpdates, Message, MessageUpdate, PollInfo, RoomInfo, RoomInfoUpdates,
};
use session_schema::SogsSigner;

impl SogsClient {
    /// `GET /rooms`.
    pub async fn rooms(&self) -> Result<Vec<RoomInfo>> {
        self.send(&api::GetRooms).await
    }

    /// `GET /room/R`.
    pub async fn room(&self, room: &RoomToken) -> Result<RoomInfo> {
        self.send(&api::GetRoom::new(room.clone())).await
    }

    /// `GET /room/R/pollInfo/<info_updates>`.
    pub async fn poll_info(&self, room: &RoomToken, info_updates: i64) -> Result<PollInfo> {
        self.send(&api::GetPollInfo::new(room.clone(), info_updates))
            .await
    }

    /// `PUT /room/R` (admin).
    pub async fn update_room(
        &self,
        room: &RoomToken,
        update: api::RoomUpdate,
    ) -> Result<InfoUpdates> {
        self.send(&api::UpdateRoom {
            room: room.clone(),
            update,
        })
        .await
    }

    /// `GET /room/R/messages/recent?limit=N`: newest first, decoded and verified.
    pub async fn recent_messages(&self, room: &RoomToken, limit: u16) -> Result<Vec<Message>> {
        self.send(&api::RecentMessages::new(room.clone()).limit(limit))
            .await
    }

    /// `GET /room/R/messages/since/<seqno>?t=r`: changes after `seqno`, ascending.
    pub async fn messages_since(
        &self,
        room: &RoomToken,
        seqno: i64,
        limit: u16,
    ) -> Result<Vec<MessageUpdate>> {
        self.send(&api::MessagesSince::new(room.clone(), seqno).limit(limit))
            .await
    }

    /// `GET /room/R/messages/before/<id>?limit=N`: older messages, newest first.
    pub async fn messages_before(
        &self,
        room: &RoomToken,
        id: i64,
        limit: u16,
    ) -> Result<Vec<Message>> {
        let mut e = api::MessagesBefore::new(room.clone(), id);
        e.limit = Some(limit);
        self.send(&e).await
    }

    /// `GET /room/R/message/<id>`.
    pub async fn message(&self, room: &RoomToken, id: i64) -> Result<Message> {
        self.send(&api::GetMessage {
            room: room.clone(),
            id,
        })
        .await
    }

    /// Encodes, signs and posts `content` (`POST /room/R/message`); the answer is the stored
    /// message, decoded and verified.
    pub async fn post(&self, room: &RoomToken, content: &Content) -> Result<Message> {
        self.send(&self.post_request(room, content).await?).await
    }

    /// Posts a text message.
    pub async fn post_text(&self, room: &RoomToken, text: &str) -> Result<Message> {
        self.post(room, &VisibleMessage::text(text).into_content())
            .await
    }

    /// The [`api::PostMessage`] for `content`, encoded and signed with the client's key (add
    /// whisper targets or files to it before sending).
    pub async fn post_request(
        &self,
        room: &RoomToken,
        content: &Content,
    ) -> Result<api::PostMessage> {
        let identity = self.identity.as_deref().ok_or(Error::NoIdentity)?;
        let mode = self.signing_mode().await?;
        let data = SogsSigner::new(identity, mode, self.server.public_key()).encode(content)?;
        Ok(api::PostMessage::new(
            room.clone(),
            data.data,
            data.signature,
        ))
    }

    /// Replaces the content of one's own message (`PUT /room/R/message/<id>`).
    pub async fn edit(&self, room: &RoomToken, id: i64, content: &Content) -> Result<()> {
        let post = self.post_request(room, content).await?;
        self.send(&api::EditMessage {
            room: room.clone(),
            id,
            data: post.data,
            signature: post.signature,
            files: Vec::new(),
        })
        .await
    }

    /// `DELETE /room/R/message/<id>`.
    pub async fn delete(&self, room: &RoomToken, id: i64) -> Result<()> {
        self.send(&api::DeleteMessage {
            room: room.clone(),
            id,
        })
        .await
    }

    /// `DELETE /room/R/all/<user>`.
    pub async fn delete_all_from(&self, room: &RoomToken, user: AccountId) -> Result<()> {
        self.send(&api::DeleteAllFrom {
            room: room.clone(),
            user,
        })
        .await
    }

    /// `PUT /room/R/reaction/<id>/<emoji>`.
    pub async fn react(
        &self,
        room: &RoomToken,
        id: i64,
        emoji: &str,
    ) -> Result<api::ReactionAdded> {
        self.send(&api::AddReaction::new(room.clone(), id, emoji)?)
            .await
    }

    /// `DELETE /room/R/reaction/<id>/<emoji>`.
    pub async fn unreact(
        &self,
        room: &RoomToken,
        id: i64,
        emoji: &str,
    ) -> Result<api::ReactionRemoved> {
        self.send(&api::RemoveReaction::new(room.clone(), id, emoji)?)
            .await
    }

    /// `DELETE /room/R/reactions/<id>[/<emoji>]` (moderator).
    pub async fn clear_reactions(
        &self,
        room: &RoomToken,
        id: i64,
        emoji: Option<&str>,
    ) -> Result<api::ReactionsCleared> {
        self.send(&api::ClearReactions::new(room.clone(), id, emoji)?)
            .await
    }

    /// `GET /room/R/reactors/<id>/<emoji>`.
    pub async fn reactors(
        &self,
        room: &RoomToken,
        id: i64,
        emoji: &str,
    ) -> Result<Vec<(String, f64)>> {
        self.send(&api::Reactors::new(room.clone(), id, emoji)?)
            .await
    }

    /// `POST /room/R/pin/<id>` (admin).
    pub async fn pin(&self, room: &RoomToken, id: i64) -> Result<InfoUpdates> {
        self.send(&api::Pin {
            room: room.clone(),
            id,
        })
        .await
    }

    /// `POST /room/R/unpin/<id>` (admin).
    pub async fn unpin(&self, room: &RoomToken, id: i64) -> Result<api::Unpinned> {
        self.send(&api::Unpin {
            room: room.clone(),
            id,
        })
        .await
    }

    /// `POST /room/R/unpin/all` (admin).
    pub async fn unpin_all(&self, room: &RoomToken) -> Result<api::UnpinnedAll> {
        self.send(&api::UnpinAll { room: room.clone() }).await
    }

    /// `POST /room/R/file`.
    pub async fn upload(
        &self,
        room: &RoomToken,
        data: Vec<u8>,
        filename: Option<&str>,
    ) -> Result<api::FileId> {
        self.send(&api::UploadFile {
            room: room.clone(),
            data,
            filename: filename.map(str::to_owned),
        })
        .await
    }

    /// `GET /room/R/file/<id>`.
    pub async fn download(&self, room: &RoomToken, id: i64) -> Result<api::File> {
        self.send(&api::DownloadFile {
            room: room.clone(),
            id,
        })
        .await
    }

    /// `POST /user/<id>/ban`.
    pub async fn ban(
        &self,
        user: AccountId,
        scope: api::Scope,
        timeout: Option<Duration>,
    ) -> Result<()> {
        self.send(&api::Ban {
            user,
            scope,
            timeout: timeout.map(|d| d.as_secs_f64()),
        })
        .await
    }

    /// `POST /user/<id>/unban`.
    pub async fn unban(&self, user: AccountId, scope: api::Scope) -> Result<()> {
        self.send(&api::Unban { user, scope }).await
    }

    /// `POST /user/<id>/moderator`.
    pub async fn set_moderator(&self, request: api::SetModerator) -> Result<RoomInfoUpdates> {
        self.send(&request).await
    }

    /// Encrypts `content` for `recipient` and sends it (`POST /inbox/<id>`).
    pub async fn send_dm(
        &self,
        recipient: &session_crypto::BlindedId,
        content: &Content,
    ) -> Result<DmSent> {
        let identity = self.identity.as_deref().ok_or(Error::NoIdentity)?;
        let data = session_crypto::blinded_dm::encrypt(
            identity,
            self.server.public_key(),
            recipient,
            content.as_bytes(),
        )?;
        self.send(&api::SendDm {
            recipient: *recipient,
            message: crate::encoding::encode_base64(&data),
        })
        .await
    }

    /// `GET /inbox`, decrypted.
    pub async fn inbox(&self) -> Result<Vec<DirectMessage>> {
        self.send(&api::Inbox::default()).await
    }

    /// `GET /inbox/since/<id>`, decrypted.
    pub async fn inbox_since(&self, id: i64) -> Result<Vec<DirectMessage>> {
        self.send(&api::InboxSince::new(id)).await
    }

    /// `GET /outbox`, decrypted.
    pub async fn outbox(&self) -> Result<Vec<DirectMessage>> {
        self.send(&api::Outbox::default()).await
    }

    /// `GET /outbox/since/<id>`, decrypted.
    pub async fn outbox_since(&self, id: i64) -> Result<Vec<DirectMessage>> {
        self.send(&api::OutboxSince::new(id)).await
    }

    /// `DELETE /inbox`.
    pub async fn clear_inbox(&self) -> Result<api::Cleared> {
        self.send(&api::ClearInbox).await
    }

    /// Sends a `/batch` or `/sequence`; read each answer with its handle.
    pub async fn batch(&self, batch: &Batch) -> Result<BatchResponses> {
        self.send(batch).await
    }

    /// `GET /room/R/permissions` (moderator).
    pub async fn permissions(
        &self,
        room: &RoomToken,
    ) -> Result<std::collections::BTreeMap<String, crate::model::RoomPermissions>> {
        self.send(&api::GetPermissions { room: room.clone() }).await
    }

    /// `POST /room/R/permissions/<id>` (moderator).
    pub async fn set_permissions(
        &self,
        room: &RoomToken,
        user: AccountId,
        changes: api::PermissionChanges,
    ) -> Result<crate::model::RoomPermissions> {
        self.send(&api::SetPermissions {
            room: room.clone(),
            user,
            changes,
        })
        .await
    }
}
