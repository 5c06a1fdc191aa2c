/**
 * @module api-schemas
 * The zod schemas of the platform REST API, defined once: routes validate with them and the
 * OpenAPI document is generated from them. Money is integer kopecks (`…Kopecks`).
 */
import { API_ERROR_CODES } from '../core/error-codes.js';
import { z } from 'zod';
import { normalizeEmail, normalizeInn } from '../core/normalize.js';
import { isPhoneNumber, REGION_COUNTRIES } from '../domain/phone.js';
import { JOB_FAMILIES, PERMISSION_PROBLEMS } from '../domain/permission-problem.js';
import { DB_ID_MAX } from '../core/db-id.js';
import { canonicalTimeZone } from '../core/time-zone.js';
import { nonBlank, optionalCleanText, queryText } from './input-text.js';

/** A path id that is not a database id names nothing (404). */
export const IdParam = z.string().regex(/^[1-9]\d{0,9}$/).transform(Number).refine((n) => n <= DB_ID_MAX);
/** An id in a body. */
export const RefId = z.number().int().positive().max(DB_ID_MAX);
/** An id in a query string (`?regionId=7`). */
export const QueryId = z.coerce.number().int().positive().max(DB_ID_MAX);
export const IdParams = z.object({ id: IdParam });
export const PositionParams = z.object({ id: IdParam, positionId: IdParam });

// S3: every input string is built from the shared helpers of `input-text.ts` (trimmed, clean).
const nonEmpty = nonBlank;
const optionalText = optionalCleanText;

export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

// ── regions ────────────────────────────────────────────────────────────────────────────────
export const Region = z
  .object({
    id: z.number().int(),
    name: z.string(),
    code: z.string(),
    isCentral: z.boolean(),
    timeZone: z.string().meta({ description: 'C14 IANA time zone of the nightly syncs, e.g. Europe/Moscow' }),
    country: z.enum(REGION_COUNTRIES).meta({ description: "C13 ISO country of the clients' phone numbers written without +" }),
  })
  .meta({ id: 'Region' });
/** C14 an IANA zone name, returned canonical (`europe/moscow` → `Europe/Moscow`). */
const timeZoneField = nonBlank(64)
  .refine((v) => canonicalTimeZone(v) !== null, 'not an IANA time zone name (e.g. Europe/Moscow, Asia/Vladivostok)')
  .transform((v) => canonicalTimeZone(v) ?? v);
export const RegionCreate = z
  .object({
    name: nonEmpty(200),
    code: nonBlank(64).regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, "-" or "_", up to 64'),
    isCentral: z.boolean().optional(),
    timeZone: timeZoneField.optional().meta({ description: 'default: TZ_SHOP (Europe/Moscow)' }),
    country: z.enum(REGION_COUNTRIES).optional().meta({ description: 'default RU' }),
  })
  .strict()
  .meta({ id: 'RegionCreate' });
export const RegionUpdate = RegionCreate.partial().strict().meta({ id: 'RegionUpdate' });

// ── price lists ────────────────────────────────────────────────────────────────────────────
export const STOCK_TYPES = ['stock', 'freeStock', 'quantity'] as const;
export const PriceList = z
  .object({
    id: z.number().int(),
    regionId: z.number().int(),
    name: z.string(),
    msStoreId: z.string().nullable(),
    stockType: z.enum(STOCK_TYPES),
    priceTypeMsId: z.string().nullable(),
    syncIntervalMinutes: z.number().int().nullable(),
    deliveryDays: z.number().int(),
    publishWithoutPrice: z.boolean(),
    lastSyncAt: z.string().nullable(),
    csvUrl: z.string(),
  })
  .meta({ id: 'PriceList' });
export const PriceListCreate = z
  .object({
    regionId: RefId,
    name: nonEmpty(200),
    msStoreId: nonBlank(64).nullable().optional(),
    stockType: z
      .enum(STOCK_TYPES)
      .optional()
      .meta({
        description:
          'Which MoySklad quantity the rows show (R4): quantity (default) = available = stock − reserve + in transit; freeStock = stock − reserve; stock = physical stock, reserved goods included',
      }),
    priceTypeMsId: nonBlank(64)
      .nullable()
      .optional()
      .meta({ description: "MoySklad sale price type id whose price the rows show (kopecks); null = the product's first sale price" }),
    syncIntervalMinutes: z.number().int().min(5).max(7 * 24 * 60).nullable().optional(),
    deliveryDays: z.number().int().min(0).max(365).optional(),
    publishWithoutPrice: z
      .boolean()
      .optional()
      .meta({
        description:
          'C3: a product with no value for the price type (MoySklad answers 0) is left out of the rows and feeds and listed in the data-quality report (false, the default), or published with an empty price: null in JSON, an empty CSV cell (true). Never 0.',
      }),
  })
  .strict()
  .meta({ id: 'PriceListCreate' });
export const PriceListUpdate = PriceListCreate.omit({ regionId: true }).partial().strict().meta({ id: 'PriceListUpdate' });
export const PriceListRow = z
  .object({
    brand: z.string(),
    article: z.string(),
    name: z.string(),
    quantity: z.number(),
    priceKopecks: z.number().int().nullable().meta({ description: 'Kopecks; null = no price for the price type (only with publishWithoutPrice)' }),
    msProductId: z.string().nullable(),
  })
  .meta({ id: 'PriceListRow' });
export const RowsQuery = Paging.extend({
  brand: queryText(100),
  article: queryText(100),
  q: queryText(200).meta({ description: 'E6: substring of brand, article, code or name, any case (Cyrillic and Latin)' }),
});

// ── clients and suppliers ──────────────────────────────────────────────────────────────────
export const COMPANY_TYPES = ['legal', 'entrepreneur', 'individual'] as const;
const innField = nonBlank(32)
  .refine((v) => normalizeInn(v) !== null, 'INN must have 10 or 12 digits')
  .nullable()
  .optional();
const emailField = nonBlank(254)
  .refine((v) => normalizeEmail(v) !== null && /^[^\s@]+@[^\s@]+$/.test(v), 'not a valid e-mail address')
  .nullable()
  .optional();
const phoneField = nonBlank(64)
  .refine((v) => isPhoneNumber(v), 'not a valid phone number of Russia or the CIS (e.g. +7 912 345-67-89)')
  .nullable()
  .optional();

export const Counterparty = z
  .object({
    id: z.number().int(),
    kind: z.enum(['client', 'supplier']),
    externalId: z.string(),
    regionId: z.number().int().nullable(),
    name: z.string(),
    companyType: z.enum(COMPANY_TYPES),
    inn: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Counterparty' });
export const CounterpartyCreate = z
  .object({
    externalId: nonEmpty(100),
    regionId: RefId.nullable().optional(),
    name: nonEmpty(500),
    companyType: z.enum(COMPANY_TYPES).optional(),
    inn: innField,
    email: emailField,
    phone: phoneField,
  })
  .strict()
  .meta({ id: 'CounterpartyCreate' });
export const CounterpartyUpdate = CounterpartyCreate.omit({ externalId: true }).partial().strict().meta({ id: 'CounterpartyUpdate' });
export const CounterpartyQuery = Paging.extend({
  q: queryText(200).meta({ description: 'E6: substring of name, INN, e-mail or phone in any case (Cyrillic and Latin); or an exact INN, e-mail or phone in any notation' }),
  externalId: queryText(100),
});

export const Balance = z
  .object({
    clientId: z.number().int(),
    balanceKopecks: z.number().int().nullable().meta({ description: 'null only while MoySklad has not been read yet for this client' }),
    balance: z.string().nullable().meta({ description: 'roubles with two decimals' }),
    source: z.enum(['moysklad', 'store']),
    readAt: z.string().nullable(),
    problem: z.string().nullable().meta({ description: "why MoySklad's figure is missing or old (no CRM option, no right to the report, …)" }),
    card: z
      .enum(['linked', 'none', 'ambiguous'])
      .nullable()
      .meta({
        description:
          "C12 the client's MoySklad card as the last balance read found it: linked; none = no card in MoySklad («нет карточки в МойСклад», a state, not an error: none is created for a balance); ambiguous = several cards fit, none is guessed; null = not looked for yet",
      }),
  })
  .meta({ id: 'Balance' });
export const ActivityResult = z
  .object({ clientId: z.number().int(), refreshQueued: z.boolean(), jobId: z.string().nullable(), reason: z.string() })
  .meta({ id: 'ActivityResult' });

// ── orders ─────────────────────────────────────────────────────────────────────────────────
export const ORDER_KINDS = ['customer', 'supplier'] as const;
export const POSITION_STATUSES = ['active', 'rejected', 'withdrawn'] as const;
const quantity = z.number().positive('must be greater than 0').max(1_000_000);
export const OrderPositionInput = z
  .object({
    externalId: nonBlank(100).optional(),
    brand: nonEmpty(100),
    article: nonEmpty(100),
    name: optionalText(500),
    quantity,
    priceKopecks: z.number().int('must be an integer number of kopecks').min(0),
    priceListId: RefId.nullable().optional(),
  })
  .strict()
  .meta({ id: 'OrderPositionInput' });
export const OrderPosition = z
  .object({
    id: z.number().int(),
    externalId: z.string(),
    brand: z.string(),
    article: z.string(),
    name: z.string(),
    quantity: z.number(),
    priceKopecks: z.number().int(),
    status: z.enum(POSITION_STATUSES),
    priceListId: z.number().int().nullable(),
    msProductId: z.string().nullable(),
    msPositionId: z.string().nullable(),
    shippedQuantity: z.number().nullable().meta({ description: "E7: shipped in MoySklad (its shipments, the position's `shipped`); null until known" }),
  })
  .meta({ id: 'OrderPosition' });
export const Order = z
  .object({
    id: z.number().int(),
    kind: z.enum(ORDER_KINDS),
    externalId: z.string(),
    regionId: z.number().int(),
    counterpartyId: z.number().int(),
    priceListId: z.number().int().nullable(),
    status: z.string().nullable(),
    comment: z.string().nullable(),
    msOrderId: z.string().nullable(),
    exportState: z.string(),
    /** Why the export waits or failed (null once sent). */
    exportError: z.string().nullable(),
    /**
     * When the MoySklad order was deleted because every line was rejected or withdrawn (null: it
     * exists, or was never created). `msOrderId` keeps the deleted order's id.
     */
    msDeletedAt: z.string().nullable(),
    msStateName: z.string().nullable().meta({ description: "E7: the name of the order's state in MoySklad (e.g. «Отгружен»); null until known" }),
    msStateChangedAt: z.string().nullable().meta({ description: 'E7: when the MoySklad state was seen to change' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    positions: z.array(OrderPosition),
  })
  .meta({ id: 'Order' });
const uniqueExternalIds = (positions: { externalId?: string | undefined }[], ctx: z.RefinementCtx): void => {
  const seen = new Map<string, number>();
  positions.forEach((p, i) => {
    const key = p.externalId ?? String(i + 1);
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'externalId'], message: `duplicate position externalId ${key} (also at ${seen.get(key)})` });
    else seen.set(key, i);
  });
};
const positionsInput = z.array(OrderPositionInput).min(1, 'an order needs at least one position').max(1000).superRefine(uniqueExternalIds);

export const OrderCreate = z
  .object({
    kind: z.enum(ORDER_KINDS),
    externalId: nonEmpty(100),
    regionId: RefId,
    counterpartyId: RefId,
    status: nonBlank(100).optional(),
    comment: optionalText(4000, true),
    priceListId: RefId.nullable().optional(),
    positions: positionsInput,
  })
  .strict()
  .meta({ id: 'OrderCreate' });
export const OrderUpdate = z
  .object({
    status: nonBlank(100).optional(),
    comment: optionalText(4000, true),
    positions: positionsInput.optional(),
  })
  .strict()
  .meta({ id: 'OrderUpdate' });
export const PositionStatusChange = z
  .object({ status: z.enum(POSITION_STATUSES), quantity: quantity.optional() })
  .strict()
  .meta({ id: 'PositionStatusChange' });
export const OrderQuery = Paging.extend({
  q: queryText(200).meta({ description: "E6: substring of the order number, or of the counterparty's name, INN, e-mail or phone, any case (Cyrillic and Latin)" }),
  kind: z.enum(ORDER_KINDS).optional(),
  counterpartyId: QueryId.optional(),
  externalId: queryText(100),
});

// ── catalog ────────────────────────────────────────────────────────────────────────────────
export const Product = z
  .object({
    id: z.number().int(),
    brand: z.string(),
    article: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    categoryId: z.number().int().nullable().meta({
      description: "The product's category in the named integration's tree (integrationId), else in the tree of the first integration of its MoySklad account that shows it (C8)",
    }),
    kind: z.enum(['product', 'variant']).meta({ description: 'C2: a MoySklad product or a variant (модификация) of one' }),
    msId: z.string(),
    images: z.array(z.object({ position: z.number().int(), filename: z.string().nullable() })),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });
export const ProductQuery = Paging.extend({
  q: queryText(200).meta({ description: 'E6: substring of brand, article, code or name in any case (Cyrillic and Latin), or of the normalized article' }),
  brand: queryText(100),
  article: queryText(100).meta({ description: 'matched on the normalized article' }),
  categoryId: QueryId.optional(),
  integrationId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: "C5: only the goods this integration (region) shows: its root folder's subtree; without it, the goods some integration shows" }),
});
export interface CategoryNode {
  id: number;
  name: string;
  parentId: number | null;
  children: CategoryNode[];
}
export const Category: z.ZodType<CategoryNode> = z
  .object({
    id: z.number().int(),
    name: z.string(),
    parentId: z.number().int().nullable(),
    get children() {
      return z.array(Category);
    },
  })
  .meta({ id: 'Category' });

// ── sync triggers ──────────────────────────────────────────────────────────────────────────
export const SyncParams = z.object({ id: IdParam, kind: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/) });
export const SyncEnqueued = z
  .object({ jobId: z.string(), merged: z.boolean(), kind: z.string() })
  .meta({ id: 'SyncEnqueued' });

/** S2: the one error shape of every error answer (API, webhook intake, media, body limits): `details` is always present. */
export const ErrorResponse = z
  .object({
    error: z
      .object({
        code: z.enum(API_ERROR_CODES).meta({ description: 'stable snake_case code (the closed list ApiErrorCode), e.g. validation_failed, not_found, payload_too_large' }),
        message: z.string().min(1),
        details: z
          .union([z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
          .meta({ description: 'null when there are none; field-level issues [{path, message}] for validation_failed' }),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'Error' });

/** The order-export options of an integration (R6, R7 with C6, C4). */
export const OrderOptions = z
  .object({
    integrationId: z.number().int(),
    /** R6: supplier orders are exported as MoySklad purchase orders. */
    exportPurchaseOrders: z.boolean(),
    /** R7, C6: rejected/withdrawn positions are deleted in MoySklad, and orders whose every position is. */
    deleteRejectedPositions: z.boolean(),
    /** C4: customer-order positions reserve their goods at the order's store. */
    reservePositions: z.boolean(),
  })
  .meta({ id: 'OrderOptions' });
/** C10 an open MoySklad permission or tariff problem of an integration. */
export const IntegrationProblem = z
  .object({
    family: z.enum(JOB_FAMILIES).meta({ description: 'which sync it stops: stock, balance, webhooks, nomenclature, categories, photos, outbox, other' }),
    code: z.enum(PERMISSION_PROBLEMS),
    msCode: z.number().int().nullable().meta({ description: 'the MoySklad error code (13004, 1043, 1016, 30004, …)' }),
    message: z.string().meta({ description: 'Russian: what to change in MoySklad' }),
    messageEn: z.string(),
    detectedAt: z.string(),
    lastSeenAt: z.string(),
    retryAt: z.string().meta({ description: 'the sync is not scheduled before this (unless the integration settings change)' }),
    occurrences: z.number().int(),
  })
  .meta({ id: 'IntegrationProblem' });
export const OrderOptionsUpdate = z
  .object({ exportPurchaseOrders: z.boolean().optional(), deleteRejectedPositions: z.boolean().optional(), reservePositions: z.boolean().optional() })
  .strict()
  .meta({ id: 'OrderOptionsUpdate' });
