// Tools for the public-site tests: xmllint (CAP schema validation, well-formedness), Debian's python3-feedparser,
// and direct inserts of incidents and releases (the release workflow is not needed to test what the public sees).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../server/db/connect.ts';
import type { ReleasesTable } from '../../server/db/schema.ts';

export const CAP_XSD = fileURLToPath(new URL('../fixtures/cap/cap12.xsd', import.meta.url));

export const XMLLINT = process.env.XMLLINT_PATH ?? 'xmllint';
export const hasXmllint = spawnSync(XMLLINT, ['--version'], { encoding: 'utf8' }).status === 0;
export const xmllintSkipReason =
  `CAP/XML validation skipped: no xmllint found (${XMLLINT}); install Debian's libxml2-utils, as .ci/run does`;

const scratch = mkdtempSync(join(tmpdir(), 'beacon-public-'));
let n = 0;

/** Runs xmllint --noout on the document, with the CAP schema when `schema` is true. */
export function xmllint(xml: string, opts: { schema?: boolean } = {}): { ok: boolean; output: string } {
  const file = join(scratch, `doc-${++n}.xml`);
  writeFileSync(file, xml);
  const args = ['--noout', ...(opts.schema ? ['--schema', CAP_XSD] : []), file];
  const res = spawnSync(XMLLINT, args, { encoding: 'utf8' });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
}

/**
 * Debian's python3-feedparser lives in the system Python (/usr/bin/python3), which may not be the first python3 on
 * PATH (pyenv and the like); the first interpreter that can import feedparser is used.
 */
const PYTHONS = [process.env.FEEDPARSER_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
export const feedparserPython = PYTHONS.find((py) => spawnSync(py, ['-c', 'import feedparser'], { encoding: 'utf8' }).status === 0) ?? null;
export const feedparserSkipReason =
  'feedparser checks skipped: `python3 -c "import feedparser"` fails; install Debian\'s python3-feedparser (apt-get install python3-feedparser)';

const FEEDPARSER_SCRIPT = `
import feedparser, json, sys
d = feedparser.parse(sys.stdin.read())
print(json.dumps({
  "bozo": int(bool(d.bozo)),
  "error": str(d.get("bozo_exception", "")),
  "version": d.version,
  "entries": [{"title": e.get("title"), "link": e.get("link")} for e in d.entries],
}))
`;

export interface FeedparserResult {
  bozo: number;
  error: string;
  version: string;
  entries: { title: string; link: string }[];
}

export function feedparse(xml: string): FeedparserResult {
  if (!feedparserPython) throw new Error(feedparserSkipReason);
  const res = spawnSync(feedparserPython, ['-c', FEEDPARSER_SCRIPT], { input: xml, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`feedparser failed: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** The text of every element with this (local) name, entities decoded. Enough for the flat documents we serve. */
export function texts(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => decodeXml(m[1]));
}

export function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

export interface IncidentSeed {
  title: string;
  category?: string;
  severity?: string;
  location?: string;
  keywords?: string[];
  status?: 'open' | 'closed';
}

export async function insertIncident(db: Database, leadDepartmentId: string, createdBy: string, seed: IncidentSeed): Promise<number> {
  const row = await db
    .insertInto('incidents')
    .values({
      title: seed.title,
      summary: '',
      category: seed.category ?? 'accident',
      severity: seed.severity ?? 'II',
      status: seed.status ?? 'open',
      occurred_at: '2026-11-22T02:10:00Z',
      reported_at: '2026-11-22T02:40:00Z',
      location: seed.location ?? '',
      lead_department_id: Number(leadDepartmentId),
      deaths: 1,
      injured: 12,
      missing: 0,
      significant_impact: false,
      sensitive: false,
      keywords: seed.keywords ?? [],
      logged_late: false,
      version: 1,
      created_by: Number(createdBy),
      updated_at: '2026-11-22T02:40:00Z',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ReleaseSeed {
  incidentId: number;
  kind?: ReleasesTable['kind'];
  title: string;
  body?: string;
  status: ReleasesTable['status'];
  publishedAt?: string | null;
  publishAt?: string | null;
  retractedAt?: string | null;
  retractReason?: string | null;
  correctsReleaseId?: number | null;
}

export async function insertRelease(db: Database, createdBy: string, seed: ReleaseSeed): Promise<number> {
  const row = await db
    .insertInto('releases')
    .values({
      incident_id: seed.incidentId,
      kind: seed.kind ?? 'update',
      title: seed.title,
      body: seed.body ?? `${seed.title}。\n详情另行通报。`,
      status: seed.status,
      version: 1,
      opinion_item_ids: [],
      corrects_release_id: seed.correctsReleaseId ?? null,
      publish_at: seed.publishAt ?? null,
      published_at: seed.publishedAt ?? null,
      retracted_at: seed.retractedAt ?? null,
      retract_reason: seed.retractReason ?? null,
      created_by: Number(createdBy),
      created_at: '2026-11-22T03:00:00Z',
      updated_at: seed.publishedAt ?? '2026-11-22T03:00:00Z',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
