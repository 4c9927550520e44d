-- Every table carries the municipality (全国地方公共団体コード, 6 digits) so that one deployment
-- can host several wards.

CREATE TABLE procedure_versions (
    municipality_code TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    version TEXT NOT NULL,
    definition TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (municipality_code, procedure_id, version)
);

CREATE TABLE drafts (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    procedure_id TEXT NOT NULL,
    procedure_version TEXT NOT NULL,
    answers TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    application_id BLOB UNIQUE,
    FOREIGN KEY (municipality_code, procedure_id, procedure_version)
        REFERENCES procedure_versions (municipality_code, procedure_id, version)
);

CREATE TABLE counters (
    municipality_code TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, name)
);

CREATE TABLE applications (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    receipt_number TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    procedure_version TEXT NOT NULL,
    department_id TEXT NOT NULL,
    answers TEXT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT,
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (municipality_code, receipt_number),
    UNIQUE (municipality_code, idempotency_key),
    FOREIGN KEY (municipality_code, procedure_id, procedure_version)
        REFERENCES procedure_versions (municipality_code, procedure_id, version)
);
CREATE INDEX applications_by_procedure ON applications (municipality_code, procedure_id, submitted_at);

CREATE TABLE application_events (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    application_id BLOB NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX application_events_by_application ON application_events (application_id, created_at);

CREATE TABLE attachments (
    municipality_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (municipality_code, sha256)
);

CREATE TABLE jobs (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_after TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    locked_until TEXT,
    done_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (done_at, run_after);
