//! Entitlement rows in the text format of `COPY entitlement (…) FROM STDIN`: the fastest way
//! PostgreSQL takes many rows, and one that can be fed in pieces while rows are still being
//! derived. Pure encoding; the streaming write is in [`super::stream`].

use std::fmt::Write as _;

use uuid::Uuid;

use super::model::EntitlementRow;

/// The `COPY` statement the encoded rows are for, columns in [`encode_entitlement`]'s order.
pub const COPY_ENTITLEMENTS: &str = "COPY entitlement (snapshot_id, key, principal_key, \
     grant_path, scope, org_id, project_id, cluster_names, database_name, collection_name, \
     role, tier, via_team_id, via_mapping_id, via_org_role, role_actions) FROM STDIN";

/// The columns of [`COPY_ENTITLEMENTS`], for a `COPY` into another table of the same shape.
pub const ENTITLEMENT_COLUMNS: &str = "snapshot_id, key, principal_key, grant_path, scope, \
     org_id, project_id, cluster_names, database_name, collection_name, role, tier, \
     via_team_id, via_mapping_id, via_org_role, role_actions";

/// Appends one row of snapshot `snapshot_id`, newline included.
pub fn encode_entitlement(out: &mut String, snapshot_id: Uuid, e: &EntitlementRow) {
    write!(out, "{snapshot_id}").expect("writing into a String cannot fail");
    for value in [
        Some(e.key.as_str()),
        Some(e.principal_key.as_str()),
        Some(e.grant_path.as_str()),
        Some(e.scope.as_str()),
        Some(e.org_id.as_str()),
        e.project_id.as_deref(),
    ] {
        out.push('\t');
        field(out, value);
    }
    out.push('\t');
    array(out, &e.cluster_names);
    for value in [
        e.database_name.as_deref(),
        e.collection_name.as_deref(),
        Some(e.role.as_str()),
        Some(e.tier.as_str()),
        e.via_team_id.as_deref(),
        e.via_mapping_id.as_deref(),
        e.via_org_role.as_deref(),
    ] {
        out.push('\t');
        field(out, value);
    }
    out.push('\t');
    array(out, &e.role_actions);
    out.push('\n');
}

fn field(out: &mut String, value: Option<&str>) {
    match value {
        Some(value) => escape(out, value),
        None => out.push_str("\\N"),
    }
}

/// A `text[]` literal with every element quoted, then escaped as a COPY field.
fn array(out: &mut String, items: &[String]) {
    let mut literal = String::from("{");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            literal.push(',');
        }
        literal.push('"');
        for c in item.chars() {
            if matches!(c, '"' | '\\') {
                literal.push('\\');
            }
            literal.push(c);
        }
        literal.push('"');
    }
    literal.push('}');
    escape(out, &literal);
}

/// Appends `value` escaped for COPY's text format: backslash and the three characters that
/// would end a field or a row.
fn escape(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::snapshot::model::{GrantPath, Scope, Tier};

    #[test]
    fn fields_are_escaped_nulls_marked_and_lists_quoted() {
        let row = EntitlementRow {
            key: "project:p/dbuser:admin/a\tb/role:read@db".to_owned(),
            principal_key: "dbuser:p/admin/a\tb".to_owned(),
            grant_path: GrantPath::Direct,
            scope: Scope::Database,
            org_id: "o".to_owned(),
            project_id: Some("p".to_owned()),
            cluster_names: vec!["c1".to_owned(), "say \"hi\"\\".to_owned()],
            database_name: Some("db".to_owned()),
            collection_name: None,
            role: "read".to_owned(),
            tier: Tier::Read,
            via_team_id: None,
            via_mapping_id: None,
            via_org_role: None,
            role_actions: vec![],
        };
        let id = Uuid::nil();
        let mut out = String::new();
        encode_entitlement(&mut out, id, &row);
        let expected = format!(
            "{id}\tproject:p/dbuser:admin/a\\tb/role:read@db\tdbuser:p/admin/a\\tb\tdirect\t\
             database\to\tp\t{{\"c1\",\"say \\\\\"hi\\\\\"\\\\\\\\\"}}\tdb\t\\N\tread\tread\t\
             \\N\t\\N\t\\N\t{{}}\n"
        );
        assert_eq!(out, expected);
    }
}
