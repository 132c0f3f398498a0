// Cross-checks teep's CBOR codec (src/core/cbor, through oracle_cbor_tool)
// against the independent npm package cbor2, in both directions. See README.md.
//
//   node cbor_crosscheck.mjs TOOL SPEC_DIR [--seed=N] [--count=N]
//
// The last line is "N passed, M failed"; the exit code is 1 on any failure.
import {readdirSync, readFileSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {ToolProcess} from './lib/tool_process.mjs';
import {Report} from './lib/report.mjs';
import {Prng} from './lib/prng.mjs';
import {JsValueGenerator} from './lib/cbor_values.mjs';
import {REJECT, ACCEPT, MODEL_LIMITS, RELAXED_REJECT} from './lib/cbor_cases.mjs';
import {importOracle, requireNode} from './lib/oracle_import.mjs';

requireNode(20);
const {module: cbor2, version: cbor2Version} = await importOracle('cbor2');

// cbor2's strictest reading of RFC 8949 §4.2.1 core deterministic encoding:
// `cde` = definite lengths only, preferred integer/length/tag heads, keys in
// bytewise order (which also excludes duplicates). preferBigInt keeps every
// CBOR integer a bigint, so floats (JS numbers) stay distinguishable from
// integers on re-encoding; ignoreGlobalTags keeps tags (0, 1, 2, 24, ...) as
// generic Tag objects instead of Dates and BigInts.
const STRICT = {
  cde: true,
  rejectDuplicateKeys: true,
  rejectLongLoundNaN: true,  // NaN only as f97e00 (§4.2.2)
  preferBigInt: true,
  preferMap: true,
  ignoreGlobalTags: true,
};
// rejectLongFloats also rejects integral floats such as f93c00 (1.0), which
// §4.2.1 allows (that rule is dCBOR's): used only where no such float occurs.
const STRICT_FLOATS = {...STRICT, rejectLongFloats: true};
// For input that need not be deterministic (section b', published vectors):
// like our RelaxedOptions, still no indefinite lengths and no duplicate keys.
const RELAXED = {
  rejectStreaming: true,
  rejectDuplicateKeys: true,
  preferBigInt: true,
  preferMap: true,
  ignoreGlobalTags: true,
};
// Re-encoding of decoded trees: core deterministic, and every JS number (only
// floats decode to numbers, given preferBigInt) written as a float.
const REENCODE = {cde: true, avoidInts: true};

const args = process.argv.slice(2).filter(a => !a.startsWith('--'));
const flags = Object.fromEntries(process.argv.slice(2).filter(a => a.startsWith('--'))
  .map(a => a.slice(2).split('=')));
const seed = Number(flags.seed ?? 8949);
const count = Number(flags.count ?? 2000);
const unknownFlags = Object.keys(flags).filter(f => f !== 'seed' && f !== 'count');
if (args.length !== 2 || unknownFlags.length > 0 || !Number.isSafeInteger(seed) || seed < 0 ||
    !Number.isSafeInteger(count) || count < 0) {
  console.log('usage: node cbor_crosscheck.mjs TOOL SPEC_DIR [--seed=N] [--count=N]');
  console.log('0 passed, 1 failed');
  process.exit(2);
}
const [toolPath, specDir] = args;

const toHex = u8 => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');
const clip = (s, n = 160) => (s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s);

// cbor2 takes hex strings directly and then hands out plain Uint8Arrays (a
// Buffer input would make byte strings Buffers, which re-encode as JSON).
function theirDecode(hex, options) {
  try {
    return {ok: true, value: cbor2.decode(hex, options)};
  } catch (err) {
    return {ok: false, error: err.message};
  }
}

function theirReencode(hex, options) {
  const decoded = theirDecode(hex, options);
  if (!decoded.ok) return decoded;
  try {
    return {ok: true, hex: toHex(cbor2.encode(decoded.value, REENCODE))};
  } catch (err) {
    return {ok: false, error: `re-encoding failed: ${err.message}`};
  }
}

function theirDiag(hex) {
  try {
    return cbor2.diagnose(hex);
  } catch (err) {
    return `(cbor2 cannot diagnose: ${err.message})`;
  }
}

const report = new Report();
const tool = new ToolProcess(toolPath);

async function details(hex, extra) {
  const ours = await tool.ask(`diag ${hex}`).catch(err => `(tool: ${err.message})`);
  return [`input  ${clip(hex)}`, ...extra, `ours   ${clip(ours, 300)}`, `cbor2  ${clip(theirDiag(hex), 300)}`];
}

// (a) Ours -> theirs: items built by our Writer/Encode must be valid for
// cbor2's strict decoder, and cbor2 must re-encode them to the same bytes.
async function oursToTheirs() {
  report.section(`a. ours -> cbor2: ${count} items from "gen ${seed} ${count}"`);
  const lines = await tool.request(`gen ${seed} ${count}`, count);
  for (const [i, hex] of lines.entries()) {
    if (hex.startsWith('err')) {
      report.fail(`gen item #${i}: our encoder failed: ${hex}`);
      continue;
    }
    const theirs = theirReencode(hex, STRICT);
    if (!theirs.ok) {
      report.fail(`gen item #${i}: cbor2 strict decode rejects our encoding`,
        await details(hex, [`cbor2  ${theirs.error}`]));
    } else if (theirs.hex !== hex) {
      report.fail(`gen item #${i}: cbor2 re-encodes to different bytes`,
        await details(hex, [`cbor2  re-encoded ${clip(theirs.hex)}`]));
    } else {
      report.pass();
    }
  }
}

// (b) Theirs -> ours: values encoded by cbor2 in core deterministic mode must
// pass our strict check and re-encode byte-identically.
async function theirsToOurs() {
  report.section(`b. cbor2 -> ours: ${count} JavaScript values (seed ${seed})`);
  const keyOptions = {cde: true};
  const gen = new JsValueGenerator(new Prng(seed), cbor2, k => toHex(cbor2.encode(k, keyOptions)));
  const cases = [];
  for (let i = 0; i < count; i++) {
    const value = gen.next();
    // Half with cbor2's defaults (integral numbers become integers), half
    // with avoidInts (every JS number a float; bigints stay integers).
    const options = i % 2 ? {cde: true} : {cde: true, avoidInts: true};
    try {
      cases.push({i, hex: toHex(cbor2.encode(value, {...options, rejectDuplicateKeys: true}))});
    } catch (err) {
      report.fail(`value #${i}: cbor2 cannot encode the generated value: ${err.message}`);
    }
  }
  const checks = await Promise.all(cases.map(c => tool.ask(`check ${c.hex}`)));
  const reencodes = await Promise.all(cases.map(c => tool.ask(`reencode ${c.hex}`)));
  for (const [n, {i, hex}] of cases.entries()) {
    if (checks[n] !== 'ok') {
      report.fail(`value #${i}: our strict check rejects cbor2's encoding`,
        await details(hex, [`check  ${checks[n]}`]));
    } else if (reencodes[n] !== `ok ${hex}`) {
      report.fail(`value #${i}: our re-encoding differs`,
        await details(hex, [`ours   re-encoded ${clip(reencodes[n])}`]));
    } else {
      report.pass();
    }
  }
}

// (b') The relaxed path, which reads peers and published vectors: cbor2
// writes the same kind of values without its deterministic mode (maps in
// insertion order, every float as a double); our RelaxedOptions() decoder and
// cbor2's lenient one must agree on the structure, compared as deterministic
// re-encodings.
// True if some map key anywhere in `value` is or contains a Map.
function keyHoldsMap(value) {
  const isPlainObject = v => typeof v === 'object' && v !== null && v.constructor === Object;
  const containsMap = v => v instanceof Map || isPlainObject(v) ||
    (Array.isArray(v) && v.some(containsMap)) || (v instanceof cbor2.Tag && containsMap(v.contents));
  const walk = v => {
    if (v instanceof Map) return [...v].some(([key, val]) => containsMap(key) || walk(key) || walk(val));
    if (isPlainObject(v)) return Object.values(v).some(walk);
    if (Array.isArray(v)) return v.some(walk);
    if (v instanceof cbor2.Tag) return walk(v.contents);
    return false;
  };
  return walk(value);
}

async function theirsRelaxed() {
  const n = Math.ceil(count / 2);
  report.section(`b'. cbor2 non-deterministic -> ours relaxed: ${n} values (seed ${seed + 1})`);
  const gen = new JsValueGenerator(new Prng(seed + 1), cbor2, k => toHex(cbor2.encode(k, {cde: true})));
  const cases = [];
  for (let i = 0; i < n; i++) {
    try {
      const value = gen.next();
      cases.push({i, hex: toHex(cbor2.encode(value, {float64: true})), keyHoldsMap: keyHoldsMap(value)});
    } catch (err) {
      report.fail(`value #${i}: cbor2 cannot encode the generated value: ${err.message}`);
    }
  }
  const ours = await Promise.all(cases.map(c => tool.ask(`relaxed ${c.hex}`)));
  for (const [k, {i, hex, keyHoldsMap: mapInKey}] of cases.entries()) {
    const theirs = theirReencode(hex, RELAXED);
    // Our documented policy: even in relaxed mode a map key that contains a
    // map must be deterministic (src/core/cbor/cbor.h); such inputs may be
    // refused for that reason and no other.
    const refusedByPolicy = mapInKey && /non-preferred|deterministic/.test(ours[k]);
    const ok = refusedByPolicy || (theirs.ok && ours[k] === `ok ${theirs.hex}`);
    report.check(ok, `value #${i}: relaxed decoders disagree`, () =>
      [`input  ${clip(hex)}`, `ours   ${clip(ours[k])}`, `cbor2  ${theirs.ok ? clip(theirs.hex) : theirs.error}`]);
  }
}

// (c) Hand-written edge cases: our verdicts are asserted; cbor2's are
// asserted where it is known to agree and otherwise printed as notes.
async function edgeCases() {
  report.section(`c. edge cases: ${REJECT.length} rejections, ${ACCEPT.length} acceptances, ` +
    `${RELAXED_REJECT.length} relaxed rejections, ${MODEL_LIMITS.length} cbor2 model limits`);
  const ours = await Promise.all(REJECT.map(c => tool.ask(`check ${c.hex}`)));
  for (const [n, c] of REJECT.entries()) {
    const label = `${clip(c.hex || '(empty)', 40)} (${c.why})`;
    const expected = `err ${c.kind} @${c.at}`;
    report.check(ours[n] === expected, `ours on ${label}`, [`expected ${expected}`, `got      ${ours[n]}`]);
    const strictness = c.floats ? 'strict+rejectLongFloats' : 'strict';
    const theirs = theirDecode(c.hex, c.floats ? STRICT_FLOATS : STRICT);
    if (c.cbor2 === 'rejects') {
      report.check(!theirs.ok, `cbor2 ${strictness} accepts ${label}, which it is known to reject`);
    } else if (theirs.ok) {
      const as = theirReencode(c.hex, STRICT);
      report.note(`cbor2 ${strictness} accepts ${label}${as.ok ? ` as ${clip(as.hex, 40)}` : ''}; ours: ${ours[n]}`);
    } else {
      report.note(`cbor2 now rejects ${label} (${theirs.error}): update lib/cbor_cases.mjs and README.md`);
    }
  }
  const checks = await Promise.all(ACCEPT.map(c => tool.ask(`check ${c.hex}`)));
  const reencodes = await Promise.all(ACCEPT.map(c => tool.ask(`reencode ${c.hex}`)));
  for (const [n, c] of ACCEPT.entries()) {
    const label = `${clip(c.hex, 40)} (${c.why})`;
    report.check(checks[n] === 'ok' && reencodes[n] === `ok ${c.hex}`, `ours on valid ${label}`,
      [`check    ${checks[n]}`, `reencode ${clip(reencodes[n])}`]);
    const theirs = theirReencode(c.hex, STRICT);
    report.check(theirs.ok && theirs.hex === c.hex, `cbor2 on valid ${label}`,
      [theirs.ok ? `re-encoded ${clip(theirs.hex)}` : `rejected: ${theirs.error}`]);
    const withFloats = theirDecode(c.hex, STRICT_FLOATS);
    if (!withFloats.ok) report.note(`cbor2 with rejectLongFloats rejects valid ${label}: ${withFloats.error}`);
  }
  for (const c of RELAXED_REJECT) {
    const label = `${c.hex} (${c.why})`;
    const mine = await tool.ask(`check-relaxed ${c.hex}`);
    const expected = `err ${c.kind} @${c.at}`;
    report.check(mine === expected, `ours (relaxed) on ${label}`, [`expected ${expected}`, `got      ${mine}`]);
    const theirs = theirReencode(c.hex, RELAXED);
    if (theirs.ok) report.note(`cbor2 relaxed accepts ${label}, as ${theirs.hex}`);
  }
  for (const c of MODEL_LIMITS) {
    const label = `${c.hex} (${c.why})`;
    const mine = await tool.ask(`reencode ${c.hex}`);
    report.check(mine === `ok ${c.hex}`, `ours on valid ${label}`, [`got ${mine}`]);
    const theirs = theirReencode(c.hex, STRICT);
    if (!theirs.ok || theirs.hex !== c.hex) {
      report.note(`cbor2 changes ${label}: ${theirs.ok ? `re-encodes as ${theirs.hex}` : theirs.error}`);
    }
  }
}

function vectorFiles() {
  const files = [];
  if (!existsSync(specDir)) return files;
  for (const spec of readdirSync(specDir).sort()) {
    const dir = join(specDir, spec, 'vectors');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      // tc-binary-hello.hex is the raw Trusted Component binary, not CBOR.
      if (name.endsWith('.hex') && name !== 'tc-binary-hello.hex') files.push(join(dir, name));
    }
  }
  return files;
}

// (d) Published vectors: both decoders accept them (relaxed) and agree on the
// decoded structure, compared as deterministic re-encodings.
async function publishedVectors() {
  const files = vectorFiles();
  report.section(`d. published vectors: ${files.length} files under ${specDir}/*/vectors`);
  if (files.length === 0) {
    report.fail(`no *.hex vectors found under ${specDir}/*/vectors (TEEP_SPEC_DIR)`);
    return;
  }
  for (const file of files) {
    const name = file.slice(specDir.length + 1);
    const hex = readFileSync(file, 'utf8').replace(/\s+/g, '').toLowerCase();
    const ours = await tool.ask(`relaxed ${hex}`);
    const theirs = theirReencode(hex, RELAXED);
    const ok = ours.startsWith('ok ') && theirs.ok && ours === `ok ${theirs.hex}`;
    report.check(ok, `${name}: decoders disagree`,
      () => [`ours   ${clip(ours)}`, `cbor2  ${theirs.ok ? clip(theirs.hex) : theirs.error}`]);
    if (ok && ours !== `ok ${hex}`) {
      report.info(`     ${name}: valid, not in deterministic form (both re-encode it the same way)`);
    }
  }
}

const started = Date.now();
report.info(`cbor2 ${cbor2Version}, Node ${process.versions.node}, tool ${toolPath}`);
report.info(`seed ${seed}, count ${count} (override with --seed=N --count=N)`);
for (const step of [oursToTheirs, theirsToOurs, theirsRelaxed, edgeCases, publishedVectors]) {
  const t0 = Date.now();
  try {
    await step();
  } catch (err) {
    // The tool's own failures need no JavaScript stack; anything else is a
    // bug in this script and does.
    report.fail(`${step.name} stopped: ${err?.fromTool ? err.message : err?.stack ?? err}`);
  }
  report.info(`   (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
const code = await tool.close();
if (code !== 0) report.fail(`oracle tool exited with code ${code}`);
report.info(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s, ${report.notes} notes`);
process.exit(report.finish());
