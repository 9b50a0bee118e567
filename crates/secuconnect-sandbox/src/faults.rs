//! Fault injection: per route, for the next N calls.

use serde::{Deserialize, Serialize};

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// Waits `latency_ms` before the request is processed.
    #[serde(rename = "latency")]
    Latency,
    /// Answers a 5xx (default 500) with the provider's error payload; nothing is processed.
    #[serde(rename = "error_5xx")]
    Error5xx,
    /// Processes the request, then closes the connection without an answer.
    #[serde(rename = "drop_after")]
    DropAfter,
    /// Closes the connection without processing the request.
    #[serde(rename = "drop_before")]
    DropBefore,
    /// Processes the request; the answer is not JSON (a truncated body).
    #[serde(rename = "malformed")]
    Malformed,
    /// Expires the caller's token before the request is checked.
    #[serde(rename = "expire_token")]
    ExpireToken,
    /// Refuses the request for good: a 4xx (default 422) with the provider's
    /// error payload; nothing is processed.
    #[serde(rename = "refuse")]
    Refuse,
}

/// A fault for the next `count` calls matching `route`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// `"METHOD /path"` with `*` matching one path segment (also as the method),
    /// or `"*"` for every route.
    pub route: String,
    pub kind: FaultKind,
    /// How many of the next matching calls it hits (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// For `latency`: how long to wait (default 1000 ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// For `error_5xx`: the status (500–599, default 500); for `refuse`
    /// (400–499, default 422).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// A fault for the next matching call.
    pub fn new(route: impl Into<String>, kind: FaultKind) -> Self {
        Self {
            route: route.into(),
            kind,
            count: 1,
            latency_ms: None,
            status: None,
        }
    }

    /// For the next `count` matching calls.
    pub fn times(mut self, count: u32) -> Self {
        self.count = count;
        self
    }

    pub fn with_latency_ms(mut self, ms: u64) -> Self {
        self.latency_ms = Some(ms);
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Whether the route pattern is well-formed and the options fit the kind.
    pub fn validate(&self) -> Result<(), String> {
        let route = self.route.trim();
        if route != "*" {
            let Some((method, path)) = route.split_once(' ') else {
                return Err(format!("route {route:?} must be \"METHOD /path\" or \"*\""));
            };
            if method.is_empty() || !path.starts_with('/') {
                return Err(format!("route {route:?} must be \"METHOD /path\" or \"*\""));
            }
        }
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        if let Some(status) = self.status {
            if self.kind == FaultKind::Refuse {
                if !(400..=499).contains(&status) {
                    return Err(format!("status must be a 4xx, not {status}"));
                }
            } else if !(500..=599).contains(&status) {
                return Err(format!("status must be a 5xx, not {status}"));
            }
        }
        Ok(())
    }

    /// Whether this fault applies to a request.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        route_matches(self.route.trim(), method, path)
    }
}

/// `"METHOD /a/*/c"` against a request; `*` matches one segment.
pub fn route_matches(pattern: &str, method: &str, path: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let Some((want_method, want_path)) = pattern.split_once(' ') else {
        return false;
    };
    if want_method != "*" && !want_method.eq_ignore_ascii_case(method) {
        return false;
    }
    let want: Vec<&str> = want_path.trim().trim_end_matches('/').split('/').collect();
    let got: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    want.len() == got.len() && want.iter().zip(&got).all(|(w, g)| *w == "*" || w == g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_matches_exactly_one_segment() {
        let p = "POST /api/v2/Smart/Transactions/*/start/cash";
        assert!(route_matches(
            p,
            "POST",
            "/api/v2/Smart/Transactions/STX_1/start/cash"
        ));
        assert!(!route_matches(
            p,
            "GET",
            "/api/v2/Smart/Transactions/STX_1/start/cash"
        ));
        assert!(!route_matches(
            p,
            "POST",
            "/api/v2/Smart/Transactions/STX_1/start/cashless"
        ));
        assert!(!route_matches(
            p,
            "POST",
            "/api/v2/Smart/Transactions/a/b/start/cash"
        ));
        assert!(route_matches("*", "GET", "/anything"));
        assert!(route_matches("* /oauth/token", "POST", "/oauth/token"));
    }
}
