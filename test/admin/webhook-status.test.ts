/**
 * B3 in the admin panel: the integration page shows the account's MoySklad webhook status
 * (`integrations.webhook_state/webhook_message`, Russian by default, English with ?lang=en) and a
 * CSRF-protected button that runs the `webhooks` registration for the integration's account —
 * against the emulator over its HTTP API, through the real registry kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSyncKinds } from '../../src/sync/webhooks/webhook-sync-kinds.js';
import { MODULE_WEBHOOKS } from '../../src/sync/webhooks/ensure-webhooks.js';
import { AdminClient, createAdminHarness, type AdminHarness } from './harness.js';

const PUBLIC = 'https://shop.example';
const LOGIN = 'admin@demo';

const unescape = (t: string): string => t.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('webhook status on the integration page (SQLite)', () => {
  let h: AdminHarness;
  let c: AdminClient;
  let id: number;

  beforeAll(async () => {
    h = await createAdminHarness({
      publicBaseUrl: PUBLIC,
      // Deliveries (none are expected here) go nowhere.
      emulator: { limits: false, webhookFetch: (async () => new Response(null, { status: 204 })) as typeof fetch },
    });
    // What the composition root registers when PUBLIC_BASE_URL is set.
    const runDeps = { db: h.db, clock: h.clock, log: { write: async (e: Parameters<typeof h.log.write>[0]) => void (await h.log.write(e)) } };
    for (const k of createWebhookSyncKinds({ db: h.db, clock: h.clock, clients: h.clients, publicBaseUrl: PUBLIC, log: runDeps.log, runDeps })) h.syncs.register(k);
    c = new AdminClient(h.app);
    await c.login();
    const created = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: LOGIN, password: 'demo' });
    expect(created.status).toBe(302);
    id = Number(/\/admin\/integrations\/(\d+)/.exec(created.location!)![1]);
    const org = h.emulator.account(LOGIN).organizations[0]!;
    expect((await c.post(`/admin/integrations/${id}`, { organizationMsId: org.id, active: '1' })).status).toBe(302);
  });
  afterAll(async () => h?.dispose());

  it('B3 shows "not registered", refuses a re-register post without CSRF, and registers with it ("active")', async () => {
    const before = await c.get(`/admin/integrations/${id}`);
    expect(before.text).toContain('Вебхуки: не зарегистрированы');
    expect(before.text).toContain('Зарегистрировать вебхуки заново');
    expect(before.text).toContain(`action="/admin/integrations/${id}/webhooks"`);

    const forged = await c.post(`/admin/integrations/${id}/webhooks`, {}, { csrf: null });
    expect(forged.status).toBe(403);
    expect(h.emulator.account(LOGIN).webhooks).toEqual([]);

    const r = await c.post(`/admin/integrations/${id}/webhooks`, {});
    expect(r.status).toBe(302);
    expect(r.location).toBe(`/admin/integrations/${id}?done=common.queued&kind=webhooks`);
    expect(h.enqueuer.requests.at(-1)).toEqual({ kind: 'webhooks', integrationId: id, trigger: 'admin' });
    expect(h.enqueuer.outcomes.at(-1)).toEqual({ kind: 'webhooks', status: 'ok' });
    expect(h.emulator.account(LOGIN).webhooks).toHaveLength(MODULE_WEBHOOKS.length);

    const after = await c.get(r.location!);
    expect(after.text).toContain('Задача поставлена в очередь (Вебхуки МойСклад).');
    expect(after.text).toContain('Вебхуки: активны');
    expect(after.text).toContain('data-webhook-state="registered"');
    expect((await c.get(`/admin/integrations/${id}?lang=en`)).text).toContain('Webhooks: active');
    await c.get(`/admin/integrations/${id}?lang=ru`);
  });

  it('B3 a MoySklad refusal (free tariff) and a failure are shown with their message after re-registering', async () => {
    const account = h.emulator.account(LOGIN);
    account.setWebhooksAllowed(false);
    expect((await c.post(`/admin/integrations/${id}/webhooks`, {})).status).toBe(302);
    const refused = unescape((await c.get(`/admin/integrations/${id}`)).text);
    expect(refused).toContain('Вебхуки: отклонены МойСклад: MoySklad webhooks need a paid tariff (30006)');
    expect(unescape((await c.get(`/admin/integrations/${id}?lang=en`)).text)).toContain('Webhooks: refused by MoySklad: MoySklad webhooks need a paid tariff (30006)');
    await c.get(`/admin/integrations/${id}?lang=ru`);
    account.setWebhooksAllowed(true);

    h.emulator.setFaults({ failRate: 1 });
    try {
      expect((await c.post(`/admin/integrations/${id}/webhooks`, {})).status).toBe(302);
    } finally {
      h.emulator.setFaults({ failRate: 0 });
    }
    const row = await h.db.selectFrom('integrations').select(['webhookState', 'webhookMessage']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.webhookState).toBe('error');
    const failed = unescape((await c.get(`/admin/integrations/${id}`)).text);
    expect(failed).toContain(`Вебхуки: ошибка: ${row.webhookMessage!}`);
    expect(failed).toContain('data-webhook-state="error"');
  });

  it('B3 an inactive integration cannot re-register (the button is disabled and the post is refused)', async () => {
    expect((await c.post(`/admin/integrations/${id}/deactivate`, {})).status).toBe(302);
    const n = h.enqueuer.requests.length;
    const r = await c.post(`/admin/integrations/${id}/webhooks`, {});
    expect(r.location).toBe(`/admin/integrations/${id}?error=int.webhooksInactive`);
    expect(h.enqueuer.requests).toHaveLength(n);
    expect((await c.get(r.location!)).text).toContain('Вебхуки регистрируются только для активной интеграции.');
  });
});
