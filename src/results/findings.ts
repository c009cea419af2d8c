const MAX_DEPTH = 3;
const MAX_VALUE = 200;

function formatValue(value: unknown): string {
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_VALUE ? `${json.slice(0, MAX_VALUE)}…` : json;
}

/**
 * A scenario's findings as `[dotted name, text]` rows: nested objects are flattened (a few levels
 * deep) so that a table can show them, and long values are cut.
 */
export function findingRows(findings: Record<string, unknown>): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const visit = (name: string, value: unknown, depth: number) => {
    const nested = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (nested && depth < MAX_DEPTH && Object.keys(value).length > 0) {
      for (const [key, inner] of Object.entries(value)) visit(`${name}.${key}`, inner, depth + 1);
    } else {
      rows.push([name, formatValue(value)]);
    }
  };
  for (const [name, value] of Object.entries(findings)) visit(name, value, 1);
  return rows;
}
