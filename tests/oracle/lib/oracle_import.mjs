// Loads an npm oracle from tests/oracle/node_modules, or explains how to get
// it. The oracle tests must fail loudly, never skip, when it is missing.
import {readFileSync} from 'node:fs';

export async function importOracle(name) {
  let version = '?';
  try {
    // Not through the package's "exports", which may hide package.json.
    const manifest = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    version = JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    // Reported below if the import fails too.
  }
  try {
    return {module: await import(name), version};
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') {
      console.log(`FAIL the npm oracle "${name}" is not installed in tests/oracle/node_modules.`);
      console.log('     Run scripts/setup.sh (it runs `npm ci` in tests/oracle), then re-run the test.');
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
    throw err;
  }
}

export function requireNode(major) {
  const have = Number(process.versions.node.split('.')[0]);
  if (have < major) {
    console.log(`FAIL Node.js ${major}+ is required, found ${process.versions.node}. Run scripts/setup.sh.`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
