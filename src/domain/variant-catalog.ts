/**
 * @module variant-catalog
 * C2: how a MoySklad variant (модификация) becomes a catalog item.
 * - Its brand and article: its own Code and Article by R16 when it has both; otherwise its parent
 *   product's (the parent's R16 split), because a volume or a colour of one part is sold under the
 *   part's own number.
 * - Its name: the parent's name followed by its characteristics as `name: value`, comma-separated,
 *   in brackets — «Масло моторное 5W-30 (Объём: 4 л)» — so the shop shows what differs and which
 *   property it is. MoySklad's own variant name (`Товар (4 л)`) is used when the parent is unknown or
 *   the variant lists no characteristics.
 */

export interface Characteristic {
  name: string;
  value: string;
}

const collapse = (s: string | null | undefined): string => (s ?? '').normalize('NFC').replace(/\s+/gu, ' ').trim();

/** Whether a variant has its own Code AND Article (then R16 applies to them, not to its parent's). */
export function hasOwnCodeAndArticle(code: string | null | undefined, article: string | null | undefined): boolean {
  return collapse(code) !== '' && collapse(article) !== '';
}

/** The catalog name of a variant (see the module note). */
export function variantName(parentName: string | null | undefined, characteristics: readonly Characteristic[], ownName: string): string {
  const parts = characteristics.map((c) => ({ name: collapse(c.name), value: collapse(c.value) })).filter((c) => c.value !== '');
  const base = collapse(parentName);
  if (base === '' || parts.length === 0) return ownName;
  return `${base} (${parts.map((c) => (c.name ? `${c.name}: ${c.value}` : c.value)).join(', ')})`;
}
