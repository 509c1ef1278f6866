//! Small self-contained HTML error pages for routes outside the Leptos app (sign-in, refusals).

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// A complete HTML page with a heading and one explanatory paragraph; both are escaped.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Attest</title><link rel=\"stylesheet\" href=\"/pkg/attest.css\"></head>\
         <body><main class=\"page\"><h1>{title}</h1><p role=\"alert\">{message}</p>\
         <p><a href=\"/\">Back to Attest</a></p></main></body></html>",
        title = escape(title),
        message = escape(message),
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_escaped() {
        assert_eq!(escape("<script>\"&'"), "&lt;script&gt;&quot;&amp;&#39;");
    }
}
