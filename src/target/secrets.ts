import type { z } from 'zod';
import { type Profile, profileSchema, secretFields } from './profile-schema.js';

/**
 * Every secret value a profile holds, for redaction: each value of a field the schema marks
 * secret (keys, secret keys, tokens, invalidation headers: a field marked later is covered
 * without touching this file), and the userinfo of every URL in it.
 */
export function secretsOf(profile: Profile): string[] {
  const out: string[] = [];
  collect(profileSchema, profile, out);
  collectUserinfo(profile, out);
  return [...new Set(out.filter((s) => s.length > 0))];
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  out?: z.ZodType;
}

/** Walks the value beside its schema: wrappers, objects, arrays, records and unions. */
function collect(schema: z.ZodType, value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (secretFields.has(schema)) {
    if (typeof value === 'string') out.push(value);
    return;
  }
  const def = schema._zod.def as unknown as Def;
  const inner = def.innerType ?? (def.type === 'pipe' ? def.out : undefined);
  if (inner) collect(inner, value, out);
  else if (typeof value !== 'object') return;
  else if (def.shape) {
    for (const [key, field] of Object.entries(def.shape))
      collect(field, (value as Record<string, unknown>)[key], out);
  } else if (def.element && Array.isArray(value)) {
    for (const item of value) collect(def.element, item, out);
  } else if (def.valueType) {
    for (const item of Object.values(value)) collect(def.valueType, item, out);
  } else if (def.options) {
    for (const option of def.options) collect(option, value, out);
  }
}

/** `user:password` of any URL anywhere in the profile, as written and decoded. */
function collectUserinfo(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(value)?.[1];
    if (userinfo) {
      const password = userinfo.slice(userinfo.indexOf(':') + 1);
      out.push(userinfo, safeDecode(userinfo));
      if (userinfo.includes(':')) out.push(password, safeDecode(password));
    }
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectUserinfo(item, out);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
