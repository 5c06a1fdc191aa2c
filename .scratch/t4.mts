import { Hono } from 'hono';
import { streamingBodyLimit } from '../src/server/body-limit.ts';
const app = new Hono();
app.use('*', async (c, next) => { console.log('hdrs', [...c.req.raw.headers.entries()]); await next(); });
app.use('*', streamingBodyLimit());
app.post('/a', async (c) => c.text(await c.req.text()));
for (const h of [{ 'content-length': String(2 * 1024 * 1024), authorization: 'Bearer x' }, { 'content-length': String(2 * 1024 * 1024), authorization: 'Bearer x', 'content-type': 'application/json' }]) {
  const r = await app.request('/a', { method: 'POST', headers: h, body: 'x' });
  console.log(r.status);
}
