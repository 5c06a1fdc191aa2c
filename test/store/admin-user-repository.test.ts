/**
 * B8 admin logins and sessions in the store (`AdminUserRepository`), on both dialects: a login is
 * created or its password replaced (which ends its sessions), a session is found by its cookie's
 * hash with its login, and expired sessions are purged.
 */
import { expect, it } from 'vitest';
import { AdminUserRepository } from '../../src/store/repositories/admin-user-repository.js';
import { forEachDialect } from '../helpers/databases.js';

forEachDialect((getDb) => {
  it('B8 a login is created, its password replaced ending its sessions; sessions are found by hash and purged once expired', async () => {
    const repo = new AdminUserRepository(getDb().db);
    expect(await repo.findByLogin('boss')).toBeUndefined();
    expect(await repo.setPasswordHash('boss', 'hash-1', '2026-12-01T10:00:00.000Z')).toBe('created');
    const user = (await repo.findByLogin('boss'))!;
    expect(user).toEqual({ id: user.id, login: 'boss', passwordHash: 'hash-1' });

    const live = await repo.openSession({ idHash: 'h-live', userId: user.id, csrfToken: 'c1', createdAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-01T22:00:00.000Z' });
    await repo.openSession({ idHash: 'h-old', userId: user.id, csrfToken: 'c2', createdAt: '2026-11-30T10:00:00.000Z', expiresAt: '2026-11-30T22:00:00.000Z' });
    expect(await repo.sessionByHash('h-live')).toEqual({ id: live, userId: user.id, login: 'boss', csrfToken: 'c1', expiresAt: '2026-12-01T22:00:00.000Z' });
    expect(await repo.sessionByHash('h-none')).toBeUndefined();

    expect(await repo.purgeExpiredSessions('2026-12-01T11:00:00.000Z')).toBe(1);
    expect(await repo.sessionByHash('h-old')).toBeUndefined();
    expect((await repo.sessionByHash('h-live'))?.id).toBe(live);

    expect(await repo.setPasswordHash('boss', 'hash-2', '2026-12-01T12:00:00.000Z')).toBe('updated');
    expect((await repo.findByLogin('boss'))?.passwordHash).toBe('hash-2');
    expect(await repo.sessionByHash('h-live')).toBeUndefined();

    const again = await repo.openSession({ idHash: 'h-2', userId: user.id, csrfToken: 'c3', createdAt: '2026-12-01T12:00:00.000Z', expiresAt: '2026-12-02T00:00:00.000Z' });
    await repo.deleteSession(again);
    expect(await repo.sessionByHash('h-2')).toBeUndefined();
    await repo.openSession({ idHash: 'h-3', userId: user.id, csrfToken: 'c4', createdAt: '2026-12-01T12:00:00.000Z', expiresAt: '2026-12-02T00:00:00.000Z' });
    await repo.deleteSessionByHash('h-3');
    expect(await repo.sessionByHash('h-3')).toBeUndefined();
  });
});
