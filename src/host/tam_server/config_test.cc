// tam.toml's [database] table and how a database is shown in messages
// (the rest of tam.toml is covered through the CLI in tests/cli).
#include <string>

#include <gtest/gtest.h>

#include "host/tam_server/config.h"
#include "temp_dir.h"
#include "test_util.h"

namespace teep::host {
namespace {

Result<TamServerConfig> Load(const teep::test::TempDir& dir, const std::string& database_table) {
  const std::string file = dir.Write(
      "tam.toml", "[keys]\np256 = \"p.pem\"\ned25519 = \"e.pem\"\n[database]\n" + database_table);
  return LoadTamConfig(file);
}

TEST(TamConfigDatabase, PathIsRelativeToTheFileAndDefaultsToTamDb) {
  teep::test::TempDir dir;
  ASSERT_OK_AND_ASSIGN(TamServerConfig defaulted, Load(dir, ""));
  EXPECT_EQ(defaulted.database, dir / "tam.db");
  ASSERT_OK_AND_ASSIGN(TamServerConfig relative, Load(dir, "path = \"data/x.db\"\n"));
  EXPECT_EQ(relative.database, dir / "data/x.db");
}

TEST(TamConfigDatabase, UrlSelectsPostgresAndIsKeptVerbatim) {
  teep::test::TempDir dir;
  const std::string url = "postgresql://tam:secret@db.example:5432/teep?sslmode=verify-full";
  ASSERT_OK_AND_ASSIGN(TamServerConfig config, Load(dir, "url = \"" + url + "\"\n"));
  EXPECT_EQ(config.database, url);
}

TEST(TamConfigDatabase, PathAndUrlTogetherOrAnotherSchemeAreRefused) {
  teep::test::TempDir dir;
  auto both = Load(dir, "path = \"tam.db\"\nurl = \"postgresql://h/db\"\n");
  ASSERT_EQ(both.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(both.status().message().find("give path or url, not both"), std::string::npos);
  auto mysql = Load(dir, "url = \"mysql://u:hunter2@h/db\"\n");
  ASSERT_EQ(mysql.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(mysql.status().message().find("database.url: must start with postgresql://"), std::string::npos);
}

TEST(TamConfigDatabase, RedactedDatabaseHidesPasswordsOnly) {
  EXPECT_EQ(RedactedDatabase("/var/lib/teep/tam.db"), "/var/lib/teep/tam.db");
  EXPECT_EQ(RedactedDatabase("postgresql://tam@h:5432/db"), "postgresql://tam@h:5432/db");
  EXPECT_EQ(RedactedDatabase("postgresql://tam:s3cr%40t@h:5432/db"), "postgresql://tam:***@h:5432/db");
  EXPECT_EQ(RedactedDatabase("postgres://tam:pw@h/db?sslmode=require&password=pw2&x=1"),
            "postgres://tam:***@h/db?sslmode=require&password=***&x=1");
  EXPECT_EQ(RedactedDatabase("postgresql:///db?password=pw"), "postgresql:///db?password=***");
}

}  // namespace
}  // namespace teep::host
