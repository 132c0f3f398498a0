#include "host/store/store_sql.h"

namespace teep::host::sql {

std::string PostgresParameters(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '?') c = '$';
  }
  return out;
}

}  // namespace teep::host::sql
