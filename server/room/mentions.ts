// @mentions in an incident-room comment: `@<user name or login>` and `@<department name>`, resolved against the
// people and departments Beacon knows. Names are Chinese as often as not, with no space after them, so a mention is
// the longest known name that follows the '@' (or a full-width '＠'); anything else stays plain text.

export interface MentionTarget {
  kind: 'user' | 'department';
  id: number;
  /** A name it may be mentioned by (a user has two: name and login). */
  text: string;
}

export interface FoundMention {
  kind: 'user' | 'department';
  id: number;
  /** UTF-16 offset of the '@' and the length including it. */
  start: number;
  length: number;
}

const ASCII_WORD = /[A-Za-z0-9_]/;
const ASCII_WORD_OR_DASH = /[A-Za-z0-9_-]/;
const ASCII_BEFORE_AT = /[A-Za-z0-9_.+-]/;

/**
 * Finds the mentions in `body`. The longest name wins ("@市卫生健康委员会" over a user named "市卫"); a name ending in
 * a Latin letter or digit must not run on into more of them ("@duty" is not "@dutyroster"); an '@' inside a word (an
 * e-mail address) is not a mention. Several targets with the same name (two users called 张伟) are all mentioned.
 */
export function findMentions(body: string, targets: MentionTarget[]): FoundMention[] {
  const candidates = targets
    .filter((t) => t.text.trim().length > 0)
    .map((t) => ({ ...t, lower: t.text.toLowerCase() }))
    .sort((a, b) => b.text.length - a.text.length);
  const lowerBody = body.toLowerCase();
  const found: FoundMention[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '@' && body[i] !== '＠') continue;
    if (i > 0 && ASCII_BEFORE_AT.test(body[i - 1])) continue;
    let matchedLength = 0;
    for (const c of candidates) {
      if (matchedLength && c.text.length < matchedLength) break;
      if (!lowerBody.startsWith(c.lower, i + 1)) continue;
      const next = body[i + 1 + c.text.length];
      if (next !== undefined && ASCII_WORD.test(c.text[c.text.length - 1]) && ASCII_WORD_OR_DASH.test(next)) continue;
      matchedLength = c.text.length;
      const key = `${c.kind}:${c.id}:${i}`;
      if (seen.has(key)) continue; // a user whose name is their login
      seen.add(key);
      found.push({ kind: c.kind, id: c.id, start: i, length: 1 + c.text.length });
    }
    if (matchedLength) i += matchedLength;
  }
  return found;
}
