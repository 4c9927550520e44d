-- The back office: staff accounts and sessions, case work on applications, the audit log,
-- integration tokens.

ALTER TABLE applications ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN assigned_to UUID;
-- The open correction request while the status is correction_requested: {"fields": [...], "message": "..."}.
ALTER TABLE applications ADD COLUMN correction JSONB;
-- Increases with every change, in commit order (taken from a counter row under its lock): the
-- pull API's cursor.
ALTER TABLE applications ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX applications_by_change ON applications (municipality_code, change_seq);
CREATE INDEX applications_by_department ON applications (municipality_code, department_id, status, submitted_at);

CREATE TABLE staff_users (
    id UUID PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    login TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- NULL for administrators, who see every department.
    department_id TEXT,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    -- May see whole 個人番号 (番号法 limits who handles them).
    my_number_access BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (municipality_code, login)
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    user_id UUID NOT NULL REFERENCES staff_users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Append-only. Each entry's hash covers the previous entry's hash, so changing or deleting an
-- entry breaks the chain from there on (`madoguchi audit verify`).
CREATE TABLE audit_log (
    seq BIGINT NOT NULL,
    municipality_code TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    application_id UUID,
    detail JSONB NOT NULL,
    ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (municipality_code, seq)
);
CREATE INDEX audit_by_application ON audit_log (application_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    department_id TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);

ALTER TABLE jobs ADD COLUMN department_id TEXT;
ALTER TABLE jobs ADD COLUMN application_id UUID;
CREATE INDEX jobs_by_department ON jobs (municipality_code, kind, department_id, created_at);
