// Pure helpers of the incident room's comments: cutting a body into text and mention pieces from the spans the
// server stored (rendered as plain text, never as HTML), and the @ autocomplete.
import type { MentionSpan } from '../../../../shared/coordination.ts';

export interface Segment {
  text: string;
  mention: { kind: 'user' | 'department'; id: string } | null;
}

/**
 * The body as pieces: plain text and mentions. Spans that do not fit the body (out of range, overlapping, not
 * starting at an '@') are ignored, so a bad span can only lose a highlight, never text.
 */
export function segments(body: string, spans: readonly MentionSpan[] | undefined): Segment[] {
  const ok = [...(spans ?? [])]
    .filter(
      (s) =>
        Number.isInteger(s.start) &&
        Number.isInteger(s.length) &&
        s.start >= 0 &&
        s.length > 1 &&
        s.start + s.length <= body.length &&
        (body[s.start] === '@' || body[s.start] === '＠'),
    )
    .sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const s of ok) {
    if (s.start < at) continue; // overlaps the previous one (two users sharing a name): one highlight is enough
    if (s.start > at) out.push({ text: body.slice(at, s.start), mention: null });
    out.push({ text: body.slice(s.start, s.start + s.length), mention: { kind: s.kind, id: String(s.id) } });
    at = s.start + s.length;
  }
  if (at < body.length) out.push({ text: body.slice(at), mention: null });
  return out;
}

export interface MentionQuery {
  /** Offset of the '@'. */
  start: number;
  /** What has been typed after it, up to the caret. */
  query: string;
}

const MAX_QUERY = 24;

/** The mention being typed at the caret, if any: an '@' not inside a word, then no space up to the caret. */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const at = Math.max(before.lastIndexOf('@'), before.lastIndexOf('＠'));
  if (at < 0) return null;
  const query = before.slice(at + 1);
  if (query.length > MAX_QUERY || /[\s,，。;；:：!！?？、]/.test(query)) return null;
  if (at > 0 && /[A-Za-z0-9_.+-]/.test(before[at - 1])) return null; // an e-mail address
  return { start: at, query };
}

export interface Candidate {
  kind: 'user' | 'department';
  id: string;
  name: string;
  /** A second line: the person's department. */
  sub: string;
}

/** Matching people and departments: names starting with the query first, then containing it. */
export function suggest(
  query: string,
  people: readonly { id: string; name: string; departmentId: string }[],
  departments: readonly { id: string; name: string }[],
  deptName: (id: string) => string,
  limit = 8,
): Candidate[] {
  const q = query.trim().toLowerCase();
  const all: Candidate[] = [
    ...people.map((p) => ({ kind: 'user' as const, id: p.id, name: p.name, sub: deptName(p.departmentId) })),
    ...departments.map((d) => ({ kind: 'department' as const, id: d.id, name: d.name, sub: '' })),
  ].filter((c) => c.name.trim().length > 0);
  const rank = (c: Candidate) => {
    const n = c.name.toLowerCase();
    if (!q) return c.kind === 'department' ? 1 : 0;
    if (n.startsWith(q)) return 0;
    if (n.includes(q)) return 2;
    return -1;
  };
  return all
    .map((c) => ({ c, r: rank(c) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || a.c.name.length - b.c.name.length || a.c.name.localeCompare(b.c.name))
    .slice(0, limit)
    .map((x) => x.c);
}

/** Replace the typed "@que" with "@Name " and put the caret after it. */
export function insertMention(text: string, q: MentionQuery, caret: number, name: string): { text: string; caret: number } {
  const insert = `@${name} `;
  const after = text.slice(caret).replace(/^ /, '');
  const next = text.slice(0, q.start) + insert + after;
  return { text: next, caret: q.start + insert.length };
}
