/**
 * @module openapi-walk (hardening test helper)
 * Reads the service's own OpenAPI document: its operations, their parameters and request-body
 * schemas ($refs resolved), and the dotted paths of every string field a body can carry — what the
 * S2, S3 and S6 suites attack.
 */
export type Json = Record<string, unknown>;

export interface WalkOperation {
  method: string;
  /** OpenAPI path, e.g. `/api/v1/regions/{id}`. */
  path: string;
  operationId: string;
  public: boolean;
  pathParams: string[];
  query: { name: string; schema: Json }[];
  body: Json | null;
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
}

/** Follows `$ref`s into `components.schemas`. */
export function resolve(doc: OpenApiDoc, schema: Json): Json {
  let s = schema;
  for (let i = 0; i < 20 && typeof s.$ref === 'string'; i++) s = doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] ?? {};
  return s;
}

export function operationsOf(doc: OpenApiDoc): WalkOperation[] {
  const out: WalkOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as { operationId: string; security?: unknown[]; parameters?: { name: string; in: string; schema: Json }[]; requestBody?: { content: Record<string, { schema: Json }> } };
      const params = op.parameters ?? [];
      const bodySchema = op.requestBody?.content['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        public: Array.isArray(op.security) && op.security.length === 0,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: bodySchema ? resolve(doc, bodySchema) : null,
      });
    }
  }
  return out;
}

/** The path with every `{param}` replaced by `value(param)`. */
export function fillPath(path: string, value: (name: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(value(name)));
}

/** The alternatives of a schema (anyOf/oneOf branches, or itself). */
function branches(doc: OpenApiDoc, schema: Json): Json[] {
  const s = resolve(doc, schema);
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  return alts ? alts.flatMap((a) => branches(doc, a)) : [s];
}

/** True when some branch of the schema is a free string (not an enum or a constant). */
export function isFreeString(doc: OpenApiDoc, schema: Json): boolean {
  return branches(doc, schema).some((b) => b.type === 'string' && b.enum === undefined && b.const === undefined);
}

/** Dotted paths (array items as `.0`) of every free-string field of a body schema. */
export function stringFieldPaths(doc: OpenApiDoc, schema: Json, prefix: string[] = [], depth = 0): string[][] {
  if (depth > 6) return [];
  const out: string[][] = [];
  for (const b of branches(doc, schema)) {
    if (b.type === 'object' && b.properties) {
      for (const [name, child] of Object.entries(b.properties as Record<string, Json>)) {
        if (isFreeString(doc, child)) out.push([...prefix, name]);
        out.push(...stringFieldPaths(doc, child, [...prefix, name], depth + 1));
      }
    }
    if (b.type === 'array' && b.items) {
      if (isFreeString(doc, b.items as Json)) out.push([...prefix, '0']);
      out.push(...stringFieldPaths(doc, b.items as Json, [...prefix, '0'], depth + 1));
    }
  }
  return out;
}

/** `{ a: [ { b: value } ] }` for the path `a.0.b`. */
export function bodyWith(path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  return /^\d+$/.test(head) ? [bodyWith(rest, value)] : { [head]: bodyWith(rest, value) };
}
