//! TLS configurations that do **not** use the webpki root store. Named `danger` (as rustls
//! names its own escape hatch) so that nobody enables them by accident.
//!
//! - [`snode_tls_config`]: storage servers present throwaway self-signed certificates that are
//!   not tied to their keys (network.md §3.4); confidentiality comes from the onion layers.
//!   The verifier accepts any certificate but still verifies the handshake signatures, so
//!   the peer must hold the private key of the certificate it presented.
//! - [`pinned_tls_config`]: seed nodes present self-signed CA:TRUE certificates that webpki
//!   refuses as leaves (`CaUsedAsEndEntity`); we pin the SHA-256 of each seed's DER
//!   certificate, check that it names the host, and verify handshake signatures (§1.1).

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};

use crate::transport::ring_provider;

/// A seed node's pinned certificate: the host it serves and SHA-256 of its DER encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertPin {
    /// The host name in the seed URL (must be in the certificate's SAN).
    pub host: String,
    /// SHA-256 of the end-entity certificate (DER).
    pub cert_sha256: [u8; 32],
}

/// The mainnet seed URLs (port 4443 serves the pinned 10-year certificates; network.md §1.1).
pub const MAINNET_SEEDS: [&str; 3] = [
    "https://seed1.getsession.org:4443/",
    "https://seed2.getsession.org:4443/",
    "https://seed3.getsession.org:4443/",
];

/// SHA-256 of the mainnet seeds' DER certificates (`cert256` of network.md §1.1, recomputed
/// there from the PEMs in session-desktop `ts/session/apis/seed_node_api/SeedNodeAPI.ts`).
const MAINNET_PINS: [(&str, &str); 3] = [
    (
        "seed1.getsession.org",
        "36ea0b253537988551ee856e4fd20d55011e9c8b27eaa2f34b8f32a0bdf04f2d",
    ),
    (
        "seed2.getsession.org",
        "c5908dd4139acd96aedd1e45576597650809c8a5ea02af556d4853d45396e0e7",
    ),
    (
        "seed3.getsession.org",
        "8a0af2c712342f22ce00e53c1601410ef8d84156aee0a9809c32f6f7efbe556e",
    ),
];

/// The pins of the mainnet seed certificates.
pub fn mainnet_seed_pins() -> Vec<CertPin> {
    MAINNET_PINS
        .iter()
        .filter_map(|(host, hash)| {
            let mut cert_sha256 = [0u8; 32];
            hex::decode_to_slice(hash, &mut cert_sha256).ok()?;
            Some(CertPin {
                host: (*host).to_owned(),
                cert_sha256,
            })
        })
        .collect()
}

/// A client configuration that accepts any server certificate but verifies handshake
/// signatures: for snodes only.
pub fn snode_tls_config() -> rustls::ClientConfig {
    let provider = ring_provider();
    let verifier = AnyCertificate {
        algorithms: provider.signature_verification_algorithms,
    };
    config_with(provider, Arc::new(verifier))
}

/// A client configuration that accepts exactly the pinned certificates, each only for its
/// host, and verifies handshake signatures: for seed nodes.
pub fn pinned_tls_config(pins: Vec<CertPin>) -> rustls::ClientConfig {
    let provider = ring_provider();
    let verifier = Pinned {
        pins,
        signatures: AnyCertificate {
            algorithms: provider.signature_verification_algorithms,
        },
    };
    config_with(provider, Arc::new(verifier))
}

fn config_with(
    provider: Arc<CryptoProvider>,
    verifier: Arc<dyn ServerCertVerifier>,
) -> rustls::ClientConfig {
    // Invariant: the ring provider supports the safe default protocol versions (TLS 1.2 and
    // 1.3), so this builder step cannot fail.
    #[allow(clippy::expect_used)]
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // Still require a parseable certificate: its key signs the handshake below.
        rustls::server::ParsedCertificate::try_from(end_entity)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Pins certificates; handshake signatures are checked by the embedded [`AnyCertificate`].
#[derive(Debug)]
struct Pinned {
    pins: Vec<CertPin>,
    signatures: AnyCertificate,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let host = server_name.to_str();
        let digest: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        let pinned = self
            .pins
            .iter()
            .any(|pin| pin.host.eq_ignore_ascii_case(&host) && pin.cert_sha256 == digest);
        if !pinned {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ));
        }
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signatures.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signatures.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.signatures.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainnet_pins_parse() {
        let pins = mainnet_seed_pins();
        assert_eq!(pins.len(), 3);
        assert_eq!(pins[1].host, "seed2.getsession.org");
        assert_eq!(pins[1].cert_sha256[..2], [0xc5, 0x90]);
    }
}
