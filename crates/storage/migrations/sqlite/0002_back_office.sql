-- The back office: staff accounts and sessions, case work on applications, the audit log,
-- integration tokens.

ALTER TABLE applications ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN assigned_to BLOB;
-- The open correction request while the status is correction_requested: {"fields": [...], "message": "..."}.
ALTER TABLE applications ADD COLUMN correction TEXT;
-- Increases with every change, in commit order (taken from a counter row under its lock): the
-- pull API's cursor.
ALTER TABLE applications ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX applications_by_change ON applications (municipality_code, change_seq);
CREATE INDEX applications_by_department ON applications (municipality_code, department_id, status, submitted_at);

CREATE TABLE staff_users (
    id BLOB PRIMARY KEY,
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
    locked_until TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (municipality_code, login)
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    user_id BLOB NOT NULL REFERENCES staff_users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Append-only. Each entry's hash covers the previous entry's hash, so changing or deleting an
-- entry breaks the chain from there on (`madoguchi audit verify`).
CREATE TABLE audit_log (
    seq INTEGER NOT NULL,
    municipality_code TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    application_id BLOB,
    detail TEXT NOT NULL,
    ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (municipality_code, seq)
);
CREATE INDEX audit_by_application ON audit_log (application_id);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    department_id TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);

ALTER TABLE jobs ADD COLUMN department_id TEXT;
ALTER TABLE jobs ADD COLUMN application_id BLOB;
CREATE INDEX jobs_by_department ON jobs (municipality_code, kind, department_id, created_at);
