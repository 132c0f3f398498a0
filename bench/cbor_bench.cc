// CBOR codec benchmarks: our Reader/Writer/Value against libcbor 0.8 on one
// ~600-byte TEEP QueryResponse-shaped message. All benchmarks in a run use the
// same bytes; a startup self-check aborts if the two libraries do not agree on
// them, so the numbers always compare equal work.
#include <benchmark/benchmark.h>
#include <cbor.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/cbor/reader.h"
#include "core/cbor/value.h"
#include "core/cbor/writer.h"

namespace {

using teep::ByteView;
using teep::Bytes;

// ---- The message ------------------------------------------------------------
//
// [2, {5: 0, 6: bstr(EAT-like claims), 7: [{0: [id, id], 3: [-16, digest]} x3],
//      12: media type, 13: [{15: [id, id]}], 19: token}]
// Keys are written in deterministic (bytewise) order, as our Writer requires.

struct TcEntry {
  std::array<Bytes, 2> component_id;
  int64_t digest_alg;
  Bytes digest;
};

struct Message {
  uint64_t selected_version = 0;
  Bytes evidence;  // an encoded EAT-like claims map, carried as a bstr
  std::vector<TcEntry> tc_list;
  std::string media_type;
  std::vector<Bytes> ids_13;  // the [{15: [...]}] list under key 13
  Bytes token;
};

Bytes Pattern(size_t n, uint8_t seed) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(seed + 7 * i);
  return out;
}

Bytes Finish(teep::cbor::Writer&& w) {
  teep::Result<Bytes> out = std::move(w).Finish();
  if (!out.ok()) {
    std::fprintf(stderr, "bench: writer failed: %s\n", out.status().ToString().c_str());
    std::abort();
  }
  return std::move(out).value();
}

// EAT claims (RFC 9711 numbering where it exists); content only matters for size.
Bytes EncodeEvidence() {
  teep::cbor::Writer w;
  w.BeginMap(11);
  w.WriteUint(10), w.WriteBytes(Pattern(32, 1));        // eat_nonce
  w.WriteUint(256), w.WriteBytes(Pattern(33, 2));       // ueid
  w.WriteUint(258), w.WriteBytes(Pattern(3, 3));        // oemid
  w.WriteUint(259), w.WriteBytes(Pattern(32, 4));       // hwmodel
  w.WriteUint(260), w.BeginArray(2), w.WriteText("1.3.4"), w.WriteUint(1);  // hwversion
  w.WriteUint(262), w.WriteBool(true);                  // oemboot
  w.WriteUint(263), w.WriteUint(3);                     // dbgstat
  w.WriteUint(265), w.WriteText("urn:ietf:rfc:rfcXXXX");  // eat_profile
  w.WriteUint(270), w.WriteText("teep-agent");          // swname
  w.WriteUint(271), w.BeginArray(2), w.WriteText("1.0.0"), w.WriteUint(1);  // swversion
  w.WriteUint(273), w.BeginArray(1), w.BeginArray(2);   // measurements
  w.WriteUint(60), w.WriteBytes(Pattern(32, 5));
  return Finish(std::move(w));
}

Message MakeMessage() {
  Message m;
  m.evidence = EncodeEvidence();
  for (uint8_t i = 0; i < 3; ++i) {
    m.tc_list.push_back(TcEntry{{Pattern(16, 10 + i), Pattern(16, 20 + i)}, -16, Pattern(32, 30 + i)});
  }
  m.media_type = "application/eat+cwt; eat_profile=\"urn:ietf:rfc:rfcXXXX\"";
  m.ids_13 = {Pattern(24, 40), Pattern(24, 41)};
  m.token = Pattern(16, 0xa0);
  return m;
}

// What a protocol encoder does: field values in, bytes out.
Bytes EncodeOurs(const Message& m) {
  teep::cbor::Writer w;
  w.BeginArray(2);
  w.WriteUint(2);
  w.BeginMap(6);
  w.WriteUint(5), w.WriteUint(m.selected_version);
  w.WriteUint(6), w.WriteBytes(m.evidence);
  w.WriteUint(7), w.BeginArray(m.tc_list.size());
  for (const TcEntry& tc : m.tc_list) {
    w.BeginMap(2);
    w.WriteUint(0), w.BeginArray(2), w.WriteBytes(tc.component_id[0]), w.WriteBytes(tc.component_id[1]);
    w.WriteUint(3), w.BeginArray(2), w.WriteInt(tc.digest_alg), w.WriteBytes(tc.digest);
  }
  w.WriteUint(12), w.WriteText(m.media_type);
  w.WriteUint(13), w.BeginArray(1), w.BeginMap(1), w.WriteUint(15), w.BeginArray(m.ids_13.size());
  for (const Bytes& id : m.ids_13) w.WriteBytes(id);
  w.WriteUint(19), w.WriteBytes(m.token);
  return Finish(std::move(w));
}

// ---- Our decoder: what a protocol decoder does --------------------------------

// Views into the input; fixed capacity so that decoding allocates nothing.
struct MessageView {
  uint64_t type = 0, selected_version = 0;
  ByteView evidence, token;
  std::string_view media_type;
  struct Tc {
    std::array<ByteView, 2> component_id;
    int64_t digest_alg = 0;
    ByteView digest;
  };
  std::array<Tc, 4> tc_list;
  size_t tc_count = 0;
  std::array<ByteView, 4> ids_13;
  size_t ids_13_count = 0;
};

bool ReadTc(teep::cbor::Reader& r, MessageView::Tc* tc) {
  uint64_t pairs, n, key;
  if (!r.ReadMapHeader(&pairs)) return false;
  for (uint64_t i = 0; i < pairs; ++i) {
    if (!r.ReadUint(&key)) return false;
    if (key == 0) {
      if (!r.ReadArrayHeader(&n) || n != 2) return false;
      r.ReadBytes(&tc->component_id[0]), r.ReadBytes(&tc->component_id[1]);
    } else if (key == 3) {
      if (!r.ReadArrayHeader(&n) || n != 2) return false;
      r.ReadInt(&tc->digest_alg), r.ReadBytes(&tc->digest);
    } else {
      r.Skip();
    }
  }
  return r.ok();
}

bool ReadIds13(teep::cbor::Reader& r, MessageView* v) {
  uint64_t n, pairs, key, count;
  if (!r.ReadArrayHeader(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    if (!r.ReadMapHeader(&pairs)) return false;
    for (uint64_t j = 0; j < pairs; ++j) {
      if (!r.ReadUint(&key) || key != 15 || !r.ReadArrayHeader(&count)) return false;
      for (uint64_t k = 0; k < count; ++k) {
        if (v->ids_13_count == v->ids_13.size()) return false;
        r.ReadBytes(&v->ids_13[v->ids_13_count++]);
      }
    }
  }
  return r.ok();
}

bool DecodeOurs(ByteView data, MessageView* v) {
  teep::cbor::Reader r = teep::cbor::Reader::Open(data);  // strict
  uint64_t n = 0, pairs = 0, key = 0;
  if (!r.ReadArrayHeader(&n) || n != 2 || !r.ReadUint(&v->type) || !r.ReadMapHeader(&pairs)) {
    return false;
  }
  for (uint64_t i = 0; i < pairs && r.ok(); ++i) {
    r.ReadUint(&key);
    switch (key) {
      case 5: r.ReadUint(&v->selected_version); break;
      case 6: r.ReadBytes(&v->evidence); break;
      case 7:
        if (!r.ReadArrayHeader(&n)) return false;
        for (uint64_t j = 0; j < n; ++j) {
          if (v->tc_count == v->tc_list.size() || !ReadTc(r, &v->tc_list[v->tc_count++])) return false;
        }
        break;
      case 12: r.ReadText(&v->media_type); break;
      case 13: ReadIds13(r, v); break;
      case 19: r.ReadBytes(&v->token); break;
      default: r.Skip(); break;
    }
  }
  return r.ok() && r.AtEnd();
}

// ---- libcbor -----------------------------------------------------------------

cbor_item_t* LcUint(uint64_t v) {
  if (v <= 0xff) return cbor_build_uint8(static_cast<uint8_t>(v));
  if (v <= 0xffff) return cbor_build_uint16(static_cast<uint16_t>(v));
  if (v <= 0xffffffff) return cbor_build_uint32(static_cast<uint32_t>(v));
  return cbor_build_uint64(v);
}
cbor_item_t* LcInt(int64_t v) {
  if (v >= 0) return LcUint(static_cast<uint64_t>(v));
  const uint64_t arg = static_cast<uint64_t>(-1 - v);  // libcbor stores -1 - value
  cbor_item_t* item = LcUint(arg);
  cbor_mark_negint(item);
  return item;
}
cbor_item_t* LcBytes(const Bytes& b) { return cbor_build_bytestring(b.data(), b.size()); }
cbor_item_t* LcText(const std::string& s) { return cbor_build_stringn(s.data(), s.size()); }
// Builders return a reference the container must take over: cbor_move hands it on.
void LcPush(cbor_item_t* array, cbor_item_t* item) { cbor_array_push(array, cbor_move(item)); }
void LcPut(cbor_item_t* map, uint64_t key, cbor_item_t* value) {
  cbor_map_add(map, cbor_pair{cbor_move(LcUint(key)), cbor_move(value)});
}

cbor_item_t* BuildLibcbor(const Message& m) {
  cbor_item_t* tcs = cbor_new_definite_array(m.tc_list.size());
  for (const TcEntry& tc : m.tc_list) {
    cbor_item_t* ids = cbor_new_definite_array(2);
    LcPush(ids, LcBytes(tc.component_id[0]));
    LcPush(ids, LcBytes(tc.component_id[1]));
    cbor_item_t* digest = cbor_new_definite_array(2);
    LcPush(digest, LcInt(tc.digest_alg));
    LcPush(digest, LcBytes(tc.digest));
    cbor_item_t* entry = cbor_new_definite_map(2);
    LcPut(entry, 0, ids);
    LcPut(entry, 3, digest);
    LcPush(tcs, entry);
  }
  cbor_item_t* ids = cbor_new_definite_array(m.ids_13.size());
  for (const Bytes& id : m.ids_13) LcPush(ids, LcBytes(id));
  cbor_item_t* inner = cbor_new_definite_map(1);
  LcPut(inner, 15, ids);
  cbor_item_t* list13 = cbor_new_definite_array(1);
  LcPush(list13, inner);

  cbor_item_t* options = cbor_new_definite_map(6);
  LcPut(options, 5, LcUint(m.selected_version));
  LcPut(options, 6, LcBytes(m.evidence));
  LcPut(options, 7, tcs);
  LcPut(options, 12, LcText(m.media_type));
  LcPut(options, 13, list13);
  LcPut(options, 19, LcBytes(m.token));
  cbor_item_t* root = cbor_new_definite_array(2);
  LcPush(root, LcUint(2));
  LcPush(root, options);
  return root;
}

// Touches every item of a loaded tree, as a generic consumer would.
uint64_t WalkLibcbor(const cbor_item_t* item) {
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT:
    case CBOR_TYPE_NEGINT: return cbor_get_int(item);
    case CBOR_TYPE_BYTESTRING: return cbor_bytestring_length(item) + cbor_bytestring_handle(item)[0];
    case CBOR_TYPE_STRING: return cbor_string_length(item) + cbor_string_handle(item)[0];
    case CBOR_TYPE_ARRAY: {
      uint64_t sum = 0;
      cbor_item_t** items = cbor_array_handle(item);
      for (size_t i = 0; i < cbor_array_size(item); ++i) sum += WalkLibcbor(items[i]);
      return sum;
    }
    case CBOR_TYPE_MAP: {
      uint64_t sum = 0;
      cbor_pair* pairs = cbor_map_handle(item);
      for (size_t i = 0; i < cbor_map_size(item); ++i) {
        sum += WalkLibcbor(pairs[i].key) + WalkLibcbor(pairs[i].value);
      }
      return sum;
    }
    case CBOR_TYPE_TAG: return cbor_tag_value(item);  // none in this message
    case CBOR_TYPE_FLOAT_CTRL: return cbor_float_ctrl_is_ctrl(item) ? cbor_ctrl_value(item) : 1;
  }
  return 0;
}

// ---- Shared fixture and startup self-check -------------------------------------

struct Fixture {
  Message message = MakeMessage();
  Bytes bytes = EncodeOurs(message);
};

[[noreturn]] void Die(const char* why) {
  std::fprintf(stderr, "bench_cbor self-check failed: %s\n", why);
  std::abort();
}

const Fixture& Get() {
  static const Fixture f = [] {
    Fixture fx;
    const Bytes& b = fx.bytes;
    if (b.size() < 580 || b.size() > 620) {
      std::fprintf(stderr, "message is %zu bytes\n", b.size());
      Die("message size outside 580..620 bytes");
    }
    // Our decoder reads back the fields.
    MessageView v;
    if (!DecodeOurs(b, &v) || v.type != 2 || v.tc_count != 3 || v.ids_13_count != 2 ||
        v.media_type != fx.message.media_type || v.tc_list[2].digest_alg != -16 ||
        !std::equal(v.token.begin(), v.token.end(), fx.message.token.begin(), fx.message.token.end())) {
      Die("our decoder did not read back the message");
    }
    // Value round trip reproduces the bytes.
    teep::Result<teep::cbor::Value> value = teep::cbor::Decode(b);
    if (!value.ok()) Die("cbor::Decode failed");
    teep::Result<Bytes> again = teep::cbor::Encode(*value);
    if (!again.ok() || *again != b) Die("cbor::Encode(Decode(msg)) != msg");
    // libcbor reads all of it, and its own encoder builds the same bytes.
    cbor_load_result result;
    cbor_item_t* loaded = cbor_load(b.data(), b.size(), &result);
    if (loaded == nullptr || result.error.code != CBOR_ERR_NONE || result.read != b.size()) {
      Die("libcbor cannot load the message");
    }
    cbor_decref(&loaded);
    cbor_item_t* built = BuildLibcbor(fx.message);
    unsigned char* out = nullptr;
    size_t capacity = 0;
    const size_t n = cbor_serialize_alloc(built, &out, &capacity);
    const bool same = n == b.size() && std::equal(b.begin(), b.end(), out);
    std::free(out);
    cbor_decref(&built);
    if (!same) Die("libcbor-built message differs from ours");
    return fx;
  }();
  return f;
}

// Runs the self-check before any benchmark (and for --benchmark_list_tests).
const bool kSelfChecked = (Get(), true);

void Describe(benchmark::State& state) {
  const size_t size = Get().bytes.size();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  state.counters["msg_bytes"] = static_cast<double>(size);
}

// ---- Benchmarks ------------------------------------------------------------------

void BM_Teep_DecodeWalk(benchmark::State& state) {
  const Bytes& b = Get().bytes;
  for (auto _ : state) {
    MessageView v;
    bool ok = DecodeOurs(b, &v);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(v);
  }
  Describe(state);
}
BENCHMARK(BM_Teep_DecodeWalk);

void BM_Teep_DecodeValue(benchmark::State& state) {
  const Bytes& b = Get().bytes;
  for (auto _ : state) {
    teep::Result<teep::cbor::Value> v = teep::cbor::Decode(b);
    benchmark::DoNotOptimize(v);
  }
  Describe(state);
}
BENCHMARK(BM_Teep_DecodeValue);

void BM_Teep_Encode(benchmark::State& state) {
  const Message& m = Get().message;
  for (auto _ : state) {
    Bytes out = EncodeOurs(m);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  Describe(state);
}
BENCHMARK(BM_Teep_Encode);

void BM_Teep_EncodeValue(benchmark::State& state) {
  const teep::cbor::Value value = *teep::cbor::Decode(Get().bytes);
  for (auto _ : state) {
    teep::Result<Bytes> out = teep::cbor::Encode(value);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  Describe(state);
}
BENCHMARK(BM_Teep_EncodeValue);

void BM_Libcbor_Decode(benchmark::State& state) {
  const Bytes& b = Get().bytes;
  for (auto _ : state) {
    cbor_load_result result;
    cbor_item_t* item = cbor_load(b.data(), b.size(), &result);
    benchmark::DoNotOptimize(item);
    cbor_decref(&item);
  }
  Describe(state);
}
BENCHMARK(BM_Libcbor_Decode);

void BM_Libcbor_DecodeWalk(benchmark::State& state) {
  const Bytes& b = Get().bytes;
  for (auto _ : state) {
    cbor_load_result result;
    cbor_item_t* item = cbor_load(b.data(), b.size(), &result);
    uint64_t sum = WalkLibcbor(item);
    benchmark::DoNotOptimize(sum);
    cbor_decref(&item);
  }
  Describe(state);
}
BENCHMARK(BM_Libcbor_DecodeWalk);

void BM_Libcbor_Encode(benchmark::State& state) {
  const Message& m = Get().message;
  for (auto _ : state) {
    cbor_item_t* root = BuildLibcbor(m);
    unsigned char* out = nullptr;
    size_t capacity = 0;
    size_t n = cbor_serialize_alloc(root, &out, &capacity);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
    std::free(out);
    cbor_decref(&root);
  }
  Describe(state);
}
BENCHMARK(BM_Libcbor_Encode);

void BM_Libcbor_Serialize(benchmark::State& state) {
  cbor_item_t* root = BuildLibcbor(Get().message);
  for (auto _ : state) {
    unsigned char* out = nullptr;
    size_t capacity = 0;
    size_t n = cbor_serialize_alloc(root, &out, &capacity);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
    std::free(out);
  }
  cbor_decref(&root);
  Describe(state);
}
BENCHMARK(BM_Libcbor_Serialize);

}  // namespace
