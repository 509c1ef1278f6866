use super::*;

fn reasons(result: Result<Vec<RosterPerson>, Vec<RosterError>>) -> Vec<String> {
    result
        .expect_err("roster should be rejected")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_valid_roster_parses_every_column() {
    let csv = "Email,Name,Manager Email,Department,Title,Employment Status,End Date,Employee ID\n\
               ceo@corp.com,Cleo Chief,,Exec,CEO,active,,E1\n\
               Dev@Corp.com,Dee Dev,CEO@corp.com,Eng,Engineer,leaver,2026-11-30,E2\n";
    let people = parse_roster(csv.as_bytes()).expect("valid roster");
    assert_eq!(people.len(), 2);
    let dev = &people[1];
    assert_eq!(dev.email, "dev@corp.com");
    assert_eq!(dev.manager_email.as_deref(), Some("ceo@corp.com"));
    assert_eq!(dev.status, EmploymentStatus::Leaver);
    assert_eq!(dev.end_date, NaiveDate::from_ymd_opt(2026, 11, 30));
    assert_eq!(dev.employee_id.as_deref(), Some("E2"));
}

#[test]
fn headers_match_case_insensitively_with_bom_and_semicolons() {
    let csv =
        "\u{feff}EMAIL;name;manager_email\nboss@corp.com;Bo Boss;\na@corp.com;Al A;boss@corp.com\n";
    let people = parse_roster(csv.as_bytes()).expect("valid roster");
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].email, "boss@corp.com");
    assert_eq!(people[1].manager_email.as_deref(), Some("boss@corp.com"));
}

#[test]
fn a_missing_required_column_is_named() {
    let errors = reasons(parse_roster(b"email,title\na@corp.com,x\n"));
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("row 1, column name: required column is missing"),
        "{errors:?}"
    );
}

#[test]
fn a_bad_email_is_reported_with_row_and_column() {
    let errors = reasons(parse_roster(
        b"email,name\nok@corp.com,Ok\nnot-an-email,Bad\n",
    ));
    assert_eq!(
        errors,
        vec!["row 3, column email: 'not-an-email' is not an email address"]
    );
}

#[test]
fn a_duplicate_person_points_at_the_first_row() {
    let errors = reasons(parse_roster(
        b"email,name\na@corp.com,A\nb@corp.com,B\nA@corp.com,A again\n",
    ));
    assert_eq!(
        errors,
        vec!["row 4, column email: duplicate person: a@corp.com is already on row 2"]
    );
}

#[test]
fn a_duplicate_employee_id_is_a_duplicate_person() {
    let errors = reasons(parse_roster(
        b"email,name,employee id\na@corp.com,A,7\nb@corp.com,B,7\n",
    ));
    assert_eq!(
        errors,
        vec!["row 3, column employee id: duplicate person: employee id 7 is already on row 2"]
    );
}

#[test]
fn an_unknown_manager_is_reported() {
    let errors = reasons(parse_roster(
        b"email,name,manager email\na@corp.com,A,ghost@corp.com\n",
    ));
    assert_eq!(
        errors,
        vec!["row 2, column manager email: unknown manager: ghost@corp.com is not in this roster"]
    );
}

#[test]
fn a_manager_cycle_is_reported_once_with_its_members() {
    let csv = "email,name,manager email\n\
               a@corp.com,A,b@corp.com\n\
               b@corp.com,B,c@corp.com\n\
               c@corp.com,C,a@corp.com\n\
               d@corp.com,D,a@corp.com\n";
    let errors = reasons(parse_roster(csv.as_bytes()));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("row 2, column manager email: manager cycle: "),
        "{errors:?}"
    );
    for member in ["a@corp.com", "b@corp.com", "c@corp.com"] {
        assert!(errors[0].contains(member), "{errors:?}");
    }
    assert!(!errors[0].contains("d@corp.com"), "{errors:?}");
}

#[test]
fn being_ones_own_manager_is_refused() {
    let errors = reasons(parse_roster(
        b"email,name,manager email\na@corp.com,A,a@corp.com\n",
    ));
    assert_eq!(
        errors,
        vec!["row 2, column manager email: a person cannot be their own manager"]
    );
}

#[test]
fn a_bad_date_and_a_bad_status_are_both_listed() {
    let csv = "email,name,end date,status\na@corp.com,A,31/12/2026,gone fishing\n";
    let errors = reasons(parse_roster(csv.as_bytes()));
    assert_eq!(
        errors,
        vec![
            "row 2, column employment status: 'gone fishing' is not a status; use active or leaver",
            "row 2, column end date: '31/12/2026' is not a date like 2026-12-31",
        ]
    );
}

#[test]
fn every_error_in_the_file_is_listed_not_just_the_first() {
    let csv = "email,name\nbad,A\n,B\nc@corp.com,\n";
    let errors = reasons(parse_roster(csv.as_bytes()));
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn non_utf8_input_is_rejected_with_its_line() {
    let errors = reasons(parse_roster(b"email,name\na@corp.com,Andr\xe9\n"));
    assert_eq!(
        errors,
        vec!["row 2, column (file): the file is not UTF-8 text; save it as CSV UTF-8"]
    );
}

#[test]
fn a_header_only_file_is_rejected() {
    let errors = reasons(parse_roster(b"email,name\n"));
    assert_eq!(
        errors,
        vec!["row 2, column (file): the roster has a header but no people"]
    );
}

#[test]
fn blank_lines_are_skipped() {
    let people = parse_roster(b"email,name\n\na@corp.com,A\n,\n").expect("valid roster");
    assert_eq!(people.len(), 1);
}

#[test]
fn a_large_roster_with_a_deep_chain_validates() {
    let mut csv = String::from("email,name,manager email\n");
    csv.push_str("p0@corp.com,P0,\n");
    for i in 1..50_000 {
        csv.push_str(&format!("p{i}@corp.com,P{i},p{}@corp.com\n", i - 1));
    }
    let people = parse_roster(csv.as_bytes()).expect("valid roster");
    assert_eq!(people.len(), 50_000);
}

#[test]
fn email_normalization() {
    assert_eq!(
        normalize_email(" Ada@Example.COM "),
        Some("ada@example.com".into())
    );
    for bad in [
        "ada",
        "@example.com",
        "ada@",
        "ada@example",
        "a b@example.com",
        "a@b@c.com",
        "a@.com",
    ] {
        assert_eq!(normalize_email(bad), None, "{bad}");
    }
}
