import { describe, expect, it } from 'vitest';
import { renderApiMarkdown, type ApiDocSection } from './render-routes.js';
import { Type } from './type.js';

const Thing = Type.Object({ id: Type.String({ description: 'the id' }), note: Type.Union([Type.String({ description: 'a note' }), Type.Null()]) });
const ErrorBody = Type.Object({ error: Type.String() });
const section: ApiDocSection = {
  title: 'Test API',
  anchor: 't',
  schemasTitle: 'Schemas of the test API',
  intro: 'For the test.',
  routes: {
    one: {
      method: 'GET',
      url: '/things/:id',
      summary: 'one thing',
      auth: 'none',
      schema: {
        params: Type.Object({ id: Type.String({ pattern: '^[a-z]+$' }) }),
        querystring: Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh' })) }),
        response: { 200: Type.Object({ thing: Thing, count: Type.Integer({ minimum: 0 }) }), 404: ErrorBody, 400: ErrorBody },
      },
    },
  },
  schemas: { Thing, Error: ErrorBody },
};

describe('API document', () => {
  const md = renderApiMarkdown([section]);

  it('indexes the routes and describes each: auth, parameters with defaults and constraints', () => {
    expect(md).toContain('| GET | [`/things/:id`](#t-get-things-id) | one thing |');
    expect(md).toContain('### `GET /things/:id`');
    expect(md).toContain('Auth: none.');
    expect(md).toContain('| `id` | string (matching `^[a-z]+$`) | yes |  |  |');
    expect(md).toContain('| `lang` | one of `"zh"`, `"en"` |  | `"zh"` |  |');
  });

  it('names shared schemas by link, groups statuses with one body, and describes an unnamed body field by field', () => {
    expect(md).toContain('| 400, 404 | [`Error`](#t-error) |  |');
    expect(md).toContain('| `thing` | [`Thing`](#t-thing) | yes |  |');
    expect(md).toContain('| `count` | integer (0..) | yes |  |');
    expect(md).toContain('<a id="t-thing"></a>');
    // a nullable field keeps its description
    expect(md).toContain('| `note` | string or null | yes | a note |');
  });
});
