import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify's own schema compilers (ajv for requests, fast-json-stringify for responses), each route's compiled on its
 * first request instead of at start-up. Fastify compiles every route eagerly, its HEAD twin included: the page's
 * status and snapshot serializers alone held ~1.5 MB of generated code, and most routes (metrics, diagnostics, the
 * JSON API) are never called on a till. The compiled functions are the very ones fastify would have made, so what a
 * route accepts and sends is unchanged; a schema fastify cannot compile fails that route's first request (the web
 * tests call every route) rather than the start.
 */

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
/** The shape both fastify compiler factories share: (external schemas, options) → (route schema) → function. */
type Factory<F> = (externalSchemas: unknown, options: unknown) => (route: unknown) => F;
type Validate = ((...args: unknown[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type Serialize = (data: unknown) => string;

// Resolved from fastify's own directory: they are its dependencies, not ours (wherever npm put them).
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const defaultFactory = <F>(pkg: string): Factory<F> => (fromFastify(pkg) as () => Factory<F>)();

export function lazyCompilersFactory(): Required<Factories> {
  let validators: Factory<Validate> | undefined;
  let serializers: Factory<Serialize> | undefined;
  const buildValidator: Factory<Validate> = (externalSchemas, options) => {
    let compiler: ((route: unknown) => Validate) | undefined;
    return (route) => {
      let compiled: Validate | undefined;
      const get = (): Validate => {
        validators ??= defaultFactory<Validate>('@fastify/ajv-compiler');
        compiler ??= validators(externalSchemas, options);
        return (compiled ??= compiler(route));
      };
      const validate: Validate = (...args) => {
        const v = get();
        const result = v(...args);
        validate.errors = v.errors; // fastify reads the errors off the function it holds
        return result;
      };
      // Fastify passes ajv validators their parent object (so coercion can replace a root value).
      Object.defineProperty(validate, 'schemaEnv', { get: () => get().schemaEnv });
      return validate;
    };
  };
  const buildSerializer: Factory<Serialize> = (externalSchemas, options) => {
    let compiler: ((route: unknown) => Serialize) | undefined;
    return (route) => {
      let compiled: Serialize | undefined;
      return (data) => {
        serializers ??= defaultFactory<Serialize>('@fastify/fast-json-stringify-compiler');
        compiler ??= serializers(externalSchemas, options);
        return (compiled ??= compiler(route))(data);
      };
    };
  };
  return { buildValidator: buildValidator as unknown as Factories['buildValidator'] & object, buildSerializer: buildSerializer as unknown as Factories['buildSerializer'] & object };
}
