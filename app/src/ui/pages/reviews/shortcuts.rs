//! Keyboard shortcuts of the review queue, announced in the page. They need JavaScript and
//! only move focus or press the focused item's own buttons, so every decision still goes
//! through the same forms as without JavaScript.

use leptos::prelude::*;

/// The shortcut list shown above the queue; in the browser it is an island that turns the
/// shortcuts on.
#[island]
pub fn ShortcutHelp() -> impl IntoView {
    // Effects run in the browser only, so the server renders the help text and nothing else.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let handle = window_event_listener(leptos::ev::keydown, keys::on_key);
            on_cleanup(move || handle.remove());
        }
    });
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

/// What each key does. Items are the `article.item` cards in page order; the current item is
/// the one holding focus (or containing the focused element).
#[cfg(feature = "hydrate")]
mod keys {
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement, KeyboardEvent};

    /// One key press anywhere on the page.
    pub fn on_key(event: KeyboardEvent) {
        if event.ctrl_key() || event.meta_key() || event.alt_key() || typing(&event) {
            return;
        }
        let handled = match event.key().as_str() {
            "j" => move_focus(Direction::Next),
            "k" => move_focus(Direction::Previous),
            "a" => press(r#"button[data-shortcut="a"]"#),
            "r" => press(r#"button[data-shortcut="r"]"#),
            "c" => focus_in_current("textarea"),
            _ => false,
        };
        if handled {
            // Keeps "c" from being typed into the comment box it just focused.
            event.prevent_default();
        }
    }

    #[derive(Clone, Copy)]
    enum Direction {
        Next,
        Previous,
    }

    /// True while the reviewer types into a field: letters are text there, not commands.
    fn typing(event: &KeyboardEvent) -> bool {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return false;
        };
        matches!(
            target.tag_name().to_ascii_lowercase().as_str(),
            "input" | "textarea" | "select"
        )
    }

    fn items() -> Vec<HtmlElement> {
        let Ok(list) = leptos::prelude::document().query_selector_all("article.item") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
            .collect()
    }

    fn current() -> Option<Element> {
        leptos::prelude::document()
            .active_element()
            .and_then(|focused| focused.closest("article.item").ok().flatten())
    }

    /// Focuses the next or previous item; from nowhere, "next" goes to the first undecided one.
    fn move_focus(direction: Direction) -> bool {
        let items = items();
        let position = current().and_then(|c| items.iter().position(|i| **i == c));
        let target = match (position, direction) {
            (Some(at), Direction::Next) => items.get(at + 1),
            (Some(at), Direction::Previous) => at.checked_sub(1).and_then(|p| items.get(p)),
            (None, Direction::Next) => items
                .iter()
                .find(|i| i.class_list().contains("decision-open"))
                .or_else(|| items.first()),
            (None, Direction::Previous) => items.last(),
        };
        match target {
            Some(item) => {
                let _ = item.focus();
                item.scroll_into_view_with_bool(false);
                true
            }
            None => false,
        }
    }

    fn press(selector: &str) -> bool {
        match find_in_current(selector) {
            Some(button) => {
                button.click();
                true
            }
            None => false,
        }
    }

    fn focus_in_current(selector: &str) -> bool {
        find_in_current(selector).is_some_and(|field| field.focus().is_ok())
    }

    fn find_in_current(selector: &str) -> Option<HtmlElement> {
        current()?
            .query_selector(selector)
            .ok()
            .flatten()?
            .dyn_into::<HtmlElement>()
            .ok()
    }
}
