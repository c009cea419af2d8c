import { checkedHeaderName } from '../config-values.js';

/** `$http_x_api_key` for `X-API-Key`. */
export function headerVariable(name: string): string {
  return `$http_${checkedHeaderName(name).toLowerCase().replaceAll('-', '_')}`;
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
