//! A SOCKS5 client connector (RFC 1928, with RFC 1929 username/password), so that
//! [`DirectTransport`](super::DirectTransport) can reach servers through Tor or another proxy.
//!
//! Host names are sent to the proxy unresolved (address type 3), so DNS happens at the proxy,
//! as Tor requires; IP literals are sent as addresses.

use std::error::Error as StdError;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zeroize::Zeroizing;

type BoxError = Box<dyn StdError + Send + Sync>;

/// A SOCKS5 failure: what the proxy said, or what went wrong talking to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct SocksError(pub(crate) String);

/// A SOCKS5 user name and password.
pub(crate) type Credentials = (String, Zeroizing<String>);

/// Where the proxy is and how to log in.
#[derive(Clone)]
pub(crate) struct Socks5Config {
    pub(crate) proxy: SocketAddr,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) connect_timeout: Duration,
}

impl std::fmt::Debug for Socks5Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socks5Config")
            .field("proxy", &self.proxy)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(u, _)| (u, "<redacted>")),
            )
            .finish()
    }
}

/// The TCP connector of a [`DirectTransport`](super::DirectTransport): direct, or through a
/// SOCKS5 proxy.
#[derive(Clone, Debug)]
pub(crate) enum Connector {
    Direct(HttpConnector),
    Socks5(Socks5Config),
}

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match self {
            Self::Direct(http) => http.poll_ready(cx).map_err(Into::into),
            Self::Socks5(_) => Poll::Ready(Ok(())),
        }
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        match self {
            Self::Direct(http) => {
                let fut = http.call(uri);
                Box::pin(async move { fut.await.map_err(Into::into) })
            }
            Self::Socks5(config) => {
                let config = config.clone();
                Box::pin(async move {
                    let timeout = config.connect_timeout;
                    tokio::time::timeout(timeout, connect(config, uri))
                        .await
                        .map_err(|_| -> BoxError {
                            Box::new(SocksError(format!("no connection within {timeout:?}")))
                        })?
                        .map(TokioIo::new)
                })
            }
        }
    }
}

fn fail(reason: impl Into<String>) -> BoxError {
    Box::new(SocksError(reason.into()))
}

/// Opens a tunnel to `uri`'s host and port through the proxy.
async fn connect(config: Socks5Config, uri: Uri) -> Result<TcpStream, BoxError> {
    let host = uri.host().ok_or_else(|| fail("URL has no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    let mut stream = TcpStream::connect(config.proxy)
        .await
        .map_err(|e| fail(format!("cannot reach proxy {}: {e}", config.proxy)))?;
    stream.set_nodelay(true)?;

    // Greeting: version 5, the methods we offer.
    let greeting: &[u8] = if config.credentials.is_some() {
        &[5, 2, 0x00, 0x02]
    } else {
        &[5, 1, 0x00]
    };
    stream.write_all(greeting).await?;
    let mut choice = [0u8; 2];
    stream.read_exact(&mut choice).await?;
    if choice[0] != 5 {
        return Err(fail(format!("not a SOCKS5 proxy (version {})", choice[0])));
    }
    match (choice[1], &config.credentials) {
        (0x00, _) => {}
        (0x02, Some((user, pass))) => {
            let (u, p) = (user.as_bytes(), pass.as_bytes());
            let (ul, pl) = (u8::try_from(u.len()), u8::try_from(p.len()));
            let (Ok(ul), Ok(pl)) = (ul, pl) else {
                return Err(fail(
                    "SOCKS5 user name and password must be at most 255 bytes",
                ));
            };
            let mut msg = Zeroizing::new(Vec::with_capacity(3 + u.len() + p.len()));
            msg.push(1);
            msg.push(ul);
            msg.extend_from_slice(u);
            msg.push(pl);
            msg.extend_from_slice(p);
            stream.write_all(&msg).await?;
            let mut status = [0u8; 2];
            stream.read_exact(&mut status).await?;
            if status[1] != 0 {
                return Err(fail("proxy rejected the user name or password"));
            }
        }
        (0xff, _) => return Err(fail("proxy accepts none of our authentication methods")),
        (other, _) => return Err(fail(format!("proxy chose unknown method {other}"))),
    }

    // CONNECT.
    let mut request = vec![5, 1, 0];
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            request.push(1);
            request.extend_from_slice(&ip.octets());
        }
        Ok(IpAddr::V6(ip)) => {
            request.push(4);
            request.extend_from_slice(&ip.octets());
        }
        Err(_) => {
            let len = u8::try_from(host.len()).map_err(|_| fail("host name too long"))?;
            request.push(3);
            request.push(len);
            request.extend_from_slice(host.as_bytes());
        }
    }
    request.extend_from_slice(&port.to_be_bytes());
    stream.write_all(&request).await?;

    let mut head = [0u8; 4];
    stream.read_exact(&mut head).await?;
    if head[1] != 0 {
        return Err(fail(format!(
            "proxy refused the connection: {}",
            reply_text(head[1])
        )));
    }
    let skip = match head[3] {
        1 => 4,
        4 => 16,
        3 => {
            let mut len = [0u8; 1];
            stream.read_exact(&mut len).await?;
            usize::from(len[0])
        }
        other => return Err(fail(format!("proxy sent unknown address type {other}"))),
    };
    let mut rest = vec![0u8; skip + 2];
    stream.read_exact(&mut rest).await?;
    Ok(stream)
}

/// RFC 1928 §6 reply codes.
fn reply_text(code: u8) -> &'static str {
    match code {
        1 => "general failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown error",
    }
}
