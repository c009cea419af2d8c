import { escapeMarkup } from '../results/escape.js';

/** Markup that is already safe: built by `html` from escaped values, or authored in this folder. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type HtmlValue = string | number | boolean | null | undefined | SafeHtml | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.html;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeMarkup(String(value));
}

/**
 * Template tag for HTML: every interpolated value is escaped (`&<>"'` and control characters)
 * unless it is SafeHtml, so target data cannot open a tag or leave a quoted attribute. Attributes
 * are always written quoted.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (const [i, value] of values.entries()) out += render(value) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** For markup authored here (the stylesheet), never for anything that came from a target. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * JSON inside `<script type="application/json">`: `<` (and `>`, `&`, the JS line separators) become
 * \u escapes, so no string in it can close the script element; JSON.parse reads it back unchanged.
 */
export function jsonScript(id: string, value: unknown): SafeHtml {
  return html`<script type="application/json" id="${id}">${jsonText(value)}</script>`;
}

/** The JSON of `value`, safe as the content of a `<script type="application/json">` (see jsonScript). */
export function jsonText(value: unknown): SafeHtml {
  return trusted(
    JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}
