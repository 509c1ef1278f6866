//! The text of each email, rendered from the askama templates in `app/templates/email/`.

use askama::Template;

use super::outbox::{ClaimedEmail, EmailKind};

/// A rendered email, ready for the SMTP transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "email/assignment.txt")]
struct Assignment<'a> {
    recipient_name: &'a str,
    campaign_name: &'a str,
    item_count: i64,
    due_date: String,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/reminder.txt")]
struct Reminder<'a> {
    recipient_name: &'a str,
    campaign_name: &'a str,
    item_count: i64,
    open_count: i64,
    due_date: String,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/escalation.txt")]
struct Escalation<'a> {
    recipient_name: &'a str,
    reviewer_name: &'a str,
    campaign_name: &'a str,
    item_count: i64,
    open_count: i64,
    due_date: String,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/closed.txt")]
struct Closed<'a> {
    recipient_name: &'a str,
    campaign_name: &'a str,
    item_count: i64,
    open_count: i64,
    due_date: String,
    link: &'a str,
}

/// "1 item" or "3 items".
fn items(n: i64) -> String {
    if n == 1 {
        "1 item".to_owned()
    } else {
        format!("{n} items")
    }
}

/// Renders `email`; `reviews_url` is the absolute address of My reviews.
pub fn render(email: &ClaimedEmail, reviews_url: &str) -> Result<Rendered, askama::Error> {
    let due_date = email.due_date.format("%Y-%m-%d").to_string();
    let campaign = email.campaign_name.as_str();
    let (subject, body) = match email.kind {
        EmailKind::Assignment => (
            format!(
                "Access review \"{campaign}\": {} to review by {due_date}",
                items(email.item_count)
            ),
            Assignment {
                recipient_name: &email.recipient_name,
                campaign_name: campaign,
                item_count: email.item_count,
                due_date,
                link: reviews_url,
            }
            .render()?,
        ),
        EmailKind::Reminder => (
            format!(
                "Reminder: access review \"{campaign}\" is due {due_date}, {} open",
                items(email.open_count)
            ),
            Reminder {
                recipient_name: &email.recipient_name,
                campaign_name: campaign,
                item_count: email.item_count,
                open_count: email.open_count,
                due_date,
                link: reviews_url,
            }
            .render()?,
        ),
        EmailKind::Escalation => (
            format!(
                "Overdue access review: {} has {} open in \"{campaign}\"",
                email.reviewer_name,
                items(email.open_count)
            ),
            Escalation {
                recipient_name: &email.recipient_name,
                reviewer_name: &email.reviewer_name,
                campaign_name: campaign,
                item_count: email.item_count,
                open_count: email.open_count,
                due_date,
                link: reviews_url,
            }
            .render()?,
        ),
        EmailKind::Closed => (
            format!("Access review \"{campaign}\" is closed"),
            Closed {
                recipient_name: &email.recipient_name,
                campaign_name: campaign,
                item_count: email.item_count,
                open_count: email.open_count,
                due_date,
                link: reviews_url,
            }
            .render()?,
        ),
    };
    Ok(Rendered { subject, body })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use uuid::Uuid;

    use super::*;

    fn email(kind: EmailKind, item_count: i64, open_count: i64) -> ClaimedEmail {
        ClaimedEmail {
            id: 1,
            kind,
            campaign_id: Uuid::nil(),
            campaign_name: "Q4 review".into(),
            campaign_status: "active".into(),
            due_date: NaiveDate::from_ymd_opt(2026, 12, 31).expect("a date"),
            reviewer_name: "Ann Analyst".into(),
            recipient_email: "mgr@corp.test".into(),
            recipient_name: "Morgan Manager".into(),
            item_count,
            open_count,
            attempt: 1,
        }
    }

    #[test]
    fn an_assignment_states_the_count_the_due_date_and_the_link() {
        let rendered = render(
            &email(EmailKind::Assignment, 3, 3),
            "https://a.test/reviews",
        )
        .expect("renders");
        assert_eq!(
            rendered.subject,
            "Access review \"Q4 review\": 3 items to review by 2026-12-31"
        );
        assert!(rendered.body.starts_with("Hello Morgan Manager,"));
        assert!(rendered.body.contains("3 entitlements are waiting"));
        assert!(rendered.body.contains("Due date: 2026-12-31"));
        assert!(rendered.body.contains("https://a.test/reviews"));
    }

    #[test]
    fn one_item_is_singular() {
        let rendered = render(&email(EmailKind::Assignment, 1, 1), "x").expect("renders");
        assert!(rendered.subject.contains(": 1 item to review"));
        assert!(rendered.body.contains("1 entitlement is waiting"));
    }

    #[test]
    fn an_escalation_names_the_late_reviewer() {
        let rendered = render(&email(EmailKind::Escalation, 4, 2), "x").expect("renders");
        assert_eq!(
            rendered.subject,
            "Overdue access review: Ann Analyst has 2 items open in \"Q4 review\""
        );
        assert!(
            rendered
                .body
                .contains("2 of 4 entitlements are still not submitted")
        );
    }

    #[test]
    fn a_closing_note_mentions_defaulted_items_only_when_there_were_some() {
        let none = render(&email(EmailKind::Closed, 2, 0), "x").expect("renders");
        assert!(!none.body.contains("default outcome"));
        let some = render(&email(EmailKind::Closed, 2, 1), "x").expect("renders");
        assert!(some.body.contains("1 of them had no decision"));
    }
}
