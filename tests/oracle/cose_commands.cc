#include "cose_commands.h"

#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/cose/encrypt.h"
#include "core/cose/mac.h"
#include "core/cose/sign.h"
#include "core/crypto/crypto.h"

namespace teep::oracle {
namespace {

// "-" is the empty byte string: the line protocol drops empty words.
std::optional<Bytes> HexWord(std::string_view word) {
  if (word == "-") return Bytes{};
  return HexDecode(word);
}

std::string OkHex(ByteView bytes) { return bytes.empty() ? "ok -" : "ok " + HexEncode(bytes); }

std::string ErrStatus(const Status& status) { return Err(status.ToString()); }

bool ParseInt(std::string_view s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Byte arguments of a command, parsed in one go; `error` names the first
// argument that is not hex.
struct HexArgs {
  std::vector<Bytes> values;
  std::string error;
};

HexArgs ParseHexWords(const Args& args, size_t first, size_t count) {
  HexArgs out;
  for (size_t i = first; i < first + count; ++i) {
    auto bytes = HexWord(args[i]);
    if (!bytes) {
      out.error = Err("argument " + std::to_string(i + 1) + " is not hex (\"-\" for empty)");
      return out;
    }
    out.values.push_back(std::move(*bytes));
  }
  return out;
}

// PEM text is passed as hex so that its newlines survive the line protocol.
Result<crypto::PrivateKey> PrivateKeyFromHexPem(ByteView pem_text) {
  return crypto::PrivateKey::FromPem(AsChars(pem_text));
}

Result<crypto::PublicKey> PublicKeyFromHexPem(ByteView pem_text) {
  return crypto::PublicKey::FromPem(AsChars(pem_text));
}

std::string Usage(std::string_view usage) { return Err("usage: " + std::string(usage)); }

// ---- signatures -------------------------------------------------------------

constexpr std::string_view kSign1Usage = "sign1 ALG PRIV PAYLOAD EXTAAD [untagged]";
std::string Sign1Command(const Args& args) {
  if (args.size() != 4 && !(args.size() == 5 && args[4] == "untagged")) return Usage(kSign1Usage);
  int64_t alg;
  if (!ParseInt(args[0], &alg)) return Usage(kSign1Usage);
  HexArgs hex = ParseHexWords(args, 1, 3);
  if (!hex.error.empty()) return hex.error;
  auto key = PrivateKeyFromHexPem(hex.values[0]);
  if (!key.ok()) return ErrStatus(key.status());
  cose::SignOptions options;
  options.alg = alg;
  options.external_aad = hex.values[2];
  options.tagged = args.size() == 4;
  auto message = cose::CreateSign1(*key, hex.values[1], options);
  if (!message.ok()) return ErrStatus(message.status());
  return OkHex(*message);
}

constexpr std::string_view kVerify1Usage = "verify1 PUB COSE EXTAAD";
std::string Verify1Command(const Args& args) {
  if (args.size() != 3) return Usage(kVerify1Usage);
  HexArgs hex = ParseHexWords(args, 0, 3);
  if (!hex.error.empty()) return hex.error;
  auto key = PublicKeyFromHexPem(hex.values[0]);
  if (!key.ok()) return ErrStatus(key.status());
  auto message = cose::DecodeSign1(hex.values[1]);
  if (!message.ok()) return ErrStatus(message.status());
  Status verified = cose::VerifySign1(*message, *key, hex.values[2]);
  if (!verified.ok()) return ErrStatus(verified);
  return OkHex(message->payload.value_or(ByteView{}));
}

constexpr std::string_view kSignUsage = "sign PAYLOAD EXTAAD ALG PRIV KID [ALG PRIV KID]...";
std::string SignCommand(const Args& args) {
  if (args.size() < 5 || (args.size() - 2) % 3 != 0) return Usage(kSignUsage);
  HexArgs body = ParseHexWords(args, 0, 2);
  if (!body.error.empty()) return body.error;
  const size_t signer_count = (args.size() - 2) / 3;
  std::vector<crypto::PrivateKey> keys;
  std::vector<cose::SignerSpec> signers;
  keys.reserve(signer_count);  // SignerSpec points into `keys`
  for (size_t i = 0; i < signer_count; ++i) {
    const size_t at = 2 + 3 * i;
    int64_t alg;
    if (!ParseInt(args[at], &alg)) return Usage(kSignUsage);
    HexArgs hex = ParseHexWords(args, at + 1, 2);
    if (!hex.error.empty()) return hex.error;
    auto key = PrivateKeyFromHexPem(hex.values[0]);
    if (!key.ok()) return ErrStatus(key.status());
    keys.push_back(std::move(key).value());
    signers.push_back(cose::SignerSpec{&keys.back(), alg, std::move(hex.values[1])});
  }
  cose::MultiSignOptions options;
  options.external_aad = body.values[1];
  auto message = cose::CreateSign(signers, body.values[0], options);
  if (!message.ok()) return ErrStatus(message.status());
  return OkHex(*message);
}

constexpr std::string_view kVerifyUsage = "verify INDEX PUB COSE EXTAAD";
std::string VerifyCommand(const Args& args) {
  uint64_t index;
  if (args.size() != 4 || !ParseUintArg(args, 0, &index)) return Usage(kVerifyUsage);
  HexArgs hex = ParseHexWords(args, 1, 3);
  if (!hex.error.empty()) return hex.error;
  auto key = PublicKeyFromHexPem(hex.values[0]);
  if (!key.ok()) return ErrStatus(key.status());
  auto message = cose::DecodeSign(hex.values[1]);
  if (!message.ok()) return ErrStatus(message.status());
  Status verified = cose::VerifySignature(*message, index, *key, hex.values[2]);
  if (!verified.ok()) return ErrStatus(verified);
  return OkHex(message->payload.value_or(ByteView{}));
}

// ---- MAC --------------------------------------------------------------------

constexpr std::string_view kMac0Usage = "mac0 KEY PAYLOAD EXTAAD [untagged]";
std::string Mac0Command(const Args& args) {
  if (args.size() != 3 && !(args.size() == 4 && args[3] == "untagged")) return Usage(kMac0Usage);
  HexArgs hex = ParseHexWords(args, 0, 3);
  if (!hex.error.empty()) return hex.error;
  cose::MacOptions options;
  options.external_aad = hex.values[2];
  options.tagged = args.size() == 3;
  auto message = cose::CreateMac0(hex.values[0], hex.values[1], options);
  if (!message.ok()) return ErrStatus(message.status());
  return OkHex(*message);
}

constexpr std::string_view kVerifyMac0Usage = "verify-mac0 KEY COSE EXTAAD";
std::string VerifyMac0Command(const Args& args) {
  if (args.size() != 3) return Usage(kVerifyMac0Usage);
  HexArgs hex = ParseHexWords(args, 0, 3);
  if (!hex.error.empty()) return hex.error;
  auto message = cose::DecodeMac0(hex.values[1]);
  if (!message.ok()) return ErrStatus(message.status());
  Status verified = cose::VerifyMac0(*message, hex.values[0], hex.values[2]);
  if (!verified.ok()) return ErrStatus(verified);
  return OkHex(message->payload.value_or(ByteView{}));
}

// ---- encryption -------------------------------------------------------------

constexpr std::string_view kEncrypt0Usage = "encrypt0 CONTENT_ALG CEK PLAINTEXT EXTAAD";
std::string Encrypt0Command(const Args& args) {
  int64_t alg;
  if (args.size() != 4 || !ParseInt(args[0], &alg)) return Usage(kEncrypt0Usage);
  HexArgs hex = ParseHexWords(args, 1, 3);
  if (!hex.error.empty()) return hex.error;
  cose::EncryptOptions options;
  options.content_alg = alg;
  options.external_aad = hex.values[2];
  auto result = cose::CreateEncrypt0(hex.values[0], hex.values[1], options);
  if (!result.ok()) return ErrStatus(result.status());
  return OkHex(result->message);
}

constexpr std::string_view kDecrypt0Usage = "decrypt0 CEK COSE EXTAAD";
std::string Decrypt0Command(const Args& args) {
  if (args.size() != 3) return Usage(kDecrypt0Usage);
  HexArgs hex = ParseHexWords(args, 0, 3);
  if (!hex.error.empty()) return hex.error;
  auto message = cose::DecodeEncrypt0(hex.values[1]);
  if (!message.ok()) return ErrStatus(message.status());
  auto plaintext = cose::DecryptEncrypt0(*message, hex.values[0], hex.values[2]);
  if (!plaintext.ok()) return ErrStatus(plaintext.status());
  return OkHex(plaintext->view());
}

// One parsed RECIPIENT word of `encrypt`. Owns what the RecipientSpec views.
struct ParsedRecipient {
  Bytes kek;
  Bytes kdf_other;
  Bytes kid;
  std::optional<crypto::PublicKey> public_key;
};

std::vector<std::string_view> SplitColons(std::string_view word) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    size_t end = word.find(':', pos);
    parts.push_back(word.substr(pos, end == std::string_view::npos ? end : end - pos));
    if (end == std::string_view::npos) return parts;
    pos = end + 1;
  }
}

// kw:KEK[:KID] or ecdh:PUB:KDF_OTHER[:KID]; returns an error response or "".
std::string ParseRecipient(std::string_view word, ParsedRecipient* out) {
  const std::vector<std::string_view> parts = SplitColons(word);
  const bool kw = parts[0] == "kw" && (parts.size() == 2 || parts.size() == 3);
  const bool ecdh = parts[0] == "ecdh" && (parts.size() == 3 || parts.size() == 4);
  if (!kw && !ecdh) {
    return Err("recipient '" + std::string(word) + "' is not kw:KEK[:KID] or ecdh:PUB:KDF_OTHER[:KID]");
  }
  std::vector<Bytes> fields;
  for (size_t i = 1; i < parts.size(); ++i) {
    auto bytes = HexWord(parts[i]);
    if (!bytes) return Err("recipient field " + std::to_string(i) + " is not hex");
    fields.push_back(std::move(*bytes));
  }
  if (kw) {
    out->kek = std::move(fields[0]);
    if (fields.size() == 2) out->kid = std::move(fields[1]);
    return "";
  }
  auto key = PublicKeyFromHexPem(fields[0]);
  if (!key.ok()) return ErrStatus(key.status());
  out->public_key = std::move(key).value();
  out->kdf_other = std::move(fields[1]);
  if (fields.size() == 3) out->kid = std::move(fields[2]);
  return "";
}

std::optional<int64_t> KeyWrapAlgFor(size_t kek_size) {
  switch (kek_size) {
    case 16: return -3;  // A128KW
    case 24: return -4;  // A192KW
    case 32: return -5;  // A256KW
    default: return std::nullopt;
  }
}

std::string EncryptWith(int64_t content_alg, ByteView plaintext, ByteView external_aad,
                        std::span<const std::string_view> recipient_words) {
  std::vector<ParsedRecipient> parsed(recipient_words.size());
  for (size_t i = 0; i < recipient_words.size(); ++i) {
    std::string error = ParseRecipient(recipient_words[i], &parsed[i]);
    if (!error.empty()) return error;
  }
  std::vector<cose::RecipientSpec> specs;
  for (const ParsedRecipient& r : parsed) {
    if (r.public_key) {
      specs.emplace_back(cose::EcdhRecipient{&*r.public_key, r.kid, AsChars(r.kdf_other)});
    } else {
      // An odd KEK size is passed through as A128KW for our code to refuse.
      specs.emplace_back(
          cose::KeyWrapRecipient{r.kek, r.kid, KeyWrapAlgFor(r.kek.size()).value_or(-3)});
    }
  }
  cose::EncryptOptions options;
  options.content_alg = content_alg;
  options.external_aad = external_aad;
  auto result = cose::CreateEncrypt(specs, plaintext, options);
  if (!result.ok()) return ErrStatus(result.status());
  return OkHex(result->message);
}

constexpr std::string_view kEncryptUsage =
    "encrypt CONTENT_ALG PLAINTEXT EXTAAD kw:KEK[:KID]|ecdh:PUB:KDF_OTHER[:KID]...";
std::string EncryptCommand(const Args& args) {
  int64_t alg;
  if (args.size() < 4 || !ParseInt(args[0], &alg)) return Usage(kEncryptUsage);
  HexArgs hex = ParseHexWords(args, 1, 2);
  if (!hex.error.empty()) return hex.error;
  std::vector<std::string_view> words(args.begin() + 3, args.end());
  return EncryptWith(alg, hex.values[0], hex.values[1], words);
}

constexpr std::string_view kEncryptKwUsage = "encrypt-kw CONTENT_ALG KEK PLAINTEXT EXTAAD";
std::string EncryptKwCommand(const Args& args) {
  int64_t alg;
  if (args.size() != 4 || !ParseInt(args[0], &alg)) return Usage(kEncryptKwUsage);
  HexArgs hex = ParseHexWords(args, 2, 2);
  if (!hex.error.empty()) return hex.error;
  const std::string recipient = "kw:" + std::string(args[1]);
  const std::string_view words[] = {recipient};
  return EncryptWith(alg, hex.values[0], hex.values[1], words);
}

constexpr std::string_view kEncryptEcdhUsage =
    "encrypt-ecdh CONTENT_ALG PUB KDF_OTHER PLAINTEXT EXTAAD";
std::string EncryptEcdhCommand(const Args& args) {
  int64_t alg;
  if (args.size() != 5 || !ParseInt(args[0], &alg)) return Usage(kEncryptEcdhUsage);
  HexArgs hex = ParseHexWords(args, 3, 2);
  if (!hex.error.empty()) return hex.error;
  const std::string recipient = "ecdh:" + std::string(args[1]) + ":" + std::string(args[2]);
  const std::string_view words[] = {recipient};
  return EncryptWith(alg, hex.values[0], hex.values[1], words);
}

std::string DecryptWith(ByteView cose_bytes, const cose::DecryptionKey& key,
                        ByteView external_aad) {
  auto message = cose::DecodeEncrypt(cose_bytes);
  if (!message.ok()) return ErrStatus(message.status());
  auto plaintext = cose::DecryptEncrypt(*message, key, external_aad);
  if (!plaintext.ok()) return ErrStatus(plaintext.status());
  return OkHex(plaintext->view());
}

constexpr std::string_view kDecryptKwUsage = "decrypt-kw KEK COSE EXTAAD";
std::string DecryptKwCommand(const Args& args) {
  if (args.size() != 3) return Usage(kDecryptKwUsage);
  HexArgs hex = ParseHexWords(args, 0, 3);
  if (!hex.error.empty()) return hex.error;
  return DecryptWith(hex.values[1], cose::KeyWrapKey{hex.values[0], {}}, hex.values[2]);
}

constexpr std::string_view kDecryptEcdhUsage = "decrypt-ecdh PRIV KDF_OTHER COSE EXTAAD";
std::string DecryptEcdhCommand(const Args& args) {
  if (args.size() != 4) return Usage(kDecryptEcdhUsage);
  HexArgs hex = ParseHexWords(args, 0, 4);
  if (!hex.error.empty()) return hex.error;
  auto key = PrivateKeyFromHexPem(hex.values[0]);
  if (!key.ok()) return ErrStatus(key.status());
  return DecryptWith(hex.values[2], cose::EcdhKey{&*key, AsChars(hex.values[1]), {}},
                     hex.values[3]);
}

constexpr std::string_view kKdfContextUsage =
    "kdf-context WRAP_ALG KEY_BITS RECIPIENT_PROTECTED KDF_OTHER";
std::string KdfContextCommand(const Args& args) {
  int64_t alg;
  uint64_t bits;
  if (args.size() != 4 || !ParseInt(args[0], &alg) || !ParseUintArg(args, 1, &bits)) {
    return Usage(kKdfContextUsage);
  }
  HexArgs hex = ParseHexWords(args, 2, 2);
  if (!hex.error.empty()) return hex.error;
  auto context = cose::EncodeKdfContext(alg, bits, hex.values[0], AsChars(hex.values[1]));
  if (!context.ok()) return ErrStatus(context.status());
  return OkHex(*context);
}

}  // namespace

void RegisterCoseCommands(CommandTable& table) {
  table.Add("sign1", std::string(kSign1Usage), Sign1Command);
  table.Add("verify1", std::string(kVerify1Usage), Verify1Command);
  table.Add("sign", std::string(kSignUsage), SignCommand);
  table.Add("verify", std::string(kVerifyUsage), VerifyCommand);
  table.Add("mac0", std::string(kMac0Usage), Mac0Command);
  table.Add("verify-mac0", std::string(kVerifyMac0Usage), VerifyMac0Command);
  table.Add("encrypt0", std::string(kEncrypt0Usage), Encrypt0Command);
  table.Add("decrypt0", std::string(kDecrypt0Usage), Decrypt0Command);
  table.Add("encrypt", std::string(kEncryptUsage), EncryptCommand);
  table.Add("encrypt-kw", std::string(kEncryptKwUsage), EncryptKwCommand);
  table.Add("encrypt-ecdh", std::string(kEncryptEcdhUsage), EncryptEcdhCommand);
  table.Add("decrypt-kw", std::string(kDecryptKwUsage), DecryptKwCommand);
  table.Add("decrypt-ecdh", std::string(kDecryptEcdhUsage), DecryptEcdhCommand);
  table.Add("kdf-context", std::string(kKdfContextUsage), KdfContextCommand);
}

}  // namespace teep::oracle
