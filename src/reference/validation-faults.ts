import type { FaultName } from './faults.js';

type Schema = Record<string, unknown>;

/**
 * The model a faulty validator effectively checks: the ways real validators get JSON Schema almost
 * right. The faithful model is returned as it is.
 */
export function faultyModel(model: object, fault: FaultName | undefined): object {
  switch (fault) {
    case 'validation-top-level-only':
      return topLevelOnly(model as Schema);
    case 'validation-bounds-exclusive':
      return walk(model as Schema, exclusiveBounds);
    case 'validation-all-required':
      return walk(model as Schema, (s) =>
        s.properties ? { ...s, required: Object.keys(s.properties as Schema) } : s,
      );
    default:
      return model;
  }
}

/** Nested objects and array items are taken on trust. */
function topLevelOnly(model: Schema): Schema {
  const properties = model.properties as Record<string, Schema> | undefined;
  if (!properties) return model;
  return {
    ...model,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, schema]) => {
        const { type } = schema;
        return [name, type === 'object' || type === 'array' ? { type } : schema];
      }),
    ),
  };
}

/** Every bound read as exclusive: a value exactly at a limit is refused. */
function exclusiveBounds(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (typeof schema.minimum === 'number') out.exclusiveMinimum = true;
  if (typeof schema.maximum === 'number') out.exclusiveMaximum = true;
  if (typeof schema.maxItems === 'number') out.maxItems = schema.maxItems - 1;
  if (typeof schema.maxLength === 'number') out.maxLength = schema.maxLength - 1;
  return out;
}

function walk(schema: Schema, change: (s: Schema) => Schema): Schema {
  const out = change(schema);
  const properties = out.properties as Record<string, Schema> | undefined;
  return {
    ...out,
    ...(properties
      ? { properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, walk(v, change)])) }
      : {}),
    ...(out.items && typeof out.items === 'object' ? { items: walk(out.items as Schema, change) } : {}),
  };
}
