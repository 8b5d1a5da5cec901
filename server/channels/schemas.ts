// zod schemas for the channel admin bodies (kept here rather than in shared/schemas.ts while that file is in flux;
// the console may import them from here or they can move to shared/ later: they import nothing from server/).
import { z } from 'zod';

const name = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');

const url = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .pipe(z.url({ protocol: /^https?$/i, message: 'must be an http:// or https:// URL' }))
  .refine((u) => {
    if (!URL.canParse(u)) return true; // already reported as not a URL
    const parsed = new URL(u);
    return !parsed.username && !parsed.password;
  }, 'must not contain a user name or password')
  .transform((u) => new URL(u).toString());

const secret = z
  .string()
  .min(16, 'must be at least 16 characters')
  .max(200, 'must be at most 200 characters')
  .refine((s) => s.trim() === s, 'must not start or end with spaces');

export const createChannelSchema = z
  .object({
    name,
    url,
    secret: secret.optional(),
    enabled: z.boolean().optional().default(true),
  })
  .strict();
export type CreateChannelInput = z.infer<typeof createChannelSchema>;

export const patchChannelSchema = z
  .object({
    name: name.optional(),
    url: url.optional(),
    enabled: z.boolean().optional(),
    /** Replace the secret with a new generated one, returned once in the response. */
    rotateSecret: z.boolean().optional(),
    /** Set a secret the receiver dictates (instead of rotateSecret). */
    secret: secret.optional(),
  })
  .strict()
  .refine((p) => !(p.rotateSecret && p.secret !== undefined), {
    path: ['rotateSecret'],
    message: 'give either secret or rotateSecret, not both',
  });
export type PatchChannelInput = z.infer<typeof patchChannelSchema>;
