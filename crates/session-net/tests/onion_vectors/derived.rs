//! Swarm selection (libsession network tests) and the two byte-exact derived onions.

use base64::Engine as _;
use serde_json::Value;
use session_crypto::X25519Keypair;
use session_crypto::onion::HopCipher;
use session_net::onion::{
    self, Destination, EncType, HopInstruction, HopKeys, LayerSecret, OnionSecrets, Protocol,
    ServerLayer, V4Request,
};
use session_net::swarm;
use zeroize::Zeroizing;

use super::{eq, eq_hex, hx, k32, run_set, s};

#[test]
fn swarm_vectors_select_the_same_swarm_as_snodes() {
    run_set(
        "net_swarm_selection",
        &["pubkey_to_swarm_space", "closest_swarm_selection"],
        |v| {
            let (i, e) = (&v["inputs"], &v["expected"]);
            if s(v, "name") == "pubkey_to_swarm_space" {
                for (case, want) in i["cases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(e["swarm_space_u64"].as_array().unwrap())
                {
                    let key: [u8; 32] = hex::decode(case.as_str().unwrap())
                        .unwrap()
                        .try_into()
                        .unwrap();
                    eq(
                        case.as_str().unwrap(),
                        swarm::swarm_space(&key),
                        want.as_str().unwrap().parse::<u64>().unwrap(),
                    )?;
                }
                return Ok(());
            }
            let cases = i["cases"].as_array().unwrap();
            let wants = e["expected_swarm_id"].as_array().unwrap();
            eq("case count", cases.len(), wants.len())?;
            for (case, want) in cases.iter().zip(wants) {
                let ids: Vec<u64> = case["swarm_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().parse().unwrap())
                    .collect();
                let id = hex::decode(s(case, "session_id")).unwrap();
                let key: [u8; 32] = id[1..].try_into().unwrap();
                eq(
                    s(case, "session_id"),
                    swarm::swarm_for(&key, &ids),
                    Some(want.as_str().unwrap().parse().unwrap()),
                )?;
            }
            Ok(())
        },
    );
}

fn layer_secret(v: &Value, layer: &str) -> LayerSecret {
    LayerSecret {
        ephemeral_secret: Zeroizing::new(k32(&v["ephemeral_secrets"], layer)),
        nonce: hx(&v["nonces"], layer),
    }
}

fn hops_of(i: &Value) -> Vec<(HopKeys, X25519Keypair)> {
    i["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let kp = X25519Keypair::from_secret(k32(h, "x25519_sec"));
            assert_eq!(hex::encode(kp.public_key()), s(h, "x25519_pub"));
            let ed = k32(h, "ed25519_pub");
            assert_eq!(
                session_crypto::ed25519_to_x25519_public(&ed).unwrap(),
                *kp.public_key()
            );
            (
                HopKeys {
                    ed25519: ed,
                    x25519: *kp.public_key(),
                },
                kp,
            )
        })
        .collect()
}

/// Peels every hop layer of `body` in turn, checking that each relays to the next hop;
/// returns the last hop's instruction.
fn peel_path(hops: &[(HopKeys, X25519Keypair)], body: &[u8]) -> Result<HopInstruction, String> {
    let mut body = body.to_vec();
    for (n, (_, kp)) in hops.iter().enumerate() {
        let instruction = onion::peel(kp, &body)
            .map_err(|err| format!("hop {}: {err}", n + 1))?
            .instruction;
        let Some((next, _)) = hops.get(n + 1) else {
            return Ok(instruction);
        };
        match &instruction {
            HopInstruction::Relay { next_ed25519, .. } => {
                eq("next hop", *next_ed25519, next.ed25519)?
            }
            other => return Err(format!("hop {} got {other:?}", n + 1)),
        }
        body = instruction.forward_body().unwrap();
    }
    Err("no hops".into())
}

#[test]
fn derived_onions_are_byte_exact_and_peel_hop_by_hop() {
    run_set("net_derived_onion", &["derived_onion_"], |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let hops = hops_of(i);
        let path: Vec<HopKeys> = hops.iter().map(|h| h.0).collect();
        let secrets = OnionSecrets {
            destination: layer_secret(i, "dest"),
            hops: ["hop1", "hop2", "hop3"]
                .iter()
                .map(|h| layer_secret(i, h))
                .collect(),
        };
        for (layer, pub_hex) in i["ephemeral_pubs"].as_object().unwrap() {
            let kp = X25519Keypair::from_secret(k32(&i["ephemeral_secrets"], layer));
            eq_hex(layer, kp.public_key(), pub_hex.as_str().unwrap())?;
        }
        // Each hop's decrypted plaintext, checked by decrypting the layer directly.
        let check_hop_plaintexts = |outer: &[u8]| -> Result<(), String> {
            let mut body = outer.to_vec();
            for (n, (_, kp)) in hops.iter().enumerate() {
                let layer = ServerLayer::open(&body, std::slice::from_ref(kp)).unwrap();
                eq_hex(
                    &format!("hop{} plaintext", n + 1),
                    layer.plaintext(),
                    s(e, &format!("hop{}_plaintext", n + 1)),
                )?;
                if let Some(meta) = e.get(format!("hop{}_metadata_utf8", n + 1)) {
                    let (_, m) = onion::parse_frame(layer.plaintext()).unwrap();
                    eq(
                        "metadata",
                        std::str::from_utf8(m).unwrap(),
                        meta.as_str().unwrap(),
                    )?;
                }
                if n + 1 < hops.len() {
                    body = onion::peel(kp, &body)
                        .unwrap()
                        .instruction
                        .forward_body()
                        .unwrap();
                }
            }
            Ok(())
        };
        if s(v, "name").contains("snode") {
            let dest_kp = X25519Keypair::from_secret(k32(&i["destination"], "x25519_sec"));
            let dest = HopKeys {
                ed25519: k32(&i["destination"], "ed25519_pub"),
                x25519: *dest_kp.public_key(),
            };
            let rpc = s(i, "rpc_body_utf8").as_bytes();
            let req = onion::build_with_secrets(
                &path,
                &Destination::Snode(dest),
                rpc,
                EncType::XChaCha20,
                &secrets,
            )
            .unwrap();
            eq_hex("outer request", &req.body, s(e, "outer_request"))?;
            let (_, meta) = onion::parse_frame(&req.body).unwrap();
            eq(
                "outer metadata",
                std::str::from_utf8(meta).unwrap(),
                s(e, "outer_metadata_utf8"),
            )?;
            check_hop_plaintexts(&req.body)?;
            let last = peel_path(&hops, &req.body)?;
            let HopInstruction::Relay { next_ed25519, .. } = &last else {
                return Err(format!("hop3: {last:?}"));
            };
            eq("destination", *next_ed25519, dest.ed25519)?;
            let at_dest = onion::peel(&dest_kp, &last.forward_body().unwrap()).unwrap();
            let HopInstruction::Final { body, .. } = &at_dest.instruction else {
                return Err("not final".into());
            };
            eq("rpc", body.as_slice(), rpc)?;
            // The destination's reply with the vector's nonce, byte for byte.
            let plain = s(e, "reply_plaintext_utf8");
            let sealed = at_dest
                .reply
                .encrypt_with_nonce(plain.as_bytes(), &hx(i, "reply_nonce"))
                .unwrap();
            eq_hex("reply ciphertext", &sealed, s(e, "reply_ciphertext"))?;
            let b64 = base64::engine::general_purpose::STANDARD.encode(&sealed);
            eq("reply base64", b64.as_str(), s(e, "reply_http_body_base64"))?;
            // snode_reply produces the same plaintext shape (checked by opening it).
            let ours =
                onion::snode_reply(&at_dest.reply, 200, s(i, "reply_rpc_body_utf8")).unwrap();
            for reply in [b64, ours] {
                let opened = req.reply.open_snode(200, reply.as_bytes()).unwrap();
                eq("status", opened.status, 200)?;
                eq(
                    "rpc reply",
                    opened.body.as_slice(),
                    s(i, "reply_rpc_body_utf8").as_bytes(),
                )?;
            }
            Ok(())
        } else {
            let server_kp = X25519Keypair::from_secret(k32(i, "server_x25519_sec"));
            eq_hex(
                "server pub",
                server_kp.public_key(),
                s(i, "server_x25519_pub"),
            )?;
            let server = onion::ServerDestination::new(
                "127.0.0.1",
                8080,
                Protocol::Http,
                *server_kp.public_key(),
            );
            let payload = s(i, "v4_request_utf8").as_bytes();
            eq(
                "v4 encoding",
                V4Request::new("GET", "/room/test").encode().as_slice(),
                payload,
            )?;
            let req = onion::build_with_secrets(
                &path,
                &Destination::Server(server),
                payload,
                EncType::AesGcm,
                &secrets,
            )
            .unwrap();
            eq_hex("outer request", &req.body, s(e, "outer_request"))?;
            check_hop_plaintexts(&req.body)?;
            let last = peel_path(&hops, &req.body)?;
            let HopInstruction::Server {
                host,
                port,
                protocol,
                target,
                payload: posted,
            } = last
            else {
                return Err("hop3 does not proxy".into());
            };
            eq(
                "proxy",
                (host.as_str(), port, protocol, target.as_str()),
                ("127.0.0.1", 8080, Protocol::Http, "/oxen/v4/lsrpc"),
            )?;
            eq_hex("posted", &posted, s(e, "hop3_plaintext"))?;
            let (dest_ct, _) = onion::parse_frame(&posted).unwrap();
            eq_hex(
                "destination layer",
                dest_ct,
                s(e, "destination_layer_ciphertext"),
            )?;
            let layer = ServerLayer::open(&posted, std::slice::from_ref(&server_kp)).unwrap();
            eq(
                "v4 request",
                layer.request().unwrap(),
                V4Request::new("GET", "/room/test"),
            )?;
            // The server's reply with the vector's nonce.
            let client_side = HopCipher::server(
                &server_kp,
                &k32(&i["ephemeral_pubs"], "dest"),
                EncType::AesGcm,
            )
            .unwrap();
            let sealed = client_side
                .encrypt_with_nonce(
                    s(i, "reply_plaintext_utf8").as_bytes(),
                    &hx(i, "reply_nonce"),
                )
                .unwrap();
            eq_hex("reply", &sealed, s(e, "reply_http_body"))?;
            let resp = req.reply.open_server(200, &sealed).unwrap();
            eq("code", resp.code, 200)?;
            eq(
                "content-type",
                resp.content_type(),
                Some("application/json"),
            )?;
            eq("body", resp.body.as_slice(), &br#"{"id":1}"#[..])
        }
    });
}
