/** Bumped when the layout changes; a database of another version is rebuilt, never misread. */
export const SCHEMA_VERSION = 2;

export const DATABASE_FILE = 'vulndb.sqlite';

export const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- One row per OSV record, as imported (the whole JSON text, so nothing is lost).
CREATE TABLE records (
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  modified_ms INTEGER NOT NULL,
  published TEXT,
  source TEXT NOT NULL,
  json TEXT NOT NULL
);
-- One row per affected entry of a known ecosystem: what matching looks up.
CREATE TABLE affected (
  record TEXT NOT NULL,
  idx INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  release TEXT NOT NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  ranges TEXT NOT NULL,
  versions TEXT NOT NULL,
  PRIMARY KEY (record, idx)
);
CREATE INDEX affected_by_package ON affected (ecosystem, name_key);
CREATE TABLE kev (
  cve TEXT PRIMARY KEY,
  date_added TEXT NOT NULL,
  due_date TEXT,
  ransomware TEXT,
  vendor TEXT,
  product TEXT,
  name TEXT
);
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL);
-- What each source brought in its last import, for db status.
CREATE TABLE sources (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  summary TEXT NOT NULL
);
`;
