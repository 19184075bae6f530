-- SQLite: the dashboard's own store (not the warehouse: the sink is DuckDB's only writer).
-- Several dashboard processes and the CLI may write at once; SQLite's WAL journal serialises them.
-- Tables are only ever appended to, except users (credentials can be reset).
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('qa_supervisor', 'team_lead', 'policy_analyst', 'admin')),
    centre_id TEXT,
    team_id TEXT,
    -- scrypt$n$r$p$salt$hash (base64): never the password itself.
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- Raised to end the user's sessions: a session signed in under another value is signed out at
    -- its next page run (access_add_session_version.sql adds it to stores made before it existed).
    session_version INTEGER NOT NULL DEFAULT 0
);

-- Failed log-ins per subject ('user:<name>' or 'client:<address>'), for throttling with backoff
-- (warehouse/login_throttle.py). A subject is forgotten a while after its last failure.
CREATE TABLE IF NOT EXISTS login_failures (
    subject TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_s REAL NOT NULL,
    locked_until_s REAL NOT NULL
);

-- Append-only, chained: each entry's MAC (HMAC-SHA256 under a key kept outside this store;
-- entries written before the key existed carry a plain SHA-256) covers the previous one, so a
-- deleted or edited entry breaks the chain, and a head kept beside the key (count and last MAC)
-- shows entries deleted from the end. verify_audit_chain() says where (warehouse/audit.py).
CREATE TABLE IF NOT EXISTS audit_log (
    entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    call_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_call ON audit_log (call_id);
CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (username, at);

-- An agent's appeal against a call's score or one item, recorded by a supervisor or team lead.
CREATE TABLE IF NOT EXISTS appeals (
    appeal_id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    -- NULL: the appeal is against the whole score.
    item_id TEXT,
    text TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

-- Human decisions on the machine's verdicts. Never updated: a later decision on the same
-- (call, item) supersedes the earlier one, and the history stays.
CREATE TABLE IF NOT EXISTS review_decisions (
    decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    -- '' : the whole score (a key part, so it cannot be NULL).
    item_id TEXT NOT NULL,
    item_name TEXT NOT NULL,
    -- What the machine said when the human decided (a later re-inspection does not change it).
    machine_status TEXT,
    machine_points REAL,
    verdict TEXT NOT NULL CHECK (verdict IN ('confirm', 'override', 'decide')),
    human_status TEXT,
    human_points REAL,
    reason TEXT NOT NULL,
    appeal_id INTEGER REFERENCES appeals (appeal_id),
    appeal_outcome TEXT CHECK (appeal_outcome IS NULL OR appeal_outcome IN ('upheld', 'rejected')),
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_decisions_call ON review_decisions (call_id, item_id, decision_id);
