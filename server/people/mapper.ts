import type { Department, Role, User } from '../../shared/domain.ts';

export const toDepartment = (r: { id: number; name: string; coordinating: boolean }): Department => ({
  id: String(r.id),
  name: r.name,
  coordinating: r.coordinating,
});

export const toUser = (r: { id: number; login: string; name: string; department_id: number; roles: string[] }): User => ({
  id: String(r.id),
  login: r.login,
  name: r.name,
  departmentId: String(r.department_id),
  roles: r.roles as Role[],
});
