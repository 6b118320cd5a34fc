/**
 * A small JSON Schema builder with static types, covering the part of TypeBox's API this project uses and emitting
 * the same JSON Schema. Why not TypeBox itself: importing it costs a till PC about 19 MB of RSS (measured in
 * bench/agent-memory), for what is, at run time, a handful of object literals.
 *
 * Optional properties carry a non-enumerable marker, so schemas stay plain JSON for ajv, fastify and the docs.
 */

const OPTIONAL = '~optional';

export interface TSchema {
  [keyword: string]: unknown;
  /** Phantom: the TypeScript type a value of this schema has. Never present at run time. */
  readonly static?: unknown;
}
export type Static<T extends TSchema> = T extends { static?: infer S } ? Exclude<S, undefined> : unknown;

type Options = Record<string, unknown>;
export interface TString extends TSchema { static?: string }
export interface TNumber extends TSchema { static?: number }
export interface TBoolean extends TSchema { static?: boolean }
export interface TNull extends TSchema { static?: null }
export interface TLiteral<V extends string | number | boolean> extends TSchema { static?: V }
export interface TArray<T extends TSchema> extends TSchema { static?: Static<T>[] }
export interface TUnion<T extends TSchema[]> extends TSchema { static?: Static<T[number]> }
export interface TRecord<V extends TSchema> extends TSchema { static?: Record<string, Static<V>> }
export interface TOptional<T extends TSchema> extends TSchema { readonly [OPTIONAL]: true; static?: Static<T> }

export type TProperties = Record<string, TSchema>;
type OptionalKeys<P extends TProperties> = { [K in keyof P]: P[K] extends TOptional<TSchema> ? K : never }[keyof P];
type RequiredKeys<P extends TProperties> = Exclude<keyof P, OptionalKeys<P>>;
type Flatten<T> = { [K in keyof T]: T[K] };
export type StaticObject<P extends TProperties> = Flatten<{ [K in RequiredKeys<P>]: Static<P[K]> } & { [K in OptionalKeys<P>]?: Static<P[K]> }>;
export interface TObject<P extends TProperties = TProperties> extends TSchema {
  type: 'object';
  properties: P;
  required?: string[];
  static?: StaticObject<P>;
}
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
export interface TIntersect<T extends TSchema[]> extends TSchema { static?: UnionToIntersection<Static<T[number]>> }

export function isOptional(schema: TSchema): boolean {
  return (schema as Record<string, unknown>)[OPTIONAL] === true;
}

function kind<T extends TSchema>(base: Record<string, unknown>, options?: Options): T {
  return { ...base, ...options } as T;
}

function Optional<T extends TSchema>(schema: T): TOptional<T> & T {
  const copy = { ...schema };
  Object.defineProperty(copy, OPTIONAL, { value: true, enumerable: false, writable: true, configurable: true });
  return copy as TOptional<T> & T;
}

function Object_<P extends TProperties>(properties: P, options?: Options): TObject<P> {
  const required = Object.keys(properties).filter((k) => !isOptional(properties[k]!));
  return kind<TObject<P>>({ type: 'object', ...(required.length ? { required } : {}), properties }, options);
}

function literalType(v: string | number | boolean): string {
  return typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'boolean';
}

/** The schema builder: `Type.Object({...})`, `Type.Optional(Type.String({ default: 'x' }))`, ... */
export const Type = {
  Optional,
  Object: Object_,
  String: (options?: Options) => kind<TString>({ type: 'string' }, options),
  Number: (options?: Options) => kind<TNumber>({ type: 'number' }, options),
  Integer: (options?: Options) => kind<TNumber>({ type: 'integer' }, options),
  Boolean: (options?: Options) => kind<TBoolean>({ type: 'boolean' }, options),
  Null: (options?: Options) => kind<TNull>({ type: 'null' }, options),
  Literal: <V extends string | number | boolean>(value: V, options?: Options) => kind<TLiteral<V>>({ type: literalType(value), const: value }, options),
  Array: <T extends TSchema>(items: T, options?: Options) => kind<TArray<T>>({ type: 'array', items }, options),
  Union: <T extends TSchema[]>(anyOf: [...T], options?: Options) => kind<TUnion<T>>({ anyOf }, options),
  Intersect: <T extends TSchema[]>(allOf: [...T], options?: Options) => kind<TIntersect<T>>({ allOf }, options),
  /** Keys matching the key schema's pattern (any key without one) map to values of `value`. */
  Record: <V extends TSchema>(key: TString, value: V, options?: Options) =>
    kind<TRecord<V>>({ type: 'object', patternProperties: { [(key.pattern as string | undefined) ?? '^.*$']: value } }, options),
  /** The object without the named properties. */
  Omit: <P extends TProperties, K extends keyof P & string>(schema: TObject<P>, keys: readonly K[], options?: Options): TObject<Omit<P, K>> => {
    const properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !keys.includes(k as K))) as Omit<P, K>;
    const { properties: _p, required: _r, ...rest } = schema;
    return Object_(properties, { ...rest, ...options });
  },
};
