//! The smoke run of three cargo-fuzz targets on stable (CI has no nightly): every seed of
//! `fuzz/corpus/{message_data,ids_and_links,sogs_json}/` and each of its truncations through the very
//! bodies the fuzz targets run (`fuzz/common/*.rs`, included here), which must not panic and
//! whose round-trip properties must hold. The seeds still parse, so the corpus stays worth
//! mutating.

use std::path::{Path, PathBuf};

use session_crypto::{AccountId, Mnemonic, ServerPubkey, SessionId};
use session_schema::{Content, decode_sogs_message};
use session_sogs::api::{GetCapabilities, GetRoom, PostMessage, RecentMessages};
use session_sogs::{Context, Endpoint, Error, JoinLink, Response};

#[path = "../../../../fuzz/common/message_data.rs"]
mod message_data;

#[path = "../../../../fuzz/common/ids_and_links.rs"]
mod ids_and_links;

#[path = "../../../../fuzz/common/sogs_json.rs"]
mod sogs_json;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

/// Every committed seed (`seed-*`) of a target's corpus, by file name; inputs a local fuzzing
/// run added beside them (ignored by git) are left out.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus(target))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            name.starts_with("seed-")
                .then(|| (name, std::fs::read(&path).unwrap()))
        })
        .collect();
    out.sort();
    out
}

fn run_with_truncations(seeds: &[(String, Vec<u8>)], exercise: fn(&[u8])) {
    for (_, data) in seeds {
        for cut in 0..=data.len() {
            exercise(&data[..cut]);
        }
    }
}

#[test]
fn message_data_seeds_and_their_truncations_never_panic() {
    let seeds = seeds("message_data");
    let names: Vec<&str> = seeds.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["seed-content", "seed-post", "seed-post-unblinded"]);
    run_with_truncations(&seeds, message_data::exercise);

    // The seeds reach the decoders' success paths: a padded Content, and posts that verify.
    assert!(Content::decode(session_crypto::padding::unpad(&seeds[0].1).unwrap()).is_ok());
    let server = ServerPubkey::from_bytes([0x42; 32]);
    for ((_, post), sender) in seeds[1..].iter().zip([
        "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb82c",
        "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818",
    ]) {
        let text = std::str::from_utf8(post).unwrap();
        let (data, signature) = text.split_once('\n').unwrap();
        let sender: AccountId = sender.parse().unwrap();
        let message = decode_sogs_message(data, signature, &sender, &server).unwrap();
        assert!(message.is_verified());
    }
}

#[test]
fn ids_and_links_seeds_and_their_truncations_never_panic() {
    let seeds = seeds("ids_and_links");
    assert_eq!(seeds.len(), 6);
    run_with_truncations(&seeds, ids_and_links::exercise);

    let text = |name: &str| {
        let (_, data) = seeds.iter().find(|(n, _)| n == name).unwrap();
        String::from_utf8(data.clone()).unwrap()
    };
    assert_eq!(
        Mnemonic::parse(&text("seed-phrase13"))
            .unwrap()
            .word_count(),
        13
    );
    assert_eq!(
        Mnemonic::parse(&text("seed-phrase25"))
            .unwrap()
            .word_count(),
        25
    );
    assert!(text("seed-session-id").parse::<SessionId>().is_ok());
    for id in ["seed-blind15", "seed-blind25", "seed-session-id"] {
        assert!(text(id).parse::<AccountId>().is_ok(), "{id}");
    }
    assert!(JoinLink::parse(&text("seed-link")).is_ok());
}

#[test]
fn sogs_json_seeds_and_their_truncations_never_panic() {
    let seeds = seeds("sogs_json");
    assert_eq!(seeds.len(), 5);
    run_with_truncations(&seeds, sogs_json::exercise);

    // The seeds are answers the typed API reads: posts come out decoded and verified.
    let answer = |name: &str| {
        let (_, data) = seeds.iter().find(|(n, _)| n == name).unwrap();
        let status = 200 + u16::from(data[0]);
        Response {
            status,
            headers: Vec::new(),
            body: data[1..].to_vec(),
        }
    };
    let server = ServerPubkey::from_bytes([0x42; 32]);
    let cx = Context {
        server: &server,
        identity: None,
    };
    let caps = GetCapabilities::parse(&cx, &answer("seed-capabilities")).unwrap();
    assert!(caps.has("blind") && caps.has("reactions"));
    assert_eq!(
        GetRoom::parse(&cx, &answer("seed-room")).unwrap().token,
        "lobby"
    );
    let page = RecentMessages::parse(&cx, &answer("seed-messages")).unwrap();
    assert_eq!(page.len(), 1);
    assert!(page[0].verified);
    assert_eq!(page[0].content.as_ref().unwrap().text(), Some("hello fuzz"));
    let posted = PostMessage::parse(&cx, &answer("seed-created")).unwrap();
    assert_eq!((posted.id, posted.seqno, posted.verified), (5, 9, true));
    assert!(matches!(
        RecentMessages::parse(&cx, &answer("seed-rate-limited")),
        Err(Error::RateLimited { .. })
    ));
}
