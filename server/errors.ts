// Domain errors thrown by services; app.ts maps each code to its HTTP status.
export type ErrorCode =
  | 'invalid' // 400: a field is wrong
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409: stale version or a conflicting change
  | 'invalid_state' // 422: a workflow step not allowed now
  | 'rate_limited'; // 429

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const invalid = (field: string, message: string) => new DomainError('invalid', `${field}: ${message}`, field);
export const forbidden = (message = 'you may not do this') => new DomainError('forbidden', message);
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const conflict = (message: string) => new DomainError('conflict', message);
export const invalidState = (message: string) => new DomainError('invalid_state', message);
