//! TLS verifiers of `session_net::danger` and the SOCKS5 option of `DirectTransport`, against
//! loopback servers using the test-only certificates of `tests/fixtures/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use session_net::danger::{self, CertPin};
use session_net::{DirectTransport, HttpRequest, Transport, TransportError};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SNODE_CERT: &[u8] = include_bytes!("../fixtures/snode.cert.der");
const SNODE_KEY: &[u8] = include_bytes!("../fixtures/snode.key.der");
const SEED_CERT: &[u8] = include_bytes!("../fixtures/seed.cert.der");
const SEED_KEY: &[u8] = include_bytes!("../fixtures/seed.key.der");

/// An HTTPS server on 127.0.0.1 presenting `cert` that answers `ok` to everything.
async fn https_server(cert: &'static [u8], key: &'static [u8]) -> u16 {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(cert)],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let svc = service_fn(|_req| async {
                    Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"ok"))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    port
}

fn pin_of(cert: &[u8], host: &str) -> CertPin {
    CertPin {
        host: host.into(),
        cert_sha256: Sha256::digest(cert).into(),
    }
}

#[tokio::test]
async fn webpki_rejects_a_self_signed_snode_certificate() {
    let port = https_server(SNODE_CERT, SNODE_KEY).await;
    let transport = DirectTransport::new().unwrap();
    let err = transport
        .send(HttpRequest::get(
            format!("https://127.0.0.1:{port}/").parse().unwrap(),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Tls { .. }), "{err:?}");
}

#[tokio::test]
async fn snode_verifier_accepts_a_self_signed_certificate() {
    let port = https_server(SNODE_CERT, SNODE_KEY).await;
    let transport = DirectTransport::builder()
        .tls_config(danger::snode_tls_config())
        .build()
        .unwrap();
    let response = transport
        .send(HttpRequest::post(
            format!("https://127.0.0.1:{port}/onion_req/v2")
                .parse()
                .unwrap(),
            "x",
        ))
        .await
        .unwrap();
    assert_eq!(&response.body[..], b"ok");
}

#[tokio::test]
async fn pinned_verifier_accepts_the_pinned_ca_true_seed_certificate() {
    let port = https_server(SEED_CERT, SEED_KEY).await;
    // webpki alone refuses a CA:TRUE leaf even if it were trusted; the pin accepts it.
    let transport = DirectTransport::builder()
        .tls_config(danger::pinned_tls_config(vec![pin_of(
            SEED_CERT,
            "localhost",
        )]))
        .build()
        .unwrap();
    let response = transport
        .send(HttpRequest::get(
            format!("https://localhost:{port}/json_rpc")
                .parse()
                .unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(&response.body[..], b"ok");
}

#[tokio::test]
async fn pinned_verifier_rejects_other_certificates_and_other_hosts() {
    let seed_port = https_server(SEED_CERT, SEED_KEY).await;
    let snode_port = https_server(SNODE_CERT, SNODE_KEY).await;
    let transport = DirectTransport::builder()
        .tls_config(danger::pinned_tls_config(vec![pin_of(
            SEED_CERT,
            "localhost",
        )]))
        .build()
        .unwrap();
    // A certificate that is not pinned.
    let err = transport
        .send(HttpRequest::get(
            format!("https://localhost:{snode_port}/").parse().unwrap(),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Tls { .. }), "{err:?}");
    // The pinned certificate, but reached under a host name the pin is not for.
    let err = transport
        .send(HttpRequest::get(
            format!("https://127.0.0.1:{seed_port}/").parse().unwrap(),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Tls { .. }), "{err:?}");
    // Mainnet pins never match a test certificate.
    let mainnet = DirectTransport::builder()
        .tls_config(danger::pinned_tls_config(danger::mainnet_seed_pins()))
        .build()
        .unwrap();
    let err = mainnet
        .send(HttpRequest::get(
            format!("https://localhost:{seed_port}/").parse().unwrap(),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Tls { .. }), "{err:?}");
}

/// A one-connection-at-a-time SOCKS5 proxy on loopback (no auth or user/pass `u`/`p`) that
/// records the CONNECT target and pipes bytes. `refuse` answers CONNECT with reply 5.
async fn socks_proxy(refuse: bool) -> (std::net::SocketAddr, tokio::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut head = [0u8; 2];
                client.read_exact(&mut head).await.unwrap();
                let mut methods = vec![0u8; head[1] as usize];
                client.read_exact(&mut methods).await.unwrap();
                if methods.contains(&2) {
                    client.write_all(&[5, 2]).await.unwrap();
                    let mut v = [0u8; 2];
                    client.read_exact(&mut v).await.unwrap();
                    let mut user = vec![0u8; v[1] as usize];
                    client.read_exact(&mut user).await.unwrap();
                    let mut pl = [0u8; 1];
                    client.read_exact(&mut pl).await.unwrap();
                    let mut pass = vec![0u8; pl[0] as usize];
                    client.read_exact(&mut pass).await.unwrap();
                    let ok = user == b"u" && pass == b"p";
                    client
                        .write_all(&[1, if ok { 0 } else { 1 }])
                        .await
                        .unwrap();
                    if !ok {
                        return;
                    }
                } else {
                    client.write_all(&[5, 0]).await.unwrap();
                }
                let mut req = [0u8; 4];
                client.read_exact(&mut req).await.unwrap();
                let host = match req[3] {
                    1 => {
                        let mut ip = [0u8; 4];
                        client.read_exact(&mut ip).await.unwrap();
                        std::net::Ipv4Addr::from(ip).to_string()
                    }
                    3 => {
                        let mut len = [0u8; 1];
                        client.read_exact(&mut len).await.unwrap();
                        let mut name = vec![0u8; len[0] as usize];
                        client.read_exact(&mut name).await.unwrap();
                        String::from_utf8(name).unwrap()
                    }
                    other => panic!("address type {other}"),
                };
                let mut port = [0u8; 2];
                client.read_exact(&mut port).await.unwrap();
                let port = u16::from_be_bytes(port);
                tx.send(format!("{host}:{port}")).await.unwrap();
                if refuse {
                    client
                        .write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0])
                        .await
                        .unwrap();
                    return;
                }
                let target = if host == "localhost" {
                    "127.0.0.1".to_owned()
                } else {
                    host
                };
                let mut upstream = TcpStream::connect((target.as_str(), port)).await.unwrap();
                client
                    .write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (addr, rx)
}

async fn plain_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let svc = service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                    let path = req.uri().path().to_owned();
                    Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from(path))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    port
}

#[tokio::test]
async fn socks5_tunnels_by_ip_and_by_unresolved_name() {
    let port = plain_server().await;
    let (proxy, mut seen) = socks_proxy(false).await;
    let transport = DirectTransport::builder()
        .socks5_proxy(proxy)
        .build()
        .unwrap();
    let r = transport
        .send(HttpRequest::get(
            format!("http://127.0.0.1:{port}/by-ip").parse().unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(&r.body[..], b"/by-ip");
    assert_eq!(seen.recv().await.unwrap(), format!("127.0.0.1:{port}"));
    let r = transport
        .send(HttpRequest::get(
            format!("http://localhost:{port}/by-name").parse().unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(&r.body[..], b"/by-name");
    // The name reached the proxy unresolved.
    assert_eq!(seen.recv().await.unwrap(), format!("localhost:{port}"));
}

#[tokio::test]
async fn socks5_with_credentials_and_refusals() {
    let port = plain_server().await;
    let (proxy, _seen) = socks_proxy(false).await;
    let good = DirectTransport::builder()
        .socks5_proxy_with_auth(proxy, "u", "p")
        .build()
        .unwrap();
    let r = good
        .send(HttpRequest::get(
            format!("http://127.0.0.1:{port}/auth").parse().unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(&r.body[..], b"/auth");
    let bad = DirectTransport::builder()
        .socks5_proxy_with_auth(proxy, "u", "wrong")
        .build()
        .unwrap();
    let err = bad
        .send(HttpRequest::get(
            format!("http://127.0.0.1:{port}/").parse().unwrap(),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Proxy { .. }), "{err:?}");

    let (refusing, _seen) = socks_proxy(true).await;
    let transport = DirectTransport::builder()
        .socks5_proxy(refusing)
        .build()
        .unwrap();
    let err = transport
        .send(HttpRequest::get(
            format!("http://127.0.0.1:{port}/").parse().unwrap(),
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        TransportError::Proxy {
            reason: "proxy refused the connection: connection refused".into()
        }
    );
}
