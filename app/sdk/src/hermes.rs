//! A Hermes client (feature `rpc`): the latest signed update of some Pyth feeds, from a Hermes
//! endpoint (Pyth's public `https://hermes.pyth.network` by default, or any other, such as a
//! provider's with its key in the URL). The response is parsed by [`crate::pyth_pull`].

use std::time::Duration;

use crate::pyth_pull::{feed_id_hex, parse_hermes_response, PullError, SignedUpdate};

/// Pyth's public Hermes endpoint.
pub const DEFAULT_URL: &str = "https://hermes.pyth.network";

pub struct Hermes {
    base: String,
    client: reqwest::blocking::Client,
}

impl Hermes {
    pub fn new(base: &str, timeout: Duration) -> Result<Self, PullError> {
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| PullError::Response(format!("HTTP client: {e}")))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            client,
        })
    }

    /// The request for the latest update of `feeds`: one accumulator update, base64, without
    /// Hermes' parsed copy (the SDK reads the signed bytes themselves).
    pub fn latest_url(&self, feeds: &[[u8; 32]]) -> String {
        let ids: String = feeds
            .iter()
            .map(|f| format!("ids[]=0x{}&", feed_id_hex(f)))
            .collect();
        format!(
            "{}/v2/updates/price/latest?{ids}encoding=base64&parsed=false",
            self.base
        )
    }

    /// The latest signed update carrying every one of `feeds`.
    pub fn latest(&self, feeds: &[[u8; 32]]) -> Result<SignedUpdate, PullError> {
        let url = self.latest_url(feeds);
        let response = self
            .client
            .get(&url)
            .send()
            .map_err(|e| PullError::Response(format!("{url}: {e}")))?;
        let status = response.status();
        let body = response
            .text()
            .map_err(|e| PullError::Response(format!("{url}: {e}")))?;
        if !status.is_success() {
            return Err(PullError::Response(format!("{url}: {status}: {body}")));
        }
        let mut updates = parse_hermes_response(&body)?;
        if updates.len() != 1 {
            return Err(PullError::Response(format!(
                "{url}: {} updates where one was expected",
                updates.len()
            )));
        }
        let update = updates.remove(0);
        for f in feeds {
            update
                .feed(f)
                .ok_or_else(|| PullError::MissingFeed(feed_id_hex(f)))?;
        }
        Ok(update)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_names_every_feed_and_asks_for_base64_only() {
        let h = Hermes::new("https://hermes.example/", Duration::from_secs(1)).unwrap();
        let url = h.latest_url(&[[0xab; 32], [1; 32]]);
        assert_eq!(
            url,
            format!(
                "https://hermes.example/v2/updates/price/latest?ids[]=0x{}&ids[]=0x{}&encoding=base64&parsed=false",
                "ab".repeat(32),
                "01".repeat(32)
            )
        );
        // nothing listens there: a named failure, not a panic
        let h = Hermes::new("http://127.0.0.1:9", Duration::from_secs(2)).unwrap();
        let e = h.latest(&[[0xab; 32]]).unwrap_err().to_string();
        assert!(e.contains("127.0.0.1:9"), "{e}");
    }
}
