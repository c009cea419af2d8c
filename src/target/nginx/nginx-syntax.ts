import { UsageError } from '../../usage-error.js';

/**
 * What lets a profile value into nginx.conf: only values matching a narrow pattern, so a quote,
 * brace or semicolon in a profile can never change the config's structure.
 */
export function checked(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value))
    throw new UsageError(`${what}: ${JSON.stringify(value)} cannot go into an nginx config`);
  return value;
}

/** For secrets: the message names the field, never the value. */
export function checkedSecret(value: string, what: string): string {
  if (!/^[A-Za-z0-9._~+/=-]{1,512}$/.test(value)) {
    throw new UsageError(`${what}: nginx takes values made of letters, digits and ._~+/=- only`);
  }
  return value;
}

/** A literal for a PCRE pattern: the values are already limited to characters nginx passes through. */
export function regexLiteral(text: string): string {
  return text.replace(/[.+*?^$()[\]{}|\\/]/g, '\\$&');
}

/** `$http_x_api_key` for `X-API-Key`. */
export function headerVariable(name: string): string {
  return `$http_${checked(name, /^[A-Za-z0-9-]+$/, 'header name')
    .toLowerCase()
    .replaceAll('-', '_')}`;
}

export function indent(blocks: readonly string[], level: number): string {
  const pad = '  '.repeat(level);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

export function block(head: string, lines: readonly string[]): string {
  return `${head} {\n${indent(lines, 1)}\n}`;
}
