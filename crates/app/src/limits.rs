//! Who is asking, and how often they may: the per-minute budgets for submissions, status
//! look-ups (which guard access codes against guessing), logins and uploads.
//!
//! A caller is an address — the peer's, or behind trusted reverse proxies the last address
//! before them in `X-Forwarded-For` — and, for front ends such as a LINE bot, an API client
//! with a budget of its own: one server submitting for all its users must not share one
//! resident's ten submissions a minute. Counts live in the database, so a limit holds across
//! every instance; the counted bucket is a keyed hash, so no address is stored in the clear.

use crate::clients::ApiClient;
use crate::error::AppError;
use crate::portal::Portal;
use data_encoding::HEXLOWER;
use std::net::IpAddr;
use time::OffsetDateTime;

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Submission,
    StatusLookup,
    Login,
    Upload,
}

impl Limit {
    fn name(self) -> &'static str {
        match self {
            Self::Submission => "submission",
            Self::StatusLookup => "status",
            Self::Login => "login",
            Self::Upload => "upload",
        }
    }
}

/// Who is asking: an address, and the API client it came through, if any.
#[derive(Debug, Clone)]
pub struct Caller {
    pub address: IpAddr,
    /// `true` when `address` is the resident's, read through a trusted proxy or front end,
    /// rather than the address of the front end itself.
    pub forwarded: bool,
    pub client: Option<ApiClient>,
}

impl Caller {
    /// A caller known only by address (a browser, an anonymous API call).
    pub fn at(address: IpAddr) -> Self {
        Self {
            address,
            forwarded: false,
            client: None,
        }
    }

    /// Who idempotency keys belong to: an API client, or else an address.
    pub fn scope(&self) -> String {
        match &self.client {
            Some(client) => format!("client:{}", client.id),
            None => format!("addr:{}", self.address),
        }
    }
}

/// An address or a CIDR block, as `trusted_proxies` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    network: IpAddr,
    prefix: u8,
}

impl IpBlock {
    /// `10.0.0.0/8`, `192.0.2.1`, `::1`, `2001:db8::/32`.
    pub fn parse(s: &str) -> Option<Self> {
        let (address, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s.trim(), None),
        };
        let network: IpAddr = address.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> Option<(u128, u32)> {
            match ip {
                IpAddr::V4(v4) => Some((u128::from(u32::from(v4)), 32)),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) if self.network.is_ipv4() => Some((u128::from(u32::from(v4)), 32)),
                    _ => Some((u128::from(v6), 128)),
                },
            }
        };
        let (Some((net, width)), Some((addr, addr_width))) = (bits(self.network), bits(ip)) else {
            return false;
        };
        if width != addr_width {
            return false;
        }
        let shift = width - u32::from(self.prefix);
        shift >= width || (net >> shift) == (addr >> shift)
    }
}

/// The client's address: the peer's, or — when the peer is a trusted proxy — the last address
/// in `X-Forwarded-For` that is not itself a trusted proxy. Returns whether it was forwarded.
pub fn client_address(
    peer: IpAddr,
    forwarded_for: Option<&str>,
    proxies: &[IpBlock],
) -> (IpAddr, bool) {
    let trusted = |ip: IpAddr| proxies.iter().any(|p| p.contains(ip));
    if !trusted(peer) {
        return (peer, false);
    }
    let hops = forwarded_for
        .unwrap_or_default()
        .split(',')
        .filter_map(|h| h.trim().parse::<IpAddr>().ok());
    let mut address = (peer, false);
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        address = (hop, true);
        if !trusted(hop) {
            break;
        }
    }
    address
}

impl Portal {
    /// Counts one request of `caller` against `limit`; [`AppError::RateLimited`] when over.
    /// An API client is held to its own budget, and to the address budget only for the
    /// resident addresses it forwards; everyone else to the address budget.
    pub async fn admit(&self, limit: Limit, caller: &Caller) -> Result<(), AppError> {
        let window = minute_of(OffsetDateTime::now_utc());
        if let Some(client) = &caller.client {
            let bucket = self.bucket(limit, &format!("client:{}", client.id));
            let count = self.store.count_request(&bucket, window).await?;
            if count > client.requests_per_minute {
                return Err(AppError::RateLimited);
            }
            if !caller.forwarded {
                return Ok(());
            }
        }
        let bucket = self.bucket(limit, &format!("addr:{}", caller.address));
        let count = self.store.count_request(&bucket, window).await?;
        if count > i64::from(self.per_address(limit)) {
            return Err(AppError::RateLimited);
        }
        Ok(())
    }

    fn per_address(&self, limit: Limit) -> u32 {
        let limits = &self.config.limits;
        match limit {
            Limit::Submission => limits.submissions_per_minute,
            Limit::StatusLookup => limits.status_lookups_per_minute,
            Limit::Login => self.config.staff.logins_per_minute,
            Limit::Upload => limits.uploads_per_minute,
        }
    }

    /// A keyed hash of what is limited and for whom: the counters never hold an address.
    fn bucket(&self, limit: Limit, who: &str) -> String {
        let mac = self.secret.mac(&[
            b"rate-limit",
            self.municipality().as_bytes(),
            limit.name().as_bytes(),
            who.as_bytes(),
        ]);
        HEXLOWER.encode(&mac[..16])
    }
}

/// The start of the minute `t` falls in.
fn minute_of(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_contain_their_addresses() {
        let private = IpBlock::parse("10.0.0.0/8").unwrap();
        assert!(private.contains(ip("10.20.30.40")));
        assert!(!private.contains(ip("11.0.0.1")));
        assert!(private.contains(ip("::ffff:10.1.1.1")), "IPv4-mapped IPv6");
        let one = IpBlock::parse("192.0.2.1").unwrap();
        assert!(one.contains(ip("192.0.2.1")) && !one.contains(ip("192.0.2.2")));
        assert!(
            IpBlock::parse("2001:db8::/32")
                .unwrap()
                .contains(ip("2001:db8::5"))
        );
        assert!(
            IpBlock::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("203.0.113.9"))
        );
        assert_eq!(IpBlock::parse("10.0.0.0/33"), None);
        assert_eq!(IpBlock::parse("proxy.example"), None);
    }

    #[test]
    fn the_client_is_the_last_address_before_the_trusted_proxies() {
        let proxies = [IpBlock::parse("10.0.0.0/8").unwrap()];
        // A resident behind the ward's proxy, who also sent a forged header of their own.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                Some("6.6.6.6, 203.0.113.7, 10.0.0.9"),
                &proxies
            ),
            (ip("203.0.113.7"), true)
        );
        // Not through a trusted proxy: the header is not believed.
        assert_eq!(
            client_address(ip("198.51.100.1"), Some("203.0.113.7"), &proxies),
            (ip("198.51.100.1"), false)
        );
        // A trusted proxy that sent no header.
        assert_eq!(
            client_address(ip("10.0.0.2"), None, &proxies),
            (ip("10.0.0.2"), false)
        );
    }
}
