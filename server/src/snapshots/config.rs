//! Settings of scheduled snapshot work: how often each org is snapshotted, how often database
//! access history is harvested, and which old snapshots retention deletes.

use std::time::Duration;

use app::backend::snapshot::RetentionPolicy;
use app::backend::snapshot::schedule::Schedule;
use clap::Args;

/// Raw schedule settings as given on the command line or in the environment.
#[derive(Debug, Clone, Args)]
pub struct ScheduleArgs {
    /// Atlas organizations to snapshot on the schedule and from the Snapshots page
    /// (comma-separated ids); the connection comes from the ATLAS_* variables.
    #[arg(long, env = "ATTEST_ATLAS_ORG_IDS", value_delimiter = ',')]
    pub atlas_org_ids: Vec<String>,
    /// Hours between scheduled snapshots of each org; 0 turns the schedule off.
    #[arg(long, env = "ATTEST_SNAPSHOT_EVERY_HOURS", default_value_t = 24)]
    pub snapshot_every_hours: u64,
    /// Hours between harvests of database access history; 0 turns them off.
    #[arg(long, env = "ATTEST_USAGE_EVERY_HOURS", default_value_t = 6)]
    pub usage_every_hours: u64,
    /// Snapshots older than this many days are deleted (never those a campaign uses);
    /// 0 keeps every snapshot.
    #[arg(long, env = "ATTEST_RETENTION_DAYS", default_value_t = 365)]
    pub retention_days: i64,
    /// The newest this-many complete snapshots of each org are kept however old.
    #[arg(long, env = "ATTEST_RETENTION_KEEP_LAST", default_value_t = 7)]
    pub retention_keep_last: i64,
}

impl Default for ScheduleArgs {
    /// The same values as the command-line defaults.
    fn default() -> Self {
        Self {
            atlas_org_ids: Vec::new(),
            snapshot_every_hours: 24,
            usage_every_hours: 6,
            retention_days: 365,
            retention_keep_last: 7,
        }
    }
}

fn hours(n: u64) -> Option<Duration> {
    (n > 0).then(|| Duration::from_secs(n.saturating_mul(3600)))
}

impl ScheduleArgs {
    /// The validated org ids and schedule; the error is one line naming the variable.
    pub fn validate(&self) -> Result<(Vec<String>, Schedule), String> {
        let mut org_ids = Vec::new();
        for id in self.atlas_org_ids.iter().map(|id| id.trim()) {
            if id.is_empty() {
                continue;
            }
            if id.len() != 24 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                return Err(format!(
                    "ATTEST_ATLAS_ORG_IDS (--atlas-org-ids): '{id}' is not an Atlas organization id (24 lowercase hex characters)"
                ));
            }
            org_ids.push(id.to_owned());
        }
        if self.retention_days < 0 {
            return Err(format!(
                "ATTEST_RETENTION_DAYS (--retention-days): {} is negative; use 0 to keep every snapshot",
                self.retention_days
            ));
        }
        if self.retention_keep_last < 1 {
            return Err(format!(
                "ATTEST_RETENTION_KEEP_LAST (--retention-keep-last): {} must be at least 1",
                self.retention_keep_last
            ));
        }
        let retention = (self.retention_days > 0).then_some(RetentionPolicy {
            keep_days: self.retention_days,
            keep_last: self.retention_keep_last,
        });
        Ok((
            org_ids,
            Schedule {
                snapshot_every: hours(self.snapshot_every_hours),
                usage_every: hours(self.usage_every_hours),
                retention,
                ..Schedule::default()
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_daily_snapshots_and_a_year_of_retention() {
        let (orgs, schedule) = ScheduleArgs::default().validate().expect("valid");
        assert!(orgs.is_empty());
        assert_eq!(schedule.snapshot_every, Some(Duration::from_secs(86_400)));
        assert_eq!(schedule.retention.map(|r| r.keep_days), Some(365));
    }

    #[test]
    fn zero_turns_things_off_and_bad_values_name_their_variable() {
        let off = ScheduleArgs {
            snapshot_every_hours: 0,
            retention_days: 0,
            ..ScheduleArgs::default()
        };
        let (_, schedule) = off.validate().expect("valid");
        assert_eq!(schedule.snapshot_every, None);
        assert_eq!(schedule.retention, None);
        let bad_org = ScheduleArgs {
            atlas_org_ids: vec!["not-an-org".into()],
            ..ScheduleArgs::default()
        };
        let err = bad_org.validate().expect_err("rejected");
        assert!(err.starts_with("ATTEST_ATLAS_ORG_IDS"), "{err}");
        let bad_keep = ScheduleArgs {
            retention_keep_last: 0,
            ..ScheduleArgs::default()
        };
        let err = bad_keep.validate().expect_err("rejected");
        assert!(err.starts_with("ATTEST_RETENTION_KEEP_LAST"), "{err}");
    }
}
