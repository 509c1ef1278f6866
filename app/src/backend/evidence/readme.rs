//! `README.txt` of an evidence pack: what each file is and how to check the pack, in plain
//! words for an auditor who has never seen Attest.

use std::fmt::Write;

use super::chain::EVENTS_FILE;
use super::files::CAMPAIGN_FILES;
use super::manifest::{CHECKSUMS, MANIFEST, Manifest, SIGNATURE};
use super::pack::PAGES_DIR;

/// The README for a pack described by `manifest` (its file list is not needed yet).
pub fn readme(manifest: &Manifest) -> String {
    let mut out = String::new();
    let c = &manifest.campaign;
    let _ = writeln!(out, "Attest evidence pack");
    let _ = writeln!(out, "====================\n");
    let _ = writeln!(
        out,
        "Campaign \"{}\" ({}), status {}, generated {} by Attest {}.\n",
        c.name, c.id, c.status, manifest.generated_at, manifest.app.version
    );
    out.push_str(
        "This zip is the evidence of one user access review of MongoDB Atlas. Everything in \
         it was read from Attest's database; nothing was typed in for the pack. It is meant \
         to let you re-perform the review: who had access (the population), who was asked \
         to review it and why, what they decided, what was removed from Atlas and how the \
         removal was confirmed, and who signed off.\n\n",
    );
    out.push_str("How to check it\n---------------\n\n");
    let _ = writeln!(
        out,
        "1. Run `attest evidence verify <this zip>` (add `--public-key <key>` with the key \
         your organization gave you in advance). It needs no database and checks everything \
         below, stopping at the first problem.\n\
         2. Or by hand: `sha256sum -c {CHECKSUMS}` checks every file; {SIGNATURE} is an \
         Ed25519 signature (base64) over the exact bytes of {MANIFEST}, by the public key \
         written in {MANIFEST} under \"signature\" ({}).\n\
         3. {MANIFEST} lists every file with its SHA-256, size, and for CSV files and JSON \
         lines the number of data rows and the columns. A file that is not listed there \
         does not belong in the pack.\n",
        manifest.signature.public_key
    );
    out.push_str("The files\n---------\n\n");
    let _ = writeln!(
        out,
        "{MANIFEST}: the list of files, the campaign's parameters, the snapshots its \
         population came from (with their content hashes), the control totals, how the CSV \
         files are written, and the audit chain segment's first and last hashes with the \
         signed checkpoints it is anchored to.\n"
    );
    for file in CAMPAIGN_FILES {
        let _ = writeln!(out, "{}: {}\n", file.name, file.about);
    }
    let chain = &manifest.audit_chain;
    let start = match &chain.start_checkpoint {
        Some(cp) => format!(
            "It starts right after a signed audit checkpoint written {} (event {}, reason \
             \"{}\"), the newest one older than the campaign's first event, and runs to the \
             campaign's last event",
            cp.at, cp.seq, cp.reason
        ),
        None => "It runs from the campaign's first event to its last (no signed audit \
                 checkpoint is older than the campaign)"
            .to_owned(),
    };
    let _ = writeln!(
        out,
        "{EVENTS_FILE}: Attest's audit log, one JSON object per line, unaltered (no \
         spreadsheet escaping). {start}. Events about this campaign have \
         \"campaign_event\": true; the others are there because the log is one chain and a \
         segment must be contiguous to be checked. Each event's hash is SHA-256 over the \
         previous event's hash followed by the event's canonical content, so changing, \
         removing or reordering any event breaks every hash after it. The segment starts from \
         the hash given in {MANIFEST} (\"start_prev_hash\").\n"
    );
    let _ = writeln!(
        out,
        "Audit checkpoints: a checkpoint is one event's number and hash, signed at a moment \
         with the same key as {MANIFEST}, which Attest's database never holds; so whoever \
         could rewrite the database still cannot make one. {MANIFEST} carries, under \
         \"audit_chain\", the checkpoint the segment starts from (\"start_checkpoint\": its \
         hash must be the segment's first \"prev_hash\") and the one written at this \
         campaign's sign-off (\"signoff_checkpoint\": it must name an event inside the \
         segment with that event's hash), or null where there is none. Each signature is \
         Ed25519 over the text described there (\"checkpoint_algorithm\"). Together they \
         show that the log this pack was cut from was not shortened or rewritten between the \
         two. To go further, compare the last hash (\"head_hash\") with a checkpoint you \
         hold, or run `attest audit verify` against the live database.\n"
    );
    let _ = writeln!(
        out,
        "{PAGES_DIR}: the raw responses of the Atlas Admin API from which the population was \
         built, gzip-compressed exactly as stored when they were read, one folder per \
         snapshot. Each page's SHA-256 before compression (as recorded at reading time) is \
         in {MANIFEST} as \"content_sha256\".\n"
    );
    let _ = writeln!(
        out,
        "CSV files are UTF-8 with a header row, every field quoted, CRLF line ends. The only \
         change made to any value: {}.\n",
        manifest.csv_dialect.formula_escaping
    );
    out.push_str(
        "Limits\n------\n\n\
         The hash chain makes changes to the audit log detectable, not impossible: someone \
         holding both the database's superuser rights and the signing key could rewrite \
         history and sign it again. Those two should be held by different people. Times come \
         from the server's clock.\n",
    );
    out
}
