// The TAM store's schema and its history, as an ordered list of migration
// steps. The SQL is kept portable so that the PostgreSQL store (issue 7) can
// apply the same steps: plain INTEGER / TEXT / BLOB columns (BLOB maps to
// BYTEA), NOT NULL and CHECK constraints, composite primary keys, one
// foreign key. The one unavoidable SQLite-ism is audit.id: an INTEGER
// PRIMARY KEY is SQLite's auto-assigned rowid (PostgreSQL: BIGINT GENERATED
// ALWAYS AS IDENTITY).
//
// A step is never edited once released: a change to the schema is a new
// step appended to the list.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace teep::host {

struct SchemaStep {
  int64_t version;           // the schema version once this step is applied
  std::string_view summary;  // for errors: "migrate to schema 1 (tables)"
  std::string_view sql;      // one or more statements, applied in one transaction
};

// Oldest first; versions are 1, 2, 3, ... without gaps.
std::span<const SchemaStep> TamSchema();

// The newest version this build knows (the last step's version).
int64_t TamSchemaVersion();

// A step's SQL as PostgreSQL runs it (PgStore). The one mapping, applied to
// whole words: `id INTEGER PRIMARY KEY` -> `id BIGINT GENERATED ALWAYS AS
// IDENTITY PRIMARY KEY`, INTEGER -> BIGINT, BLOB -> BYTEA, TEXT -> TEXT
// COLLATE "C" (bytewise order, as SQLite's BINARY collation, whatever the
// server's locale). The conformance suite runs every query on the result.
std::string PostgresSchemaSql(std::string_view sqlite_sql);

}  // namespace teep::host
