/**
 * @module integration-repository
 * Integrations: one per region (R8), with every option (R9, R18, R21–R23, R29).
 */
import type { Clock } from '../../core/clock.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { flag, nowIso } from '../database.js';
import type { Db } from '../db.js';
import { isUniqueViolation } from '../db-errors.js';
import type { Flag, IntegrationRow, IntegrationStatus } from '../schema.js';

export interface Integration {
  id: number;
  regionId: number;
  msAccountId: number;
  organizationMsId: string | null;
  organizationName: string | null;
  active: boolean;
  exportPurchaseOrders: boolean;
  deleteRejectedPositions: boolean;
  /** C4: exported customer-order positions reserve their goods in MoySklad. */
  reservePositions: boolean;
  importPhotos: boolean;
  rootFolderMsId: string | null;
  siteCategoryId: number | null;
  categorySyncEnabled: boolean;
  balanceSyncEnabled: boolean;
  defaultStoreMsId: string | null;
  status: IntegrationStatus;
  statusCode: string | null;
  statusMessage: string | null;
  /** B3: the account's MoySklad webhooks (`registered`, `refused`, `skipped`, `error`, `removed`; null = not tried yet). */
  webhookState?: string | null;
  /** B3: why (e.g. "MoySklad webhooks need a paid tariff (30006); changes arrive by scheduled polling"). */
  webhookMessage?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface IntegrationOptions {
  organizationMsId?: string | null;
  organizationName?: string | null;
  active?: boolean;
  exportPurchaseOrders?: boolean;
  deleteRejectedPositions?: boolean;
  reservePositions?: boolean;
  importPhotos?: boolean;
  rootFolderMsId?: string | null;
  siteCategoryId?: number | null;
  categorySyncEnabled?: boolean;
  balanceSyncEnabled?: boolean;
  defaultStoreMsId?: string | null;
}

export interface IntegrationInput extends IntegrationOptions {
  regionId: number;
  msAccountId: number;
}

const BOOL_FIELDS = [
  'active',
  'exportPurchaseOrders',
  'deleteRejectedPositions',
  'reservePositions',
  'importPhotos',
  'categorySyncEnabled',
  'balanceSyncEnabled',
] as const;
const NULLABLE_FIELDS = ['organizationMsId', 'organizationName', 'rootFolderMsId', 'siteCategoryId', 'defaultStoreMsId'] as const;

export function toIntegration(row: IntegrationRow): Integration {
  return {
    ...row,
    active: row.active === 1,
    exportPurchaseOrders: row.exportPurchaseOrders === 1,
    deleteRejectedPositions: row.deleteRejectedPositions === 1,
    reservePositions: row.reservePositions === 1,
    importPhotos: row.importPhotos === 1,
    categorySyncEnabled: row.categorySyncEnabled === 1,
    balanceSyncEnabled: row.balanceSyncEnabled === 1,
  };
}

type OptionColumns = Partial<Record<(typeof BOOL_FIELDS)[number], Flag>> & Partial<Pick<IntegrationOptions, (typeof NULLABLE_FIELDS)[number]>>;

function optionColumns(o: IntegrationOptions): OptionColumns {
  const out: Record<string, unknown> = {};
  for (const f of BOOL_FIELDS) if (o[f] !== undefined) out[f] = flag(o[f]);
  for (const f of NULLABLE_FIELDS) if (o[f] !== undefined) out[f] = o[f];
  return out as OptionColumns;
}

export class IntegrationRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<Integration[]> {
    return (await this.db.selectFrom('integrations').selectAll().orderBy('id').execute()).map(toIntegration);
  }

  async listActive(): Promise<Integration[]> {
    const rows = await this.db.selectFrom('integrations').selectAll().where('active', '=', 1).orderBy('id').execute();
    return rows.map(toIntegration);
  }

  async listByMsAccount(msAccountId: number): Promise<Integration[]> {
    const rows = await this.db.selectFrom('integrations').selectAll().where('msAccountId', '=', msAccountId).orderBy('id').execute();
    return rows.map(toIntegration);
  }

  async find(id: number): Promise<Integration | null> {
    const row = await this.db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toIntegration(row) : null;
  }

  async get(id: number): Promise<Integration> {
    const i = await this.find(id);
    if (!i) throw new NotFoundError('integration', id);
    return i;
  }

  async findByRegion(regionId: number): Promise<Integration | null> {
    const row = await this.db.selectFrom('integrations').selectAll().where('regionId', '=', regionId).executeTakeFirst();
    return row ? toIntegration(row) : null;
  }

  /** The central region's integration (the CLI's default), if it has one. */
  async findCentral(): Promise<Integration | null> {
    const row = await this.db
      .selectFrom('integrations')
      .innerJoin('regions', 'regions.id', 'integrations.regionId')
      .selectAll('integrations')
      .where('regions.isCentral', '=', 1)
      .executeTakeFirst();
    return row ? toIntegration(row) : null;
  }

  /**
   * R29 The integration serving a client as a raw row: its region's; a client without a region (or
   * whose region has none) is served by the central region's. Undefined when there is none.
   */
  async rowServingRegion(regionId: number | null): Promise<IntegrationRow | undefined> {
    if (regionId !== null) {
      const own = await this.db.selectFrom('integrations').selectAll().where('regionId', '=', regionId).executeTakeFirst();
      if (own) return own;
    }
    return this.db.selectFrom('integrations').innerJoin('regions', 'regions.id', 'integrations.regionId').selectAll('integrations').where('regions.isCentral', '=', 1).executeTakeFirst();
  }

  /** Creates the region's integration (status `draft`); a second one for the region is a conflict. */
  async create(input: IntegrationInput): Promise<Integration> {
    const at = nowIso(this.clock);
    try {
      const row = await this.db
        .insertInto('integrations')
        .values({ regionId: input.regionId, msAccountId: input.msAccountId, ...optionColumns(input), createdAt: at, updatedAt: at })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toIntegration(row);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError('integration_exists', `region ${input.regionId} already has an integration`, { regionId: input.regionId });
      }
      throw e;
    }
  }

  async update(id: number, patch: IntegrationOptions & { msAccountId?: number }): Promise<Integration> {
    const row = await this.db
      .updateTable('integrations')
      .set({
        ...optionColumns(patch),
        ...(patch.msAccountId !== undefined ? { msAccountId: patch.msAccountId } : {}),
        updatedAt: nowIso(this.clock),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('integration', id);
    return toIntegration(row);
  }

  /** Records the outcome of the last credential check / sync (R10). `error` also deactivates it when asked. */
  async setStatus(
    id: number,
    status: IntegrationStatus,
    code: string | null = null,
    message: string | null = null,
    options: { deactivate?: boolean } = {},
  ): Promise<Integration> {
    const row = await this.db
      .updateTable('integrations')
      .set({
        status,
        statusCode: code,
        statusMessage: message,
        ...(options.deactivate ? { active: 0 as const } : {}),
        updatedAt: nowIso(this.clock),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('integration', id);
    return toIntegration(row);
  }

  async delete(id: number): Promise<void> {
    const r = await this.db.deleteFrom('integrations').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new NotFoundError('integration', id);
  }
}
