// Who sees an incident: coordinating departments see all; others see what they lead or hold tasks on.
import { sql, type ExpressionBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { Tx } from '../audit/event-log.ts';
import type { Database } from '../db/connect.ts';

export function visibleTo(actor: Pick<Actor, 'departmentId' | 'coordinating'>) {
  return (eb: ExpressionBuilder<DB, 'incidents'>) =>
    actor.coordinating
      ? sql<boolean>`true`
      : eb.or([
          eb('incidents.lead_department_id', '=', actor.departmentId),
          eb.exists(
            eb
              .selectFrom('tasks')
              .select(sql`1`.as('one'))
              .whereRef('tasks.incident_id', '=', 'incidents.id')
              .where('tasks.department_id', '=', actor.departmentId),
          ),
        ]);
}

/** Departments that may see an incident's events: its lead, task holders and every coordinating department. */
export async function incidentAudience(db: Tx | Database, incidentId: number, leadDepartmentId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('departments')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('coordinating', '=', true),
        eb('id', '=', leadDepartmentId),
        eb('id', 'in', eb.selectFrom('tasks').select('department_id').where('incident_id', '=', incidentId)),
      ]),
    )
    .execute();
  return rows.map((r) => r.id);
}
