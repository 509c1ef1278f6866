//! Parsing and validating a CSV roster, before anything touches the database.
//!
//! The whole file is checked and every problem is reported with its row, column and reason, so
//! an admin can fix the file in one pass. A roster with any error is rejected whole.

use std::collections::HashMap;

use chrono::NaiveDate;

/// One person as the roster describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterPerson {
    /// Lower-cased; the person's key within the directory.
    pub email: String,
    pub name: String,
    pub manager_email: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub status: EmploymentStatus,
    pub end_date: Option<NaiveDate>,
    pub employee_id: Option<String>,
}

/// Employment status as the roster states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmploymentStatus {
    Active,
    Leaver,
}

impl EmploymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentStatus::Active => "active",
            EmploymentStatus::Leaver => "leaver",
        }
    }
}

/// One problem in the file. `row` is the line number a spreadsheet shows (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterError {
    pub row: u64,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for RosterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}, column {}: {}",
            self.row, self.column, self.reason
        )
    }
}

/// The columns a roster may have, and the header names accepted for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Email,
    Name,
    ManagerEmail,
    Department,
    Title,
    Status,
    EndDate,
    EmployeeId,
}

impl Column {
    const ALL: [Column; 8] = [
        Column::Email,
        Column::Name,
        Column::ManagerEmail,
        Column::Department,
        Column::Title,
        Column::Status,
        Column::EndDate,
        Column::EmployeeId,
    ];

    fn label(self) -> &'static str {
        match self {
            Column::Email => "email",
            Column::Name => "name",
            Column::ManagerEmail => "manager email",
            Column::Department => "department",
            Column::Title => "title",
            Column::Status => "employment status",
            Column::EndDate => "end date",
            Column::EmployeeId => "employee id",
        }
    }

    /// Matches a header cell, ignoring case, spaces, underscores and hyphens.
    fn from_header(header: &str) -> Option<Column> {
        let key: String = header
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "email" | "emailaddress" | "workemail" => Column::Email,
            "name" | "fullname" | "displayname" => Column::Name,
            "manageremail" | "manager" => Column::ManagerEmail,
            "department" | "dept" => Column::Department,
            "title" | "jobtitle" => Column::Title,
            "employmentstatus" | "status" => Column::Status,
            "enddate" | "terminationdate" => Column::EndDate,
            "employeeid" | "employeenumber" => Column::EmployeeId,
            _ => return None,
        })
    }
}

/// Parses and validates a roster file. Returns every person, or every error found.
pub fn parse_roster(bytes: &[u8]) -> Result<Vec<RosterPerson>, Vec<RosterError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let line = 1 + bytes[..err.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        vec![file_error(
            line,
            "the file is not UTF-8 text; save it as CSV UTF-8",
        )]
    })?;
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns = read_header(&mut reader)?;

    let mut errors = Vec::new();
    let mut people = Vec::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let row = err.position().map_or(0, |p| p.line());
                errors.push(file_error(row, &format!("cannot be read as CSV: {err}")));
                continue;
            }
        };
        let row = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |column: Column| {
            columns
                .get(&column)
                .and_then(|i| record.get(*i))
                .filter(|v| !v.is_empty())
        };
        match parse_person(row, cell) {
            Ok(person) => {
                people.push(person);
                rows.push(row);
            }
            Err(mut row_errors) => errors.append(&mut row_errors),
        }
    }
    check_relations(&people, &rows, &mut errors);
    if people.is_empty() && errors.is_empty() {
        errors.push(file_error(2, "the roster has a header but no people"));
    }
    if errors.is_empty() {
        Ok(people)
    } else {
        errors.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
        Err(errors)
    }
}

/// Semicolon when the header line has more semicolons than commas (as spreadsheets in many
/// locales write CSV), comma otherwise.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

fn read_header(
    reader: &mut csv::Reader<&[u8]>,
) -> Result<HashMap<Column, usize>, Vec<RosterError>> {
    let headers = reader
        .headers()
        .map_err(|err| {
            vec![file_error(
                1,
                &format!("the header row cannot be read: {err}"),
            )]
        })?
        .clone();
    let mut columns = HashMap::new();
    let mut errors = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        if let Some(column) = Column::from_header(header)
            && columns.insert(column, index).is_some()
        {
            errors.push(header_error(header, "appears twice"));
        }
    }
    for required in [Column::Email, Column::Name] {
        if !columns.contains_key(&required) {
            errors.push(RosterError {
                row: 1,
                column: required.label().into(),
                reason: format!(
                    "required column is missing (expected columns: {})",
                    Column::ALL.map(Column::label).join(", ")
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

fn parse_person<'a>(
    row: u64,
    cell: impl Fn(Column) -> Option<&'a str>,
) -> Result<RosterPerson, Vec<RosterError>> {
    let mut errors = Vec::new();
    let mut fail = |column: Column, reason: String| {
        errors.push(RosterError {
            row,
            column: column.label().into(),
            reason,
        });
    };
    let email = match cell(Column::Email) {
        None => {
            fail(Column::Email, "is empty".into());
            None
        }
        Some(raw) => match normalize_email(raw) {
            Some(email) => Some(email),
            None => {
                fail(Column::Email, format!("'{raw}' is not an email address"));
                None
            }
        },
    };
    let name = cell(Column::Name).map(str::to_owned);
    if name.is_none() {
        fail(Column::Name, "is empty".into());
    }
    let manager_email = match cell(Column::ManagerEmail) {
        None => None,
        Some(raw) => match normalize_email(raw) {
            Some(email) => Some(email),
            None => {
                fail(
                    Column::ManagerEmail,
                    format!("'{raw}' is not an email address"),
                );
                None
            }
        },
    };
    let status = match cell(Column::Status).map(str::to_lowercase).as_deref() {
        None | Some("active" | "employed" | "on leave") => EmploymentStatus::Active,
        Some("leaver" | "terminated" | "inactive" | "left") => EmploymentStatus::Leaver,
        Some(other) => {
            fail(
                Column::Status,
                format!("'{other}' is not a status; use active or leaver"),
            );
            EmploymentStatus::Active
        }
    };
    let end_date = match cell(Column::EndDate) {
        None => None,
        Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                fail(
                    Column::EndDate,
                    format!("'{raw}' is not a date like 2026-12-31"),
                );
                None
            }
        },
    };
    match (email, name) {
        (Some(email), Some(name)) if errors.is_empty() => Ok(RosterPerson {
            email,
            name,
            manager_email,
            department: cell(Column::Department).map(str::to_owned),
            title: cell(Column::Title).map(str::to_owned),
            status,
            end_date,
            employee_id: cell(Column::EmployeeId).map(str::to_owned),
        }),
        _ => Err(errors),
    }
}

/// Duplicates, unknown managers and manager cycles: checks across rows.
fn check_relations(people: &[RosterPerson], rows: &[u64], errors: &mut Vec<RosterError>) {
    let mut by_email: HashMap<&str, usize> = HashMap::with_capacity(people.len());
    let mut by_employee_id: HashMap<&str, usize> = HashMap::new();
    for (i, person) in people.iter().enumerate() {
        if let Some(first) = by_email.insert(&person.email, i) {
            by_email.insert(&people[first].email, first);
            errors.push(RosterError {
                row: rows[i],
                column: Column::Email.label().into(),
                reason: format!(
                    "duplicate person: {} is already on row {}",
                    person.email, rows[first]
                ),
            });
        }
        if let Some(id) = person.employee_id.as_deref()
            && let Some(first) = by_employee_id.insert(id, i)
        {
            by_employee_id.insert(id, first);
            errors.push(RosterError {
                row: rows[i],
                column: Column::EmployeeId.label().into(),
                reason: format!(
                    "duplicate person: employee id {id} is already on row {}",
                    rows[first]
                ),
            });
        }
    }
    let manager_of = |i: usize| -> Option<usize> {
        people[i]
            .manager_email
            .as_deref()
            .and_then(|m| by_email.get(m).copied())
    };
    for (i, person) in people.iter().enumerate() {
        if let Some(manager) = person.manager_email.as_deref() {
            if manager == person.email {
                errors.push(manager_error(
                    rows[i],
                    "a person cannot be their own manager".into(),
                ));
            } else if !by_email.contains_key(manager) {
                errors.push(manager_error(
                    rows[i],
                    format!("unknown manager: {manager} is not in this roster"),
                ));
            }
        }
    }
    // Walk each chain once; state 1 = on the current path, 2 = known to end without a cycle.
    let mut state = vec![0u8; people.len()];
    for start in 0..people.len() {
        let mut path = Vec::new();
        let mut current = Some(start);
        while let Some(i) = current {
            match state[i] {
                2 => break,
                1 => {
                    let cycle_start = path.iter().position(|p| *p == i).unwrap_or(0);
                    let cycle = &path[cycle_start..];
                    if cycle.len() > 1 {
                        let names: Vec<&str> = cycle
                            .iter()
                            .map(|p: &usize| people[*p].email.as_str())
                            .collect();
                        let row = cycle.iter().map(|p| rows[*p]).min().unwrap_or(0);
                        errors.push(manager_error(
                            row,
                            format!("manager cycle: {} -> {}", names.join(" -> "), names[0]),
                        ));
                    }
                    break;
                }
                _ => {
                    state[i] = 1;
                    path.push(i);
                    current = manager_of(i).filter(|m| *m != i);
                }
            }
        }
        for i in path {
            state[i] = 2;
        }
    }
}

fn manager_error(row: u64, reason: String) -> RosterError {
    RosterError {
        row,
        column: Column::ManagerEmail.label().into(),
        reason,
    }
}

fn header_error(header: &str, reason: &str) -> RosterError {
    RosterError {
        row: 1,
        column: header.into(),
        reason: reason.into(),
    }
}

fn file_error(row: u64, reason: &str) -> RosterError {
    RosterError {
        row,
        column: "(file)".into(),
        reason: reason.into(),
    }
}

/// Lower-cases and checks the shape of an email address: one `@`, a non-empty local part and a
/// dotted domain, no spaces.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';');
    valid.then_some(email)
}

#[cfg(test)]
mod tests;
