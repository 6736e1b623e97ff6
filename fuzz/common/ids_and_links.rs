//! The body of the `ids_and_links` fuzz target, shared with its stable smoke run in
//! session-sogs (`tests/integration/fuzz_corpus.rs`): recovery phrases, ids, keys and
//! community join links as users and servers type them. Nothing may panic; what parses
//! prints back to text that parses to the same value.

use session_crypto::{AccountId, BlindedId, Mnemonic, ServerPubkey, SessionId};
use session_sogs::JoinLink;

/// Feeds `data` (as text) to every parser of typed-in identifiers.
pub fn exercise(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(phrase) = Mnemonic::parse(text) {
        let again = Mnemonic::parse(&phrase.phrase()).expect("a printed phrase parses");
        assert_eq!(again.seed(), phrase.seed());
    }
    if let Ok(id) = text.parse::<SessionId>() {
        assert_eq!(id.to_string().parse::<SessionId>().ok(), Some(id));
    }
    if let Ok(id) = text.parse::<BlindedId>() {
        assert_eq!(id.to_string().parse::<BlindedId>().ok(), Some(id));
    }
    let _ = text.parse::<AccountId>();
    let _ = text.parse::<ServerPubkey>();
    if let Ok(link) = JoinLink::parse(text) {
        let again = JoinLink::parse(&link.to_string()).expect("a printed link parses");
        assert_eq!(again, link);
    }
}
