// oracle_cbor_tool: our CBOR codec behind a line protocol, driven by
// cbor_crosscheck.mjs to compare it with the independent cbor2 package.
// Test-only; see README.md.
#include <iostream>

#include "cbor_commands.h"
#include "line_protocol.h"

int main() {
  std::ios::sync_with_stdio(false);
  teep::oracle::CommandTable table;
  teep::oracle::RegisterCborCommands(table);
  return table.Serve(std::cin, std::cout);
}
