//! The dated media types that select an Atlas API version per request.

use std::fmt;

/// One dated version of the Atlas Admin API v2 resource model.
///
/// Atlas versions each resource separately, so one snapshot sends several dates; every
/// endpoint constant in `endpoints/` names the version the spec lists for that operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// Organizations, projects, teams, database users, API keys, federation, events.
    V2023_01_01,
    /// Service accounts.
    V2024_08_05,
    /// The current Atlas user model: org and project users, team members, role changes.
    V2025_02_19,
}

impl ApiVersion {
    /// The version date, e.g. `2025-02-19`.
    pub const fn date(self) -> &'static str {
        match self {
            Self::V2023_01_01 => "2023-01-01",
            Self::V2024_08_05 => "2024-08-05",
            Self::V2025_02_19 => "2025-02-19",
        }
    }

    /// The value sent in `Accept` (and `Content-Type` when there is a body).
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::V2023_01_01 => "application/vnd.atlas.2023-01-01+json",
            Self::V2024_08_05 => "application/vnd.atlas.2024-08-05+json",
            Self::V2025_02_19 => "application/vnd.atlas.2025-02-19+json",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.date())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_embeds_the_date() {
        for version in [
            ApiVersion::V2023_01_01,
            ApiVersion::V2024_08_05,
            ApiVersion::V2025_02_19,
        ] {
            assert_eq!(
                version.media_type(),
                format!("application/vnd.atlas.{}+json", version.date())
            );
        }
    }
}
