//! Organization and project events.

use chrono::SecondsFormat;

use crate::backend::atlas::client::AtlasClient;
use crate::backend::atlas::error::AtlasError;
use crate::backend::atlas::pagination::Listing;
use crate::backend::atlas::path::{ApiPath, Query};
use crate::backend::atlas::transport::Endpoint;
use crate::backend::atlas::types::{Event, EventQuery};
use crate::backend::atlas::version::ApiVersion::V2023_01_01;

const LIST_ORG_EVENTS: Endpoint = Endpoint::get("listOrgEvents", V2023_01_01);
const LIST_PROJECT_EVENTS: Endpoint = Endpoint::get("listGroupEvents", V2023_01_01);

fn to_query(filter: &EventQuery) -> Query {
    let mut query = Query::new();
    for event_type in &filter.event_types {
        query.push("eventType", event_type.clone());
    }
    query
        .push_opt(
            "minDate",
            filter
                .min_date
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        )
        .push_opt(
            "maxDate",
            filter
                .max_date
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
    if filter.include_raw {
        query.push("includeRaw", "true");
    }
    query
}

impl AtlasClient {
    /// Organization events matching `filter`, in Atlas's order (sort by `created` yourself).
    pub async fn list_org_events(
        &self,
        org_id: &str,
        filter: &EventQuery,
    ) -> Result<Listing<Event>, AtlasError> {
        let path = ApiPath::v2().lit("orgs").arg(org_id)?.lit("events");
        self.list_all(&LIST_ORG_EVENTS, &path, to_query(filter))
            .await
    }

    /// Project events matching `filter`.
    pub async fn list_project_events(
        &self,
        project_id: &str,
        filter: &EventQuery,
    ) -> Result<Listing<Event>, AtlasError> {
        let path = ApiPath::v2().lit("groups").arg(project_id)?.lit("events");
        self.list_all(&LIST_PROJECT_EVENTS, &path, to_query(filter))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn filters_become_repeated_types_and_utc_dates() {
        let filter = EventQuery {
            event_types: vec!["JOINED_ORG".into(), "REMOVED_FROM_ORG".into()],
            min_date: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single(),
            max_date: None,
            include_raw: false,
        };
        assert_eq!(
            to_query(&filter).encode(),
            "eventType=JOINED_ORG&eventType=REMOVED_FROM_ORG&minDate=2026-01-01T00%3A00%3A00Z"
        );
    }
}
