// Local-time formatting for timestamps shown in the console (the browser's time zone).

const pad = (n: number) => String(n).padStart(2, '0');

/** "2025-07-14 03:12" (optionally with seconds / without year); '' for a missing or bad value. */
export function formatDateTime(
  iso: string | null | undefined,
  opts: { seconds?: boolean; year?: boolean } = {},
): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const date = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${opts.seconds ? `:${pad(d.getSeconds())}` : ''}`;
  return `${opts.year === false ? date : `${d.getFullYear()}-${date}`} ${time}`;
}
