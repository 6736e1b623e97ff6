//! Response types (serde), read leniently (spec §6.9): optional keys default, `null`s are
//! accepted where bunsogs sends them, unknown keys are ignored.

mod dm;
pub(crate) mod message;
mod room;

pub use dm::{DirectMessage, DmSent, RawDirectMessage};
pub use message::{DecodeError, Message, MessageUpdate, RawMessage, Reaction, ReactionsUpdate};
pub use room::{InfoUpdates, PinnedMessage, PollInfo, RoomInfo, RoomInfoUpdates, RoomPermissions};

use serde::{Deserialize, Deserializer};

/// Deserializes `null` as the type's default (bunsogs sends `null` where pysogs omits a key).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
