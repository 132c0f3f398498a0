// COSE commands of the oracle tool (see README.md for the protocol). Every
// byte argument is hex; "-" stands for zero bytes (the line protocol splits
// on spaces, so an empty word cannot be sent). Keys are PEM text given as the
// hex of that text: PKCS#8 "PRIVATE KEY" / SubjectPublicKeyInfo "PUBLIC KEY".
// ALG arguments are signed decimal COSE algorithm numbers. Failures answer
// "err <status code name>: <message>", e.g. "err verification failed: ...".
//
//   sign1 ALG PRIV PAYLOAD EXTAAD [untagged]      -> ok COSE_Sign1
//   verify1 PUB COSE EXTAAD                        -> ok HEX(payload) | err ...
//   sign PAYLOAD EXTAAD ALG PRIV KID [ALG PRIV KID]... -> ok COSE_Sign (KID "-": none)
//   verify INDEX PUB COSE EXTAAD                   -> ok HEX(payload) | err ...
//   mac0 KEY PAYLOAD EXTAAD [untagged]             -> ok COSE_Mac0 (HMAC 256/256)
//   verify-mac0 KEY COSE EXTAAD                    -> ok HEX(payload) | err ...
//   encrypt0 CONTENT_ALG CEK PLAINTEXT EXTAAD      -> ok COSE_Encrypt0
//   decrypt0 CEK COSE EXTAAD                       -> ok HEX(plaintext) | err ...
//   encrypt CONTENT_ALG PLAINTEXT EXTAAD RECIPIENT...  -> ok COSE_Encrypt, where
//       RECIPIENT is kw:KEK[:KID] (A128KW/A192KW/A256KW by KEK size) or
//       ecdh:PUB:KDF_OTHER[:KID] (ECDH-ES + A128KW, P-256)
//   encrypt-kw CONTENT_ALG KEK PLAINTEXT EXTAAD          (one kw recipient)
//   encrypt-ecdh CONTENT_ALG PUB KDF_OTHER PLAINTEXT EXTAAD  (one ecdh recipient)
//   decrypt-kw KEK COSE EXTAAD                     -> ok HEX(plaintext) | err ...
//   decrypt-ecdh PRIV KDF_OTHER COSE EXTAAD        -> ok HEX(plaintext) | err ...
//   kdf-context WRAP_ALG KEY_BITS RECIPIENT_PROTECTED KDF_OTHER -> ok HEX
#pragma once

#include "line_protocol.h"

namespace teep::oracle {

void RegisterCoseCommands(CommandTable& table);

}  // namespace teep::oracle
