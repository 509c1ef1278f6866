//! Keyboard shortcuts of the review queue, announced in the page. They need JavaScript and
//! only move focus or press the focused item's own buttons, so every decision still goes
//! through the same forms as without JavaScript.

use leptos::prelude::*;

/// The shortcut list shown above the queue.
#[component]
pub fn ShortcutHelp() -> impl IntoView {
    view! {
        <section class="shortcuts" aria-labelledby="shortcuts-heading">
            <h2 id="shortcuts-heading" class="visually-hidden">"Keyboard shortcuts"</h2>
            <p>
                "Keyboard: " <kbd>"j"</kbd> " next item, " <kbd>"k"</kbd> " previous, "
                <kbd>"a"</kbd> " approve, " <kbd>"r"</kbd> " revoke, " <kbd>"c"</kbd>
                " comment. Tab and Enter work everywhere, with or without JavaScript."
            </p>
        </section>
    }
}
