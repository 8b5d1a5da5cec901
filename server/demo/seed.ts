// DEMO=1: a believable city. Departments, a user for every role, and incidents at different stages.
import type { AppContext } from '../context.ts';
import type { Actor } from '../auth/actor.ts';
import { createDepartment, createUser } from '../people/service.ts';
import { createIncident } from '../incidents/service.ts';
import { HOUR, MINUTE } from '../clock.ts';
import { DEMO_ACCOUNTS, DEMO_DEPARTMENTS } from './accounts.ts';

export async function seedDemo(ctx: AppContext): Promise<boolean> {
  const already = await ctx.db.selectFrom('users').select('id').where('login', '=', 'duty').executeTakeFirst();
  if (already) return false;
  const existing = await ctx.db.selectFrom('departments').select(['id', 'name']).execute();
  const deptId = new Map(existing.map((d) => [d.name, d.id]));
  for (const d of DEMO_DEPARTMENTS) {
    if (!deptId.has(d.name)) deptId.set(d.name, Number((await createDepartment(ctx, null, d)).id));
  }
  const userId = new Map<string, number>();
  const existingUsers = await ctx.db.selectFrom('users').select(['id', 'login']).execute();
  for (const u of existingUsers) userId.set(u.login, u.id);
  for (const a of DEMO_ACCOUNTS) {
    if (userId.has(a.login)) continue;
    const user = await createUser(ctx, null, {
      login: a.login,
      name: a.name,
      password: a.password,
      departmentId: String(deptId.get(a.departmentName)),
      roles: a.roles,
    });
    userId.set(a.login, Number(user.id));
  }
  const duty: Actor = {
    id: userId.get('duty')!,
    login: 'duty',
    name: '王值班',
    departmentId: deptId.get('市政府办公室')!,
    roles: ['duty_officer'],
    coordinating: true,
  };
  const now = ctx.clock.now().getTime();
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const spokes = String(userId.get('spokes'));
  await createIncident(ctx, duty, {
    title: '城东化工园区储罐爆炸',
    summary: '城东化工园区一储罐发生爆炸并起火，周边居民已疏散，消防正在处置。',
    category: 'accident',
    severity: 'II',
    occurredAt: ago(4 * HOUR + 20 * MINUTE),
    location: '城东化工园区',
    leadDepartmentId: String(deptId.get('市应急管理局')),
    spokespersonId: spokes,
    casualties: { deaths: 2, injured: 17, missing: 1 },
    significantImpact: true,
    sensitive: false,
    keywords: ['化工园区', '爆炸', '储罐'],
  });
  await createIncident(ctx, duty, {
    title: '滨江区暴雨内涝',
    summary: '滨江区短时强降雨，多处道路积水，地铁2号线部分站点临时关闭。',
    category: 'natural_disaster',
    severity: 'III',
    occurredAt: ago(2 * HOUR),
    location: '滨江区',
    leadDepartmentId: String(deptId.get('市应急管理局')),
    spokespersonId: null,
    casualties: { deaths: 0, injured: 3, missing: 0 },
    significantImpact: false,
    sensitive: false,
    keywords: ['暴雨', '内涝', '地铁'],
  });
  await createIncident(ctx, duty, {
    title: '第三中学学生集体食物中毒',
    summary: '市第三中学数十名学生午餐后出现呕吐腹泻症状，已送医。',
    category: 'public_health',
    severity: 'II',
    occurredAt: ago(5 * HOUR + 40 * MINUTE),
    location: '市第三中学',
    leadDepartmentId: String(deptId.get('市卫生健康委员会')),
    spokespersonId: spokes,
    casualties: { deaths: 0, injured: 46, missing: 0 },
    significantImpact: true,
    sensitive: true,
    keywords: ['食物中毒', '第三中学'],
  });
  await createIncident(ctx, duty, {
    title: '环城高速多车追尾',
    summary: '环城高速K23处团雾导致多车追尾，交通管制中。',
    category: 'accident',
    severity: 'IV',
    occurredAt: ago(50 * MINUTE),
    location: '环城高速K23',
    leadDepartmentId: String(deptId.get('市交通运输局')),
    spokespersonId: null,
    casualties: { deaths: 0, injured: 5, missing: 0 },
    significantImpact: false,
    sensitive: false,
    keywords: ['追尾', '环城高速'],
  });
  return true;
}
