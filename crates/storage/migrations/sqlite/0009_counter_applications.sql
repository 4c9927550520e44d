-- A counter visit runs one life event's interview (its plan, reached only through the visit),
-- and the applications it submits say which visit they came from and who took them, so that
-- forms per visit can be counted and a case says it was taken at the counter. The plan, like a
-- resident's, is swept after its date (so the visit holds its id without a foreign key).
ALTER TABLE counter_visits ADD COLUMN plan_id BLOB;
ALTER TABLE applications ADD COLUMN visit_id BLOB REFERENCES counter_visits (id);
ALTER TABLE applications ADD COLUMN taken_by BLOB REFERENCES staff_users (id);
CREATE INDEX applications_by_visit ON applications (visit_id) WHERE visit_id IS NOT NULL;

-- A code a resident prepares at home for a plan (the interview and the facts answered), shown at
-- the counter as text or a QR code; staff type or scan it and the visit runs that plan. Kept as
-- a hash, one per plan, used once.
CREATE TABLE counter_codes (
    code_hash TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    plan_id BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
