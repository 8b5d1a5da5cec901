// The signed-in user.
import type { Role, User } from '../../../shared/domain.ts';

class SessionState {
  user = $state<User | null>(null);
  /** The boot-time session probe has answered. */
  ready = $state(false);
}

export const session = new SessionState();

export function hasRole(role: Role): boolean {
  return session.user?.roles.includes(role) ?? false;
}
