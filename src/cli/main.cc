// teep: one executable, one verb per role or tool (see docs/cli.md).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

namespace teep::cli {

void Fail(const std::string& verb, const std::string& message, int code) {
  std::cerr << "teep " << verb << ": " << message << "\n";
  throw CLI::RuntimeError(code);
}

}  // namespace teep::cli

int main(int argc, char** argv) {
  CLI::App app{"teep: Trusted Execution Environment Provisioning (IETF TEEP) tools"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("teep 0.1.0"));
  teep::cli::AddInspectCommand(app);
  teep::cli::AddKeyCommand(app);
  teep::cli::AddDemoCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
