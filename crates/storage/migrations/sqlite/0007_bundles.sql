-- A bundle: the applications a resident submitted together from one life event (ワンスオンリー),
-- created in one transaction, sharing one access code. A plan (the web) or an API client's
-- idempotency key names at most one bundle, so a retried submit finds the first.
CREATE TABLE bundles (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    event_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    plan_id BLOB UNIQUE,
    idempotency_key TEXT,
    request_hash TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (municipality_code, idempotency_key)
);

ALTER TABLE applications ADD COLUMN bundle_id BLOB REFERENCES bundles (id);
ALTER TABLE applications ADD COLUMN life_event_id TEXT;
CREATE INDEX applications_by_bundle ON applications (bundle_id);
CREATE INDEX applications_by_life_event ON applications (municipality_code, life_event_id, submitted_at);

-- The drafts of a plan's bundle: one per procedure the resident chose (two clicks racing make
-- one), reached only through the plan's private link.
ALTER TABLE drafts ADD COLUMN plan_id BLOB;
CREATE UNIQUE INDEX drafts_by_plan ON drafts (plan_id, procedure_id);
