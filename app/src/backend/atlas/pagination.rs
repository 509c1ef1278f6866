//! Reading every page of a listing.
//!
//! Atlas pages with `pageNum` / `itemsPerPage` and reports a `totalCount` that its own spec
//! calls approximate. The loop therefore asks for page after page and stops at the first
//! empty or short page; `totalCount` is only recorded, so a snapshot can reconcile it.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::client::{AtlasClient, decode};
use super::error::{AtlasError, CallSite};
use super::path::{ApiPath, Query};
use super::transport::{Endpoint, Request};

/// A listing longer than this many pages is treated as a server that ignores `pageNum`.
const MAX_PAGES: u32 = 20_000;

/// The paginated envelope; `links` are not needed to page.
#[derive(Deserialize)]
struct Envelope<T> {
    results: Vec<T>,
    #[serde(rename = "totalCount", default)]
    total_count: Option<u64>,
}

/// Every item of a listing, with what Atlas claimed about its size.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    /// The items, in the order Atlas returned them.
    pub items: Vec<T>,
    /// `totalCount` of the first page; `None` when the endpoint does not report one.
    pub reported_total: Option<u64>,
    /// Pages requested, the final empty or short one included.
    pub pages: u32,
}

impl<T> Listing<T> {
    /// Whether Atlas's `totalCount` disagrees with the number of items read.
    pub fn total_differs(&self) -> bool {
        self.reported_total
            .is_some_and(|total| u64::try_from(self.items.len()) != Ok(total))
    }
}

/// Whether a page with `received` items ends the listing.
// Limitation: the short-page rule trusts Atlas to serve the `itemsPerPage` it was asked for
// (the spec allows up to 500). A server that silently capped pages lower would end listings
// early; `Listing::total_differs` is the signal a snapshot checks for that.
pub(crate) fn is_last_page(received: usize, items_per_page: u32) -> bool {
    received == 0 || u32::try_from(received).is_ok_and(|n| n < items_per_page)
}

impl AtlasClient {
    /// Reads all pages of a paginated endpoint.
    pub(crate) async fn list_all<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        path: &ApiPath,
        query: Query,
    ) -> Result<Listing<T>, AtlasError> {
        let per_page = self.items_per_page;
        let mut items = Vec::new();
        let mut reported_total = None;
        let mut page = 0;
        loop {
            page += 1;
            if page > MAX_PAGES {
                return Err(AtlasError::endless_listing(
                    CallSite {
                        operation: endpoint.operation,
                        method: endpoint.verb.as_str(),
                        path: path.as_str().to_owned(),
                        page: Some(page),
                    },
                    MAX_PAGES,
                ));
            }
            let response = self
                .send(Request {
                    endpoint,
                    path,
                    query: query.with_page(page, per_page),
                    body: None,
                    page: Some(page),
                })
                .await?;
            let envelope: Envelope<T> = decode(&response)?;
            if page == 1 {
                reported_total = envelope.total_count;
            }
            let received = envelope.results.len();
            items.extend(envelope.results);
            if is_last_page(received, per_page) {
                break;
            }
        }
        let listing = Listing {
            items,
            reported_total,
            pages: page,
        };
        if listing.total_differs() {
            tracing::debug!(
                atlas.operation = endpoint.operation,
                http.path = %path.as_str(),
                atlas.total_count = reported_total,
                items = listing.items.len(),
                "Atlas totalCount differs from the items read"
            );
        }
        Ok(listing)
    }

    /// Reads an endpoint that answers with the paginated envelope but takes no paging
    /// parameters (e.g. federation role mappings): one request, no `pageNum`.
    pub(crate) async fn get_unpaged_envelope<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        path: &ApiPath,
    ) -> Result<Listing<T>, AtlasError> {
        let envelope: Envelope<T> = self.get(endpoint, path, Query::new()).await?;
        Ok(Listing {
            items: envelope.results,
            reported_total: envelope.total_count,
            pages: 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_on_an_empty_page() {
        assert!(is_last_page(0, 500));
        assert!(is_last_page(0, 1));
    }

    #[test]
    fn stops_on_a_short_page() {
        assert!(is_last_page(499, 500));
        assert!(is_last_page(1, 2));
    }

    #[test]
    fn continues_after_a_full_page_whatever_total_count_says() {
        assert!(!is_last_page(500, 500));
        assert!(!is_last_page(3, 2), "an over-full page is not the end");
    }

    #[test]
    fn envelope_without_total_count_parses() {
        let page: Envelope<u32> =
            serde_json::from_str(r#"{"links":[],"results":[1,2]}"#).expect("valid");
        assert_eq!(page.results, vec![1, 2]);
        assert_eq!(page.total_count, None);
        assert!(serde_json::from_str::<Envelope<u32>>(r#"{"totalCount":2}"#).is_err());
    }

    #[test]
    fn total_mismatch_is_reported() {
        let listing = Listing {
            items: vec![1, 2, 3],
            reported_total: Some(4),
            pages: 1,
        };
        assert!(listing.total_differs());
        let exact = Listing {
            reported_total: Some(3),
            ..listing.clone()
        };
        assert!(!exact.total_differs());
        let unreported = Listing {
            reported_total: None,
            ..listing
        };
        assert!(!unreported.total_differs());
    }
}
