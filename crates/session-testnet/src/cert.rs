//! Throwaway certificates (rcgen, ring): snodes present a self-signed certificate that is not
//! tied to their keys, as storage servers do (network.md §3.4); the optional TLS seed presents
//! a self-signed CA:TRUE certificate that clients pin, as the mainnet seeds do (§1.1).

use std::net::IpAddr;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;

use crate::error::TestnetError;

fn tls_err(e: impl std::fmt::Display) -> TestnetError {
    TestnetError::Tls {
        reason: e.to_string(),
    }
}

/// A certificate and its private key.
pub(crate) struct Identity {
    pub cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cert::Identity { <redacted> }")
    }
}

impl Identity {
    /// SHA-256 of the DER certificate (the pin clients compare).
    pub(crate) fn sha256(&self) -> [u8; 32] {
        Sha256::digest(self.cert.as_ref()).into()
    }

    /// A TLS acceptor serving this certificate (TLS 1.2 and 1.3, ring).
    pub(crate) fn acceptor(&self) -> Result<TlsAcceptor, TestnetError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_err)?
            .with_no_client_auth()
            .with_single_cert(
                vec![self.cert.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )
            .map_err(tls_err)?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

fn make(params: CertificateParams) -> Result<Identity, TestnetError> {
    let key = KeyPair::generate().map_err(tls_err)?;
    let cert = params.self_signed(&key).map_err(tls_err)?;
    Ok(Identity {
        cert: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    })
}

/// A snode certificate: `CN=localhost, O=Oxen, C=AU`, like the storage server's own.
pub(crate) fn snode() -> Result<Identity, TestnetError> {
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).map_err(tls_err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "localhost");
    dn.push(DnType::OrganizationName, "Oxen");
    dn.push(DnType::CountryName, "AU");
    params.distinguished_name = dn;
    make(params)
}

/// A seed certificate: self-signed, CA:TRUE (which webpki refuses as a leaf, so clients
/// must pin it), naming the seed's IP address.
pub(crate) fn seed(ip: IpAddr) -> Result<Identity, TestnetError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(tls_err)?;
    params.subject_alt_names = vec![SanType::IpAddress(ip)];
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, ip.to_string());
    dn.push(DnType::OrganizationName, "session-testnet seed");
    params.distinguished_name = dn;
    make(params)
}
