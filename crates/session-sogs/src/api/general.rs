//! `GET /capabilities` (spec §2.1). `/batch` and `/sequence` are in [`crate::batch`].

use crate::Result;
use crate::capabilities::Capabilities;
use crate::request::{Auth, Context, Endpoint, Method, Response, json};

/// `GET /capabilities[?required=a,b]`: what the server supports. With `required`, a server
/// lacking one answers 412 ([`Error::MissingCapabilities`](crate::Error::MissingCapabilities)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetCapabilities {
    /// Capabilities the caller requires.
    pub required: Vec<String>,
}

impl GetCapabilities {
    /// Asks for the capabilities.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the server to fail with 412 unless it has all of `required`.
    pub fn requiring<I: IntoIterator<Item = S>, S: Into<String>>(required: I) -> Self {
        Self {
            required: required.into_iter().map(Into::into).collect(),
        }
    }
}

impl Endpoint for GetCapabilities {
    type Output = Capabilities;

    fn method(&self) -> Method {
        Method::Get
    }

    fn path(&self) -> String {
        if self.required.is_empty() {
            "/capabilities".to_owned()
        } else {
            let list: Vec<String> = self
                .required
                .iter()
                .map(|c| crate::encoding::encode_segment(c))
                .collect();
            format!("/capabilities?required={}", list.join(","))
        }
    }

    fn auth(&self) -> Auth {
        Auth::None
    }

    fn parse(_: &Context<'_>, response: &Response) -> Result<Capabilities> {
        json("GET /capabilities", response)
    }
}
