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

/// First names of the people the demo's second pass adds; none repeats a [`FIRST_NAMES`]
/// entry, so every new email address is new.
pub const MORE_FIRST_NAMES: &[&str] = &[
    "Abebe", "Birgit", "Cyrus", "Daria", "Esra", "Filip", "Gaia", "Henrik", "Isabel", "Jamal",
    "Katja", "Leon", "Maya", "Nadia", "Oskar", "Paulina", "Rafael", "Saskia", "Tariq", "Ursula",
    "Viktor", "Wanjiru", "Xavier", "Yara", "Zeynep", "Adrian", "Bianca", "Cosmin", "Dalia", "Emil",
    "Fatima", "Goran", "Helga", "Ivo", "Jana", "Kenji", "Lena", "Milan", "Nia", "Omar",
];

/// The demo's second-pass departments, each with the three [`MORE_PROJECTS`] it runs and the
/// applications it runs in each of them (one database user per application and project).
pub const MORE_DEPARTMENTS: &[(&str, [usize; 3], &[&str])] = &[
    (
        "Security",
        [0, 1, 2],
        &[
            "auth-service",
            "token-refresher",
            "session-cleaner",
            "audit-shipper",
            "risk-scorer",
            "fraud-rules",
            "alert-router",
            "key-rotator",
            "scim-sync",
            "siem-forwarder",
        ],
    ),
    (
        "Mobile",
        [3, 4, 5],
        &[
            "mobile-bff",
            "push-sender",
            "sync-worker",
            "feature-flags",
            "crash-reporter",
            "media-resizer",
            "deep-links",
            "inbox-api",
            "geo-lookup",
            "release-notes",
        ],
    ),
];

/// Projects the demo's second pass adds, with their clusters.
pub const MORE_PROJECTS: &[(&str, &[&str])] = &[
    ("identity", &["identity-prod", "sessions"]),
    ("security-audit", &["audit-logs"]),
    ("fraud-detection", &["signals"]),
    ("mobile-api", &["mobile-prod"]),
    ("mobile-staging", &["mobile-stg"]),
    ("push-notifications", &["notify"]),
];
