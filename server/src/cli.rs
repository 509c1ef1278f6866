//! The command line: `attest serve`, `attest demo`, `attest snapshot`, `attest remediate`,
//! `attest audit verify|checkpoint`, `attest evidence pack|verify|public-key|generate-key`.

pub mod evidence;
mod snapshot;

use std::process::ExitCode;

use app::backend::audit::{
    Actor, ChainReport, CheckpointReport, checkpoint_now, verify_chain, verify_checkpoints,
};
use clap::{Args, Parser, Subcommand};

use crate::config::{ServeArgs, ServeConfig};
use crate::telemetry::{self, LogFormat};

/// Attest: user access reviews for MongoDB Atlas.
#[derive(Debug, Parser)]
#[command(name = "attest", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every command takes.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// PostgreSQL connection URL; the database is created if it does not exist.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/attest"
    )]
    pub database_url: String,
    /// Log format: text or json.
    #[arg(long, global = true, env = "ATTEST_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application.
    Serve(ServeArgs),
    /// Serve in demo mode (the same as `serve --demo`).
    Demo(ServeArgs),
    /// Import a CSV roster into the people directory (all or nothing).
    ImportPeople {
        /// The roster file.
        file: std::path::PathBuf,
    },
    /// Take one snapshot of an Atlas organization (connection from the ATLAS_* variables).
    Snapshot {
        /// The Atlas organization id.
        #[arg(long)]
        org: String,
    },
    /// Serve a simulated Atlas Admin API with a seeded org (for demos, tests and benchmarks).
    AtlasSim {
        /// Address to listen on; keep it on loopback, the simulator's controls are open.
        #[arg(long, default_value = "127.0.0.1:8484")]
        bind: String,
        /// Seed of the org; the same seed gives the same org.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Which org to serve: `demo` (6 projects) or `large` (1,000 projects).
        #[arg(long, value_enum, default_value_t = crate::atlas_sim::seed::OrgSize::Demo)]
        org_size: crate::atlas_sim::seed::OrgSize,
        /// Also write the org's people directory as a roster CSV to this file.
        #[arg(long)]
        roster_out: Option<std::path::PathBuf>,
    },
    /// Push remediation jobs to Atlas until interrupted (connection from the ATLAS_*
    /// variables). Any number may run at once.
    Remediate {
        /// Jobs in flight at once; a new one is claimed as each finishes. `--batch` is the
        /// old name.
        #[arg(long, alias = "batch", default_value_t = 16)]
        concurrency: usize,
        /// Atlas requests per second (reads and changes) this worker allows itself; 0 for no
        /// pacing.
        #[arg(long, default_value_t = crate::remediation::DEFAULT_PER_SECOND)]
        rate_limit: u32,
        /// How fast this process changes Atlas.
        #[command(flatten)]
        change_rate: crate::remediation::ChangeRateArgs,
        /// Seconds a claimed job stays this worker's before another may take it over.
        #[arg(long, default_value_t = 180)]
        lease_secs: u64,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Evidence packs: write one, verify one (no database needed), show the signing key.
    Evidence {
        #[command(subcommand)]
        command: evidence::EvidenceCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the whole hash chain and check every signed checkpoint; report the first
    /// broken event and the first checkpoint that does not match, if any.
    Verify {
        /// The signing key's public half (base64): every checkpoint must be signed by it.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Sign a checkpoint of the chain's head now (for a scheduled job) and print its seq and
    /// hash. Needs the evidence signing key.
    Checkpoint {
        /// Why the checkpoint is taken; stored with it.
        #[arg(long, default_value = "scheduled")]
        reason: String,
        #[command(flatten)]
        key: crate::evidence::EvidenceArgs,
    },
}

/// Runs the parsed command and returns the process exit code.
pub async fn run(cli: Cli) -> ExitCode {
    let format = match LogFormat::parse(&cli.common.log_format) {
        Ok(format) => format,
        Err(err) => return fail(&err),
    };
    telemetry::init(format);
    match cli.command {
        Command::Serve(args) => serve(&cli.common, args).await,
        Command::Demo(args) => serve(&cli.common, ServeArgs { demo: true, ..args }).await,
        Command::ImportPeople { file } => import_people(&cli.common, &file).await,
        Command::Snapshot { org } => snapshot::run(&cli.common.database_url, &org).await,
        Command::Remediate {
            concurrency,
            rate_limit,
            change_rate,
            lease_secs,
        } => {
            let lease = std::time::Duration::from_secs(lease_secs.max(1));
            crate::remediation::run_cli(
                &cli.common.database_url,
                concurrency,
                rate_limit,
                &change_rate,
                lease,
            )
            .await
        }
        Command::AtlasSim {
            bind,
            seed,
            org_size,
            roster_out,
        } => crate::atlas_sim::run_cli(&bind, seed, org_size, roster_out.as_deref()).await,
        Command::Audit {
            command: AuditCommand::Verify { public_key },
        } => audit_verify(&cli.common, public_key.as_deref()).await,
        Command::Audit {
            command: AuditCommand::Checkpoint { reason, key },
        } => audit_checkpoint(&cli.common, &reason, &key).await,
        Command::Evidence { command } => evidence::run(&cli.common, command).await,
    }
}

async fn serve(common: &CommonArgs, args: ServeArgs) -> ExitCode {
    let config = match ServeConfig::from_args(args) {
        Ok(config) => config,
        Err(err) => return fail(&err),
    };
    match crate::serve::serve(&common.database_url, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&format!("{err:#}")),
    }
}

/// Checks the chain, then the checkpoints (even when the chain is broken: a checkpoint that
/// does not match tells how far the damage goes); fails if either does not hold.
async fn audit_verify(common: &CommonArgs, public_key: Option<&str>) -> ExitCode {
    let pool = match crate::database::connect(&common.database_url).await {
        Ok(pool) => pool,
        Err(err) => return fail(&format!("{err:#}")),
    };
    let chain_ok = match verify_chain(&pool).await {
        Ok(ChainReport::Intact { events }) => {
            println!("audit chain intact: {events} events verified");
            true
        }
        Ok(ChainReport::Broken {
            verified,
            first_bad,
        }) => {
            println!(
                "audit chain BROKEN at event {}: {} ({verified} events before it verified)",
                first_bad.seq, first_bad.reason
            );
            false
        }
        Err(err) => return fail(&format!("could not read the audit log: {err}")),
    };
    let checkpoints_ok = match verify_checkpoints(&pool, public_key).await {
        Ok(CheckpointReport::Intact { checkpoints }) => {
            println!("audit checkpoints match: {checkpoints} signed checkpoints verified");
            true
        }
        Ok(CheckpointReport::Broken {
            verified,
            first_bad,
        }) => {
            println!(
                "audit checkpoint {} (event {}, signed {}) does NOT match: {} ({verified} \
                 checkpoints before it verified)",
                first_bad.id, first_bad.seq, first_bad.signed_at, first_bad.reason
            );
            false
        }
        Err(err) => return fail(&format!("could not read the audit checkpoints: {err}")),
    };
    if chain_ok && checkpoints_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn audit_checkpoint(
    common: &CommonArgs,
    reason: &str,
    key: &crate::evidence::EvidenceArgs,
) -> ExitCode {
    let key = match key.configured_key() {
        Ok(Some(key)) => key,
        Ok(None) => {
            return fail(
                "ATTEST_EVIDENCE_SIGNING_KEY_FILE (or ATTEST_EVIDENCE_SIGNING_KEY): missing; \
                 checkpoints are signed with the evidence signing key",
            );
        }
        Err(err) => return fail(&err),
    };
    let pool = match crate::database::connect(&common.database_url).await {
        Ok(pool) => pool,
        Err(err) => return fail(&format!("{err:#}")),
    };
    match checkpoint_now(&pool, &key, Actor::System("cli"), reason).await {
        Ok(checkpoint) => {
            println!(
                "audit checkpoint {} signed: seq={} hash={} at={} key={}",
                checkpoint.id,
                checkpoint.seq,
                checkpoint.hash,
                checkpoint.at(),
                checkpoint.public_key
            );
            ExitCode::SUCCESS
        }
        Err(err) => fail(&format!("no checkpoint written: {err}")),
    }
}

async fn import_people(common: &CommonArgs, file: &std::path::Path) -> ExitCode {
    use app::backend::audit::Actor;
    use app::backend::directory::{ImportOutcome, import_roster};

    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(err) => return fail(&format!("cannot read {}: {err}", file.display())),
    };
    let pool = match crate::database::connect(&common.database_url).await {
        Ok(pool) => pool,
        Err(err) => return fail(&format!("{err:#}")),
    };
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    match import_roster(&pool, Actor::System("cli"), &name, &bytes).await {
        Ok(ImportOutcome::Imported(summary)) => {
            println!(
                "imported {} people from {name} (sha256 {}): {} added, {} changed, {} removed",
                summary.people,
                summary.file_sha256,
                summary.added,
                summary.changed,
                summary.removed
            );
            ExitCode::SUCCESS
        }
        Ok(ImportOutcome::Rejected(errors)) => {
            println!(
                "{name} rejected, nothing imported; {} problem(s):",
                errors.len()
            );
            for error in errors {
                println!("  {error}");
            }
            ExitCode::FAILURE
        }
        Err(err) => fail(&format!("import failed, nothing imported: {err}")),
    }
}

/// The Atlas connection from this process's `ATLAS_*` variables.
pub fn atlas_env_from_process() -> Result<crate::snapshots::source::AtlasEnv, String> {
    crate::snapshots::source::atlas_env(|name| std::env::var(name).ok())
}

/// Prints `message` and returns the usage-error exit code.
pub fn fail(message: &str) -> ExitCode {
    eprintln!("attest: {message}");
    ExitCode::from(2)
}
