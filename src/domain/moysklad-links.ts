/**
 * @module moysklad-links
 * E4 links from the module to a card in MoySklad's web UI, for people fixing data there.
 *
 * The form is MoySklad's `meta.uuidHref` (documented in every entity's example, e.g.
 * `https://online.moysklad.ru/app/#good/edit?id=…` for a product and `#feature/edit?id=…` for a
 * variant; the web UI stayed on online.moysklad.ru when the API moved to api.moysklad.ru).
 * Inferred, not documented: that the UI opens the card from the API id. MoySklad's examples show
 * uuidHref ids that differ from the API id for some products, and a GET by the UI id redirects to
 * the API id (REFERENCE.md, "UI ids"); the module does not receive uuidHref on list pages, so the
 * API id is the one it has. See docs/api.md, "Data-quality report".
 */

export const MOYSKLAD_WEB_APP = 'https://online.moysklad.ru/app/';

/** Which kind of catalog card: a product (`#good`) or a variant/modification (`#feature`). */
export type MsCardType = 'product' | 'variant';

/** The web UI link of a product or variant card. */
export function moyskladCardUrl(msId: string, type: MsCardType = 'product'): string {
  return `${MOYSKLAD_WEB_APP}#${type === 'variant' ? 'feature' : 'good'}/edit?id=${encodeURIComponent(msId)}`;
}

/** The web UI sections of the documents and cards the admin panel links to (`meta.uuidHref` form). */
const DOCUMENT_SECTIONS = { customerorder: 'customerorder', purchaseorder: 'purchaseorder', counterparty: 'company', store: 'warehouse' } as const;
export type MsDocumentType = keyof typeof DOCUMENT_SECTIONS;

/** E7 the web UI link of an order, a counterparty or a store. */
export function moyskladDocumentUrl(type: MsDocumentType, msId: string): string {
  return `${MOYSKLAD_WEB_APP}#${DOCUMENT_SECTIONS[type]}/edit?id=${encodeURIComponent(msId)}`;
}
