//! Settings: users and their roles, and the evidence signing key's public half (admins only).

use leptos::prelude::*;

use crate::api::evidence::evidence_signing_key;
use crate::api::users::{ChangeRole, list_users};
use crate::model::{Role, Section, UserRow, Viewer};
use crate::ui::components::access::{ErrorNote, NoAccess};

/// Admin settings. The role forms work without JavaScript.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    if !Section::Settings.visible_to(&viewer) {
        return view! { <NoAccess/> }.into_any();
    }
    let change = ServerAction::<ChangeRole>::new();
    let users = Resource::new(move || change.version().get(), |_| list_users());
    view! {
        <h1>"Settings"</h1>
        <section aria-labelledby="users-heading">
            <h2 id="users-heading">"Users and roles"</h2>
            <p>
                "Admins run campaigns and manage Attest; auditors read everything and change nothing. "
                "Anyone assigned review items is a reviewer. The last admin cannot be removed."
            </p>
            {move || change.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error/> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(rows) => view! { <UserTable rows change/> }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <SigningKey/>
    }
    .into_any()
}

/// The public half of the key evidence packs are signed with, to hand to auditors in advance.
#[component]
fn SigningKey() -> impl IntoView {
    let key = Resource::new(|| (), |_| evidence_signing_key());
    view! {
        <section aria-labelledby="signing-key-heading">
            <h2 id="signing-key-heading">"Evidence signing key"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading the key…"</p> }>
                {move || Suspend::new(async move {
                    match key.await {
                        Ok(Some(key)) => view! {
                            <p>
                                "Evidence packs are signed with this Ed25519 public key (base64). Give it "
                                "to your auditors before the period starts; they check packs with "
                                <code>"attest evidence verify PACK.zip --public-key KEY"</code>"."
                            </p>
                            <p><code class="public-key">{key.public_key}</code></p>
                            {key.demo.then_some(view! {
                                <p class="error">
                                    "This is the publicly known demo key. Set ATTEST_EVIDENCE_SIGNING_KEY_FILE "
                                    "before producing evidence anyone relies on."
                                </p>
                            })}
                        }
                        .into_any(),
                        Ok(None) => view! {
                            <p class="error">
                                "No signing key is configured: set ATTEST_EVIDENCE_SIGNING_KEY_FILE (a file "
                                "holding a base64 seed from attest evidence generate-key) and restart."
                            </p>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn UserTable(rows: Vec<UserRow>, change: ServerAction<ChangeRole>) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|user| {
            let toggles = [Role::Admin, Role::Auditor]
                .into_iter()
                .map(|role| {
                    let has = user.roles.contains(&role);
                    let label = format!(
                        "{} {} {}",
                        if has { "Remove" } else { "Make" },
                        user.display_name,
                        if has { format!("from {}", role.as_str()) } else { role.as_str().to_string() }
                    );
                    view! {
                        <ActionForm action=change attr:class="inline">
                            <input type="hidden" name="user_id" value=user.id.to_string()/>
                            <input type="hidden" name="role" value=role.as_str()/>
                            <input type="hidden" name="grant" value=(!has).to_string()/>
                            <button type="submit" aria-label=label>
                                {if has { format!("Remove {}", role.as_str()) } else { format!("Make {}", role.as_str()) }}
                            </button>
                        </ActionForm>
                    }
                })
                .collect_view();
            let roles = if user.roles.is_empty() {
                "reviewer".to_string()
            } else {
                user.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
            };
            view! {
                <tr>
                    <th scope="row">{user.display_name.clone()}</th>
                    <td>{user.email.clone().unwrap_or_default()}</td>
                    <td>{roles}</td>
                    <td>{user.last_sign_in.clone().unwrap_or_else(|| "never".into())}</td>
                    <td class="actions">{toggles}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Roles"</th>
                        <th scope="col">"Last sign-in"</th>
                        <th scope="col">"Change"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
