//! Query parameters and the paginated envelope `{links, results, totalCount}`: `pageNum`
//! (from 1), `itemsPerPage` (1–500, default 100), `includeCount` (default true), `self` links
//! plus `next` / `previous` unless switched off.

use axum::extract::{FromRequestParts, Query};
use axum::http::header;
use axum::http::request::Parts;
use serde_json::{Value, json};

use super::config::SimConfig;
use super::error::{SimError, SimResult};

/// Largest `itemsPerPage` Atlas accepts.
pub const MAX_ITEMS_PER_PAGE: usize = 500;
const DEFAULT_ITEMS_PER_PAGE: usize = 100;

/// The request's query pairs (repeats kept, for `orgMembershipStatuses` and `eventType`) and
/// what is needed to build absolute links back to it.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pairs: Vec<(String, String)>,
    origin: String,
    path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = SimError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|_| SimError::validation("The query string could not be parsed."))?;
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        Ok(Self {
            pairs,
            origin: format!("http://{host}"),
            path: parts.uri.path().to_owned(),
        })
    }
}

/// One requested page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub num: usize,
    pub items_per_page: usize,
    pub include_count: bool,
}

impl ListQuery {
    /// A query built from pairs, for unit tests.
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self {
            pairs: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            origin: "http://localhost".to_owned(),
            path: "/".to_owned(),
        }
    }

    /// `http://host` of the request, for absolute links.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable parameter; comma-separated values are split too.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(',').map(str::to_owned).collect::<Vec<_>>())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A boolean parameter, 400 if it is neither `true` nor `false`.
    pub fn flag(&self, name: &str, default: bool) -> SimResult<bool> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(invalid(name, v)),
        }
    }

    /// A non-negative integer parameter.
    pub fn number(&self, name: &str) -> SimResult<Option<i64>> {
        self.get(name)
            .map(|v| v.parse::<i64>().map_err(|_| invalid(name, v)))
            .transpose()
    }

    /// The paging parameters, checked against the spec's bounds.
    pub fn page(&self) -> SimResult<Page> {
        let num = match self.get("pageNum") {
            None => 1,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| invalid("pageNum", v))?,
        };
        let items_per_page = match self.get("itemsPerPage") {
            None => DEFAULT_ITEMS_PER_PAGE,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_ITEMS_PER_PAGE).contains(n))
                .ok_or_else(|| invalid("itemsPerPage", v))?,
        };
        Ok(Page {
            num,
            items_per_page,
            include_count: self.flag("includeCount", true)?,
        })
    }

    /// The paginated envelope over the full, already filtered `items`.
    pub fn paginate(&self, config: &SimConfig, items: Vec<Value>) -> SimResult<Value> {
        self.paginate_with(config, items, |item| item)
    }

    /// The paginated envelope over filtered records, rendering only the requested page's: a
    /// 10,000-user org would otherwise render every user for every page.
    pub fn paginate_with<T>(
        &self,
        config: &SimConfig,
        items: Vec<T>,
        render: impl FnMut(T) -> Value,
    ) -> SimResult<Value> {
        let page = self.page()?;
        let total = items.len();
        let start = (page.num - 1).saturating_mul(page.items_per_page);
        let results: Vec<Value> = items
            .into_iter()
            .skip(start)
            .take(page.items_per_page)
            .map(render)
            .collect();
        let mut links = vec![self.link(page.num, page.items_per_page, "self")];
        if config.page_links {
            if page.num > 1 {
                links.push(self.link(page.num - 1, page.items_per_page, "previous"));
            }
            if start + results.len() < total {
                links.push(self.link(page.num + 1, page.items_per_page, "next"));
            }
        }
        let mut body = json!({ "links": links, "results": results });
        if page.include_count {
            let count = (total as i64 + config.total_count_skew).max(0);
            body["totalCount"] = json!(count);
        }
        Ok(body)
    }

    fn link(&self, num: usize, items_per_page: usize, rel: &str) -> Value {
        let mut query = vec![
            format!("pageNum={num}"),
            format!("itemsPerPage={items_per_page}"),
        ];
        for (k, v) in &self.pairs {
            if k != "pageNum" && k != "itemsPerPage" {
                query.push(format!("{}={}", encode(k), encode(v)));
            }
        }
        json!({ "href": format!("{}{}?{}", self.origin, self.path, query.join("&")), "rel": rel })
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn invalid(name: &str, value: &str) -> SimError {
    SimError::validation(format!("Invalid value {value} for query parameter {name}."))
        .params(vec![json!(name), json!(value)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!(i)).collect()
    }

    #[test]
    fn last_page_has_no_next_link_and_count_is_total() {
        let q = ListQuery::from_pairs(&[("pageNum", "3"), ("itemsPerPage", "2")]);
        let body = q
            .paginate(&SimConfig::default(), items(5))
            .unwrap_or_default();
        assert_eq!(body["results"], json!([4]));
        assert_eq!(body["totalCount"], 5);
        let rels: Vec<_> = body["links"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| l["rel"].clone())
            .collect();
        assert_eq!(rels, vec![json!("self"), json!("previous")]);
    }

    #[test]
    fn items_per_page_bounds_and_include_count() {
        for bad in ["0", "501", "x"] {
            assert!(
                ListQuery::from_pairs(&[("itemsPerPage", bad)])
                    .page()
                    .is_err()
            );
        }
        let q = ListQuery::from_pairs(&[("includeCount", "false")]);
        let body = q
            .paginate(&SimConfig::default(), items(1))
            .unwrap_or_default();
        assert!(body.get("totalCount").is_none());
    }

    #[test]
    fn page_past_the_end_is_empty() {
        let q = ListQuery::from_pairs(&[("pageNum", "9")]);
        let body = q
            .paginate(&SimConfig::default(), items(3))
            .unwrap_or_default();
        assert_eq!(body["results"], json!([]));
    }
}
