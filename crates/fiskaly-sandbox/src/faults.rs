//! Fault injection: for the next N calls of a route, something goes wrong.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Waits `latency_ms` (default 1000), then answers as usual.
    Latency,
    /// Answers `status` (500–599, default 500) with the error payload; nothing is processed.
    #[serde(rename = "error_5xx")]
    Error5xx,
    /// Closes the connection without processing the request.
    DropBefore,
    /// Processes the request, then closes the connection without an answer.
    DropAfter,
}

/// A fault for the next `count` calls matching `route`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// `"METHOD /path"` where `*` stands for one path segment (or any method),
    /// or `"*"` for every API route.
    pub route: String,
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

fn one() -> u32 {
    1
}

impl Fault {
    pub fn new(route: impl Into<String>, kind: FaultKind) -> Self {
        Self {
            route: route.into(),
            kind,
            count: 1,
            latency_ms: None,
            status: None,
        }
    }

    pub fn times(self, count: u32) -> Self {
        Self { count, ..self }
    }

    pub fn latency_ms(self, ms: u64) -> Self {
        Self {
            latency_ms: Some(ms),
            ..self
        }
    }

    pub fn status(self, status: u16) -> Self {
        Self {
            status: Some(status),
            ..self
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        let route = self.route.trim();
        let well_formed = route == "*"
            || route
                .split_once(' ')
                .is_some_and(|(m, p)| !m.is_empty() && p.starts_with('/'));
        if !well_formed {
            return Err(format!("route {route:?} must be \"METHOD /path\" or \"*\""));
        }
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        match self.status {
            Some(s) if !(500..=599).contains(&s) => Err(format!("status must be a 5xx, not {s}")),
            _ => Ok(()),
        }
    }

    pub fn matches(&self, method: &str, path: &str) -> bool {
        let route = self.route.trim();
        if route == "*" {
            return true;
        }
        let Some((want_method, want_path)) = route.split_once(' ') else {
            return false;
        };
        let method_ok = want_method == "*" || want_method.eq_ignore_ascii_case(method);
        let want: Vec<&str> = want_path.trim_end_matches('/').split('/').collect();
        let got: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        method_ok
            && want.len() == got.len()
            && want.iter().zip(&got).all(|(w, g)| *w == "*" || w == g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_segment_by_segment() {
        let f = Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::DropAfter);
        assert!(f.matches("PUT", "/api/v2/tss/a/tx/b"));
        assert!(!f.matches("GET", "/api/v2/tss/a/tx/b"));
        assert!(!f.matches("PUT", "/api/v2/tss/a/tx"));
        assert!(Fault::new("*", FaultKind::Latency).matches("GET", "/x"));
        assert!(Fault::new("nowhere", FaultKind::Latency)
            .validate()
            .is_err());
        assert!(Fault::new("*", FaultKind::Error5xx)
            .status(404)
            .validate()
            .is_err());
    }
}
