// Transient notices (deadline warnings and misses).

export interface Toast {
  id: number;
  tone: 'warning' | 'danger' | 'info';
  /** Rendered at display time so a language switch applies. */
  text: () => string;
  incidentId: string | null;
}

class ToastState {
  items = $state<Toast[]>([]);
}

export const toasts = new ToastState();
let nextId = 1;
const MAX = 5;

export function pushToast(toast: Omit<Toast, 'id'>, ttlMs = 12_000): number {
  const id = nextId++;
  toasts.items = [...toasts.items, { ...toast, id }].slice(-MAX);
  if (ttlMs > 0) setTimeout(() => dismissToast(id), ttlMs);
  return id;
}

export function dismissToast(id: number): void {
  toasts.items = toasts.items.filter((t) => t.id !== id);
}

export function clearToasts(): void {
  toasts.items = [];
}
