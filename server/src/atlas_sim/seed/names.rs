//! Word lists the demo builder draws from. Two entries are hostile on purpose, for
//! CSV-injection tests: a person named `@SUM(1)` and a database user `=HYPERLINK("http://x")`.

pub const FIRST_NAMES: &[&str] = &[
    "Amara",
    "Bogdan",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farid",
    "Greta",
    "Hiroshi",
    "Ines",
    "Jonas",
    "Kavya",
    "Lars",
    "Mei",
    "Nikolai",
    "Olufemi",
    "Priya",
    "Quentin",
    "Rosa",
    "Sanjay",
    "Tove",
    "Umar",
    "Valentina",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Aurelio",
    "Beatriz",
    "Callum",
    "Dagny",
    "Emeka",
    "Freya",
    "Gustavo",
    "Hana",
    "Ilja",
    "Johanna",
    "Kofi",
    "Lucia",
    "Mateo",
    "Noor",
];

pub const LAST_NAMES: &[&str] = &[
    "Achebe",
    "Bianchi",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gallagher",
    "Hoang",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rahman",
    "Schmidt",
    "Takahashi",
    "Uddin",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zhang",
];

pub const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Data",
    "Platform",
    "Payments",
    "Support",
    "Finance",
];

pub const PROJECTS: &[(&str, &[&str])] = &[
    ("payments-prod", &["payments-main", "payments-ledger"]),
    ("payments-staging", &["payments-stg"]),
    ("analytics", &["warehouse"]),
    ("customer-portal", &["portal-prod"]),
    ("internal-tools", &["tools"]),
    ("ml-platform", &["features", "models"]),
];

pub const COUNTRIES: &[&str] = &["DE", "US", "GB", "FR", "NL", "SE", "IN", "JP", "BR", "NG"];

pub const APP_USERS: &[&str] = &[
    "orders-api",
    "billing-worker",
    "etl",
    "reporting",
    "search-indexer",
    "notifier",
];

/// The `large` org's twenty departments; each owns fifty projects.
pub const LARGE_DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Data",
    "Platform",
    "Payments",
    "Support",
    "Finance",
    "Security",
    "Marketing",
    "Sales",
    "Logistics",
    "Mobile",
    "Search",
    "Identity",
    "Risk",
    "Growth",
    "Billing",
    "Research",
    "Content",
    "Partners",
    "Operations",
];

/// Workload names the `large` org's projects are made of (`<department>-<workload>-<env>`).
pub const WORKLOADS: &[&str] = &[
    "api", "events", "ledger", "catalog", "profiles", "sessions", "reports", "ingest", "search",
    "notify",
];

/// Environments of the `large` org's projects.
pub const ENVIRONMENTS: &[&str] = &["prod", "staging", "dev", "sandbox", "dr"];
