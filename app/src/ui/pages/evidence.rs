//! The auditor's evidence workspace: every campaign with its status and completeness, one
//! link for its signed evidence pack, one per CSV file and its printable report, the audit log
//! as CSV over any range, the current inventory as CSV, and whether the audit chain verifies. Reading only, plain links and
//! a GET form: it works without JavaScript.

use leptos::prelude::*;

use crate::api::evidence::list_evidence;
use crate::model::evidence::{ChainStatus, EvidenceCampaign, EvidenceFileInfo, SigningKeyInfo};
use crate::model::{Section, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};

/// Evidence for admins and auditors.
#[component]
pub fn EvidencePage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Evidence.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let workspace = Resource::new(|| (), |_| list_evidence());
    view! {
        <h1>"Evidence"</h1>
        <p>
            "Everything an auditor needs to re-perform a review. The evidence pack is one signed "
            "zip per campaign; "<code>"attest evidence verify"</code>" checks it anywhere, "
            "without Attest's database."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading evidence…"</p> }>
            {move || Suspend::new(async move {
                match workspace.await {
                    Ok(w) => view! {
                        <Chain chain=w.chain/>
                        <Key key_info=w.signing_key/>
                        <Campaigns campaigns=w.campaigns files=w.files/>
                        <AuditLogForm/>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Chain(chain: ChainStatus) -> impl IntoView {
    let text = if chain.intact {
        format!(
            "Intact: all {} events recomputed from the first one.",
            chain.verified
        )
    } else {
        format!(
            "BROKEN at {} ({} events before it verified).",
            chain.problem.unwrap_or_default(),
            chain.verified
        )
    };
    view! {
        <section aria-labelledby="chain-heading">
            <h2 id="chain-heading">"Audit chain"</h2>
            <p class=if chain.intact { "ok" } else { "error" } role="status">{text}</p>
            <p><a href="/audit">"Browse and filter the audit log"</a></p>
        </section>
    }
}

#[component]
fn Key(key_info: Option<SigningKeyInfo>) -> impl IntoView {
    let body = match key_info {
        Some(key) => view! {
            <p>
                "Packs are signed with Ed25519 public key "<code>{key.public_key}</code>"."
                {key.demo.then_some(" This is the publicly known demo key: a pack signed with it proves nothing about who signed it.")}
            </p>
        }
        .into_any(),
        None => view! {
            <p class="error">
                "No signing key is configured, so packs cannot be generated. CSV files still download."
            </p>
        }
        .into_any(),
    };
    view! {
        <section aria-labelledby="key-heading">
            <h2 id="key-heading">"Signing key"</h2>
            {body}
        </section>
    }
}

#[component]
fn Campaigns(campaigns: Vec<EvidenceCampaign>, files: Vec<EvidenceFileInfo>) -> impl IntoView {
    if campaigns.is_empty() {
        return view! { <p class="empty">"There are no campaigns yet."</p> }.into_any();
    }
    let rows = campaigns
        .into_iter()
        .map(|c| {
            let base = format!("/evidence/campaigns/{}", c.id);
            let launched = c.launched_at.is_some();
            let links = files
                .iter()
                .map(|f| {
                    let href = format!("{base}/files/{}", f.name);
                    view! { <li><a href=href download="" title=f.about.clone()>{f.name.clone()}</a></li> }
                })
                .collect_view();
            let closed = c.signed_off_at.clone().or(c.closed_at.clone()).unwrap_or_else(|| "open".into());
            view! {
                <tr>
                    <th scope="row"><a href=format!("/campaigns/{}", c.id)>{c.name.clone()}</a></th>
                    <td>{c.status.clone()}</td>
                    <td>{c.due_date.clone()}</td>
                    <td>{closed}</td>
                    <td class="num">{format!("{} of {} ({}%)", c.decided, c.items, c.decided_percent())}</td>
                    <td class="num">{format!("{} revoked, {} of {} verified", c.revoked, c.remediation_verified, c.remediation_jobs)}</td>
                    <td>
                        {launched.then(|| view! {
                            <p>
                                <a href=format!("{base}/pack.zip") download="">"Evidence pack (zip)"</a>
                                " · "
                                <a href=format!("{base}/report") rel="external">"Printable report"</a>
                            </p>
                        })}
                        <ul class="files">{links}</ul>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="campaigns-heading">
            <h2 id="campaigns-heading">"Campaigns"</h2>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Campaign"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Due"</th>
                            <th scope="col">"Closed"</th>
                            <th scope="col">"Decided"</th>
                            <th scope="col">"Remediation"</th>
                            <th scope="col">"Evidence"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn AuditLogForm() -> impl IntoView {
    view! {
        <section aria-labelledby="audit-csv-heading">
            <h2 id="audit-csv-heading">"Audit log as CSV"</h2>
            <form method="get" action="/evidence/audit-log.csv" class="filters">
                <label>"From (inclusive)" <input type="date" name="from"/></label>
                <label>"Until (exclusive)" <input type="date" name="to"/></label>
                <button type="submit">"Download"</button>
            </form>
        </section>
        <section aria-labelledby="inventory-csv-heading">
            <h2 id="inventory-csv-heading">"Current inventory"</h2>
            <p>
                <a href="/inventory/export.csv" download="">"Who can reach what now, as CSV"</a>
                " (every entitlement of the newest complete snapshot of each organization; "
                <a href="/inventory">"filter it first"</a>" to download part of it)."
            </p>
        </section>
    }
}
