const PART = /(\d+(?:\.\d+)?)(ms|us|µs|s|m|h)/y;
const MS_PER_UNIT: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a k6 duration ('500ms', '1m30s', '2h') into milliseconds. */
export function parseDuration(text: string): number {
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const match = PART.exec(text);
    if (!match) break;
    ms += Number(match[1]) * (MS_PER_UNIT[match[2] as string] as number);
    at = PART.lastIndex;
  }
  if (text.length === 0 || at !== text.length) {
    throw new Error(`invalid duration '${text}': expected a k6 duration such as '500ms', '10s' or '1m30s'`);
  }
  return ms;
}
