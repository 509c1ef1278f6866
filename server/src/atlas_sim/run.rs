//! Running the simulator on a TCP listener: in-process for tests and demo mode (`spawn`), or
//! as `attest atlas-sim` (`run_cli`).

use std::net::SocketAddr;
use std::process::ExitCode;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::seed::OrgSize;
use super::state::SimState;

/// A simulator running in the background; dropping the handle does not stop it, `stop` does.
#[derive(Debug)]
pub struct SimServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The state it serves, for out-of-band changes and fault rules.
    pub state: SimState,
    task: JoinHandle<()>,
}

impl SimServer {
    /// `http://127.0.0.1:PORT`, the base URL to give the Atlas client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Serves `state` on `bind` (use port 0 for a free port) in a background task.
pub async fn spawn(state: SimState, bind: &str) -> std::io::Result<SimServer> {
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let app = super::router(state.clone());
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(error = %err, "Atlas simulator stopped serving");
        }
    });
    Ok(SimServer { addr, state, task })
}

/// `attest atlas-sim --bind ADDR --seed N --org-size SIZE [--roster-out FILE]`: serves the
/// seeded org until interrupted, after writing its roster when asked.
pub async fn run_cli(
    bind: &str,
    seed: u64,
    size: OrgSize,
    roster_out: Option<&std::path::Path>,
) -> ExitCode {
    let demo = size.build(seed);
    if let Some(path) = roster_out {
        let roster = crate::demo::roster_csv(&demo.people);
        if let Err(err) = std::fs::write(path, roster) {
            eprintln!(
                "attest: cannot write the roster to {}: {err}",
                path.display()
            );
            return ExitCode::from(2);
        }
        println!(
            "Roster of {} people written to {}",
            demo.people.len(),
            path.display()
        );
    }
    let credentials = demo.credentials.clone();
    let server = match spawn(SimState::new(demo.world), bind).await {
        Ok(server) => server,
        Err(err) => {
            eprintln!("attest: cannot listen on {bind}: {err}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(sim.addr = %server.addr, sim.seed = seed, sim.org_size = ?size, atlas.org_id = %credentials.org_id, "Atlas simulator listening");
    println!("Atlas simulator on {}", server.base_url());
    println!("  org id:        {}", credentials.org_id);
    println!("  client id:     {}", credentials.client_id);
    println!("  client secret: {}", credentials.client_secret);
    println!("  more:          {}/__sim/credentials", server.base_url());
    let _ = tokio::signal::ctrl_c().await;
    server.stop();
    ExitCode::SUCCESS
}
