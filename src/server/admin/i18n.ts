/**
 * @module i18n
 * Every string of the admin panel, Russian (default) and English, from the translation tables
 * (`i18n-messages.ru.ts`, `i18n-messages.en.ts`, `i18n-accounts.ts`, `i18n-platform.ts`). Views
 * call `t(key, vars)`; `{name}` placeholders are replaced from `vars`.
 */
import { accountsEn, accountsRu, type AccountsMessageKey } from './i18n-accounts.js';
import { panelEn } from './i18n-messages.en.js';
import { panelRu, type PanelMessageKey } from './i18n-messages.ru.js';

export type MessageKey = PanelMessageKey | AccountsMessageKey;

export type Lang = 'ru' | 'en';
export const LANGS: readonly Lang[] = ['ru', 'en'];

export const DICTIONARY: Record<Lang, Record<MessageKey, string>> = { ru: { ...panelRu, ...accountsRu }, en: { ...panelEn, ...accountsEn } };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The translator of one language. */
export function translator(lang: Lang): Translate {
  const dict = DICTIONARY[lang];
  return (key, vars) => {
    const text = dict[key];
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

/** True for a key of the dictionary (for codes that come from data, e.g. problems). */
export function isMessageKey(key: string): key is MessageKey {
  return key in DICTIONARY.ru;
}
