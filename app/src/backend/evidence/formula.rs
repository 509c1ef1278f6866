//! The one rule that makes a text cell safe to open in a spreadsheet. Every CSV Attest writes
//! (the inventory export and every evidence file) goes through [`csv_safe`], and the evidence
//! manifest quotes [`FORMULA_RULE`] so an auditor knows the only change made to any value.

use std::borrow::Cow;

/// The neutralisation rule in words, as recorded in every evidence pack's manifest.
pub const FORMULA_RULE: &str = "a text cell starting with '=', '+', '-', '@', a tab or a \
     carriage return gets a leading apostrophe; numbers, booleans and timestamps are written \
     unchanged";

/// A cell that a spreadsheet would not run as a formula: text starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading apostrophe (OWASP's advice), which
/// spreadsheets show as text and do not evaluate.
pub fn csv_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::csv_safe;

    #[test]
    fn formula_starters_are_neutralised_and_other_text_is_kept() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_safe(bad), format!("'{bad}"));
        }
        for fine in ["alice@example.com", "GROUP_OWNER", "", "1-2", "a=b"] {
            assert_eq!(csv_safe(fine), fine);
        }
    }
}
