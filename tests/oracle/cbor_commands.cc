#include "cbor_commands.h"

#include <string>

#include "cbor_random.h"
#include "core/cbor/diag.h"
#include "core/cbor/reader.h"
#include "core/cbor/value.h"

namespace teep::oracle {
namespace {

constexpr char kBadHex[] = "bad hex argument";

std::string Reencode(const Args& args, const cbor::DecodeOptions& options) {
  Bytes input;
  if (!ParseHexArg(args, &input)) return Err(kBadHex);
  auto value = cbor::Decode(input, options);
  if (!value.ok()) return Err(value.status().message());
  auto encoded = cbor::Encode(*value);
  if (!encoded.ok()) return Err(encoded.status().message());
  return "ok " + HexEncode(*encoded);
}

std::string CheckCommand(const Args& args, const cbor::DecodeOptions& options) {
  Bytes input;
  if (!ParseHexArg(args, &input)) return Err(kBadHex);
  auto error = cbor::Check(input, options);
  if (!error) return "ok";
  return Err(std::string(cbor::ErrorKindText(error->kind)) + " @" +
             std::to_string(error->offset));
}

std::string DiagCommand(const Args& args) {
  Bytes input;
  if (!ParseHexArg(args, &input)) return Err(kBadHex);
  auto text = cbor::ToDiagnostic(input);
  if (!text.ok()) return Err(text.status().message());
  return "ok " + *text;
}

std::string GenCommand(const Args& args) {
  uint64_t seed, count;
  if (args.size() != 2 || !ParseUintArg(args, 0, &seed) || !ParseUintArg(args, 1, &count)) {
    return Err("usage: gen SEED COUNT");
  }
  Prng prng(seed);
  std::string out;
  for (uint64_t i = 0; i < count; ++i) {
    auto encoded = cbor::Encode(RandomValue(prng));
    // The client expects COUNT lines whatever happens: report a generator
    // bug in place of the item.
    std::string line = encoded.ok() ? HexEncode(*encoded) : Err(encoded.status().message());
    if (i > 0) out += '\n';
    out += line;
  }
  return out;
}

}  // namespace

void RegisterCborCommands(CommandTable& table) {
  table.Add("reencode", "reencode HEX",
            [](const Args& args) { return Reencode(args, cbor::DecodeOptions{}); });
  table.Add("relaxed", "relaxed HEX",
            [](const Args& args) { return Reencode(args, cbor::RelaxedOptions()); });
  table.Add("check", "check HEX",
            [](const Args& args) { return CheckCommand(args, cbor::DecodeOptions{}); });
  table.Add("check-relaxed", "check-relaxed HEX",
            [](const Args& args) { return CheckCommand(args, cbor::RelaxedOptions()); });
  table.Add("diag", "diag HEX", DiagCommand);
  table.Add("gen", "gen SEED COUNT", GenCommand);
}

}  // namespace teep::oracle
