#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/key_loading.h"
#include "host/inspect/inspect.h"
#include "host/io/file.h"

namespace teep::cli {

void AddInspectCommand(CLI::App& app) {
  struct Args {
    std::string file;
    std::vector<std::string> keys;
    bool json = false;
    std::string profile = "draft-26";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Decode any CBOR blob (binary or hex), recognise COSE and SUIT structures, "
                 "and verify every signature found against the given keys");
  cmd->add_option("file", args->file, "File to read, or - for standard input")->required();
  cmd->add_option("--key", args->keys, "Public (or private) key PEM to verify signatures with; repeatable");
  cmd->add_flag("--json", args->json, "Print JSON instead of annotated diagnostic notation");
  cmd->add_option("--profile", args->profile,
                  "TEEP wire numbering of the input: draft-26 (default) or draft-25 (legacy peers)")
      ->check(CLI::IsMember({"draft-26", "draft-25"}));
  cmd->callback([args] {
    host::InspectOptions options;
    options.json = args->json;
    options.profile = msg::ProfileByName(args->profile);
    for (const auto& path : args->keys) {
      auto key = LoadPublicKey(path);
      if (!key.ok()) Fail("inspect", key.status().ToString());
      options.keys.push_back({path, std::move(key).value()});
    }
    auto input = host::ReadFile(args->file);
    if (!input.ok()) Fail("inspect", input.status().ToString());
    Bytes data = host::HexOrBinary(std::move(input).value());
    auto result = host::Inspect(data, options);
    if (!result.ok()) Fail("inspect", result.status().message());
    std::cout << result->output;
    if (!result->problems.empty()) Fail("inspect", result->problems.front(), 2);
  });
}

}  // namespace teep::cli
