/**
 * @module counterparty-export
 * R3, R24–R28, B6: makes sure a store client or supplier has a MoySklad counterparty before an
 * order goes out, with the fewest requests.
 *
 * 1. Linked (`counterparty_links` for this MoySklad account) → verify the id still exists (one GET,
 *    once per drain run per id); if MoySklad deleted it, drop the link and match again.
 * 2. Otherwise match (R25, `matchCounterparty`): INN first (`filter=inn~<inn>`, one request), then
 *    email (`filter=email~<email>`, case-insensitive, one request), then phone. MoySklad keeps phones
 *    as free text (`+7 (912) 345-67-89`), so neither `filter=phone=` nor `search=` finds another
 *    spelling of the same number; the phone step therefore uses a per-account index: every
 *    counterparty with a phone (`filter=phone!=`, 1000 per page), normalized client-side to E.164
 *    with the default country of the store counterparty's region (B6, C13, `domain/phone.ts`),
 *    built at most once per drain run (per country) and only when a phone is actually needed.
 * 3. A unique match links. Ambiguity → a `counterparty_match_issues` row (once while open), a log
 *    line, no link, and the export fails with `counterparty_ambiguous` until resolved (R25).
 * 4. No match → created in MoySklad with `companyType` (R26) and a `syncId` derived from the store
 *    counterparty, so a retry or a second worker never creates two.
 * MoySklad-only counterparties are never copied into the store (R28): nothing here writes
 * `counterparties`. A MoySklad counterparty already linked to a store counterparty of the other
 * kind is never taken (R27).
 */
import type { Clock } from '../../core/clock.js';
import { normalizeEmail, normalizeInn } from '../../core/normalize.js';
import { normalizePhone, phoneKeys } from '../../domain/phone.js';
import { matchCounterparty, type MoySkladCandidate } from '../../domain/counterparty-match.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { MoySkladNotFoundError } from '../../moysklad/errors.js';
import { counterpartySchema, type MsCounterparty, type MsCounterpartyCreate } from '../../moysklad/schemas/counterparty.js';
import { CounterpartyRepository } from '../../store/repositories/counterparty-repository.js';
import { RegionRepository } from '../../store/repositories/region-repository.js';
import type { Db } from '../../store/db.js';
import type { CompanyType, CounterpartyKind, CounterpartyRow, MatchedBy } from '../../store/schema.js';
import { derivedSyncId } from '../outbox/derived-sync-id.js';
import { ExportError } from '../outbox/export-error.js';

/** Per drain-run memory, per MoySklad account: verified ids and the phone index (per default country, C13). */
export class CounterpartyCache {
  readonly verified = new Set<string>();
  /** Country → E.164 key → the account's counterparties with that number. */
  readonly phoneIndexes = new Map<string, Map<string, MoySkladCandidate[]>>();
}

export interface CounterpartyExportDeps {
  db: Db;
  clock: Clock;
  client: MoySkladClient;
  msAccountId: number;
  cache?: CounterpartyCache;
  /** Integration log (a SyncRun's `log`), optional. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, details?: unknown) => Promise<void> | void;
}

export interface EnsuredCounterparty {
  msId: string;
  matchedBy: MatchedBy;
  /** What happened now: an existing link was used, a match was linked, or one was created. */
  action: 'linked' | 'matched' | 'created' | 'relinked';
}

/** The syncId of the MoySklad counterparty created for a store counterparty (stable across retries). */
export const counterpartySyncId = (cp: Pick<CounterpartyRow, 'kind' | 'externalId'>): string =>
  derivedSyncId('counterparty', `${cp.kind}:${cp.externalId}`);

const toCandidate = (c: MsCounterparty): MoySkladCandidate => ({
  id: c.id,
  name: c.name,
  inn: c.inn ?? null,
  email: c.email ?? null,
  phone: c.phone ?? null,
});

/** Ids per `filter=id=…;id=…` request: 40 UUIDs keep the URL near 2 KB (MoySklad's URL limit is not documented). */
export const VERIFY_IDS_PER_REQUEST = 40;

/**
 * P2: verifies the links of many store counterparties at once — one `GET entity/counterparty?filter=id=a;id=b…`
 * per 40 linked ids not verified in this drain run yet (repeated `=` on one field is OR, REFERENCE §2).
 * Found ids go into the cache, so `ensureCounterparty` then costs no request for them; a missing one
 * is left for `ensureCounterparty` to find gone and match again. Returns the requests used.
 */
export async function verifyLinkedCounterparties(deps: CounterpartyExportDeps & { cache: CounterpartyCache }, counterpartyIds: readonly number[]): Promise<number> {
  const links = await new CounterpartyRepository(deps.db, deps.clock).linksOf([...new Set(counterpartyIds)], deps.msAccountId);
  const todo = [...new Set(links.map((l) => l.msCounterpartyId))].filter((id) => !deps.cache.verified.has(id));
  const chunks: string[][] = [];
  for (let i = 0; i < todo.length; i += VERIFY_IDS_PER_REQUEST) chunks.push(todo.slice(i, i + VERIFY_IDS_PER_REQUEST));
  // P2: the lookups go out together (the client's limiter keeps them within MoySklad's parallel cap).
  const answers = await Promise.all(chunks.map((chunk) => deps.client.findCounterparties(chunk.map((id) => ['id', '=', id] as const))));
  for (const found of answers) for (const c of found) deps.cache.verified.add(c.id);
  return chunks.length;
}

/** R24 Ensures the store counterparty is linked to a MoySklad counterparty; returns its MoySklad id. */
export async function ensureCounterparty(deps: CounterpartyExportDeps, counterpartyId: number): Promise<EnsuredCounterparty> {
  const { db, clock, client, msAccountId } = deps;
  const cache = deps.cache ?? new CounterpartyCache();
  const repo = new CounterpartyRepository(db, clock);
  const cp = await repo.get(counterpartyId);

  let relinking = false;
  const link = await repo.findLink(cp.id, msAccountId);
  if (link) {
    if (cache.verified.has(link.msCounterpartyId)) return { msId: link.msCounterpartyId, matchedBy: link.matchedBy, action: 'linked' };
    try {
      await client.get(`entity/counterparty/${encodeURIComponent(link.msCounterpartyId)}`, counterpartySchema);
      cache.verified.add(link.msCounterpartyId);
      return { msId: link.msCounterpartyId, matchedBy: link.matchedBy, action: 'linked' };
    } catch (e) {
      if (!(e instanceof MoySkladNotFoundError)) throw e;
      await repo.unlink(cp.id, msAccountId);
      relinking = true;
      await deps.log?.('warn', `counterparty ${cp.kind} ${cp.externalId}: linked MoySklad counterparty ${link.msCounterpartyId} no longer exists; matching again`, {
        counterpartyId: cp.id,
        msCounterpartyId: link.msCounterpartyId,
      });
    }
  }

  const decision = await matchAgainstMoySklad(deps, cache, cp, await new RegionRepository(db, clock).phoneCountry(cp.regionId === null ? null : Number(cp.regionId)));
  if (decision.outcome === 'matched') {
    await repo.link(cp.id, msAccountId, decision.msId, decision.by);
    await repo.resolveMatchIssues(cp.id, msAccountId);
    cache.verified.add(decision.msId);
    await deps.log?.('info', `counterparty ${cp.kind} ${cp.externalId} linked to MoySklad ${decision.msId} by ${decision.by} (R25)`, { counterpartyId: cp.id });
    return { msId: decision.msId, matchedBy: decision.by, action: relinking ? 'relinked' : 'matched' };
  }
  if (decision.outcome === 'ambiguous') {
    const open = await repo.hasOpenMatchIssue(cp.id, msAccountId);
    const reason = `${decision.candidates.length} MoySklad counterparties share the ${decision.by}`;
    if (!open) await repo.addMatchIssue(cp.id, msAccountId, reason, decision.candidates);
    await deps.log?.('warn', `counterparty ${cp.kind} ${cp.externalId}: ambiguous match by ${decision.by}, not linked (R25)`, {
      counterpartyId: cp.id,
      candidates: decision.candidates.map((c) => c.id),
    });
    throw new ExportError(
      'counterparty_ambiguous',
      `${cp.kind} ${cp.externalId}: ${reason} (${decision.candidates.map((c) => c.id).join(', ')}); link one in the admin panel, then retry`,
      { details: { counterpartyId: cp.id, by: decision.by, candidateIds: decision.candidates.map((c) => c.id) } },
    );
  }

  // R26: none matched → create, idempotently.
  const body: MsCounterpartyCreate = {
    name: cp.name,
    companyType: msCompanyType(cp.inn, cp.companyType),
    syncId: counterpartySyncId(cp),
    externalCode: `${cp.kind}-${cp.externalId}`.slice(0, 255),
  };
  if (cp.inn) body.inn = normalizeInn(cp.inn) ?? cp.inn;
  if (cp.email) body.email = cp.email.trim();
  if (cp.phone) body.phone = cp.phone.trim();
  const created = await client.createCounterparty(body);
  await repo.link(cp.id, msAccountId, created.id, 'created');
  cache.verified.add(created.id);
  if (cp.phone) for (const [country, index] of cache.phoneIndexes) addToIndex(index, toCandidate(created), country);
  await deps.log?.('info', `counterparty ${cp.kind} ${cp.externalId} created in MoySklad as ${created.id} (R26)`, { counterpartyId: cp.id });
  return { msId: created.id, matchedBy: 'created', action: 'created' };
}

/**
 * R26 the MoySklad `companyType`: the INN decides when there is one (10 digits = a legal entity;
 * 12 digits = an entrepreneur, or a private person when the store says so); otherwise the store's
 * declared type.
 */
export function msCompanyType(inn: string | null | undefined, declared: CompanyType | null | undefined): CompanyType {
  const n = normalizeInn(inn);
  if (n?.length === 10) return 'legal';
  if (n?.length === 12) return declared === 'individual' ? 'individual' : 'entrepreneur';
  return declared ?? 'individual';
}

export type MatchOutcome =
  | { outcome: 'matched'; by: MatchedBy & ('inn' | 'email' | 'phone'); msId: string }
  | { outcome: 'ambiguous'; by: 'inn' | 'email' | 'phone'; candidates: MoySkladCandidate[] }
  | { outcome: 'none' };

/**
 * R25 Fetches candidates key by key, stopping as soon as a key decides (INN beats email beats
 * phone). Reads only; the caller links (or, for an export, creates). Used by the order export and
 * by the balance read of a client never linked (C12).
 */
export async function matchAgainstMoySklad(deps: Pick<CounterpartyExportDeps, 'db' | 'clock' | 'client' | 'msAccountId'>, cache: CounterpartyCache, cp: CounterpartyRow, country: string): Promise<MatchOutcome> {
  const { client } = deps;
  const keys = { kind: cp.kind, inn: cp.inn, email: cp.email, phone: cp.phone, country };
  const pool = new Map<string, MoySkladCandidate>();
  const steps: Array<() => Promise<MoySkladCandidate[]>> = [];
  const inn = normalizeInn(cp.inn);
  const email = normalizeEmail(cp.email);
  const phone = normalizePhone(cp.phone, country);
  if (inn) steps.push(async () => (await client.findCounterparties([['inn', '~', inn]])).map(toCandidate));
  if (email) steps.push(async () => (await client.findCounterparties([['email', '~', email]])).map(toCandidate));
  if (phone) steps.push(async () => (await phoneIndex(client, cache, country)).get(phone) ?? []);

  for (const step of steps) {
    for (const c of await step()) pool.set(c.id, c);
    if (pool.size === 0) continue;
    const candidates = await withLinkedKinds(deps, [...pool.values()], cp);
    const d = matchCounterparty(keys, candidates);
    if (d.outcome === 'matched') return { outcome: 'matched', by: d.by, msId: d.msId };
    if (d.outcome === 'ambiguous') return { outcome: 'ambiguous', by: d.by, candidates: candidates.filter((c) => d.candidateIds.includes(c.id)) };
  }
  return { outcome: 'none' };
}

/** R27: marks candidates already linked to a store counterparty of some kind. */
async function withLinkedKinds(deps: Pick<CounterpartyExportDeps, 'db' | 'clock' | 'msAccountId'>, candidates: MoySkladCandidate[], cp: CounterpartyRow): Promise<MoySkladCandidate[]> {
  if (candidates.length === 0) return candidates;
  const rows = await new CounterpartyRepository(deps.db, deps.clock).linkedTo(deps.msAccountId, candidates.map((c) => c.id));
  const kindOf = new Map<string, CounterpartyKind>();
  for (const r of rows) {
    if (Number(r.cpId) === Number(cp.id)) continue;
    // A link to the other kind wins: the candidate is then excluded for this kind.
    if (r.kind !== cp.kind) kindOf.set(r.msId, r.kind);
    else if (!kindOf.has(r.msId)) kindOf.set(r.msId, r.kind);
  }
  return candidates.map((c) => ({ ...c, linkedKind: kindOf.get(c.id) ?? null }));
}

function addToIndex(index: Map<string, MoySkladCandidate[]>, c: MoySkladCandidate, country: string): void {
  for (const key of phoneKeys(c.phone, country)) {
    const list = index.get(key) ?? [];
    if (!list.some((x) => x.id === c.id)) list.push(c);
    index.set(key, list);
  }
}

/**
 * B6, C13 the per-account phone index: every MoySklad counterparty that has a phone, by its E.164
 * key (each number of a multi-number field), read with the default country of the store side.
 */
async function phoneIndex(client: MoySkladClient, cache: CounterpartyCache, country: string): Promise<Map<string, MoySkladCandidate[]>> {
  const cached = cache.phoneIndexes.get(country);
  if (cached) return cached;
  const index = new Map<string, MoySkladCandidate[]>();
  for await (const page of client.counterpartyPages({ filter: [['phone', '!=', '']] })) {
    for (const c of page) addToIndex(index, toCandidate(c), country);
  }
  cache.phoneIndexes.set(country, index);
  return index;
}

/**
 * R25 the admin's answer to an ambiguous match: links the store counterparty to the chosen MoySklad
 * counterparty (`matched_by = 'id'`), closes its open match issues, and makes the failed exports
 * of its orders due again. Returns how many outbox rows were put back.
 */
export async function resolveCounterpartyMatch(
  deps: { db: Db; clock: Clock },
  choice: { counterpartyId: number; msAccountId: number; msCounterpartyId: string },
): Promise<number> {
  const repo = new CounterpartyRepository(deps.db, deps.clock);
  await repo.get(choice.counterpartyId);
  await repo.link(choice.counterpartyId, choice.msAccountId, choice.msCounterpartyId, 'id');
  await repo.resolveMatchIssues(choice.counterpartyId, choice.msAccountId);
  return repo.retryAmbiguousExports(choice.counterpartyId);
}
