import { html, type SafeHtml } from './escape.js';

/** gateproof's own docs, where this copy of gateproof is installed: what `docs/…` refs open. */
const PACKAGE_ROOT = new URL('../../../', import.meta.url);

/**
 * A case's refs as links. Only https URLs and gateproof's own docs become anchors; anything else
 * (a user's check may write any string) stays text. Everything is escaped either way.
 */
export function refLinks(refs: readonly string[]): SafeHtml {
  return html`${refs.map((ref, i) => {
    const href = /^https:\/\/\S+$/.test(ref)
      ? ref
      : /^docs\/[\w./-]+(#[\w-]+)?$/.test(ref)
        ? new URL(ref, PACKAGE_ROOT).href
        : undefined;
    const item = href ? html`<a href="${href}" rel="noreferrer">${ref}</a>` : html`${ref}`;
    return i === 0 ? item : html`, ${item}`;
  })}`;
}
