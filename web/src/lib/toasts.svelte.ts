// Transient notices (deadline warnings and misses, release steps).

export interface Toast {
  id: number;
  tone: 'warning' | 'danger' | 'info' | 'success';
  /** Rendered at display time so a language switch applies. */
  text: () => string;
  incidentId: string | null;
  /** Where "open" goes instead of the incident (a release, the review queue). */
  href?: string | null;
  /** A later toast with the same key replaces this one (one notice per release). */
  key?: string;
}

class ToastState {
  items = $state<Toast[]>([]);
}

export const toasts = new ToastState();
let nextId = 1;
const MAX = 5;

export function pushToast(toast: Omit<Toast, 'id'>, ttlMs = 12_000): number {
  const id = nextId++;
  const others = toast.key ? toasts.items.filter((x) => x.key !== toast.key) : toasts.items;
  toasts.items = [...others, { ...toast, id }].slice(-MAX);
  if (ttlMs > 0) setTimeout(() => dismissToast(id), ttlMs);
  return id;
}

export function dismissToast(id: number): void {
  toasts.items = toasts.items.filter((t) => t.id !== id);
}

export function clearToasts(): void {
  toasts.items = [];
}

/** Drop the toasts that point at `href` (the user is looking at it now). */
export function dismissToastsFor(href: string): void {
  if (toasts.items.some((x) => x.href === href)) toasts.items = toasts.items.filter((x) => x.href !== href);
}
