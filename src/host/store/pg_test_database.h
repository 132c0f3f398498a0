// For tests: a fresh, empty PostgreSQL database on the throwaway server of
// the `postgres` test fixture (tests/pg/pg_server.sh, started by ctest before
// any NEEDS_POSTGRES test; its state file is named by $TEEP_TEST_PG_STATE).
// Dropped again by the destructor.
#pragma once

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "core/base/bytes.h"
#include "host/store/pg_db.h"

namespace teep::test {

class PgTestDatabase {
 public:
  PgTestDatabase() {
    const char* state = std::getenv("TEEP_TEST_PG_STATE");
    if (state == nullptr) {
      ADD_FAILURE() << "TEEP_TEST_PG_STATE is not set: run this test through ctest, which "
                       "starts the PostgreSQL fixture (tests/pg/pg_server.sh)";
      return;
    }
    std::ifstream in(state);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("url=", 0) == 0) admin_url_ = line.substr(4);
    }
    if (admin_url_.empty()) {
      ADD_FAILURE() << "no url= in " << state << " (did postgres.start fail?)";
      return;
    }
    std::random_device random;
    name_ = "teep_test_" + std::to_string(random()) + std::to_string(random());
    if (!Admin("CREATE DATABASE " + name_)) name_.clear();
    // The fixture's URL names the `postgres` maintenance database last.
    url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_;
  }
  ~PgTestDatabase() {
    if (!name_.empty()) Admin("DROP DATABASE " + name_ + " WITH (FORCE)");
  }
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  // A URL for the fresh database (empty if it could not be made).
  const std::string& url() const { return url_; }

 private:
  bool Admin(const std::string& sql) {
    auto conn = host::pg::Connection::Open(admin_url_);
    if (!conn.ok()) {
      ADD_FAILURE() << conn.status().ToString();
      return false;
    }
    Status s = (*conn)->Exec("test database", sql);
    if (!s.ok()) ADD_FAILURE() << s.ToString();
    return s.ok();
  }

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace teep::test
