//! The vectors taken from upstream tests: libsession hop encryption and parser, pysogs,
//! oxen-storage-server.

use serde_json::Value;
use session_crypto::X25519Keypair;
use session_crypto::onion::{HopCipher, derive_key, shared_secret};
use session_net::onion::{
    self, DestinationKind, EncType, HopInstruction, OnionError, Protocol, ReplyOpener, ServerLayer,
    SnodeReply, V4Request, V4Response, bencode,
};

use super::{ensure, eq, eq_hex, frame_for, hx, k32, named, run_set, s};

#[test]
fn hop_encryption_vectors_open_as_server_layers() {
    run_set("net_onion_hop_encryption", &["hop_encryption_"], |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let server = X25519Keypair::from_secret(k32(i, "server_x25519_sec_b"));
        let a = k32(i, "client_ephemeral_x25519_pub_A");
        let ct = hx(i, "ciphertext");
        if s(v, "name").contains("negative") {
            for enc in [EncType::AesGcm, EncType::XChaCha20] {
                let err =
                    ServerLayer::open(&frame_for(&ct, &a, enc), std::slice::from_ref(&server))
                        .unwrap_err();
                ensure(
                    matches!(
                        err,
                        OnionError::BadTag { .. } | OnionError::Truncated { .. }
                    ),
                    format!("{enc}: {err:?}"),
                )?;
            }
            return Ok(());
        }
        let enc = if s(v, "name").contains("xchacha") {
            EncType::XChaCha20
        } else {
            EncType::AesGcm
        };
        let layer = ServerLayer::open(&frame_for(&ct, &a, enc), &[server]).unwrap();
        eq_hex("plaintext", layer.plaintext(), s(e, "plaintext_hex"))?;
        // The client opens a reply made by the server with the same layer key.
        let client = X25519Keypair::from_secret(k32(i, "client_ephemeral_x25519_sec_a"));
        let opener = ReplyOpener::new(
            client,
            k32(i, "server_x25519_pub_B"),
            enc,
            DestinationKind::Server,
        );
        let reply = layer.reply_raw(b"pong").unwrap();
        eq("reply", opener.decrypt(&reply).unwrap(), b"pong".to_vec())
    });
}

#[test]
fn onion_parser_vectors_parse_decrypt_and_reply() {
    run_set("net_onion_parser", &["onion_parser_"], |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let request = hx(i, "request");
        let (ct, meta) = onion::parse_frame(&request).unwrap();
        eq_hex("ciphertext", ct, s(e, "ciphertext"))?;
        eq(
            "metadata",
            std::str::from_utf8(meta).unwrap(),
            s(e, "metadata_json_utf8"),
        )?;
        let node = X25519Keypair::from_secret(k32(i, "node_x25519_sec_b"));
        let layer = ServerLayer::open(&request, &[node]).unwrap();
        eq_hex("payload", layer.plaintext(), s(e, "payload_hex"))?;
        let reply = layer
            .reply_raw(s(i, "reply_plaintext_utf8").as_bytes())
            .unwrap();
        eq(
            "reply length",
            reply.len() as u64,
            e["encrypted_reply_length"].as_u64().unwrap(),
        )?;
        let enc: EncType = s(e, "enc_type").parse().unwrap();
        let client = X25519Keypair::from_secret(k32(i, "client_ephemeral_x25519_sec_a"));
        eq_hex("A", client.public_key(), s(e, "remote_pubkey"))?;
        let opener = ReplyOpener::new(
            client,
            k32(i, "node_x25519_pub_B"),
            enc,
            DestinationKind::Snode,
        );
        eq(
            "reply",
            opener.decrypt(&reply).unwrap(),
            s(i, "reply_plaintext_utf8").as_bytes().to_vec(),
        )
    });
}

#[test]
fn pysogs_vectors_bencode_and_route() {
    run_set("net_onion_pysogs", &["pysogs_"], |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let name = s(v, "name");
        if name == "pysogs_client_ephemeral_keypair" {
            let kp = X25519Keypair::from_secret(k32(i, "x25519_sec_a"));
            return eq_hex("A", kp.public_key(), s(e, "x25519_pub_A"));
        }
        if name == "pysogs_outer_request_template" {
            // The last hop's POST to a SOGS: u32 ‖ xchacha20(a → S, v4) ‖ routing JSON.
            let fields = &i["json_fields"];
            let a = X25519Keypair::from_secret(k32(
                &named("pysogs_client_ephemeral_keypair")[0]["inputs"],
                "x25519_sec_a",
            ));
            eq_hex("ephemeral", a.public_key(), s(fields, "ephemeral_key"))?;
            let sogs = X25519Keypair::generate().unwrap();
            let req = V4Request::new("GET", "/capabilities");
            let ct = HopCipher::client(&a, sogs.public_key(), EncType::XChaCha20)
                .unwrap()
                .encrypt(&req.encode())
                .unwrap();
            let body = onion::frame(&ct, fields.to_string().as_bytes()).unwrap();
            match onion::classify(body.clone()).unwrap() {
                HopInstruction::Server {
                    host,
                    port,
                    protocol,
                    target,
                    payload,
                } => {
                    eq("host", host.as_str(), "localhost")?;
                    eq("port", port, 80)?;
                    eq("protocol", protocol, Protocol::Http)?;
                    eq("target", target.as_str(), "/oxen/v4/lsrpc")?;
                    eq("payload", &payload, &body)?;
                }
                other => return Err(format!("classified as {other:?}")),
            }
            let layer = ServerLayer::open(&body, std::slice::from_ref(&sogs)).unwrap();
            eq("request", layer.request().unwrap(), req)?;
            // v4 replies are raw encrypted bytes: no base64.
            let reply = layer
                .reply(&V4Response::new(200, Default::default(), b"{}".to_vec()))
                .unwrap();
            let opener = ReplyOpener::new(
                a,
                *sogs.public_key(),
                EncType::XChaCha20,
                DestinationKind::Server,
            );
            return eq(
                "reply code",
                opener.open_server(200, &reply).unwrap().code,
                200,
            );
        }
        if name == "pysogs_v3_failure_plaintext" {
            let r = SnodeReply::parse(s(e, "plaintext_utf8").as_bytes()).unwrap();
            return eq(
                "status",
                r.status as u64,
                i["subrequest_status"].as_u64().unwrap(),
            );
        }
        if name == "pysogs_v4_invalid_request_response" {
            let r = V4Response::decode(s(e, "plaintext_utf8").as_bytes()).unwrap();
            eq("code", r.code, 400)?;
            eq(
                "content-type",
                r.content_type(),
                Some("text/plain; charset=utf-8"),
            )?;
            eq("body", r.body.as_slice(), onion::INVALID_V4_BODY.as_bytes())?;
            // Our server's invalid-request reply carries the same status, type and body.
            let key = X25519Keypair::generate().unwrap();
            let client = X25519Keypair::generate().unwrap();
            let ct = HopCipher::client(&client, key.public_key(), EncType::AesGcm)
                .unwrap()
                .encrypt(b"not v4")
                .unwrap();
            let layer = ServerLayer::open(
                &frame_for(&ct, client.public_key(), EncType::AesGcm),
                std::slice::from_ref(&key),
            )
            .unwrap();
            ensure(layer.request().is_err(), "garbage decoded as v4")?;
            let opener = ReplyOpener::new(
                client,
                *key.public_key(),
                EncType::AesGcm,
                DestinationKind::Server,
            );
            let ours = opener
                .open_server(200, &layer.reply_invalid().unwrap())
                .unwrap();
            return eq(
                "our invalid reply",
                (ours.code, ours.headers, ours.body),
                (r.code, r.headers, r.body),
            );
        }
        // The four bencoding examples.
        let parts: Vec<&str> = i["parts_utf8"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let raw: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
        let encoded = bencode::encode_byte_list(&raw);
        eq_hex("encoding", &encoded, s(e, "encoded_hex"))?;
        eq(
            "utf8",
            std::str::from_utf8(&encoded).unwrap(),
            s(e, "encoded_utf8"),
        )?;
        let decoded = bencode::decode_byte_list(&encoded).unwrap();
        let lengths: Vec<u64> = decoded.iter().map(|p| p.len() as u64).collect();
        let expected: Vec<u64> = e["part_lengths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        eq("part lengths", lengths, expected)?;
        let meta: Value = serde_json::from_str(parts[0]).unwrap();
        if name.contains("_request_") {
            let req = V4Request::decode(&encoded).unwrap();
            eq("method", req.method.as_str(), s(&meta, "method"))?;
            eq("endpoint", req.endpoint.as_str(), s(&meta, "endpoint"))?;
            eq(
                "body",
                req.body.as_deref(),
                parts.get(1).map(|b| b.as_bytes()),
            )?;
            let header = meta["headers"].as_object().unwrap().iter().next().unwrap();
            eq(
                "header",
                req.headers.get(header.0).map(String::as_str),
                header.1.as_str(),
            )
        } else {
            let resp = V4Response::decode(&encoded).unwrap();
            eq("code", resp.code as u64, meta["code"].as_u64().unwrap())?;
            eq(
                "content-type",
                resp.content_type(),
                meta["headers"]["content-type"].as_str(),
            )?;
            eq("body", resp.body.as_slice(), parts[1].as_bytes())
        }
    });
}

#[test]
fn storage_server_vectors_classify_and_filter() {
    run_set("net_onion_storage_server", &["ss_"], |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let name = s(v, "name");
        if name == "ss_url_target_filter" {
            let got: Vec<bool> = i["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| onion::target_allowed(t.as_str().unwrap()))
                .collect();
            let want: Vec<bool> = e["allowed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_bool().unwrap())
                .collect();
            return eq("allowed", got, want);
        }
        if name == "ss_channel_encryption_keys" {
            let alice = X25519Keypair::from_secret(k32(i, "alice_x25519_sec"));
            let bob = X25519Keypair::from_secret(k32(i, "bob_x25519_sec"));
            let shared = shared_secret(alice.secret_bytes(), bob.public_key()).unwrap();
            eq_hex("shared", &shared[..], s(e, "shared_secret"))?;
            let (a, b) = (alice.public_key(), bob.public_key());
            eq_hex(
                "gcm",
                &derive_key(EncType::AesGcm, &shared, a, b)[..],
                s(e, "aes_gcm_key"),
            )?;
            eq_hex(
                "x a→b",
                &derive_key(EncType::XChaCha20, &shared, a, b)[..],
                s(e, "xchacha20_key_alice_client_bob_server"),
            )?;
            eq_hex(
                "x b→a",
                &derive_key(EncType::XChaCha20, &shared, b, a)[..],
                s(e, "xchacha20_key_bob_client_alice_server"),
            )?;
            let pt = s(i, "plaintext_utf8").as_bytes();
            for (enc, key) in [
                (EncType::AesGcm, "gcm_ciphertext_len"),
                (EncType::XChaCha20, "xchacha20_ciphertext_len"),
            ] {
                let ct = HopCipher::client(&alice, b, enc)
                    .unwrap()
                    .encrypt(pt)
                    .unwrap();
                eq(key, ct.len() as u64, e[key].as_u64().unwrap())?;
                let layer =
                    ServerLayer::open(&frame_for(&ct, a, enc), std::slice::from_ref(&bob)).unwrap();
                eq("round trip", layer.plaintext(), pt)?;
            }
            return Ok(());
        }
        let plaintext = hx(i, "plaintext");
        let instruction = onion::classify(plaintext.clone()).unwrap();
        match (s(e, "kind"), instruction) {
            ("FinalDestination", HopInstruction::Final { body, json, base64 }) => {
                eq("body", body.as_slice(), s(e, "body_utf8").as_bytes())?;
                eq("json", json, e["json_flag"].as_bool().unwrap())?;
                eq("base64", base64, e["base64_flag"].as_bool().unwrap())
            }
            (
                "RelayToServer",
                HopInstruction::Server {
                    host,
                    port,
                    protocol,
                    target,
                    payload,
                },
            ) => {
                eq("host", host.as_str(), s(e, "host"))?;
                eq("port", port as u64, e["port"].as_u64().unwrap())?;
                eq("protocol", protocol.as_str(), s(e, "protocol"))?;
                eq("target", target.as_str(), s(e, "target"))?;
                eq("payload is the whole plaintext", payload, plaintext)
            }
            (
                "RelayToNode",
                HopInstruction::Relay {
                    next_ed25519,
                    ephemeral_key,
                    enc_type,
                    ciphertext,
                },
            ) => {
                eq_hex("next", &next_ed25519, s(e, "next_node_ed25519"))?;
                eq_hex("ephemeral", &ephemeral_key, s(e, "ephemeral_key"))?;
                eq("enc_type", enc_type.as_str(), s(e, "enc_type"))?;
                eq(
                    "ciphertext",
                    ciphertext.as_slice(),
                    s(e, "ciphertext_utf8").as_bytes(),
                )
            }
            (kind, got) => Err(format!("expected {kind}, got {got:?}")),
        }
    });
}
