//! A small checker of requests and responses against the Atlas Admin API v2 OpenAPI 3.0 spec
//! (the official `openapi-v2.yaml` without its prose, `atlas-openapi-v2.json` beside this file,
//! made by `prune.py`), loaded once per test binary.
//!
//! It finds the operation for a method and a concrete path, then checks: the query against the
//! operation's declared parameters, the `Accept` version against the versions its success
//! responses list, a request body against the schema of its content type; and a response's
//! status against the declared ones, its `Content-Type` against that status's content types
//! and its body against that content type's schema. Schemas are checked with `$ref`
//! resolved, `type`, `nullable`, `enum`, `required` (minding `readOnly` and `writeOnly`),
//! `properties`, `additionalProperties`, `items`, `allOf`, `oneOf`/`anyOf` (with the
//! discriminator's mapping when there is one), `format: date-time`, lengths and bounds.
//! In strict mode an object property the schema does not declare is an error too, even though
//! OpenAPI allows it, so that a simulator inventing fields is caught.
//!
//! Limitation: `pattern` is not checked (the spec's patterns are written for Java's regex
//! engine), nor `format` other than `date-time`, nor `uniqueItems`. `oneOf` without a
//! discriminator is read as `anyOf`: the alternatives overlap too much to demand exactly one.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use std::sync::LazyLock;

use serde_json::{Map, Value};

/// The spec, parsed on first use.
pub static SPEC: LazyLock<Spec> = LazyLock::new(|| match Spec::load() {
    Ok(spec) => spec,
    Err(err) => panic!("{err}"),
});

/// Which way a body travels: `readOnly` properties are not required in requests, `writeOnly`
/// ones are not required in (and must not appear in) responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

/// One HTTP exchange as seen on the wire.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    /// Decoded query pairs, repeats kept.
    pub query: Vec<(String, String)>,
    pub accept: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub status: u16,
    pub response_content_type: Option<String>,
    pub response_body: Vec<u8>,
}

/// The parsed spec and its path templates.
pub struct Spec {
    doc: Value,
    /// (template split into segments, template as written).
    templates: Vec<(Vec<String>, String)>,
}

/// One operation of the spec.
pub struct Operation<'s> {
    pub template: &'s str,
    pub op: &'s Value,
}

const MAX_DEPTH: usize = 64;

impl Spec {
    /// Reads the spec from `ATLAS_OPENAPI`, or the pruned copy kept beside this file.
    pub fn load() -> Result<Self, String> {
        // The official spec without its prose (see `prune.py` beside this file); set
        // ATLAS_OPENAPI to check against the full YAML instead.
        let path = std::env::var("ATLAS_OPENAPI").unwrap_or_else(|_| {
            format!(
                "{}/tests/openapi/atlas-openapi-v2.json",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        let text = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read the Atlas OpenAPI spec at {path}: {err}"))?;
        Self::parse(&text).map_err(|err| format!("{path}: {err}"))
    }

    /// Parses a spec from YAML text.
    pub fn parse(text: &str) -> Result<Self, String> {
        // JSON is read as JSON (the pruned copy); anything else as YAML (the official file).
        let doc: Value = match serde_json::from_str(text) {
            Ok(doc) => doc,
            Err(_) => serde_yaml_ng::from_str(text)
                .map_err(|err| format!("not a YAML or JSON document: {err}"))?,
        };
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("the spec has no paths")?;
        let templates = paths
            .keys()
            .map(|t| (t.split('/').map(str::to_owned).collect(), t.clone()))
            .collect();
        Ok(Self { doc, templates })
    }

    /// The operation for `method` on a concrete `path`; literal segments beat parameters.
    pub fn operation(&self, method: &str, path: &str) -> Result<Operation<'_>, String> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, &str)> = None;
        for (template, written) in &self.templates {
            if template.len() != segments.len() {
                continue;
            }
            // Literal segments count most, then the literal text around parameters, so that
            // `{userId}:removeRole` beats `{userId}` for `…:removeRole`.
            let mut literal = 0;
            let fits = template.iter().zip(&segments).all(|(t, s)| {
                if t == s {
                    literal += 1_000;
                    true
                } else {
                    let fits = segment_fits(t, s);
                    literal += t.len()
                        - t.find('}')
                            .map_or(0, |close| close + 1 - t.find('{').unwrap_or(0));
                    fits
                }
            });
            if fits && best.is_none_or(|(n, _)| literal > n) {
                best = Some((literal, written));
            }
        }
        let (_, template) = best.ok_or_else(|| format!("no path of the spec matches {path}"))?;
        let op = self.doc["paths"][template]
            .get(method.to_lowercase())
            .ok_or_else(|| format!("{template} has no {method} operation"))?;
        Ok(Operation { template, op })
    }

    /// Follows `$ref`s to the object they name.
    pub fn resolve<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..MAX_DEPTH {
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
                return node;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                return node;
            };
            match self.doc.pointer(pointer) {
                Some(target) => node = target,
                None => return node,
            }
        }
        node
    }

    /// A component schema by name, e.g. `ApiError`.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.doc.pointer(&format!("/components/schemas/{name}"))
    }

    /// Every problem with the request half of `exchange`.
    pub fn check_request(&self, x: &Exchange) -> Vec<String> {
        let mut errors = Vec::new();
        let op = match self.operation(&x.method, &x.path) {
            Ok(op) => op,
            Err(err) => return vec![err],
        };
        let params: Vec<&Value> = op
            .op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|ps| ps.iter().map(|p| self.resolve(p)).collect())
            .unwrap_or_default();
        for (name, value) in &x.query {
            let declared = params
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == name.as_str());
            match declared {
                None => errors.push(format!("query parameter {name} is not declared")),
                Some(p) => self.check_query_value(&p["schema"], name, value, &mut errors),
            }
        }
        for p in &params {
            let name = p["name"].as_str().unwrap_or("");
            if p["in"] == "query"
                && p["required"] == true
                && !x.query.iter().any(|(n, _)| n == name)
            {
                errors.push(format!("required query parameter {name} is missing"));
            }
        }
        let versions = success_content_types(self, op.op);
        match &x.accept {
            None => errors.push("no Accept header".to_owned()),
            Some(accept) if !versions.iter().any(|v| v == accept) => errors.push(format!(
                "Accept {accept} is not one of this operation's versions {versions:?}"
            )),
            Some(_) => {}
        }
        let request_body = op.op.get("requestBody").map(|b| self.resolve(b));
        match (request_body, x.body.is_empty()) {
            (Some(rb), true) if rb["required"] == true => {
                errors.push("the required request body is missing".to_owned());
            }
            (None, false) => {
                errors.push("a body was sent to an operation that takes none".to_owned())
            }
            (Some(rb), false) => {
                let content_type = x.content_type.as_deref().unwrap_or("");
                match rb["content"].get(content_type) {
                    None => errors.push(format!(
                        "request Content-Type {content_type:?} is not one the operation accepts"
                    )),
                    Some(media) => match serde_json::from_slice::<Value>(&x.body) {
                        Err(err) => errors.push(format!("request body is not JSON: {err}")),
                        Ok(body) => self.check(
                            &media["schema"],
                            &body,
                            Direction::Request,
                            "body",
                            true,
                            &mut errors,
                            0,
                        ),
                    },
                }
            }
            _ => {}
        }
        errors
    }

    /// Every problem with the response half of `exchange`.
    pub fn check_response(&self, x: &Exchange, strict: bool) -> Vec<String> {
        let op = match self.operation(&x.method, &x.path) {
            Ok(op) => op,
            Err(err) => return vec![err],
        };
        let responses = &op.op["responses"];
        let Some(declared) = responses
            .get(x.status.to_string())
            .or_else(|| responses.get("default"))
            .map(|r| self.resolve(r))
        else {
            return vec![format!("status {} is not declared", x.status)];
        };
        let Some(content) = declared.get("content").and_then(Value::as_object) else {
            return if x.response_body.is_empty() {
                Vec::new()
            } else {
                vec![format!(
                    "status {} declares no body, but one came",
                    x.status
                )]
            };
        };
        // An empty 204 needs no Content-Type, even where the spec lists the version under it.
        if x.response_body.is_empty()
            && x.response_content_type.is_none()
            && content.values().all(|media| media.get("schema").is_none())
        {
            return Vec::new();
        }
        let content_type = x.response_content_type.as_deref().unwrap_or("");
        let Some(media) = content.get(content_type) else {
            return vec![format!(
                "Content-Type {content_type:?} is not one of {:?} for status {}",
                content.keys().collect::<Vec<_>>(),
                x.status
            )];
        };
        if (200..300).contains(&x.status) && x.accept.as_deref() != Some(content_type) {
            return vec![format!(
                "answered {content_type} to Accept {:?}",
                x.accept.as_deref().unwrap_or("")
            )];
        }
        let Some(schema) = media.get("schema") else {
            return if x.response_body.is_empty() {
                Vec::new()
            } else {
                vec![format!("{content_type} has no schema, but a body came")]
            };
        };
        match serde_json::from_slice::<Value>(&x.response_body) {
            Err(err) => vec![format!("response body is not JSON: {err}")],
            Ok(body) => {
                let mut errors = Vec::new();
                self.check(
                    schema,
                    &body,
                    Direction::Response,
                    "body",
                    strict,
                    &mut errors,
                    0,
                );
                errors
            }
        }
    }

    fn check_query_value(&self, schema: &Value, name: &str, raw: &str, errors: &mut Vec<String>) {
        let schema = self.resolve(schema);
        let item_schema = if schema["type"] == "array" {
            self.resolve(&schema["items"])
        } else {
            schema
        };
        let value = match item_schema["type"].as_str() {
            Some("integer") => match raw.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    errors.push(format!("query parameter {name}={raw} is not an integer"));
                    return;
                }
            },
            Some("boolean") => match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => {
                    errors.push(format!("query parameter {name}={raw} is not a boolean"));
                    return;
                }
            },
            _ => Value::from(raw),
        };
        self.check(
            item_schema,
            &value,
            Direction::Request,
            &format!("query {name}"),
            false,
            errors,
            0,
        );
    }

    /// Checks `value` against `schema`, appending one line per problem with where it is.
    #[allow(clippy::too_many_arguments, reason = "a recursive walk's state")]
    pub fn check(
        &self,
        schema: &Value,
        value: &Value,
        dir: Direction,
        at: &str,
        strict: bool,
        errors: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            errors.push(format!("{at}: schema nests too deep"));
            return;
        }
        let schema = self.resolve(schema);
        if value.is_null() {
            let typed = schema.get("type").is_some() || schema.get("$ref").is_some();
            if schema["nullable"] != true && typed {
                errors.push(format!("{at}: null is not allowed"));
            }
            return;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for branch in all {
                let base = self.resolve(branch);
                if base.get("discriminator").is_some() {
                    // A subtype names its discriminated base: only the base's own properties
                    // apply here, or the walk would go round through the mapping for ever.
                    self.check_object(base, value, dir, at, false, errors, depth + 1);
                } else {
                    self.check(branch, value, dir, at, false, errors, depth + 1);
                }
            }
            if strict {
                self.check_unknown(schema, value, at, errors);
            }
        }
        let alternatives = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array);
        if let Some(alternatives) = alternatives {
            self.check_alternatives(schema, alternatives, value, dir, at, strict, errors, depth);
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        let kind = schema.get("type").and_then(Value::as_str).or_else(|| {
            schema
                .get("properties")
                .map(|_| "object")
                .or_else(|| schema.get("items").map(|_| "array"))
        });
        match kind {
            Some("object") => self.check_object(schema, value, dir, at, strict, errors, depth),
            Some("array") => match value.as_array() {
                None => errors.push(format!("{at}: expected an array, got {}", kind_of(value))),
                Some(items) => {
                    bound(schema, "minItems", items.len(), at, errors, |n, m| n >= m);
                    bound(schema, "maxItems", items.len(), at, errors, |n, m| n <= m);
                    for (i, item) in items.iter().enumerate() {
                        let at = format!("{at}[{i}]");
                        self.check(&schema["items"], item, dir, &at, strict, errors, depth + 1);
                    }
                }
            },
            Some("string") => match value.as_str() {
                None => errors.push(format!("{at}: expected a string, got {}", kind_of(value))),
                Some(s) => {
                    let len = s.chars().count();
                    bound(schema, "minLength", len, at, errors, |n, m| n >= m);
                    bound(schema, "maxLength", len, at, errors, |n, m| n <= m);
                    if schema["format"] == "date-time"
                        && chrono::DateTime::parse_from_rfc3339(s).is_err()
                    {
                        errors.push(format!("{at}: {s:?} is not an RFC 3339 date-time"));
                    }
                }
            },
            Some("integer") => {
                if !(value.is_i64() || value.is_u64()) {
                    errors.push(format!("{at}: expected an integer, got {value}"));
                } else {
                    self.check_number(schema, value, at, errors);
                }
            }
            Some("number") => {
                if value.is_number() {
                    self.check_number(schema, value, at, errors);
                } else {
                    errors.push(format!("{at}: expected a number, got {value}"));
                }
            }
            Some("boolean") if !value.is_boolean() => {
                errors.push(format!("{at}: expected a boolean, got {value}"));
            }
            Some("boolean") => {}
            Some(other) => errors.push(format!("{at}: unknown schema type {other}")),
            None => {}
        }
    }

    #[allow(clippy::too_many_arguments, reason = "a recursive walk's state")]
    fn check_alternatives(
        &self,
        schema: &Value,
        alternatives: &[Value],
        value: &Value,
        dir: Direction,
        at: &str,
        strict: bool,
        errors: &mut Vec<String>,
        depth: usize,
    ) {
        let discriminator = schema.get("discriminator");
        let property = discriminator
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str);
        let tag = property.and_then(|p| value.get(p)).and_then(Value::as_str);
        if let (Some(tag), Some(mapping)) = (
            tag,
            discriminator
                .and_then(|d| d.get("mapping"))
                .and_then(Value::as_object),
        ) {
            let Some(target) = mapping.get(tag) else {
                errors.push(format!("{at}: discriminator value {tag:?} is not mapped"));
                return;
            };
            let reference = serde_json::json!({ "$ref": target });
            self.check(&reference, value, dir, at, strict, errors, depth + 1);
            return;
        }
        let mut first = None;
        for branch in alternatives {
            let mut branch_errors = Vec::new();
            self.check(
                branch,
                value,
                dir,
                at,
                strict,
                &mut branch_errors,
                depth + 1,
            );
            if branch_errors.is_empty() {
                return;
            }
            first.get_or_insert(branch_errors);
        }
        errors.push(format!(
            "{at}: matches none of {} alternatives; the first says: {}",
            alternatives.len(),
            first.unwrap_or_default().join("; ")
        ));
    }

    #[allow(clippy::too_many_arguments, reason = "a recursive walk's state")]
    fn check_object(
        &self,
        schema: &Value,
        value: &Value,
        dir: Direction,
        at: &str,
        strict: bool,
        errors: &mut Vec<String>,
        depth: usize,
    ) {
        let Some(object) = value.as_object() else {
            errors.push(format!("{at}: expected an object, got {}", kind_of(value)));
            return;
        };
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                let property = properties.get(name).map(|p| self.resolve(p));
                let exempt = property.is_some_and(|p| match dir {
                    Direction::Request => p["readOnly"] == true,
                    Direction::Response => p["writeOnly"] == true,
                });
                if !exempt && !object.contains_key(name) {
                    errors.push(format!("{at}: required property {name} is missing"));
                }
            }
        }
        for (name, item) in object {
            let at = format!("{at}.{name}");
            match properties.get(name) {
                Some(property) => {
                    if dir == Direction::Response && self.resolve(property)["writeOnly"] == true {
                        errors.push(format!("{at}: write-only property in a response"));
                    }
                    self.check(property, item, dir, &at, strict, errors, depth + 1);
                }
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        errors.push(format!("{at}: property not allowed"));
                    }
                    Some(Value::Bool(true)) => {}
                    Some(extra) => self.check(extra, item, dir, &at, strict, errors, depth + 1),
                    // allOf parents check their branches' union of properties instead.
                    None if strict && schema.get("allOf").is_none() => {
                        errors.push(format!("{at}: property not in the schema"));
                    }
                    None => {}
                },
            }
        }
    }

    /// In strict mode, properties that no `allOf` branch declares.
    fn check_unknown(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(object) = value.as_object() else {
            return;
        };
        let mut known = Vec::new();
        if !self.collect_properties(schema, &mut known, 0) {
            return;
        }
        for name in object.keys() {
            if !known.contains(name) {
                errors.push(format!("{at}.{name}: property not in the schema"));
            }
        }
    }

    /// Gathers declared property names through `$ref` and `allOf`; false when the schema
    /// allows any property (so nothing can be unknown).
    fn collect_properties(&self, schema: &Value, known: &mut Vec<String>, depth: usize) -> bool {
        let schema = self.resolve(schema);
        if depth > MAX_DEPTH || schema.get("additionalProperties").is_some() {
            return false;
        }
        let alternatives = schema.get("oneOf").is_some() || schema.get("anyOf").is_some();
        if alternatives && schema.get("discriminator").is_none() {
            return false;
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            known.extend(props.keys().cloned());
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for branch in all {
                if !self.collect_properties(branch, known, depth + 1) {
                    return false;
                }
            }
        }
        true
    }

    fn check_number(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(n) = value.as_f64() else { return };
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            errors.push(format!("{at}: {n} is below the minimum {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            errors.push(format!("{at}: {n} is above the maximum {max}"));
        }
    }
}

/// `{userId}` matches any non-empty segment; `{userId}:removeRole` any one ending so.
fn segment_fits(template: &str, segment: &str) -> bool {
    let Some(open) = template.find('{') else {
        return false;
    };
    let Some(close) = template.find('}') else {
        return false;
    };
    let (prefix, suffix) = (&template[..open], &template[close + 1..]);
    segment.len() > prefix.len() + suffix.len()
        && segment.starts_with(prefix)
        && segment.ends_with(suffix)
}

/// The media types an operation's 2xx responses declare: the versions it can be asked for.
fn success_content_types(spec: &Spec, op: &Value) -> Vec<String> {
    let mut types = Vec::new();
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for (status, response) in responses {
            if !status.starts_with('2') {
                continue;
            }
            if let Some(content) = spec.resolve(response)["content"].as_object() {
                types.extend(content.keys().cloned());
            }
        }
    }
    types
}

fn bound(
    schema: &Value,
    keyword: &str,
    n: usize,
    at: &str,
    errors: &mut Vec<String>,
    ok: impl Fn(u64, u64) -> bool,
) {
    if let Some(limit) = schema.get(keyword).and_then(Value::as_u64)
        && !ok(n as u64, limit)
    {
        errors.push(format!("{at}: {keyword} {limit} not met ({n})"));
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
