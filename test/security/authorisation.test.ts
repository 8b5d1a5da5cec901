// Every HTTP route × anonymous and every role × department relation to the incident involved (own = its lead
// department, coordinating, unrelated): allowed calls never answer 401/403/404 (nor a 400 that could hide a missing
// check), denied calls answer exactly the deny code, and nothing of an invisible incident leaks into any answer.
// The table (test/support/security-routes.ts) must classify every route the app has: a new route fails here until
// it is added. Prints the matrix at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind } from '../support/harness.ts';
import { loginOf, RELS, ROLES, SECRET, startWorld, type Rel, type Res, type SecRole, type World } from '../support/security-world.ts';
import { INFRASTRUCTURE, Pool, routeTable, type Cell, type Expect, type Row } from '../support/security-routes.ts';

let w: World;
const pool = new Pool();
const rows: Row[] = routeTable(() => w, pool);

beforeAll(async () => {
  w = await startWorld();
}, 120_000);
afterAll(() => w?.close());

// ---- running one cell -------------------------------------------------------------------------------------------

type Verdict = { symbol: string; problem: string | null; hole: string | null };

const cells: Cell[] = [
  { role: null, rel: null, login: null },
  ...ROLES.flatMap((role) => RELS.map((rel): Cell => ({ role, rel, login: loginOf(role, rel) }))),
];

const DENY = new Set([401, 403, 404]);

function judge(row: Row, cell: Cell, expected: Expect, res: Res): { symbol: string; problem: string | null } {
  const s = res.status;
  // Whoever may not see the fixture incident never reads its secret text, whatever the answer.
  if ((cell.rel === 'unrelated' || cell.role === null) && res.text.includes(SECRET)) {
    return { symbol: 'X', problem: `${s} answer contains the invisible incident's text` };
  }
  if (expected === 'allow') {
    if (DENY.has(s) || s === 400 || s >= 500 || s === 429) {
      return { symbol: 'X', problem: `expected allowed, got ${s}: ${res.text.slice(0, 160)}` };
    }
    const problem = row.check?.(res, cell) ?? null;
    if (problem) return { symbol: 'X', problem };
    return { symbol: s < 300 ? '✓' : '~', problem: null };
  }
  if (s !== expected) return { symbol: 'X', problem: `expected ${expected}, got ${s}: ${res.text.slice(0, 160)}` };
  if (expected === 400 && res.body?.error?.field !== 'incidentId') {
    return { symbol: 'X', problem: `expected 400 on incidentId (as for a nonexistent incident), got field ${res.body?.error?.field}` };
  }
  return { symbol: String(s)[2], problem: null };
}

async function runCell(row: Row, cell: Cell): Promise<Verdict> {
  const expected = cell.role === null ? row.anon : row.rule(cell.role, cell.rel!);
  const req = await row.req(cell);
  const res = await w.call(row.method, req.path, {
    as: req.cookie || !cell.login ? undefined : cell.login,
    cookie: req.cookie,
    body: req.body,
    raw: req.raw,
  });
  if (req.consumes && res.status < 300) pool.consume(req.consumes);
  const { symbol, problem } = judge(row, cell, expected, res);
  const knownCell = !!cell.role && !!row.known?.cells(cell.role, cell.rel!);
  if (knownCell && problem) return { symbol: '!', problem, hole: row.known!.note };
  if (knownCell) fixedHoles.add(`${labelOf(row)} as ${cell.login}`);
  return { symbol, problem: problem && `${cell.login ?? 'anonymous'}: ${problem}`, hole: null };
}

// ---- the matrix ---------------------------------------------------------------------------------------------------

const matrix = new Map<string, Verdict[]>();
/** Cells annotated as a known hole that behaved as intended: the annotation can go. */
const fixedHoles = new Set<string>();
const labelOf = (row: Row) => `${row.method} ${row.route}${row.variant ? ` (${row.variant})` : ''}`;

describe(`authorisation matrix on ${dbKind}`, () => {
  it('the table classifies every route the app has, and only those', () => {
    const app = new Set(w.h.beacon.app.routes.map((r) => `${r.method} ${r.path}`));
    const table = new Set(rows.map((r) => `${r.method} ${r.route}`));
    const unclassified = [...app].filter((r) => !INFRASTRUCTURE.has(r) && !table.has(r));
    const stale = [...table].filter((r) => !app.has(r));
    expect(unclassified, 'routes missing from test/support/security-routes.ts: classify who may call them').toEqual([]);
    expect(stale, 'rows for routes the app no longer has').toEqual([]);
  });

  // One test per row, in table order (state-changing rows take fresh objects from the pool).
  for (const row of rows) {
    it(labelOf(row), async () => {
      const verdicts: Verdict[] = [];
      for (const cell of cells) verdicts.push(await runCell(row, cell));
      matrix.set(labelOf(row), verdicts);
      const problems = verdicts.filter((v) => v.problem && !v.hole).map((v) => v.problem);
      expect(problems, labelOf(row)).toEqual([]);
    });
  }

  afterAll(() => {
    const width = Math.max(...rows.map((r) => labelOf(r).length));
    const short: Record<SecRole, string> = { duty_officer: 'duty', spokesperson: 'spokes', analyst: 'analyst', leader: 'leader', admin: 'admin' };
    const lines = [
      `authorisation matrix on ${dbKind}: ✓ allowed 2xx · ~ allowed 409/422 · 1/3/4 denied 401/403/404 · 0 denied 400 (invisible = nonexistent reference) · ! known HOLE · X wrong`,
      `each role: own (lead department) | coordinating | unrelated department; · marks rows that do not involve the incident`,
      `${''.padEnd(width + 3)}${'anon'.padEnd(6)}${ROLES.map((r) => short[r].padEnd(9)).join('')}`,
    ];
    const holes = new Map<string, Set<string>>();
    let counts = { allow: 0, deny: 0, hole: 0, wrong: 0 };
    for (const row of rows) {
      const v = matrix.get(labelOf(row));
      if (!v) continue;
      const sym = v.map((x) => x.symbol);
      lines.push(`${labelOf(row).padEnd(width)} ${row.scoped ? '  ' : '· '}${sym[0].padEnd(6)}${ROLES.map((_, k) => sym.slice(1 + k * 3, 4 + k * 3).join('').padEnd(9)).join('')}`);
      v.forEach((x, k) => {
        if (x.symbol === '✓' || x.symbol === '~') counts.allow++;
        else if (x.symbol === '!') {
          counts.hole++;
          const who = k === 0 ? 'anonymous' : loginOf(ROLES[Math.floor((k - 1) / 3)] as SecRole, RELS[(k - 1) % 3] as Rel);
          if (!holes.has(x.hole!)) holes.set(x.hole!, new Set());
          holes.get(x.hole!)!.add(`${labelOf(row)} as ${who} (${x.problem!.slice(0, 40)})`);
        } else if (x.symbol === 'X') counts.wrong++;
        else counts.deny++;
      });
    }
    lines.push(`${rows.length} rows × ${cells.length} callers: ${counts.allow} allowed, ${counts.deny} denied as intended, ${counts.hole} known holes, ${counts.wrong} wrong`);
    for (const [note, where] of holes) lines.push(`HOLE: ${note}\n      seen at: ${[...where].join('; ')}`);
    if (fixedHoles.size) lines.push(`known-hole annotations that no longer reproduce (remove them): ${[...fixedHoles].join('; ')}`);
    console.log(lines.join('\n'));
  });
});
