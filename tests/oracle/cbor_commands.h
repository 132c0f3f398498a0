// CBOR commands of the oracle tool (see README.md for the protocol):
//
//   reencode HEX    strict decode (cbor::Decode defaults), deterministic
//                   re-encode:               "ok HEX" | "err MESSAGE"
//   relaxed HEX     decode with RelaxedOptions(), deterministic re-encode:
//                                            "ok HEX" | "err MESSAGE"
//   check HEX       strict cbor::Check:      "ok" | "err <ErrorKindText> @<offset>"
//   check-relaxed HEX   the same with RelaxedOptions()
//   diag HEX        diagnostic notation (relaxed): "ok TEXT" | "err MESSAGE"
//   gen SEED COUNT  COUNT lines, each the hex of one random deterministic item
#pragma once

#include "line_protocol.h"

namespace teep::oracle {

void RegisterCborCommands(CommandTable& table);

}  // namespace teep::oracle
