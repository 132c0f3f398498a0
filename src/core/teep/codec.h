// TEEP message encoding and decoding with validation of every CDDL
// constraint of draft-ietf-teep-protocol-26 (see docs/teep-messages.md for
// the rule list with spec sections).
//
// Decode accepts valid but non-deterministic CBOR (peers send unsorted maps
// and overlong heads; cbor::RelaxedOptions) and nothing else: duplicate keys,
// indefinite lengths, trailing bytes, wrong types, wrong array shapes, sizes
// and ranges outside the CDDL, options the message may not carry, and the
// cross-field rules the spec states are errors. An error names the path:
//   QueryResponse.options.tc-list[2].system-component-id: expected array, got text
//
// Encode is deterministic (RFC 8949 §4.2.1): options sorted by their label in
// the chosen profile. It validates the message first with the same rules, so
// it never produces bytes that DecodeMessage would reject.
#pragma once

#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/teep/messages.h"
#include "core/teep/numbers.h"

namespace teep::msg {

Result<Bytes> EncodeMessage(const Message& message, const WireProfile& profile = Draft26());

// Decodes the message; the profile is the peer's, never guessed.
Result<Message> DecodeMessage(ByteView data, const WireProfile& profile = Draft26());

// As DecodeMessage, but the message must be of type `expected` (e.g. an Agent
// that only accepts QueryRequest and Update checks each separately).
Result<Message> DecodeMessageOfType(ByteView data, MessageType expected,
                                    const WireProfile& profile = Draft26());

// Checks a message struct against every rule (what EncodeMessage checks).
Status ValidateMessage(const Message& message, const WireProfile& profile = Draft26());

// Every violation found, continuing past the first wherever the structure
// allows (for `teep inspect`). Empty means DecodeMessage would succeed.
std::vector<std::string> LintMessage(ByteView data, const WireProfile& profile = Draft26());

// Annotated, one field a line, e.g.
//   Update (type 3, draft-26)
//     token (19): h'a0a1...'
//     manifest-list (9): 1 item
// Byte strings holding CBOR are shown in diagnostic notation.
std::string DescribeMessage(const Message& message, const WireProfile& profile = Draft26());

// P §4.3 / §7.1: what the TAM checks of a QueryResponse against ITS request
// (the obligation is on the answer to a particular request, so it cannot be
// checked from the response alone):
//  * attestation bit set -> attestation-payload present;
//  * token echoed: present with the same value iff the request had one.
// tc-list and ext-list are `[+ ...]` in the CDDL, so a device with nothing to
// list can only omit them: their absence is not an unmet obligation
// (docs/teep-messages.md, decision D9).
// Returns every unmet obligation; empty when the response answers the request.
std::vector<std::string> CheckResponseObligations(const QueryRequest& request,
                                                  const QueryResponse& response);

}  // namespace teep::msg
