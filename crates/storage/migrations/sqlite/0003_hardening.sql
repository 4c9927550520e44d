-- Holding under load and abuse: which drafts and applications use which attachment (so the
-- clean-up job knows what it may delete), periodic jobs claimed by one instance at a time,
-- rate-limit counters shared by all instances, and API clients (front ends such as a LINE bot).

-- One row per stored file a draft or an application refers to.
CREATE TABLE attachment_uses (
    municipality_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    owner_id BLOB NOT NULL,
    PRIMARY KEY (municipality_code, sha256, owner_id)
);
CREATE INDEX attachment_uses_by_owner ON attachment_uses (owner_id);
-- Files uploaded before uses were recorded are kept for good: nothing says who uses them.
INSERT INTO attachment_uses (municipality_code, sha256, owner_id)
    SELECT municipality_code, sha256, X'00000000000000000000000000000000' FROM attachments;
CREATE INDEX attachments_by_age ON attachments (created_at);
CREATE INDEX drafts_by_expiry ON drafts (expires_at);
CREATE INDEX staff_sessions_by_expiry ON staff_sessions (expires_at);

-- A periodic job (the clean-up, the audit anchor) and when it is next due; claiming it moves
-- `next_run_at` on in the same statement, so one instance runs it.
CREATE TABLE schedules (
    name TEXT PRIMARY KEY,
    next_run_at TEXT NOT NULL
);

-- Requests counted per client in fixed one-minute windows; `bucket` is a keyed hash of what
-- is limited and who asks (never an address in the clear).
CREATE TABLE rate_counters (
    bucket TEXT NOT NULL,
    window_start TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_counters_by_window ON rate_counters (window_start);

-- Front ends that submit for residents (a LINE bot, a kiosk), each with its own budget.
CREATE TABLE api_clients (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    requests_per_minute INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
