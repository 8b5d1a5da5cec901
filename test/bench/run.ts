// Runs each test/bench/*.bench.ts in turn (alphabetically). `npm run bench -- deadlines` runs only the benches whose
// name contains one of the arguments. Exits non-zero only when a bench reports a correctness failure (or crashes).
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machine, type Bench } from './bench.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
  .filter((f) => filters.length === 0 || filters.some((name) => basename(f, '.bench.ts').includes(name)));

if (files.length === 0) {
  console.error(`no bench matches ${filters.join(', ') || '(any)'} in ${here}`);
  process.exit(2);
}

console.log(`machine: ${machine()}`);
const failed: string[] = [];
for (const file of files) {
  const name = basename(file, '.bench.ts');
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench };
  console.log(`\n=== ${name}: ${mod.default.description}`);
  const started = performance.now();
  try {
    const { ok } = await mod.default.run();
    if (!ok) failed.push(name);
    console.log(`=== ${name}: ${ok ? 'ok' : 'CORRECTNESS FAILURE'} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed.push(name);
    console.error(`=== ${name}: crashed`, err);
  }
}

if (failed.length) console.error(`\nfailed: ${failed.join(', ')}`);
// Exit explicitly: a bench's leftover handles (pools, sockets) must not keep the process alive.
process.exit(failed.length ? 1 : 0);
