// The signed-in user as services see it.
import type { Role } from '../../shared/domain.ts';
import { forbidden } from '../errors.ts';

export interface Actor {
  id: number;
  login: string;
  name: string;
  departmentId: number;
  roles: Role[];
  /** Whether the user's department is a coordinating one (sees every incident). */
  coordinating: boolean;
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}

export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!hasRole(actor, ...roles)) throw forbidden(`this needs the role ${roles.join(' or ')}`);
}
