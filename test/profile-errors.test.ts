import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProfile } from '../src/target/load-profile.js';
import { unsupportedReason } from '../src/target/unsupported.js';

const error = (text: string, env: NodeJS.ProcessEnv = {}): string => {
  try {
    parseProfile(text, 'p.yaml', env);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('the profile was accepted');
};

test('a misspelt nested key is reported at its own line, with the nearest key of its own section', () => {
  const text = 'name: t\nbaseUrl: http://x\ncors:\n  allowOrigins: [https://a]\n  alowMethods: [GET]\n';
  assert.equal(error(text), 'p.yaml:5: cors.alowMethods: unknown key; did you mean allowMethods?');
});

test('a key near nothing lists the valid keys; several unknown keys are counted', () => {
  const text = 'name: t\nbaseUrl: http://x\nprobe:\n  url: http://p\n  zzzzzzzz: 1\n  qqqqqqqq: 2\n';
  assert.equal(
    error(text),
    'p.yaml:5: probe.zzzzzzzz: unknown key; valid keys here: url, secret (and 1 more unknown key)',
  );
});

test('the same unset variable twice is named once', () => {
  const text = 'name: ${N}\nbaseUrl: ${U}\nvendor: ${N}\n';
  assert.equal(error(text), 'p.yaml:1: environment variables not set: N (line 1), U (line 2)');
});

test('a declared unsupported part skips exactly its cases, with the reason', () => {
  const profile = parseProfile(
    'name: t\nbaseUrl: http://x\nunsupported: [other-stages, wildcard-origins]\n',
    'p.yaml',
    {},
  );
  assert.match(unsupportedReason(profile.unsupported, 'apikey.reject.other-stage') ?? '', /one stage only/);
  assert.match(unsupportedReason(profile.unsupported, 'cors.origin.wildcard-lookalike') ?? '', /wildcard/);
  assert.equal(unsupportedReason(profile.unsupported, 'apikey.reject.disabled'), undefined);
  assert.equal(unsupportedReason(profile.unsupported, 'authorizer.cache.reused-within-ttl'), undefined);
  assert.match(
    error('name: t\nbaseUrl: http://x\nunsupported: [one-stage]\n'),
    /^p\.yaml:3: unsupported\.0: /,
  );
});
