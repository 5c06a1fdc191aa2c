/**
 * @module database-url
 * Which database a `DATABASE_URL` names (read by the config check and by the store when it opens one).
 */
/**
 * True when the URL is a `postgres://` or `postgresql://` URL that parses and names a host
 * (in the authority, or as a `host` query parameter naming a Unix socket directory, e.g. /var/run/postgresql).
 */
export function isPostgresUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && (u.hostname !== '' || Boolean(u.searchParams.get('host')));
  } catch {
    return false;
  }
}
