//! A running campaign's dashboard: decisions so far, approval rate, time per decision, share
//! of bulk decisions, and progress per reviewer with the overdue ones marked.

use leptos::prelude::*;

use crate::model::campaign::CampaignDetail;

fn percent(value: Option<i64>) -> String {
    value
        .map(|v| format!("{v} %"))
        .unwrap_or_else(|| "–".into())
}

/// The dashboard of `detail`.
#[component]
pub fn Dashboard(detail: CampaignDetail) -> impl IntoView {
    let s = &detail.summary;
    let stats = detail.stats.clone();
    let overdue: Vec<String> = detail
        .reviewers
        .iter()
        .filter(|r| r.overdue)
        .map(|r| format!("{} <{}>", r.name, r.email))
        .collect();
    let median = stats
        .median_seconds_per_decision
        .map(|s| format!("{s} s"))
        .unwrap_or_else(|| "–".into());
    let rows = detail
        .reviewers
        .iter()
        .map(|r| {
            view! {
                <tr class:overdue=r.overdue>
                    <th scope="row">{r.name.clone()} <br/><span class="muted">{r.email.clone()}</span></th>
                    <td class="num">{r.items}</td>
                    <td class="num">{r.decided}</td>
                    <td class="num">{r.submitted}</td>
                    <td class="num">{r.approved}</td>
                    <td class="num">{r.revoked}</td>
                    <td class="num">{format!("{} %", r.bulk_percent)}</td>
                    <td>{if r.overdue { "overdue" } else if r.submitted == r.items { "done" } else { "" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="dashboard-heading">
            <h2 id="dashboard-heading">"Progress"</h2>
            <p class="progress-line">
                <progress max=s.items.max(1) value=s.decided aria-label="Items decided"></progress>
                {format!(" {} of {} decided, {} submitted, {} revoked", s.decided, s.items, s.submitted, s.revoked)}
            </p>
            <dl class="stats">
                <div><dt>"Decisions so far"</dt><dd>{stats.decided}</dd></div>
                <div><dt>"Approval rate"</dt><dd>{percent(stats.approval_percent)}</dd></div>
                <div><dt>"Median time per decision"</dt><dd>{median}</dd></div>
                <div><dt>"Decided in bulk"</dt><dd>{percent(stats.bulk_percent)}</dd></div>
                <div><dt>"Overdue reviewers"</dt><dd>{overdue.len()}</dd></div>
            </dl>
            {(!overdue.is_empty()).then(|| view! {
                <p class="error">{format!("Overdue: {}", overdue.join(", "))}</p>
            })}
            <div class="table-wrap">
                <table>
                    <caption>"Progress per reviewer"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Reviewer"</th><th scope="col">"Items"</th>
                            <th scope="col">"Decided"</th><th scope="col">"Submitted"</th>
                            <th scope="col">"Approved"</th><th scope="col">"Revoked"</th>
                            <th scope="col">"In bulk"</th><th scope="col">"State"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
