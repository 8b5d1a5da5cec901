// Localised text for a failed request.
import { ApiError } from './api.ts';
import { t, validationText } from './i18n.svelte.ts';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('error.network');
    if (err.status === 403) return t('error.forbidden');
    if (err.status === 404) return t('error.notFound');
    if (err.status === 429) return t('error.tooMany');
    if (err.status === 422) return t('error.invalidState', { message: err.message });
    if (err.status >= 500) return t('error.server', { status: err.status });
    return validationText(err.message);
  }
  return t('error.generic', { message: err instanceof Error ? err.message : String(err) });
}
