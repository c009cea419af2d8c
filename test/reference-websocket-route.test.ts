import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ROUTE, selectRoute } from '../src/reference/websocket-route.js';

/** Route selection on `$request.body.action`, which the websocket suite sees only through the gateway. */

const ROUTES = ['echo', DEFAULT_ROUTE];

describe('reference WebSocket route selection', () => {
  it('takes a top-level string action naming a route, exactly', () => {
    assert.equal(selectRoute('{"action":"echo"}', ROUTES, undefined), 'echo');
    assert.equal(selectRoute('{"action":"echo","action2":1}', ['echo'], undefined), 'echo');
  });

  it('sends everything else to $default', () => {
    for (const body of [
      'not json',
      '',
      '[]',
      'null',
      '"echo"',
      '{}',
      '{"action":"ECHO"}',
      '{"action":"echo "}',
      '{"action":["echo"]}',
      '{"action":null}',
      '{"data":{"action":"echo"}}',
      // A route key starting with $ is never chosen by the expression.
      '{"action":"$default"}',
    ]) {
      assert.equal(selectRoute(body, ROUTES, undefined), DEFAULT_ROUTE, body);
    }
  });

  it('chooses nothing when there is no $default', () => {
    assert.equal(selectRoute('{"action":"Echo"}', ['echo'], undefined), undefined);
    assert.equal(selectRoute('plain', ['echo'], undefined), undefined);
  });

  it('breaks exactly as each route fault says', () => {
    assert.equal(selectRoute('{"action":"echo"}', ROUTES, 'websocket-route-default-first'), DEFAULT_ROUTE);
    assert.equal(selectRoute('plain', ROUTES, 'websocket-route-non-json-refused'), undefined);
    assert.equal(selectRoute('{"action":"ECHO"}', ROUTES, 'websocket-route-case-insensitive'), 'echo');
    assert.equal(selectRoute('{"data":{"action":"echo"}}', ROUTES, 'websocket-route-nested-action'), 'echo');
    assert.equal(selectRoute('{"action":["echo"]}', ROUTES, 'websocket-route-action-coerced'), 'echo');
  });
});
