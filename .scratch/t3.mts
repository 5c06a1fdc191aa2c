const r = new Request('http://x/api/v1/regions', { method: 'POST', headers: { 'content-length': String(2 * 1024 * 1024) }, body: 'x' });
console.log(r.headers.get('content-length'), r.headers.has('transfer-encoding'));
const r2 = new Request('http://x/api/v1/regions', { method: 'POST', headers: { authorization: 'Bearer x', 'content-length': String(2 * 1024 * 1024) }, body: 'x' });
console.log(r2.headers.get('content-length'));
