-- The counter (書かない窓口). A visit is one resident at one counter: who took it, when it began
-- and ended, who the resident is (read from the マイナンバーカード, typed from another document,
-- or brought as a code prepared at home; a 個人番号 in it is sealed).
CREATE TABLE counter_visits (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    staff_id BLOB NOT NULL REFERENCES staff_users (id),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    identity TEXT,
    identified_at TEXT
);
CREATE INDEX counter_visits_by_staff ON counter_visits (municipality_code, staff_id, started_at);

-- A card agent on a counter PC, paired with one staff session: it lives as long as the session.
CREATE TABLE counter_agents (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX counter_agents_by_session ON counter_agents (session_hash);

-- A one-time code shown on a counter screen, exchanged once by an agent for its token.
CREATE TABLE counter_pairings (
    code_hash TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- A read of the card a visit asked for: the agent of the visit's session takes it, reads, and
-- reports the outcome (the data itself goes into the visit, never here).
CREATE TABLE card_reads (
    id BLOB PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    visit_id BLOB NOT NULL REFERENCES counter_visits (id),
    session_hash TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    taken_at TEXT,
    completed_at TEXT,
    outcome TEXT,
    tries_left INTEGER
);
CREATE INDEX card_reads_by_session ON card_reads (session_hash, completed_at);

