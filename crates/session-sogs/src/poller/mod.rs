//! The room poller: a sans-I/O state machine, one per server (issue 6 §2, spec §2.10, §6.8).
//!
//! Each tick, [`Poller::poll`] builds one `/batch` holding the capabilities, every room's
//! `pollInfo` and its messages (`recent` the first time, then `since/<cursor>?t=r`), and the
//! DM inbox and outbox since their last ids. The caller sends it however it likes and hands
//! the answer to [`Poller::handle`], which advances the cursors and returns [`Event`]s. Then
//! [`Poller::next_delay`] says when to poll again: at once when a page was full, the interval
//! normally, longer (exponential back-off with jitter) after failures. [`stream`] drives it
//! over a [`SogsClient`](crate::SogsClient).
//!
//! Cursor rules (spec §2.10): rows of `since` come in seqno order; the room cursor is the
//! highest seqno of **all** row kinds (messages, tombstones, reaction-only rows, malformed
//! rows), so nothing is fetched twice and nothing skipped. The whole state is a
//! [`PollerCursor`] (serde), so a restarted poller continues exactly where it stopped.

mod backoff;
mod events;
mod stream;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use events::Event;
pub use stream::{EventStream, stream};

use crate::api::{
    GetCapabilities, GetPollInfo, GetRoom, InboxSince, MessagesSince, OutboxSince, RecentMessages,
};
use crate::batch::{Batch, BatchResponses, Handle};
use crate::capabilities::Capabilities;
use crate::error::Result;
use crate::link::RoomToken;
use crate::model::{MessageUpdate, RoomInfo};
use crate::request::Context;

/// How a [`Poller`] polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollerConfig {
    /// Time between polls when nothing is pending (Session Desktop: 10 s).
    pub interval: Duration,
    /// Page size of `messages/since` (1–256). A full page triggers an immediate re-poll.
    pub page_size: u16,
    /// How many recent messages to fetch the first time a room is polled.
    pub initial_messages: u16,
    /// How many reactors to list per reaction.
    pub reactors: u8,
    /// Ask for the capabilities in every batch.
    pub capabilities: bool,
    /// First back-off delay after a failed poll.
    pub backoff_base: Duration,
    /// Longest back-off delay.
    pub backoff_max: Duration,
    /// Randomise back-off delays (±50 %).
    pub jitter: bool,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
            page_size: 100,
            initial_messages: 50,
            reactors: 5,
            capabilities: true,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(120),
            jitter: true,
        }
    }
}

/// Where the poller stands in one room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomCursor {
    /// Highest seqno seen (`None`: never polled; the first poll reads `recent`).
    pub seqno: Option<i64>,
    /// The room's `info_updates` last seen.
    pub info_updates: i64,
    /// Highest message id seen (tells new messages from edits).
    pub max_id: i64,
    /// Ids of the pinned messages last seen, in pin order (`None`: not yet known).
    pub pinned: Option<Vec<i64>>,
}

/// The poller's whole resumable state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollerCursor {
    /// Per room token.
    pub rooms: BTreeMap<String, RoomCursor>,
    /// Highest inbox DM id seen.
    pub inbox: i64,
    /// Highest outbox DM id seen.
    pub outbox: i64,
}

/// The sans-I/O poller of one server.
#[derive(Debug, Clone)]
pub struct Poller {
    config: PollerConfig,
    rooms: BTreeMap<RoomToken, RoomCursor>,
    inbox: i64,
    outbox: i64,
    dms: bool,
    failures: u32,
    repoll: bool,
    capabilities: Option<Capabilities>,
}

/// How a room's messages are asked for in one batch.
#[derive(Debug, Clone, Copy)]
enum MessagesHandle {
    Recent(Handle<RecentMessages>),
    Since(Handle<MessagesSince>),
}

/// How a room's details are asked for: in full the first time (a new room's `info_updates`
/// is 0, so `pollInfo/0` would carry no details), then through `pollInfo`.
#[derive(Debug, Clone, Copy)]
enum InfoHandle {
    Room(Handle<GetRoom>),
    Poll(Handle<GetPollInfo>),
}

#[derive(Debug, Clone)]
struct RoomPlan {
    room: RoomToken,
    info: InfoHandle,
    messages: MessagesHandle,
}

/// One tick's request: send [`batch`](Self::batch), then give this back to
/// [`Poller::handle`] with the answer.
#[derive(Debug, Clone)]
pub struct PollRequest {
    batch: Batch,
    capabilities: Option<Handle<GetCapabilities>>,
    rooms: Vec<RoomPlan>,
    inbox: Option<Handle<InboxSince>>,
    outbox: Option<Handle<OutboxSince>>,
}

impl PollRequest {
    /// The `/batch` to send.
    pub fn batch(&self) -> &Batch {
        &self.batch
    }
}

impl Poller {
    /// A poller with no rooms.
    pub fn new(config: PollerConfig) -> Self {
        Self {
            config,
            rooms: BTreeMap::new(),
            inbox: 0,
            outbox: 0,
            dms: false,
            failures: 0,
            repoll: false,
            capabilities: None,
        }
    }

    /// A poller that continues from a saved cursor. Room tokens that are not valid are
    /// skipped.
    pub fn from_cursor(config: PollerConfig, cursor: PollerCursor) -> Self {
        let mut p = Self::new(config);
        for (token, c) in cursor.rooms {
            if let Ok(t) = RoomToken::new(&token) {
                p.rooms.insert(t, c);
            }
        }
        p.inbox = cursor.inbox;
        p.outbox = cursor.outbox;
        p
    }

    /// The state to save for a later [`from_cursor`](Self::from_cursor).
    pub fn cursor(&self) -> PollerCursor {
        PollerCursor {
            rooms: self
                .rooms
                .iter()
                .map(|(t, c)| (t.as_str().to_owned(), c.clone()))
                .collect(),
            inbox: self.inbox,
            outbox: self.outbox,
        }
    }

    /// Starts polling `room` (no effect if it is polled already).
    pub fn add_room(&mut self, room: RoomToken) {
        self.rooms.entry(room).or_default();
    }

    /// Stops polling `room`.
    pub fn remove_room(&mut self, room: &RoomToken) {
        self.rooms.remove(room);
    }

    /// The rooms polled and where each stands.
    pub fn rooms(&self) -> &BTreeMap<RoomToken, RoomCursor> {
        &self.rooms
    }

    /// Whether to poll the DM inbox and outbox (only blinded identities have them).
    pub fn set_direct_messages(&mut self, on: bool) {
        self.dms = on;
    }

    /// The capabilities from the last poll that carried them.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    /// Builds this tick's batch.
    pub fn poll(&self) -> Result<PollRequest> {
        let mut batch = Batch::new();
        let capabilities = if self.config.capabilities {
            Some(batch.push(&GetCapabilities::new())?)
        } else {
            None
        };
        let mut rooms = Vec::with_capacity(self.rooms.len());
        for (room, c) in &self.rooms {
            let info = if c.pinned.is_none() {
                InfoHandle::Room(batch.push(&GetRoom::new(room.clone()))?)
            } else {
                InfoHandle::Poll(batch.push(&GetPollInfo::new(room.clone(), c.info_updates))?)
            };
            let messages = match c.seqno {
                None => {
                    let mut r =
                        RecentMessages::new(room.clone()).limit(self.config.initial_messages);
                    r.reactors = Some(self.config.reactors);
                    MessagesHandle::Recent(batch.push(&r)?)
                }
                Some(seqno) => {
                    let mut s =
                        MessagesSince::new(room.clone(), seqno).limit(self.config.page_size);
                    s.reactors = Some(self.config.reactors);
                    MessagesHandle::Since(batch.push(&s)?)
                }
            };
            rooms.push(RoomPlan {
                room: room.clone(),
                info,
                messages,
            });
        }
        let (inbox, outbox) = if self.dms {
            (
                Some(batch.push(&InboxSince::new(self.inbox))?),
                Some(batch.push(&OutboxSince::new(self.outbox))?),
            )
        } else {
            (None, None)
        };
        Ok(PollRequest {
            batch,
            capabilities,
            rooms,
            inbox,
            outbox,
        })
    }

    /// Takes the answer to `request` (or why there is none) and returns what happened.
    pub fn handle(
        &mut self,
        request: PollRequest,
        cx: &Context<'_>,
        answer: Result<BatchResponses>,
    ) -> Vec<Event> {
        let answers = match answer {
            Ok(a) => a,
            Err(error) => {
                self.failures = self.failures.saturating_add(1);
                return vec![Event::Error { room: None, error }];
            }
        };
        self.failures = 0;
        self.repoll = false;
        let mut events = Vec::new();
        if let Some(h) = &request.capabilities
            && let Ok(c) = answers.get(cx, h)
        {
            self.capabilities = Some(c);
        }
        for plan in &request.rooms {
            // A room removed while the request was out is ignored.
            if self.rooms.contains_key(&plan.room) {
                self.handle_room(plan, cx, &answers, &mut events);
            }
        }
        if let Some(h) = &request.inbox {
            match answers.get(cx, h) {
                Ok(dms) => {
                    for dm in dms {
                        self.inbox = self.inbox.max(dm.id);
                        events.push(Event::DirectMessage(Box::new(dm)));
                    }
                }
                Err(error) => events.push(Event::Error { room: None, error }),
            }
        }
        if let Some(h) = &request.outbox {
            match answers.get(cx, h) {
                Ok(dms) => {
                    for dm in dms {
                        self.outbox = self.outbox.max(dm.id);
                        events.push(Event::DirectMessageSent(Box::new(dm)));
                    }
                }
                Err(error) => events.push(Event::Error { room: None, error }),
            }
        }
        events
    }

    fn handle_room(
        &mut self,
        plan: &RoomPlan,
        cx: &Context<'_>,
        answers: &BatchResponses,
        events: &mut Vec<Event>,
    ) {
        let room = &plan.room;
        let details = match plan.info {
            InfoHandle::Room(h) => answers.get(cx, &h).map(Some),
            InfoHandle::Poll(h) => answers.get(cx, &h).map(|info| info.details),
        };
        match details {
            Ok(Some(details)) => self.room_details(room, details, events),
            Ok(None) => {}
            Err(error) => events.push(Event::Error {
                room: Some(room.clone()),
                error,
            }),
        }
        let rows = match plan.messages {
            MessagesHandle::Recent(h) => answers.get(cx, &h).map(|mut messages| {
                // `recent` is newest first; report oldest first.
                messages.reverse();
                (
                    messages
                        .into_iter()
                        .map(|m| MessageUpdate::Message(Box::new(m)))
                        .collect::<Vec<_>>(),
                    None,
                )
            }),
            MessagesHandle::Since(h) => answers
                .get(cx, &h)
                .map(|rows| (rows, Some(self.config.page_size))),
        };
        match rows {
            Ok((rows, limit)) => self.room_rows(room, rows, limit, events),
            Err(error) => events.push(Event::Error {
                room: Some(room.clone()),
                error,
            }),
        }
    }

    fn room_details(&mut self, room: &RoomToken, details: RoomInfo, events: &mut Vec<Event>) {
        let Some(c) = self.rooms.get_mut(room) else {
            return;
        };
        if c.pinned.is_some() && details.info_updates <= c.info_updates {
            return; // stale or unchanged (an older answer than one already handled)
        }
        c.info_updates = details.info_updates;
        let pinned: Vec<i64> = details.pinned_messages.iter().map(|p| p.id).collect();
        let pins_changed = c.pinned.as_ref().is_some_and(|old| *old != pinned);
        c.pinned = Some(pinned);
        let pins = pins_changed.then(|| details.pinned_messages.clone());
        events.push(Event::RoomInfoChanged {
            room: room.clone(),
            info: Box::new(details),
        });
        if let Some(pinned) = pins {
            events.push(Event::PinsChanged {
                room: room.clone(),
                pinned,
            });
        }
    }

    fn room_rows(
        &mut self,
        room: &RoomToken,
        rows: Vec<MessageUpdate>,
        limit: Option<u16>,
        events: &mut Vec<Event>,
    ) {
        let Some(c) = self.rooms.get_mut(room) else {
            return;
        };
        let full = limit.is_some_and(|l| rows.len() >= usize::from(l));
        // A first poll of an empty room starts the cursor at 0, so `since/0` picks up the
        // first message.
        let mut seqno = c.seqno.unwrap_or(0);
        for row in rows {
            if let Some(s) = row.seqno() {
                seqno = seqno.max(s);
            }
            match row {
                MessageUpdate::Message(m) if m.deleted => events.push(Event::MessageDeleted {
                    room: room.clone(),
                    id: m.id,
                    seqno: m.seqno,
                }),
                MessageUpdate::Message(m) => {
                    let seen = m.id <= c.max_id;
                    c.max_id = c.max_id.max(m.id);
                    events.push(if seen && m.edited.is_some() {
                        Event::MessageEdited {
                            room: room.clone(),
                            message: m,
                        }
                    } else {
                        Event::MessageNew {
                            room: room.clone(),
                            message: m,
                        }
                    });
                }
                MessageUpdate::Reactions(r) => events.push(Event::ReactionsChanged {
                    room: room.clone(),
                    id: r.id,
                    seqno: r.seqno,
                    reactions: r.reactions,
                }),
                MessageUpdate::Malformed { id, reason, .. } => events.push(Event::MalformedRow {
                    room: room.clone(),
                    id,
                    reason,
                }),
            }
        }
        c.seqno = Some(seqno);
        if full {
            self.repoll = true;
        }
    }

    /// How long to wait before the next poll: zero after a full page (poll again at once,
    /// spec §2.10), a back-off after failed polls, the interval otherwise.
    pub fn next_delay(&self) -> Duration {
        if self.failures > 0 {
            backoff::delay(
                self.failures,
                self.config.backoff_base,
                self.config.backoff_max,
                self.config.jitter,
            )
        } else if self.repoll {
            Duration::ZERO
        } else {
            self.config.interval
        }
    }

    /// How many polls in a row have failed.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
