// Subcommands of the `teep` executable. Each Add* registers one verb on the
// CLI11 app; the work itself lives in host/ and core/.
#pragma once

#include <CLI/CLI.hpp>

namespace teep::cli {

void AddInspectCommand(CLI::App& app);
void AddKeyCommand(CLI::App& app);
void AddManifestCommand(CLI::App& app);
// `teep manifest process|uninstall|list`, registered by AddManifestCommand.
void AddManifestProcessCommands(CLI::App& manifest);
void AddDemoCommand(CLI::App& app);
void AddDeviceCommand(CLI::App& app);
void AddTamCommand(CLI::App& app);
void AddFleetCommand(CLI::App& app);

// Ends the program with `code` after printing "teep <verb>: <message>" on
// standard error (CLI11 turns the exception into the exit code).
[[noreturn]] void Fail(const std::string& verb, const std::string& message, int code = 1);

}  // namespace teep::cli
