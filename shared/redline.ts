// The redline a reviewer reads: what changed between two versions of a release, character by character
// (Chinese has no spaces to split words on).
import { diffChars } from 'diff';

export interface RedlinePart {
  text: string;
  change: 'same' | 'added' | 'removed';
}

export function redline(before: string, after: string): RedlinePart[] {
  return diffChars(before, after).map((p) => ({ text: p.value, change: p.added ? 'added' : p.removed ? 'removed' : 'same' }));
}
