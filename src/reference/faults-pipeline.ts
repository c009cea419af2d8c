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
    // Every case that reads the echo the response template maps back sees nothing.
    breaks: [
      'transform.request.template-reshapes',
      'transform.request.escape',
      'transform.request.query-renamed',
      'transform.request.headers-mapped',
      'transform.request.unmapped-headers-dropped',
      'transform.request.unmapped-query-dropped',
      'transform.passthrough.charset-matches-template',
      'transform.response.template-applied',
      'transform.response.template-by-accept',
      'transform.response.headers-mapped',
      'transform.response.error-selection',
    ],
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
    breaks: [
      'transform.request.query-renamed',
      'transform.request.unmapped-headers-dropped',
      'transform.request.unmapped-query-dropped',
    ],
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
  {
    name: 'validation-bounds-exclusive',
    description:
      'every bound of the model is read as exclusive: a value exactly at its minimum, maximum or length limit is refused',
    breaks: ['validation.accept.at-minimum', 'validation.accept.at-maximum', 'validation.accept.max-items'],
  },
  {
    name: 'validation-all-required',
    description:
      'every declared property is treated as required, so a body without an optional field is refused',
    breaks: ['validation.accept.optional-absent'],
  },
  {
    name: 'validation-consumes-body',
    description: 'the validator reads the body and the integration receives none',
    breaks: [
      'validation.accept.valid',
      'validation.accept.at-minimum',
      'validation.accept.at-maximum',
      'validation.accept.optional-absent',
      'validation.accept.max-items',
      'validation.validator.no-model-media-type',
    ],
  },
  {
    name: 'validation-validator-kind-ignored',
    description: 'every validated method gets both checks, whatever its validator names',
    breaks: [
      'validation.validator.params-only-skips-body',
      'validation.validator.body-only-skips-params',
      'validation.validator.body-only-checks-body',
      'validation.validator.no-model-media-type',
    ],
  },
  {
    name: 'validation-params-skipped',
    description: 'required request parameters are never checked',
    breaks: [
      'validation.params.missing-query',
      'validation.params.blank-query',
      'validation.params.query-name-case',
      'validation.params.missing-header',
      'validation.params.blank-header',
      'validation.params.both-missing',
      'validation.validator.params-only-checks-params',
    ],
  },
  {
    name: 'validation-query-name-case-insensitive',
    description: 'query parameter names are matched without regard to case',
    breaks: ['validation.params.query-name-case'],
  },
  {
    name: 'validation-header-name-case-sensitive',
    description: 'a required header is looked up by the exact case of its name',
    breaks: ['validation.params.header-name-case'],
  },
  {
    name: 'validation-first-missing-only',
    description: 'the refusal names only the first missing parameter',
    breaks: ['validation.params.both-missing'],
  },
  {
    name: 'validation-any-media-type',
    description: 'the first model validates a body of any media type, even one the method gives no model',
    breaks: ['validation.validator.no-model-media-type'],
  },
  {
    name: 'transform-literal-quotes-kept',
    description: "a literal in a parameter mapping keeps its quotes ('fixed-value' arrives quoted)",
    breaks: [
      'transform.request.headers-mapped',
      'transform.request.json-to-xml',
      'transform.response.headers-mapped',
    ],
  },
  {
    name: 'transform-query-copied',
    description: 'a query parameter mapped under a new name is sent under its original name too',
    breaks: ['transform.request.query-renamed'],
  },
  {
    name: 'transform-response-headers-relayed',
    description: "a non-proxy method relays the integration's own response headers, mapped or not",
    breaks: ['transform.response.unmapped-headers-dropped'],
  },
  {
    name: 'transform-passthrough-never',
    description:
      'every passthrough behaviour is read as NEVER: a media type without a template is always refused',
    breaks: ['transform.passthrough.no-match-passes', 'transform.passthrough.no-templates-passes'],
  },
  {
    name: 'transform-selection-pattern-ignored',
    description: "integration responses' selection patterns are ignored: every answer goes through `default`",
    breaks: ['transform.response.error-selection'],
  },
  {
    name: 'transform-accept-unparsed',
    description:
      'the response template is looked up by the whole Accept header, parameters and all, so a q-value sends the caller the default template',
    breaks: ['transform.response.template-by-accept'],
  },
  {
    name: 'integration-timeout-in-seconds',
    description:
      'timeoutInMillis is read as whole seconds, so a 500 ms timeout cuts every request off at once',
    breaks: ['responses.timeout.within'],
  },
  {
    name: 'payload-limit-ignored',
    description: 'a payload over 10 MB is passed to the integration',
    breaks: ['responses.limits.payload'],
  },
] as const satisfies readonly Fault[];
