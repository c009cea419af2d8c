const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Flat objects up to this wide print on one line (stages, tags). */
const INLINE_WIDTH = 60;

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/**
 * Plain data (objects, arrays, strings, numbers, booleans) as a TypeScript literal in the style of
 * the repository: single quotes, bare keys where they are identifiers, trailing commas. Stable:
 * the same value always prints the same text, so regenerated scripts diff cleanly.
 */
export function tsLiteral(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = value.every((v) => typeof v !== 'object' || v === null);
    if (flat) return `[${value.map((v) => tsLiteral(v)).join(', ')}]`;
    return `[\n${value.map((v) => `${inner}${tsLiteral(v, inner)},\n`).join('')}${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const flat = entries.every(([, v]) => typeof v !== 'object');
    if (flat) {
      const inline = tsInline(Object.fromEntries(entries));
      if (inline.length <= INLINE_WIDTH) return inline;
    }
    const lines = entries.map(
      ([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : quote(k)}: ${tsLiteral(v, inner)},\n`,
    );
    return `{\n${lines.join('')}${indent}}`;
  }
  throw new Error(`cannot write ${String(value)} into a k6 script`);
}

/** A flat object on one line: `{ a: 1, b: 'x' }`. */
export function tsInline(value: Record<string, unknown>): string {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return `{ ${entries.map(([k, v]) => `${IDENTIFIER.test(k) ? k : quote(k)}: ${tsLiteral(v)}`).join(', ')} }`;
}
