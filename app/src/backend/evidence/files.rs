//! What each evidence CSV holds: its file name, its columns (and which are free text, so
//! neutralised), the plain-words description the pack's README gives, and the one SQL
//! statement that reads its rows. Every statement returns text columns in header order, so
//! [`super::stream`] can write any of them the same way.

/// Whether a column holds free text (neutralised against formulas) or a value Attest wrote
/// itself (a number, a boolean, a timestamp, an id), which is written unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Value,
}

/// One column of an evidence CSV.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
    }
}

const fn value(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Value,
    }
}

/// One evidence CSV.
#[derive(Debug)]
pub struct EvidenceFile {
    /// The file name in the pack and in the download's `Content-Disposition`.
    pub name: &'static str,
    /// What it is, for an auditor, in the pack's README.
    pub about: &'static str,
    pub columns: &'static [Column],
    /// Reads the rows: every column as text, in header order; `$1` is the campaign id (for
    /// the audit log, `$1` and `$2` are the start and end of the time range).
    pub sql: &'static str,
}

impl EvidenceFile {
    /// The header row.
    pub fn header(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|c| c.name)
    }
}

/// The campaign's parameters, status and dates: one row.
pub const CAMPAIGN: EvidenceFile = EvidenceFile {
    name: "campaign.csv",
    about: "The campaign itself, one row: its scope (organizations, projects, kinds of \
            principal, tiers), its rules (who reviews, whether comments are required, what \
            happens to undecided items, how revocations are carried out), its status and the \
            dates it was created, launched, closed and signed off.",
    columns: &[
        value("campaign_id"),
        text("name"),
        text("description"),
        value("status"),
        text("org_ids"),
        text("project_ids"),
        value("principal_kinds"),
        value("tiers"),
        value("only_new_since_last"),
        value("due_date"),
        value("reviewer_rules"),
        value("comment_required_on_revoke"),
        value("comment_required_on_privileged_approve"),
        value("allow_forwarding"),
        value("undecided_outcome"),
        value("remediation_mode"),
        value("created_at"),
        text("created_by"),
        value("launched_at"),
        value("closed_at"),
        value("signed_off_at"),
        text("signed_off_by"),
    ],
    sql: "SELECT c.id::text, c.name, c.description, c.status, \
              array_to_string(c.org_ids, ' '), array_to_string(c.project_ids, ' '), \
              array_to_string(c.principal_kinds, ' '), array_to_string(c.tiers, ' '), \
              c.only_new_since_last::text, c.due_date::text, \
              array_to_string(c.reviewer_rules, ' '), c.comment_required_on_revoke::text, \
              c.comment_required_on_privileged_approve::text, c.allow_forwarding::text, \
              c.undecided_outcome, c.remediation_mode, evidence_ts(c.created_at), \
              c.created_by_label, evidence_ts(c.launched_at), evidence_ts(c.closed_at), \
              evidence_ts(s.signed_at), s.signed_by_label \
          FROM campaign c LEFT JOIN campaign_signoff s ON s.campaign_id = c.id \
          WHERE c.id = $1",
};

/// Every review item as frozen at launch.
pub const POPULATION: EvidenceFile = EvidenceFile {
    name: "population.csv",
    about: "The population under review exactly as it was frozen when the campaign was \
            launched: one row per entitlement (one principal holding one role on one \
            resource), with the snapshot it came from, the person behind the principal as \
            the directory knew them then, and the risk flags reviewers saw. It never changes \
            after launch.",
    columns: &[
        value("review_item_id"),
        value("snapshot_id"),
        text("org_id"),
        text("project_id"),
        text("project_name"),
        text("entitlement_key"),
        value("scope"),
        text("cluster_names"),
        text("database_name"),
        text("collection_name"),
        text("role"),
        value("tier"),
        value("grant_path"),
        text("via_team_id"),
        text("via_mapping_id"),
        text("principal_key"),
        value("principal_kind"),
        text("principal_name"),
        text("principal_username"),
        text("auth_type"),
        value("last_used_at"),
        text("person_name"),
        text("person_email"),
        text("person_status"),
        value("link_method"),
        value("is_leaver"),
        value("is_orphan"),
        value("is_privileged"),
        value("is_dormant"),
        value("is_new"),
    ],
    sql: "SELECT i.id::text, i.snapshot_id::text, i.org_id, i.project_id, i.project_name, \
              i.entitlement_key, i.scope, array_to_string(i.cluster_names, ' '), \
              i.database_name, i.collection_name, i.role, i.tier, i.grant_path, \
              i.via_team_id, i.via_mapping_id, i.principal_key, i.principal_kind, \
              i.principal_name, i.principal_username, i.auth_type, \
              evidence_ts(i.last_used_at), i.person_name, i.person_email, i.person_status, \
              i.link_method, i.is_leaver::text, i.is_orphan::text, i.is_privileged::text, \
              i.is_dormant::text, i.is_new::text \
          FROM review_item i WHERE i.campaign_id = $1 ORDER BY i.id",
};

/// Entitlements in scope against review items created, per org.
pub const RECONCILIATION: EvidenceFile = EvidenceFile {
    name: "reconciliation.csv",
    about: "Completeness of the population, per organization: the snapshot the population \
            was frozen from and its content hash, how many entitlements of that snapshot were \
            in the campaign's scope, how many review items launch created, and how many \
            review items exist now. The difference must be zero.",
    columns: &[
        text("org_id"),
        value("snapshot_id"),
        value("snapshot_content_sha256"),
        value("snapshot_finished_at"),
        value("entitlements_in_scope"),
        value("items_created"),
        value("review_items_now"),
        value("difference"),
    ],
    sql: "SELECT cs.org_id, cs.snapshot_id::text, cs.content_sha256, \
              evidence_ts(cs.snapshot_finished_at), cs.entitlements_in_scope::text, \
              cs.items_created::text, n.items::text, \
              (cs.entitlements_in_scope - n.items)::text \
          FROM campaign_snapshot cs, LATERAL ( \
              SELECT count(*) AS items FROM review_item i \
              WHERE i.campaign_id = cs.campaign_id AND i.org_id = cs.org_id) n \
          WHERE cs.campaign_id = $1 ORDER BY cs.org_id",
};

/// Who reviews each item, by which rule and why.
pub const ASSIGNMENTS: EvidenceFile = EvidenceFile {
    name: "assignments.csv",
    about: "Who reviews each item and why: the reviewer, the routing rule that chose them \
            (manager, owner, fallback, or a later reassignment or forward), the reason in \
            words, whether the item was moved away from its own subject (nobody reviews their \
            own access), and how many times it changed hands (each change is in \
            reassignments.csv).",
    columns: &[
        value("review_item_id"),
        text("entitlement_key"),
        text("principal_name"),
        text("reviewer_name"),
        text("reviewer_email"),
        value("routing_rule"),
        text("routing_reason"),
        value("self_review_rerouted"),
        value("reassignments"),
    ],
    sql: "SELECT i.id::text, i.entitlement_key, i.principal_name, p.name, p.email, \
              i.routing_rule, i.routing_reason, i.self_review_rerouted::text, \
              (SELECT count(*) FROM review_reassignment r WHERE r.item_id = i.id)::text \
          FROM review_item i JOIN person p ON p.id = i.reviewer_person_id \
          WHERE i.campaign_id = $1 ORDER BY i.id",
};

/// Every change of reviewer after launch.
pub const REASSIGNMENTS: EvidenceFile = EvidenceFile {
    name: "reassignments.csv",
    about: "Every change of an item's reviewer after launch, in order: an admin's \
            reassignment or a reviewer's forward, from whom to whom, the reason given, who did \
            it and when, and whether a pending decision was cleared by it.",
    columns: &[
        value("reassignment_id"),
        value("review_item_id"),
        value("kind"),
        text("from_email"),
        text("to_email"),
        text("reason"),
        value("cleared_decision"),
        text("by"),
        value("at"),
    ],
    sql: "SELECT r.id::text, r.item_id::text, r.kind, f.email, t.email, r.reason, \
              r.cleared_decision, r.by_label, evidence_ts(r.at) \
          FROM review_reassignment r JOIN review_item i ON i.id = r.item_id \
          JOIN person f ON f.id = r.from_person_id JOIN person t ON t.id = r.to_person_id \
          WHERE i.campaign_id = $1 ORDER BY r.id",
};

/// Every decision ever recorded, with its version and method.
pub const DECISIONS: EvidenceFile = EvidenceFile {
    name: "decisions.csv",
    about: "Every decision ever recorded, not only the last one: for each item, each version \
            of its decision in order (approve or revoke), the comment, whether it was made on \
            the item alone (single), with others at once (bulk) or given by the campaign's \
            close to an item nobody decided (close_default), who made it and on whose behalf \
            (the reviewer in the directory), when, whether it is the item's final decision, \
            and when the reviewer submitted.",
    columns: &[
        value("decision_id"),
        value("review_item_id"),
        text("entitlement_key"),
        text("principal_name"),
        value("version"),
        value("decision"),
        text("comment"),
        value("method"),
        text("decided_by"),
        value("decided_by_user_id"),
        text("on_behalf_of_email"),
        value("decided_at"),
        value("final"),
        value("submitted_at"),
    ],
    sql: "SELECT d.id::text, d.item_id::text, i.entitlement_key, i.principal_name, \
              row_number() OVER (PARTITION BY d.item_id ORDER BY d.id)::text, d.decision, \
              d.comment, CASE d.source WHEN 'reviewer' THEN 'single' ELSE d.source END, \
              d.decided_by_label, d.decided_by_user::text, p.email, evidence_ts(d.decided_at), \
              (d.id = max(d.id) OVER (PARTITION BY d.item_id))::text, \
              evidence_ts(i.submitted_at) \
          FROM review_decision d JOIN review_item i ON i.id = d.item_id \
          LEFT JOIN person p ON p.id = d.decided_by_person_id \
          WHERE i.campaign_id = $1 ORDER BY d.item_id, d.id",
};

/// Every remediation job: the change asked of Atlas, its answer, and the verification.
pub const REMEDIATION: EvidenceFile = EvidenceFile {
    name: "remediation.csv",
    about: "Every revocation carried out, one row per job: the exact Atlas change (operation \
            and target), the last request and Atlas's answer (method, path and HTTP status), \
            the status, attempts, and when and how removal was verified: by reading Atlas \
            back after the change, or by the next snapshot no longer containing the access. \
            A job marked done by hand says so.",
    columns: &[
        value("remediation_job_id"),
        value("review_item_id"),
        text("entitlement_key"),
        value("operation"),
        text("target"),
        text("idp_group"),
        value("manual"),
        value("status"),
        text("status_reason"),
        value("attempts"),
        value("failures"),
        text("atlas_request"),
        text("atlas_response"),
        text("effect"),
        value("created_at"),
        value("done_at"),
        value("verified_at"),
        value("verified_by"),
        text("manual_note"),
    ],
    sql: "SELECT j.id::text, j.review_item_id::text, j.entitlement_key, j.operation, \
              j.target::text, j.idp_group, j.manual::text, j.status, j.status_reason, \
              j.attempts::text, j.failures::text, j.last_request->>'change', \
              concat_ws(' ', j.last_response->>'method', j.last_response->>'path', \
                  j.last_response->>'status'), \
              j.effect, evidence_ts(j.created_at), evidence_ts(j.done_at), \
              evidence_ts(j.verified_at), \
              CASE WHEN j.verified_at IS NULL THEN NULL \
                   WHEN j.status_reason LIKE 'Confirmed gone by snapshot %' THEN 'snapshot' \
                   ELSE 'read-back' END, \
              j.manual_note \
          FROM remediation_job j WHERE j.campaign_id = $1 ORDER BY j.id",
};

/// Items and jobs an auditor must look at separately.
pub const EXCEPTIONS: EvidenceFile = EvidenceFile {
    name: "exceptions.csv",
    about: "What did not go the normal way, one row per item and reason: items nobody \
            decided before the close (given the campaign's configured outcome, never counted \
            as anyone's decision), remediation completed or verified by hand, remediation \
            that failed, was cancelled or came back, and access granted by an identity \
            provider federation mapping, which Atlas alone cannot take away.",
    columns: &[
        value("review_item_id"),
        text("entitlement_key"),
        text("principal_name"),
        value("type"),
        text("detail"),
        value("at"),
    ],
    sql: "SELECT e.item::text, i.entitlement_key, i.principal_name, e.type, e.detail, \
              evidence_ts(e.at) \
          FROM ( \
              SELECT i.id AS item, 'undecided_at_close' AS type, \
                     'given the default outcome at close: ' || i.decision AS detail, \
                     i.decided_at AS at \
              FROM review_item i \
              WHERE i.campaign_id = $1 AND i.decision_source = 'close_default' \
            UNION ALL \
              SELECT j.review_item_id, 'manual_completion', \
                     j.status || coalesce(': ' || j.manual_note, ''), \
                     coalesce(j.verified_at, j.done_at, j.updated_at) \
              FROM remediation_job j \
              WHERE j.campaign_id = $1 AND (j.manual OR j.manual_note IS NOT NULL) \
            UNION ALL \
              SELECT j.review_item_id, 'remediation_' || j.status, \
                     coalesce(j.status_reason, j.status), j.updated_at \
              FROM remediation_job j \
              WHERE j.campaign_id = $1 \
                AND j.status IN ('failed', 'needs_manual', 'cancelled', 'reopened') \
            UNION ALL \
              SELECT i.id, 'federation_granted', \
                     'granted through federation mapping ' \
                         || coalesce(i.via_mapping_id, j.idp_group, 'unknown'), \
                     NULL \
              FROM review_item i LEFT JOIN remediation_job j ON j.review_item_id = i.id \
              WHERE i.campaign_id = $1 \
                AND (i.grant_path = 'federation_mapping' OR j.idp_group IS NOT NULL) \
          ) e JOIN review_item i ON i.id = e.item \
          ORDER BY e.item, e.type",
};

/// Reviewers' submissions and the control owner's sign-off.
pub const SIGNOFFS: EvidenceFile = EvidenceFile {
    name: "signoffs.csv",
    about: "Who attested to what: each reviewer's submission of their decisions (how many \
            items, how many revoked) and the control owner's sign-off of the whole campaign \
            with the statement they signed, its SHA-256, and the hash of the campaign's items \
            and decisions at that moment. audit_event_seq points to the event in \
            audit_events.jsonl that recorded it.",
    columns: &[
        value("kind"),
        text("signer"),
        value("signer_user_id"),
        text("signer_email"),
        value("scope"),
        value("items"),
        value("revoked"),
        text("statement"),
        value("statement_sha256"),
        value("state_sha256"),
        value("signed_at"),
        value("audit_event_seq"),
    ],
    sql: "SELECT * FROM ( \
              SELECT 'reviewer_submission', a.actor_label, a.actor_id::text, p.email, \
                     'own items', a.details->>'items', a.details->>'revokes', NULL::text, \
                     NULL::text, NULL::text, evidence_ts(a.occurred_at), a.seq::text \
              FROM audit_event a \
              LEFT JOIN person p ON p.id::text = a.details->>'reviewer_person_id' \
              WHERE a.object_kind = 'campaign' AND a.object_id = $1::text \
                AND a.action = 'review.submitted' \
            UNION ALL \
              SELECT 'control_owner_signoff', s.signed_by_label, s.signed_by::text, u.email, \
                     'whole campaign', \
                     (SELECT count(*) FROM review_item i WHERE i.campaign_id = s.campaign_id)::text, \
                     (SELECT count(*) FROM review_item i WHERE i.campaign_id = s.campaign_id \
                          AND i.decision = 'revoke')::text, \
                     s.attestation, encode(sha256(convert_to(s.attestation, 'UTF8')), 'hex'), \
                     s.state_sha256, evidence_ts(s.signed_at), \
                     (SELECT max(a.seq) FROM audit_event a WHERE a.object_kind = 'campaign' \
                          AND a.object_id = $1::text AND a.action = 'campaign.signed_off')::text \
              FROM campaign_signoff s LEFT JOIN app_user u ON u.id = s.signed_by \
              WHERE s.campaign_id = $1 \
          ) x ORDER BY 11, 1",
};

/// The audit log over a time range (not part of a campaign's pack: the pack carries its chain
/// segment as JSON lines).
pub const AUDIT_LOG: EvidenceFile = EvidenceFile {
    name: "audit-log.csv",
    about: "Attest's audit log over a time range: every event with its sequence number, \
            time, actor, action, object and details, and the hashes that chain it to the \
            event before.",
    columns: &[
        value("seq"),
        value("occurred_at"),
        value("actor_id"),
        text("actor_label"),
        value("action"),
        value("object_kind"),
        text("object_id"),
        text("details"),
        value("prev_hash"),
        value("hash"),
    ],
    sql: "SELECT seq::text, evidence_ts(occurred_at), actor_id::text, actor_label, action, \
              object_kind, object_id, details::text, encode(prev_hash, 'hex'), \
              encode(hash, 'hex') \
          FROM audit_event WHERE occurred_at >= $1 AND occurred_at < $2 ORDER BY seq",
};

/// The CSV files of a campaign, in the order they appear in the pack.
pub const CAMPAIGN_FILES: [&EvidenceFile; 9] = [
    &CAMPAIGN,
    &POPULATION,
    &RECONCILIATION,
    &ASSIGNMENTS,
    &REASSIGNMENTS,
    &DECISIONS,
    &REMEDIATION,
    &EXCEPTIONS,
    &SIGNOFFS,
];

/// The campaign CSV named `name` (as in a download URL), if there is one.
pub fn campaign_file(name: &str) -> Option<&'static EvidenceFile> {
    CAMPAIGN_FILES.into_iter().find(|f| f.name == name)
}
