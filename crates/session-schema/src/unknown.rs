//! Finding fields the schema does not know, by walking the protobuf wire format against the
//! generated table of known field numbers (`generated/fields.rs`).
//!
//! prost drops unknown fields when it decodes; [`Content`](crate::Content) keeps the original
//! bytes instead, and this walker names what prost skipped so that callers can see a newer
//! client's additions without losing them.

use std::fmt;

use crate::fields::{Field, MESSAGES};

/// A field present in a message but absent from this crate's schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UnknownField {
    /// Dotted path of the enclosing message below `Content`, e.g. `dataMessage` (empty for a
    /// top-level field). Repeated fields are not indexed.
    pub parent: String,
    /// The field number.
    pub number: u32,
}

impl fmt::Display for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.parent.is_empty() {
            write!(f, "{}", self.number)
        } else {
            write!(f, "{}.{}", self.parent, self.number)
        }
    }
}

/// The unknown fields of an encoded `Content`, in wire order.
pub(crate) fn unknown_fields(content: &[u8]) -> Vec<UnknownField> {
    let mut out = Vec::new();
    walk("Content", content, "", 0, &mut out);
    out
}

/// Nesting deeper than this is not walked (the schema nests at most four levels).
const MAX_DEPTH: usize = 16;

fn known_fields(message: &str) -> &'static [Field] {
    MESSAGES
        .binary_search_by(|(name, _)| (*name).cmp(message))
        .ok()
        .and_then(|i| MESSAGES.get(i))
        .map(|(_, fields)| *fields)
        .unwrap_or(&[])
}

/// Walks one message; stops quietly at malformed input (prost has already accepted or
/// rejected the bytes; this is only a report).
fn walk(message: &str, mut bytes: &[u8], parent: &str, depth: usize, out: &mut Vec<UnknownField>) {
    if depth > MAX_DEPTH {
        return;
    }
    let known = known_fields(message);
    while !bytes.is_empty() {
        let Some(tag) = varint(&mut bytes) else {
            return;
        };
        let number = u32::try_from(tag >> 3).unwrap_or(u32::MAX);
        let wire_type = tag & 7;
        let value: &[u8] = match wire_type {
            0 => {
                if varint(&mut bytes).is_none() {
                    return;
                }
                &[]
            }
            1 => match take(&mut bytes, 8) {
                Some(v) => v,
                None => return,
            },
            2 => {
                let Some(len) = varint(&mut bytes).and_then(|l| usize::try_from(l).ok()) else {
                    return;
                };
                match take(&mut bytes, len) {
                    Some(v) => v,
                    None => return,
                }
            }
            5 => match take(&mut bytes, 4) {
                Some(v) => v,
                None => return,
            },
            // Groups (3/4) are not used by Session; anything else is malformed. Report the
            // field and stop, since its extent cannot be known without parsing groups.
            _ => {
                if !known.iter().any(|(n, _, _)| *n == number) {
                    out.push(UnknownField {
                        parent: parent.to_owned(),
                        number,
                    });
                }
                return;
            }
        };
        match known.iter().find(|(n, _, _)| *n == number) {
            None => out.push(UnknownField {
                parent: parent.to_owned(),
                number,
            }),
            Some((_, name, Some(sub))) if wire_type == 2 => {
                let path = if parent.is_empty() {
                    (*name).to_owned()
                } else {
                    format!("{parent}.{name}")
                };
                walk(sub, value, &path, depth + 1, out);
            }
            Some(_) => {}
        }
    }
}

fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Some(head)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn field_table_is_sorted_for_binary_search() {
        assert!(MESSAGES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(known_fields("DataMessage.Quote").len(), 2);
        assert!(known_fields("NoSuchMessage").is_empty());
    }

    #[test]
    fn finds_nested_unknown_fields_and_ignores_known_ones() {
        // Content { dataMessage { body: "hi", 999: varint 1 }, 42: "x" }
        let data = [0x0a, 0x02, b'h', b'i', 0xb8, 0x3e, 0x01];
        let mut content = vec![0x0a, data.len() as u8];
        content.extend_from_slice(&data);
        content.extend_from_slice(&[0xd2, 0x02, 0x01, b'x']);
        let found: Vec<String> = unknown_fields(&content)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(found, ["dataMessage.999", "42"]);
    }

    #[test]
    fn malformed_input_stops_the_walk_without_panicking() {
        for bytes in [&[0x0a, 0x05, 0x01][..], &[0xff; 12], &[0x0b], &[0x0a]] {
            let _ = unknown_fields(bytes);
        }
    }
}
