/**
 * @module error-codes
 * Every error code the service uses, as closed unions defined once (issue 20): the codes a REST
 * response can carry with the HTTP status each is answered with (the router, the OpenAPI document
 * and docs/api.md follow this table), the MoySklad client's, the outbox export's and the rest
 * (start-up, configuration, background jobs). The wire values are these strings.
 */

/** MoySklad client errors; on the REST API 503 when MoySklad is busy or out of reach, else 502. */
export const MOYSKLAD_ERROR_CODES = [
  'moysklad_auth_failed',
  'moysklad_forbidden',
  'moysklad_not_found',
  'moysklad_rate_limited',
  'moysklad_unreachable',
  'moysklad_timeout',
  'moysklad_server_error',
  'moysklad_bad_response',
  'moysklad_request_failed',
] as const;
export type MoySkladErrorCode = (typeof MOYSKLAD_ERROR_CODES)[number];

/** What our REST API answers when a MoySklad error reaches it: MoySklad is an upstream, never the client's fault. */
export function apiStatusOf(code: MoySkladErrorCode): 502 | 503 {
  return code === 'moysklad_rate_limited' || code === 'moysklad_unreachable' || code === 'moysklad_timeout' ? 503 : 502;
}

const MOYSKLAD_API_STATUS = Object.fromEntries(MOYSKLAD_ERROR_CODES.map((c) => [c, apiStatusOf(c)])) as Record<MoySkladErrorCode, 502 | 503>;

/** The codes a REST response (`{"error":{"code",…}}`) can carry, and the HTTP status of each. */
export const API_ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  payload_too_large: 413,
  duplicate_client: 409,
  duplicate_supplier: 409,
  duplicate_order: 409,
  duplicate_region_code: 409,
  central_region_conflict: 409,
  region_code_taken: 409,
  counterparty_exists: 409,
  order_exists: 409,
  integration_exists: 409,
  integration_inactive: 409,
  price_list_swapped: 409,
  price_list_swap_conflict: 409,
  supplier_not_client: 422,
  client_not_supplier: 422,
  price_list_unbound: 422,
  stock_store_missing: 422,
  integration_missing: 422,
  internal_error: 500,
  ...MOYSKLAD_API_STATUS,
} as const satisfies Record<string, number>;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;
export const API_ERROR_CODES = Object.keys(API_ERROR_STATUS) as ApiErrorCode[];

/** A failure of an outbox export that a person must fix (the item fails until a manual retry, unless retryable). */
export type ExportErrorCode =
  | 'order_missing'
  | 'counterparty_missing'
  | 'counterparty_ambiguous'
  | 'supplier_not_client'
  | 'client_not_supplier'
  | 'ms_account_changed'
  | 'ms_order_deleted'
  | 'product_unresolved'
  | 'product_create_failed';

/** A precondition of an outbox export not met yet: the item waits (no MoySklad request). */
export type ExportDeferredCode = 'no_integration' | 'integration_inactive' | 'purchase_orders_off' | 'organization_missing';

/** Start-up of the service (`start`, `migrate`). */
export type StartupErrorCode = 'database_unavailable' | 'port_unavailable' | 'secret_key_invalid' | 'secret_key_missing' | 'secret_key_mismatch' | 'migration_failed';

/** Errors that never reach a REST response: configuration, secrets, stored data, job requests, integration setup. */
export type InternalErrorCode =
  | StartupErrorCode
  | 'config_invalid'
  | 'secret_box_missing'
  | 'secret_decrypt_failed'
  | 'invalid_time'
  | 'integration_required'
  | 'price_list_required';

/** Every code an `AppError` can carry. */
export type AppErrorCode = ApiErrorCode | ExportErrorCode | ExportDeferredCode | InternalErrorCode;
