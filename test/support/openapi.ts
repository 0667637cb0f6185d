/**
 * openapi.yaml as a test oracle: `expectMatchesSpec` fails unless a real response is one
 * that the document describes for the operation: a documented status, a documented content
 * type, a body that validates against the documented schema and the documented headers.
 * The whole document is added to ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses) under one
 * $id, so schemas are compiled straight from their place in the document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { parse } from 'yaml';

export const SPEC_PATH = join(__dirname, '..', '..', 'openapi.yaml');
const SPEC_ID = 'https://chat.invalid/openapi.yaml';

type Json = Record<string, any>;

/** The parsed document, as written (references unresolved). */
export const spec: Json = parse(readFileSync(SPEC_PATH, 'utf8'));

// strictRequired would refuse the usual `anyOf: [{required: [a]}, {required: [b]}]` of the request bodies.
const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
// OpenAPI's own keywords: annotations for ajv, so that strict mode still catches typos in schemas.
ajv.addVocabulary(['example', 'xml', 'discriminator', 'externalDocs', ...Object.keys(spec)]);
ajv.addFormat(
  'date-time',
  (s: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
);
ajv.addSchema({ ...spec, $id: SPEC_ID });

/** A compiled validator for the schema at a JSON pointer into openapi.yaml, e.g. `/components/schemas/Message`. */
export function schemaAt(pointer: string): ValidateFunction {
  const validate = ajv.getSchema(`${SPEC_ID}#${pointer}`);
  if (!validate) throw new Error(`openapi.yaml has no schema at ${pointer}`);
  return validate;
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Follows a local `$ref`; returns the object and the pointer it lives at. */
function deref(node: Json, pointer: string): { node: Json; pointer: string } {
  let current = node;
  let at = pointer;
  while (typeof current.$ref === 'string') {
    const ref: string = current.$ref;
    if (!ref.startsWith('#/')) throw new Error(`only local references are supported: ${ref}`);
    at = ref.slice(1);
    current = at
      .split('/')
      .slice(1)
      .reduce<any>((o, part) => o?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
    if (current === undefined) throw new Error(`openapi.yaml: dangling reference ${ref}`);
  }
  return { node: current, pointer: at };
}

/** What a response must show to be checked: from `call()` or from a real HTTP response. */
export interface ObservedResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Each Set-Cookie on its own. */
  readonly cookies: readonly string[];
  readonly text: string;
}

export interface DocumentedResponse {
  readonly node: Json;
  readonly pointer: string;
}

/**
 * The response that openapi.yaml documents for `method pathTemplate` with `status`. A path
 * template that is not in `paths` is an unknown path, and a documented path with a method it
 * does not list is another method: both are described in `x-unmatched-requests`.
 */
export function documentedResponse(
  method: string,
  pathTemplate: string,
  status: number,
): DocumentedResponse | undefined {
  const pathItem: Json | undefined = spec.paths[pathTemplate];
  const operation: Json | undefined = pathItem?.[method.toLowerCase()];
  let responses: Json | undefined;
  let pointer: string;
  if (operation) {
    responses = operation.responses;
    pointer = `/paths/${escapePointer(pathTemplate)}/${method.toLowerCase()}/responses`;
  } else {
    const kind = pathItem ? 'otherMethod' : 'unknownPath';
    responses = spec['x-unmatched-requests']?.[kind]?.responses;
    pointer = `/x-unmatched-requests/${kind}/responses`;
  }
  const response = responses?.[String(status)];
  if (!response) return undefined;
  return deref(response, `${pointer}/${status}`);
}

/** The statuses openapi.yaml documents for an operation (or for an unmatched request). */
export function documentedStatuses(method: string, pathTemplate: string): number[] {
  const operation: Json | undefined = spec.paths[pathTemplate]?.[method.toLowerCase()];
  const responses: Json =
    operation?.responses ??
    spec['x-unmatched-requests'][spec.paths[pathTemplate] ? 'otherMethod' : 'unknownPath'].responses;
  return Object.keys(responses).map(Number);
}

/**
 * Fails unless `res` has `status` and is exactly what openapi.yaml documents for it. Returns
 * the media type of the body. A HEAD response has no body, so only its headers are checked.
 */
export function expectMatchesSpec(method: string, pathTemplate: string, status: number, res: ObservedResponse): string {
  const what = `${method} ${pathTemplate} → ${res.status}`;
  if (res.status !== status) {
    throw new Error(`${what}: expected status ${status}; body: ${res.text.slice(0, 500)}`);
  }
  const documented = documentedResponse(method, pathTemplate, status);
  if (!documented) throw new Error(`${what}: openapi.yaml documents no ${status} response for this request`);
  const { node: response, pointer } = documented;

  // A 204 has no body, and so no Content-Type; every other answer has both.
  const contentType = res.headers['content-type'];
  if (status === 204) {
    if (res.text !== '' || contentType !== undefined || response.content) {
      throw new Error(`${what}: a 204 must have no body and no Content-Type, and openapi.yaml no content for it`);
    }
  } else if (!contentType) throw new Error(`${what}: no Content-Type`);
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const content: Json = response.content ?? {};
  if (status !== 204 && !(mediaType in content)) {
    throw new Error(
      `${what}: Content-Type ${contentType} is not documented (documented: ${Object.keys(content).join(', ') || 'none'})`,
    );
  }

  for (const [name, headerSpec] of Object.entries<Json>(response.headers ?? {})) {
    const header = deref(headerSpec, `${pointer}/headers/${escapePointer(name)}`);
    const values =
      name.toLowerCase() === 'set-cookie'
        ? res.cookies
        : res.headers[name.toLowerCase()] === undefined
          ? []
          : [res.headers[name.toLowerCase()]!];
    if (values.length === 0) {
      if (header.node.required) throw new Error(`${what}: the documented header ${name} is missing`);
      continue;
    }
    if (header.node.schema) {
      const validate = schemaAt(`${header.pointer}/schema`);
      for (const value of values) {
        if (!validate(value))
          throw new Error(`${what}: header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
      }
    }
  }

  if (method.toUpperCase() === 'HEAD' || status === 204) return mediaType;
  const validate = schemaAt(`${pointer}/content/${escapePointer(mediaType)}/schema`);
  let body: unknown = res.text;
  if (mediaType === 'application/json') {
    try {
      body = JSON.parse(res.text);
    } catch {
      throw new Error(`${what}: the body is not JSON: ${res.text.slice(0, 200)}`);
    }
  }
  if (!validate(body)) {
    throw new Error(
      `${what}: the body does not match openapi.yaml: ${ajv.errorsText(validate.errors)}\n${res.text.slice(0, 1000)}`,
    );
  }
  return mediaType;
}
