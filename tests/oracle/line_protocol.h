// A line protocol shared by the oracle tools: the JavaScript cross-checks
// start one tool process and pipe thousands of requests through it, which is
// far faster than one process per case.
//
// Request:  one line, "<command> <arg> <arg> ..." (arguments split on spaces).
// Response: the handler's text followed by a newline. Most commands answer
//           with exactly one line ("ok ..." or "err ..."); a command may
//           answer with several lines if its contract says how many (e.g.
//           "gen SEED COUNT" prints COUNT lines), so the client can still
//           pair requests with responses without a terminator.
//
// Each concern (CBOR, later COSE, ...) registers its commands from its own
// file; a tool's main() only picks the tables it needs.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"

namespace teep::oracle {

using Args = std::vector<std::string_view>;
// Returns the response without its final newline; lines are separated by
// '\n'. An empty string is a response of zero lines ("gen SEED 0").
using Handler = std::function<std::string(const Args& args)>;

class CommandTable {
 public:
  // `usage` is shown for unknown commands, e.g. "reencode HEX".
  void Add(std::string name, std::string usage, Handler handler);

  // Answers requests from `in` until end of input. Returns 0.
  int Serve(std::istream& in, std::ostream& out) const;

  // The response to one request line (exposed for tests of the tool itself).
  std::string Handle(std::string_view line) const;

 private:
  struct Entry {
    std::string usage;
    Handler handler;
  };
  std::map<std::string, Entry, std::less<>> commands_;
};

// "err <message>" with newlines flattened, so a response stays one line.
std::string Err(std::string_view message);

// Parses the single HEX argument of a command. An absent argument is the
// empty input (so "check " asks about zero bytes). Returns false on bad hex.
bool ParseHexArg(const Args& args, Bytes* out);

// Decimal uint64 argument; false if absent or not a number.
bool ParseUintArg(const Args& args, size_t index, uint64_t* out);

}  // namespace teep::oracle
