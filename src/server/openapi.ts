/**
 * @module openapi
 * Builds the OpenAPI 3.1 document from the same operation list and zod schemas the routes use
 * (`z.toJSONSchema`), and renders it as a self-contained HTML page (no CDN, no script).
 */
import { z } from 'zod';
import { API_ERROR_STATUS, type ApiErrorCode } from '../core/error-codes.js';
import type { ApiOperation } from './api-router.js';
import { toOpenApiPath } from './api-router.js';
import { ErrorResponse } from './api-schemas.js';

type JsonSchema = Record<string, unknown>;
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  security: Record<string, string[]>[];
}

const REF_PREFIX = '#/components/schemas/';

/** Converts a schema, collecting every `.meta({ id })` sub-schema into `components`. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const raw = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    reused: 'inline',
    metadata: z.globalRegistry,
    uri: (id) => REF_PREFIX + id,
  } as Parameters<typeof z.toJSONSchema>[1]) as JsonSchema;
  // zod writes local `#/$defs/X` references; in the document they live under components.
  const json = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', `"${REF_PREFIX}`)) as JsonSchema;
  const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
  delete json.$defs;
  delete json.$schema;
  for (const [id, def] of Object.entries(defs)) {
    delete def.$schema;
    components[id] ??= def;
  }
  // A schema that is itself registered with an id comes back with `id` set; reference it.
  const ownId = typeof json.id === 'string' ? json.id : undefined;
  if (ownId) {
    delete json.id;
    components[ownId] ??= json;
    return { $ref: REF_PREFIX + ownId };
  }
  return json;
}

function parametersOf(op: ApiOperation, components: Record<string, JsonSchema>): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', op.params],
    ['query', op.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input', components);
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries(props)) {
      out.push({
        name,
        in: where,
        required: where === 'path' ? true : required.has(name) && s.default === undefined,
        schema: s,
        ...(typeof s.description === 'string' ? { description: s.description } : {}),
      });
    }
  }
  return out;
}

/** The OpenAPI 3.1 document of the given operations, mounted at `basePath`. */
export function buildOpenApiDocument(operations: readonly ApiOperation[], basePath: string, version: string): OpenApiDocument {
  const components: Record<string, JsonSchema> = {};
  const paths: OpenApiDocument['paths'] = {};
  const errorRef = toSchema(ErrorResponse, 'output', components);
  for (const op of operations) {
    const path = toOpenApiPath(op.path);
    const responses: Record<string, unknown> = {};
    const status = String(op.successStatus ?? 200);
    if (op.responseContentType) {
      responses[status] = { description: 'OK', content: { [op.responseContentType]: { schema: { type: 'string' } } } };
    } else {
      responses[status] = {
        description: 'OK',
        content: { 'application/json': { schema: op.response ? toSchema(op.response, 'output', components) : {} } },
      };
    }
    const errorCodes: ApiErrorCode[] = [...(op.public ? [] : ['unauthorized' as const]), ...(op.body || op.query ? ['validation_failed' as const] : []), ...(op.body ? ['invalid_json' as const] : []), ...(op.errors ?? [])];
    const byStatus = new Map<string, ApiErrorCode[]>();
    for (const code of errorCodes) {
      // One table gives each code its status (core/error-codes.ts): 502/503 for a failed MoySklad call.
      const s = String(API_ERROR_STATUS[code]);
      byStatus.set(s, [...(byStatus.get(s) ?? []), code]);
    }
    for (const [s, codes] of byStatus) {
      responses[s] = { description: `Error codes: ${codes.join(', ')}`, content: { 'application/json': { schema: errorRef } } };
    }
    const operation: Record<string, unknown> = {
      operationId: op.operationId,
      summary: op.summary,
      tags: [op.tag],
      parameters: parametersOf(op, components),
      responses,
    };
    if (op.description) operation.description = op.description;
    if (op.public) operation.security = [];
    if (op.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(op.body, 'input', components) } } };
    }
    const full = (op.prefix ?? basePath) + path;
    paths[full] = { ...(paths[full] ?? {}), [op.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'moysklad-exchange platform API',
      version,
      description:
        'REST API through which the store platform talks to the MoySklad exchange module. Money is integer kopecks. ' +
        'Every error is {"error":{"code","message","details"}}. Authenticate with "Authorization: Bearer <token>" ' +
        '(issue one with `moysklad-exchange token create <name>`).',
    },
    servers: [{ url: '/' }],
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
  };
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function schemaHtml(schema: unknown): string {
  if (schema && typeof schema === 'object' && '$ref' in schema && typeof schema.$ref === 'string') {
    const name = schema.$ref.slice(REF_PREFIX.length);
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  return `<pre>${esc(JSON.stringify(schema, null, 2))}</pre>`;
}

/** A browsable, self-contained HTML rendering of the document: operations, then schemas. */
export function renderOpenApiHtml(doc: OpenApiDocument): string {
  const ops: string[] = [];
  const toc: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as {
        operationId: string;
        summary: string;
        tags: string[];
        description?: string;
        parameters: { name: string; in: string; required: boolean; schema: unknown; description?: string }[];
        requestBody?: { content: Record<string, { schema: unknown }> };
        responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
      };
      toc.push(`<li><a href="#op-${esc(op.operationId)}"><code>${method.toUpperCase()} ${esc(path)}</code></a> — ${esc(op.summary)}</li>`);
      const params = op.parameters.length
        ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${op.parameters
            .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${esc(JSON.stringify(p.schema))}</code>${p.description ? ` ${esc(p.description)}` : ''}</td></tr>`)
            .join('')}</table>`
        : '';
      const body = op.requestBody
        ? `<h4>Request body</h4>${Object.entries(op.requestBody.content).map(([ct, c]) => `<p><code>${esc(ct)}</code></p>${schemaHtml(c.schema)}`).join('')}`
        : '';
      const responses = `<h4>Responses</h4><table><tr><th>status</th><th>description</th><th>body</th></tr>${Object.entries(op.responses)
        .map(([s, r]) => `<tr><td>${esc(s)}</td><td>${esc(r.description)}</td><td>${r.content ? Object.entries(r.content).map(([ct, c]) => `<code>${esc(ct)}</code> ${schemaHtml(c.schema)}`).join('') : ''}</td></tr>`)
        .join('')}</table>`;
      ops.push(
        `<section id="op-${esc(op.operationId)}"><h3><span class="m">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3><p>${esc(op.summary)}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}${params}${body}${responses}</section>`,
      );
    }
  }
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3><pre>${esc(JSON.stringify(s, null, 2))}</pre></section>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
code,pre{font-family:ui-monospace,monospace}pre{background:#f5f5f5;padding:.6em;overflow:auto;max-height:28em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
section{border-top:1px solid #ccc;margin-top:1.2em}.m{background:#246;color:#fff;padding:0 .4em;border-radius:3px}</style></head>
<body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a></p>
<h2>Operations</h2><ul>${toc.join('')}</ul>${ops.join('')}<h2>Schemas</h2>${schemas}</body></html>`;
}
