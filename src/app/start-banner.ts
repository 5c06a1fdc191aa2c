/**
 * @module start-banner
 * What a person must see when the service starts — its URL, the admin panel, the login and, on the
 * first start, the generated password — as one framed block, printed apart from the log stream
 * (the logs go to stderr when stdout is a terminal).
 */

export interface StartBannerInput {
  url: string;
  demo: boolean;
  adminUrl: string;
  login: string;
  /** The password generated now (shown once), or null. */
  password: string | null;
  passwordSource: 'generated' | 'env' | 'existing';
  apiDocsUrl: string;
}

export function startBanner(b: StartBannerInput): string {
  const lines = [
    `moysklad-exchange is running at ${b.url}${b.demo ? ' (demo shop on the built-in MoySklad emulator)' : ''}`,
    '',
    `Admin panel:  ${b.adminUrl}`,
    `Admin login:  ${b.login}`,
    b.password
      ? `Password:     ${b.password}   (shown once; change it with: moysklad-exchange admin set-password)`
      : `Password:     ${b.passwordSource === 'env' ? 'from ADMIN_PASSWORD' : 'the one set before (moysklad-exchange admin set-password changes it)'}`,
    '',
    `Platform API: ${b.apiDocsUrl}  (token: moysklad-exchange token create <name>)`,
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  return ['', rule, ...lines.map((l) => `| ${l.padEnd(width)} |`), rule, ''].join('\n');
}
