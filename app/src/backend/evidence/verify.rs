//! Checking an evidence pack with nothing but the pack: the zip itself, the manifest's
//! signature, the file list, every file's SHA-256 and row count, the raw pages against the
//! hashes recorded when they were read, `SHA256SUMS`, the audit chain segment, and the signed
//! checkpoints it starts from and ends with.
//!
//! It stops at the first failure and says what failed and where; nothing here panics on a
//! damaged or hostile pack. No database is needed, so an auditor can run it anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use chrono::{DateTime, Utc};
use zip::ZipArchive;

use super::chain::{EVENTS_FILE, EventLine};
use super::manifest::{CHECKSUMS, CheckpointProof, MANIFEST, Manifest, SCHEMA_VERSION, SIGNATURE};
use super::pack::sha256_hex;
use super::signing::check_signature;
use crate::backend::audit::checkpoint::check_checkpoint_signature;
use crate::backend::audit::{canonical_content, link_hash};

/// What the verifier checked, in order, and the first thing that failed, if anything did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackReport {
    pub checked: Vec<String>,
    pub failure: Option<String>,
}

impl PackReport {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// Verifies the pack in `bytes`; with `expected_key` (base64), the manifest must also be
/// signed by that key rather than only by the key the pack names.
pub fn verify_pack(bytes: &[u8], expected_key: Option<&str>) -> PackReport {
    let mut report = PackReport::default();
    if let Err(failure) = run(bytes, expected_key, &mut report.checked) {
        report.failure = Some(failure);
    }
    report
}

fn run(bytes: &[u8], expected_key: Option<&str>, checked: &mut Vec<String>) -> Result<(), String> {
    let entries = read_zip(bytes)?;
    checked.push(format!("the zip opens: {} files", entries.len()));

    let manifest_bytes = entries
        .get(MANIFEST)
        .ok_or_else(|| format!("{MANIFEST} is missing: this is not an Attest evidence pack"))?;
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .map_err(|e| format!("{MANIFEST} is not a valid manifest: {e}"))?;
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "{MANIFEST} has schema version {}; this verifier reads version {SCHEMA_VERSION}",
            manifest.schema_version
        ));
    }
    checked.push(format!(
        "{MANIFEST} reads: campaign {} ({}), {} files listed",
        manifest.campaign.id,
        manifest.campaign.name,
        manifest.files.len()
    ));

    let signature = entries
        .get(SIGNATURE)
        .ok_or_else(|| format!("{SIGNATURE} is missing: the manifest is not signed"))?;
    let signature =
        std::str::from_utf8(signature).map_err(|_| format!("{SIGNATURE} is not text"))?;
    let public_key = manifest.signature.public_key.as_str();
    check_signature(public_key, manifest_bytes, signature)
        .map_err(|e| format!("signature check failed: {e}"))?;
    checked.push(format!(
        "the signature of {MANIFEST} is valid for the key in the pack ({public_key}, {})",
        manifest.signature.key_origin
    ));
    if let Some(expected) = expected_key {
        if expected.trim() != public_key {
            return Err(format!(
                "the pack is signed by key {public_key}, not by the key you gave ({})",
                expected.trim()
            ));
        }
        checked.push("the signing key is the one you gave".to_owned());
    }

    check_file_list(&manifest, &entries)?;
    checked.push(format!(
        "the pack holds exactly the files the manifest lists, plus {MANIFEST}, {SIGNATURE} and \
         {CHECKSUMS}"
    ));

    let mut rows_total = 0_u64;
    for file in &manifest.files {
        let content = &entries[&file.path];
        let actual = sha256_hex(content);
        if actual != file.sha256 {
            return Err(format!(
                "{} has changed: its SHA-256 is {actual}, the manifest says {}",
                file.path, file.sha256
            ));
        }
        if content.len() as u64 != file.bytes {
            return Err(format!(
                "{} is {} bytes, the manifest says {}",
                file.path,
                content.len(),
                file.bytes
            ));
        }
        if let Some(rows) = file.rows {
            let counted = count_rows(&file.path, content, file.columns.as_deref())?;
            if counted != rows {
                return Err(format!(
                    "{} has {counted} data rows, the manifest says {rows}",
                    file.path
                ));
            }
            rows_total += rows;
        }
        if let Some(expected) = &file.content_sha256 {
            let actual = sha256_hex(&gunzip(&file.path, content)?);
            if &actual != expected {
                return Err(format!(
                    "{}: the page's content hash is {actual}, but {expected} was recorded \
                     when it was read from Atlas",
                    file.path
                ));
            }
        }
    }
    checked.push(format!(
        "every file's SHA-256 and size match the manifest; {rows_total} rows counted and \
         matching; raw pages match the hashes recorded when they were read"
    ));

    check_sums(&entries, &manifest)?;
    checked.push(format!("{CHECKSUMS} agrees with every file"));

    let population = manifest
        .files
        .iter()
        .find(|f| f.path == "population.csv")
        .and_then(|f| f.rows);
    if let Some(rows) = population
        && rows as i64 != manifest.reconciliation.review_items
    {
        return Err(format!(
            "population.csv has {rows} rows, but the reconciliation counts {} review items",
            manifest.reconciliation.review_items
        ));
    }
    if manifest.reconciliation.entitlements_in_scope != manifest.reconciliation.items_created {
        return Err(format!(
            "the reconciliation does not balance: {} entitlements in scope, {} items created",
            manifest.reconciliation.entitlements_in_scope, manifest.reconciliation.items_created
        ));
    }
    checked.push(format!(
        "the population reconciles: {} entitlements in scope, {} review items",
        manifest.reconciliation.entitlements_in_scope, manifest.reconciliation.review_items
    ));

    let proof = &manifest.audit_chain;
    match &proof.start_checkpoint {
        Some(start) => {
            check_start_checkpoint(&manifest, start)?;
            checked.push(format!(
                "the segment starts from a signed checkpoint: event {}, hash {}, signed {} by \
                 the pack's key",
                start.seq, start.hash, start.at
            ));
        }
        None => checked.push(format!(
            "no checkpoint precedes the campaign: the segment starts at its first event ({})",
            proof.first_seq
        )),
    }

    let events = entries
        .get(EVENTS_FILE)
        .ok_or_else(|| format!("{EVENTS_FILE} is missing"))?;
    let watched = proof.signoff_checkpoint.as_ref().map(|cp| cp.seq);
    let (verified, watched_hash) = check_chain(&manifest, events, watched)?;
    checked.push(format!(
        "the audit chain segment recomputes: events {} to {} ({verified} events, {} about this \
         campaign), ending at hash {}",
        proof.first_seq, proof.last_seq, proof.campaign_events, proof.head_hash
    ));

    match &proof.signoff_checkpoint {
        Some(signoff) => {
            check_signoff_checkpoint(&manifest, signoff, watched_hash.as_deref())?;
            checked.push(format!(
                "the sign-off checkpoint is signed by the pack's key and names event {} of the \
                 segment with its hash {}",
                signoff.seq, signoff.hash
            ));
        }
        None => checked.push(
            "the pack holds no sign-off checkpoint (the campaign is not signed off, or no \
             signing key was configured at its sign-off)"
                .to_owned(),
        ),
    }
    Ok(())
}

/// A checkpoint's signature, by the key that signed the manifest (which `--public-key`, when
/// given, has already pinned).
fn check_checkpoint(manifest: &Manifest, which: &str, cp: &CheckpointProof) -> Result<(), String> {
    let pack_key = manifest.signature.public_key.as_str();
    if cp.public_key != pack_key {
        return Err(format!(
            "the {which} checkpoint (event {}) is signed by key {}, not by the pack's key \
             {pack_key}",
            cp.seq, cp.public_key
        ));
    }
    check_checkpoint_signature(cp.seq, &cp.hash, &cp.at, pack_key, &cp.signature).map_err(|e| {
        format!(
            "the {which} checkpoint (event {}, signed {}) does not verify: {e}",
            cp.seq, cp.at
        )
    })
}

/// The starting checkpoint is genuine and the segment starts right after it, from its hash.
fn check_start_checkpoint(manifest: &Manifest, start: &CheckpointProof) -> Result<(), String> {
    check_checkpoint(manifest, "starting", start)?;
    let proof = &manifest.audit_chain;
    if start.hash != proof.start_prev_hash {
        return Err(format!(
            "the segment does not start from its checkpoint: the checkpoint signed hash {} for \
             event {}, the segment's first prev_hash is {}",
            start.hash, start.seq, proof.start_prev_hash
        ));
    }
    if proof.first_seq != start.seq.saturating_add(1) {
        return Err(format!(
            "the segment starts at event {}, but its checkpoint is event {}: it must start \
             right after it",
            proof.first_seq, start.seq
        ));
    }
    Ok(())
}

/// The sign-off checkpoint is genuine and names an event of the segment with that event's hash
/// (`found`, the hash the segment holds at the checkpoint's seq).
fn check_signoff_checkpoint(
    manifest: &Manifest,
    signoff: &CheckpointProof,
    found: Option<&str>,
) -> Result<(), String> {
    check_checkpoint(manifest, "sign-off", signoff)?;
    let proof = &manifest.audit_chain;
    match found {
        None => Err(format!(
            "the sign-off checkpoint names event {}, which is not in the segment (events {} to \
             {})",
            signoff.seq, proof.first_seq, proof.last_seq
        )),
        Some(hash) if hash != signoff.hash => Err(format!(
            "the sign-off checkpoint signed hash {} for event {}, but the segment's event {} \
             has hash {hash}",
            signoff.hash, signoff.seq, signoff.seq
        )),
        Some(_) => Ok(()),
    }
}

/// Every entry of the zip by name; a damaged zip is named as such.
// Limitation: entries are read into memory whole, so a hostile zip that inflates to more
// memory than the machine has stops the verifier; a pack Attest wrote is the size of its files.
fn read_zip(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    if !bytes.starts_with(b"PK") {
        return Err("the file is not a zip file (it does not start with a zip header)".into());
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("the zip is damaged or truncated: {e}"))?;
    let mut entries = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| format!("the zip is damaged or truncated at entry {index}: {e}"))?;
        let name = entry.name().to_owned();
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|e| format!("{name} cannot be read (the zip is damaged or truncated): {e}"))?;
        if entries.insert(name.clone(), content).is_some() {
            return Err(format!("{name} appears twice in the zip"));
        }
    }
    Ok(entries)
}

fn check_file_list(manifest: &Manifest, entries: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    let mut listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    listed.extend([MANIFEST, SIGNATURE, CHECKSUMS]);
    if let Some(missing) = listed.iter().find(|p| !entries.contains_key(**p)) {
        return Err(format!(
            "{missing} is listed in the manifest but missing from the pack"
        ));
    }
    if let Some(extra) = entries.keys().find(|p| !listed.contains(p.as_str())) {
        return Err(format!(
            "extra file {extra} in the pack: it is not listed in the manifest"
        ));
    }
    Ok(())
}

/// Data rows of a CSV (checking its header against `columns`) or of JSON lines.
fn count_rows(path: &str, content: &[u8], columns: Option<&[String]>) -> Result<u64, String> {
    if path.ends_with(".jsonl") {
        return Ok(content
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .count() as u64);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(content);
    let header = reader
        .headers()
        .map_err(|e| format!("{path} is not readable CSV: {e}"))?;
    if let Some(columns) = columns
        && !header.iter().eq(columns.iter().map(String::as_str))
    {
        return Err(format!(
            "{path} has columns {:?}, the manifest says {columns:?}",
            header.iter().collect::<Vec<_>>()
        ));
    }
    let mut rows = 0;
    for record in reader.records() {
        record.map_err(|e| format!("{path} is not readable CSV: {e}"))?;
        rows += 1;
    }
    Ok(rows)
}

fn gunzip(path: &str, content: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(content)
        .read_to_end(&mut out)
        .map_err(|e| format!("{path} is not valid gzip: {e}"))?;
    Ok(out)
}

fn check_sums(entries: &BTreeMap<String, Vec<u8>>, manifest: &Manifest) -> Result<(), String> {
    let sums =
        std::str::from_utf8(&entries[CHECKSUMS]).map_err(|_| format!("{CHECKSUMS} is not text"))?;
    let mut covered = BTreeSet::new();
    for (n, line) in sums.lines().enumerate() {
        let (hash, path) = line
            .split_once("  ")
            .ok_or_else(|| format!("{CHECKSUMS} line {} is not '<sha256>  <file>'", n + 1))?;
        let content = entries.get(path).ok_or_else(|| {
            format!(
                "{CHECKSUMS} line {} names {path}, which is not in the pack",
                n + 1
            )
        })?;
        if sha256_hex(content) != hash {
            return Err(format!(
                "{CHECKSUMS} line {}: {path} does not have SHA-256 {hash}",
                n + 1
            ));
        }
        covered.insert(path);
    }
    let expected = manifest
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain([MANIFEST, SIGNATURE]);
    for path in expected {
        if !covered.contains(path) {
            return Err(format!("{CHECKSUMS} does not cover {path}"));
        }
    }
    Ok(())
}

/// Recomputes every link of the segment; returns how many events it checked and the hash of
/// event `watched`, if the segment holds it.
fn check_chain(
    manifest: &Manifest,
    events: &[u8],
    watched: Option<i64>,
) -> Result<(u64, Option<String>), String> {
    let proof = &manifest.audit_chain;
    let text = std::str::from_utf8(events).map_err(|_| format!("{EVENTS_FILE} is not UTF-8"))?;
    let mut prev_hash = hex::decode(&proof.start_prev_hash).map_err(|_| {
        format!(
            "the manifest's start_prev_hash '{}' is not hex",
            proof.start_prev_hash
        )
    })?;
    let mut expected_seq = proof.first_seq;
    let mut count = 0_u64;
    let mut ours = 0_u64;
    let mut last_hash = String::new();
    let mut watched_hash = None;
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        let at_line = |what: String| format!("{EVENTS_FILE} line {}: {what}", n + 1);
        let event: EventLine =
            serde_json::from_str(line).map_err(|e| at_line(format!("not an audit event: {e}")))?;
        if event.seq != expected_seq {
            return Err(at_line(format!(
                "expected audit event {expected_seq}, found {}: events are missing or out of \
                 order",
                event.seq
            )));
        }
        let stored_prev = hex::decode(&event.prev_hash)
            .map_err(|_| at_line("its prev_hash is not hex".into()))?;
        if stored_prev != prev_hash {
            return Err(at_line(format!(
                "audit event {}'s prev_hash is not the previous event's hash",
                event.seq
            )));
        }
        let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&event.occurred_at)
            .map_err(|_| {
                at_line(format!(
                    "occurred_at '{}' is not a timestamp",
                    event.occurred_at
                ))
            })?
            .with_timezone(&Utc);
        let canonical = canonical_content(
            event.seq,
            at,
            event.actor_id,
            &event.actor_label,
            &event.action,
            &event.object_kind,
            &event.object_id,
            &event.details,
        );
        let computed = link_hash(&prev_hash, &canonical);
        if hex::encode(computed) != event.hash {
            return Err(at_line(format!(
                "audit event {} was altered: its content does not match its hash",
                event.seq
            )));
        }
        prev_hash = computed.to_vec();
        if watched == Some(event.seq) {
            watched_hash = Some(event.hash.clone());
        }
        last_hash = event.hash;
        // A hostile pack may number its events up to i64::MAX; never overflow on it.
        expected_seq = expected_seq.saturating_add(1);
        count += 1;
        ours += u64::from(event.campaign_event);
    }
    let ended_at = expected_seq.saturating_sub(1);
    if count != proof.events || (count > 0 && ended_at != proof.last_seq) {
        return Err(format!(
            "{EVENTS_FILE} holds {count} events ending at {ended_at}, the manifest says {} \
             events ending at {}",
            proof.events, proof.last_seq
        ));
    }
    if last_hash != proof.head_hash {
        return Err(format!(
            "the segment ends at hash {last_hash}, the manifest says {}",
            proof.head_hash
        ));
    }
    if ours != proof.campaign_events {
        return Err(format!(
            "{EVENTS_FILE} marks {ours} events as the campaign's, the manifest says {}",
            proof.campaign_events
        ));
    }
    Ok((count, watched_hash))
}

#[cfg(test)]
mod tests {
    use super::verify_pack;

    #[test]
    fn a_file_that_is_not_a_zip_is_named_as_such() {
        let report = verify_pack(b"hello, auditor", None);
        let failure = report.failure.expect("it fails");
        assert!(failure.contains("not a zip file"), "{failure}");
    }

    #[test]
    fn a_truncated_zip_is_named_as_such() {
        let report = verify_pack(b"PK\x03\x04 and then nothing", None);
        let failure = report.failure.expect("it fails");
        assert!(failure.contains("damaged or truncated"), "{failure}");
    }
}
