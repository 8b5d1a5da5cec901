// Builds the Simplified-script NTUSD word lists that server/opinion/text/sentiment.ts loads.
//
// NTUSD (National Taiwan University Sentiment Dictionary, MIT, Copyright (c) 2022 NTU NLPLab; Ku & Chen 2007,
// JASIST 58(12)) ships in Traditional script. This script:
//  1. converts each word with opencc-js (Taiwan → mainland China, which also maps Taiwan-specific vocabulary), NFKC,
//     trims, drops blanks and duplicates;
//  2. drops words that end up on both lists (ambiguous after conversion);
//  3. drops NTUSD words that are very common Chinese words (jieba dictionary frequency ≥ COMMON_FREQ) unless they are
//     listed in ntusd-keep.txt: NTUSD marks much ordinary vocabulary (发展, 主要, 时间, 已经, 一直, 预计, 调整, 取消,
//     过去 …) as positive or negative, which floods news and official notices with false sentiment. The dropped
//     words are written to ntusd-dropped-common.txt so the choice stays visible;
//  4. writes ntusd-positive.txt and ntusd-negative.txt (one word a line, UTF-8, Simplified, sorted) and copies the
//     upstream LICENSE to NTUSD-LICENSE.
// The outputs are committed, so neither opencc-js (a devDependency) nor ../shared is needed at run time.
//
// Usage: npx tsx server/opinion/data/build-lexicon.ts [path/to/ntusd]   (default: ../shared/data/ntusd from the repo)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OpenCC from 'opencc-js';

const COMMON_FREQ = 1000;

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const source = resolve(process.argv[2] ?? join(repoRoot, '../shared/data/ntusd'));
const require = createRequire(import.meta.url);

const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.replace(/^\uFEFF/, '').trim());

function load(file: string): Set<string> {
  const words = new Set<string>();
  for (const line of lines(readFileSync(join(source, file), 'utf8'))) {
    const word = toSimplified(line).normalize('NFKC');
    if (!word || word.startsWith('#') || /\s/.test(word)) continue;
    words.add(word);
  }
  return words;
}

const jiebaFreq = new Map<string, number>();
for (const line of lines(readFileSync(require.resolve('@node-rs/jieba/dict.txt'), 'utf8'))) {
  const [word, freq] = line.split(' ');
  if (word && freq) jiebaFreq.set(word, Number(freq));
}
const keep = new Set(lines(readFileSync(join(here, 'ntusd-keep.txt'), 'utf8')).filter((l) => l && !l.startsWith('#')));

const positive = load('positive-traditional.txt');
const negative = load('negative-traditional.txt');
const both = [...positive].filter((w) => negative.has(w));
for (const w of both) {
  positive.delete(w);
  negative.delete(w);
}
const dropped: string[] = [];
for (const [list, sign] of [[positive, '+'], [negative, '-']] as const) {
  for (const w of [...list]) {
    if ((jiebaFreq.get(w) ?? 0) >= COMMON_FREQ && !keep.has(w)) {
      list.delete(w);
      dropped.push(`${w}\t${sign}\t${jiebaFreq.get(w)}`);
    }
  }
}

const sorted = (words: Iterable<string>) => [...words].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
writeFileSync(join(here, 'ntusd-positive.txt'), sorted(positive).join('\n') + '\n');
writeFileSync(join(here, 'ntusd-negative.txt'), sorted(negative).join('\n') + '\n');
writeFileSync(
  join(here, 'ntusd-dropped-common.txt'),
  `# NTUSD words dropped as common vocabulary (jieba frequency >= ${COMMON_FREQ}, not in ntusd-keep.txt): word, list, frequency\n` +
    sorted(dropped).join('\n') + '\n',
);
writeFileSync(join(here, 'NTUSD-LICENSE'), readFileSync(join(source, 'LICENSE')));

console.log(
  `NTUSD from ${source}: ${positive.size} positive, ${negative.size} negative (Simplified); ` +
    `${both.length} on both lists and ${dropped.length} common words dropped`,
);
