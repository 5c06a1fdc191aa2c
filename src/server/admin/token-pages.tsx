/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module token-pages
 * Система → Токены API (B8): the platform's API tokens, issued once (shown in that response only)
 * and revocable.
 */
import type { Hono } from 'hono';
import { ApiTokenService, type ApiTokenInfo } from '../auth.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { field, flashFromQuery, idParam } from './admin-helpers.js';
import { Csrf, Page, formatTime, type Flash, type ViewContext } from './layout.js';

function TokensPage({ v, list, created, flash }: { v: ViewContext; list: ApiTokenInfo[]; created: { name: string; token: string } | null; flash: Flash | null }) {
  return (
    <Page v={v} title={v.t('tok.title')} flash={flash}>
      <p class="hint">{v.t('tok.hint')}</p>
      {created ? (
        <div class="msg ok" role="status">
          {v.t('tok.created', { name: created.name })}
          <div class="token" id="new-token">
            {created.token}
          </div>
        </div>
      ) : null}
      <form method="post" action="/admin/tokens" class="card inline">
        <Csrf v={v} />
        <div>
          <label for="token-name">{v.t('tok.name')}</label>
          <input type="text" id="token-name" name="name" required maxlength={100} />
        </div>
        <button type="submit">{v.t('tok.issue')}</button>
      </form>
      {list.length === 0 ? (
        <p class="muted">{v.t('tok.empty')}</p>
      ) : (
        <table id="tokens">
          <thead>
            <tr>
              <th>{v.t('common.name')}</th>
              <th>{v.t('tok.prefix')}</th>
              <th>{v.t('tok.createdAt')}</th>
              <th>{v.t('tok.lastUsed')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {list.map((t) => (
              <tr>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{formatTime(t.createdAt, v.lang)}</td>
                <td>{formatTime(t.lastUsedAt, v.lang)}</td>
                <td>
                  {t.revokedAt ? (
                    <span class="badge error">
                      {v.t('tok.revoked')} {formatTime(t.revokedAt, v.lang)}
                    </span>
                  ) : (
                    <form method="post" action={`/admin/tokens/${t.id}/revoke`}>
                      <Csrf v={v} />
                      <button type="submit" class="danger" style="margin:0">
                        {v.t('tok.revoke')}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

async function tokensList(c: AdminContext, tokens: ApiTokenService): Promise<Response> {
  return c.html(<TokensPage v={c.get('view')} list={await tokens.list()} created={null} flash={flashFromQuery(c)} />);
}

async function issueToken(c: AdminContext, tokens: ApiTokenService): Promise<Response> {
  const name = field(await c.req.parseBody(), 'name').trim().slice(0, 100);
  if (!name) return c.redirect('/admin/tokens', 302);
  const created = await tokens.create(name);
  // Shown once, in this response only (never in a URL, never stored).
  return c.html(<TokensPage v={c.get('view')} list={await tokens.list()} created={{ name: created.name, token: created.token }} flash={null} />, 201);
}

async function revokeToken(c: AdminContext, tokens: ApiTokenService): Promise<Response> {
  const id = idParam(c);
  if (id) await tokens.revoke(id);
  return c.redirect('/admin/tokens?done=common.saved', 302);
}

export function registerTokenRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const tokens = new ApiTokenService({ db: deps.db, clock: deps.clock });
  admin.get('/tokens', (c) => tokensList(c, tokens));
  admin.post('/tokens', (c) => issueToken(c, tokens));
  admin.post('/tokens/:id/revoke', (c) => revokeToken(c, tokens));
}
