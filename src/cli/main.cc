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

namespace {
constexpr int kExitUsage = 64;  // EX_USAGE: the command line itself was wrong
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"teep: Trusted Execution Environment Provisioning (IETF TEEP) tools"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("teep 0.1.0"));
  teep::cli::AddInspectCommand(app);
  teep::cli::AddKeyCommand(app);
  teep::cli::AddManifestCommand(app);
  teep::cli::AddDemoCommand(app);
  teep::cli::AddDeviceCommand(app);
  teep::cli::AddTamCommand(app);
  teep::cli::AddFleetCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a verb failed; it already printed why
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, version, or the usage error
    return code == 0 ? 0 : kExitUsage;
  }
  return 0;
}
