-- Every table carries the municipality (全国地方公共団体コード, 6 digits) so that one deployment
-- can host several wards.

CREATE TABLE procedure_versions (
    municipality_code TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    version TEXT NOT NULL,
    definition JSONB NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (municipality_code, procedure_id, version)
);

CREATE TABLE drafts (
    id UUID PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    procedure_id TEXT NOT NULL,
    procedure_version TEXT NOT NULL,
    answers JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    application_id UUID UNIQUE,
    FOREIGN KEY (municipality_code, procedure_id, procedure_version)
        REFERENCES procedure_versions (municipality_code, procedure_id, version)
);

CREATE TABLE counters (
    municipality_code TEXT NOT NULL,
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, name)
);

CREATE TABLE applications (
    id UUID PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    receipt_number TEXT NOT NULL,
    procedure_id TEXT NOT NULL,
    procedure_version TEXT NOT NULL,
    department_id TEXT NOT NULL,
    answers JSONB NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT,
    submitted_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_code, receipt_number),
    UNIQUE (municipality_code, idempotency_key),
    FOREIGN KEY (municipality_code, procedure_id, procedure_version)
        REFERENCES procedure_versions (municipality_code, procedure_id, version)
);
CREATE INDEX applications_by_procedure ON applications (municipality_code, procedure_id, submitted_at);

CREATE TABLE application_events (
    id UUID PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    application_id UUID NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_events_by_application ON application_events (application_id, created_at);

CREATE TABLE attachments (
    municipality_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (municipality_code, sha256)
);

CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload JSONB NOT NULL,
    run_after TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    locked_until TIMESTAMPTZ,
    done_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (done_at, run_after);
