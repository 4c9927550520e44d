-- A resident's life event (引越し, 出生, おくやみ): the interview's answers and the shared facts,
-- found by the hash of the private link, like a draft. The list of procedures is derived from
-- the answers each time it is shown, so it follows the catalog.
CREATE TABLE life_event_plans (
    id UUID PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    interview JSONB NOT NULL,
    facts JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX life_event_plans_expiry ON life_event_plans (expires_at);
