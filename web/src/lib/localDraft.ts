// Unsaved editor text kept in the browser, so a closed tab, a reload or a wrong click does not lose it.
export interface LocalDraft {
  /** The server version the text was typed on. */
  version: number;
  title: string;
  body: string;
  savedAt: number;
}

const key = (userId: string, releaseId: string) => `beacon.releaseDraft.${userId}.${releaseId}`;

export function saveLocalDraft(userId: string, releaseId: string, draft: LocalDraft): void {
  try {
    globalThis.localStorage?.setItem(key(userId, releaseId), JSON.stringify(draft));
  } catch {
    /* storage full or blocked: nothing to do */
  }
}

export function loadLocalDraft(userId: string, releaseId: string): LocalDraft | null {
  try {
    const raw = globalThis.localStorage?.getItem(key(userId, releaseId));
    if (!raw) return null;
    const d = JSON.parse(raw) as Partial<LocalDraft>;
    if (typeof d.title !== 'string' || typeof d.body !== 'string' || typeof d.version !== 'number') return null;
    return { version: d.version, title: d.title, body: d.body, savedAt: Number(d.savedAt) || 0 };
  } catch {
    return null;
  }
}

export function clearLocalDraft(userId: string, releaseId: string): void {
  try {
    globalThis.localStorage?.removeItem(key(userId, releaseId));
  } catch {
    /* ignore */
  }
}
