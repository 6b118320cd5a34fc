import { Ajv } from 'ajv';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { isOptional, Type, type Static } from './type.js';

describe('schema builder', () => {
  it('emits plain JSON Schema', () => {
    const s = Type.Object(
      {
        name: Type.String({ minLength: 1 }),
        port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 8620 })),
        mode: Type.Union([Type.Literal('a'), Type.Literal(1)], { default: 'a' }),
        tags: Type.Array(Type.String(), { maxItems: 2 }),
        labels: Type.Record(Type.String({ pattern: '^[a-z]+$' }), Type.String()),
        none: Type.Optional(Type.Null()),
      },
      { additionalProperties: false },
    );
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      type: 'object',
      required: ['name', 'mode', 'tags', 'labels'],
      properties: {
        name: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: 8620 },
        mode: { anyOf: [{ type: 'string', const: 'a' }, { type: 'number', const: 1 }], default: 'a' },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
        labels: { type: 'object', patternProperties: { '^[a-z]+$': { type: 'string' } } },
        none: { type: 'null' },
      },
      additionalProperties: false,
    });
    expect(isOptional(s.properties.port)).toBe(true);
    expect(Object.keys(s.properties.port)).not.toContain('~optional');
  });

  it('validates with ajv, defaults filled, and infers static types', () => {
    const s = Type.Object({ a: Type.String(), b: Type.Optional(Type.Number({ default: 3 })) }, { additionalProperties: false });
    type S = Static<typeof s>;
    expectTypeOf<S>().toEqualTypeOf<{ a: string; b?: number }>();
    const v = new Ajv({ useDefaults: true }).compile(s);
    const doc: Record<string, unknown> = { a: 'x' };
    expect(v(doc)).toBe(true);
    expect(doc).toEqual({ a: 'x', b: 3 });
    expect(v({ b: 1 })).toBe(false);
    expect(v({ a: 'x', c: 1 })).toBe(false);
  });

  it('Omit and Intersect', () => {
    const base = Type.Object({ a: Type.String(), b: Type.Number() }, { additionalProperties: false });
    expect(JSON.parse(JSON.stringify(Type.Omit(base, ['b'])))).toEqual({ type: 'object', required: ['a'], properties: { a: { type: 'string' } }, additionalProperties: false });
    const both = Type.Intersect([Type.Object({ a: Type.String() }), Type.Object({ b: Type.Number() })]);
    expectTypeOf<Static<typeof both>>().toEqualTypeOf<{ a: string } & { b: number }>();
    expect(new Ajv().compile(both)({ a: 'x', b: 1 })).toBe(true);
  });
});
