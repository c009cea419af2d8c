import type { Fault } from './fault.js';

const BODY = (names: string[]) => names.map((n) => `validation.body.${n}`);

/**
 * Faults of the request pipeline: validation, mapping, gateway responses, limits and tracing, each
 * a bug real gateways and their configurations have shipped.
 */
export const PIPELINE_FAULTS = [
  {
    name: 'validation-body-skipped',
    description: 'the request validator never checks the body (only its parameters)',
    breaks: [
      ...BODY([
        'missing-field',
        'below-minimum',
        'above-maximum',
        'string-for-integer',
        'fraction-for-integer',
        'nested-missing',
        'nested-empty',
        'nested-wrong-type',
        'too-many-items',
        'enum-case',
        'extra-property',
        'pattern',
        'too-long',
        'not-json',
        'empty',
        'null',
        'array',
        'charset',
      ]),
      'validation.validator.body-only-checks-body',
      'validation.response.aws-body',
      'responses.own.overrides-default',
      'responses.own.template-context',
    ],
  },
  {
    name: 'validation-top-level-only',
    description: 'nested objects and array items are taken on trust: only top-level fields are validated',
    breaks: BODY(['nested-missing', 'nested-empty', 'nested-wrong-type', 'too-many-items', 'enum-case']),
  },
  {
    name: 'validation-blank-accepted',
    description: 'a required parameter counts as present when it is sent empty',
    breaks: ['validation.params.blank-query', 'validation.params.blank-header'],
  },
  {
    name: 'validation-media-type-exact',
    description:
      'the body model is looked up by the whole Content-Type, so one with a charset is never validated',
    breaks: ['validation.body.charset'],
  },
  {
    name: 'transform-request-template-skipped',
    description: 'the request template never runs: the body goes to the integration as the caller sent it',
    breaks: [
      'transform.request.template-reshapes',
      'transform.request.escape',
      'transform.request.json-to-xml',
      'transform.passthrough.no-match-maps-json',
      'transform.passthrough.charset-matches-template',
    ],
  },
  {
    name: 'transform-response-template-skipped',
    description: "the response template never runs: the integration's body is returned as it came",
    breaks: ['transform.response.template-applied', 'transform.response.error-selection'],
  },
  {
    name: 'transform-passthrough-always',
    description:
      'a body whose media type has no template always passes through (passthroughBehavior ignored)',
    breaks: [
      'transform.passthrough.never-refuses',
      'transform.passthrough.no-templates-refuses',
      'responses.own.unsupported-media-template',
    ],
  },
  {
    name: 'transform-headers-leaked',
    description:
      "a non-proxy integration receives every header and query parameter of the caller's request, mapped or not",
    breaks: ['transform.request.unmapped-headers-dropped', 'transform.request.unmapped-query-dropped'],
  },
  {
    name: 'responses-own-setting-ignored',
    description: "a response type's own customization is ignored in favour of DEFAULT_4XX/DEFAULT_5XX",
    breaks: [
      'responses.own.overrides-default',
      'responses.own.template-context',
      'responses.own.unsupported-media-template',
    ],
  },
  {
    name: 'responses-default-not-inherited',
    description: 'DEFAULT_4XX and DEFAULT_5XX customizations reach no response type without its own',
    breaks: [
      'responses.default.inherited-unknown-route',
      'responses.default.inherited-key-refusal',
      'responses.default.request-header-mapped',
      'responses.default.inherited-5xx',
    ],
  },
  {
    name: 'integration-timeout-ignored',
    description:
      "the method's timeoutInMillis is ignored: the caller waits as long as the stage's 29 s default",
    breaks: ['responses.timeout.enforced', 'responses.timeout.just-past', 'responses.default.inherited-5xx'],
  },
  {
    name: 'response-headers-not-remapped',
    description:
      "the integration's reserved response headers (WWW-Authenticate, Server) reach the caller as they are",
    breaks: ['responses.remap.www-authenticate', 'responses.remap.server'],
  },
  {
    name: 'tracing-header-missing',
    description: 'with tracing on, a request without X-Amzn-Trace-Id reaches the integration without one',
    breaks: ['responses.tracing.added', 'responses.tracing.unique', 'responses.tracing.non-proxy'],
  },
  {
    name: 'tracing-header-replaced',
    description: "the caller's X-Amzn-Trace-Id is replaced by a new root, breaking the trace",
    breaks: ['responses.tracing.passed-on'],
  },
  {
    name: 'unknown-route-not-found',
    description:
      'an unknown resource or method is answered 404 Not Found instead of 403 Missing Authentication Token',
    breaks: [
      'responses.route.unknown-resource',
      'responses.route.unknown-method',
      'responses.route.path-case',
    ],
  },
] as const satisfies readonly Fault[];
