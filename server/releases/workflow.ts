// The release workflow as pure rules: which step is allowed from which state, and whose approvals are still needed.
import type { ReleaseStatus } from '../../shared/domain.ts';

export type ReleaseStep = 'edit' | 'submit' | 'approve' | 'reject' | 'publish' | 'unschedule' | 'retract';

const FROM: Record<ReleaseStep, ReleaseStatus[]> = {
  edit: ['draft'],
  submit: ['draft'],
  approve: ['in_review'],
  reject: ['in_review'],
  publish: ['approved'],
  unschedule: ['scheduled'],
  retract: ['published'],
};

const WHY: Record<ReleaseStatus, string> = {
  draft: 'it is a draft',
  in_review: 'it is in review',
  approved: 'it is approved',
  scheduled: 'it is scheduled',
  published: 'it is published (a published release is final: retract it or publish a correction)',
  retracted: 'it is retracted',
};

/** Null when allowed, otherwise the reason it is not. */
export function stepRefusal(step: ReleaseStep, status: ReleaseStatus): string | null {
  return FROM[step].includes(status) ? null : `cannot ${step} this release: ${WHY[status]}`;
}

export interface Approval {
  reviewerId: number;
  departmentId: number;
  asCoordinating: boolean;
}

/**
 * A leader of the lead department approves every release; a sensitive incident's release also needs a leader of a
 * coordinating department (unified arrangement) — a different person.
 */
export function approvalsMissing(approvals: Approval[], sensitive: boolean, leadDepartmentId: number): ('lead' | 'coordinating')[] {
  const lead = approvals.find((a) => a.departmentId === leadDepartmentId);
  const missing: ('lead' | 'coordinating')[] = lead ? [] : ['lead'];
  if (sensitive && !approvals.some((a) => a.asCoordinating && a.reviewerId !== lead?.reviewerId)) missing.push('coordinating');
  return missing;
}

/** Which part of the approval a leader can give, or null if they may not approve this release. */
export function approverCapacity(
  reviewer: { departmentId: number; coordinating: boolean },
  sensitive: boolean,
  leadDepartmentId: number,
): 'lead' | 'coordinating' | null {
  if (reviewer.departmentId === leadDepartmentId) return 'lead';
  if (sensitive && reviewer.coordinating) return 'coordinating';
  return null;
}
