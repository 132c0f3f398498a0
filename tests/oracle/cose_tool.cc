// oracle_cose_tool: our COSE layer (src/core/cose over src/core/crypto) behind
// a line protocol, driven by cose_crosscheck.mjs to compare it with npm
// cose-js and with an independent COSE built on node:crypto and cbor2.
// Test-only; see README.md.
#include <iostream>

#include "cose_commands.h"
#include "line_protocol.h"

int main() {
  std::ios::sync_with_stdio(false);
  teep::oracle::CommandTable table;
  teep::oracle::RegisterCoseCommands(table);
  return table.Serve(std::cin, std::cout);
}
