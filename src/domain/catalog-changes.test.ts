import { describe, expect, it } from 'vitest';
import { catalogChangeKind, nextCursor, parseCursor } from './catalog-changes.js';

const live = { deleted: false, archived: false, synced: true, inScope: true };

describe('catalog change rules', () => {
  it('E1 a live synced product in scope is an upsert; deleted, archived and not synced ones are tombstones with the reason', () => {
    expect(catalogChangeKind(live)).toEqual({ op: 'upsert' });
    expect(catalogChangeKind({ ...live, deleted: true, archived: true, synced: false })).toEqual({ op: 'tombstone', reason: 'deleted' });
    expect(catalogChangeKind({ ...live, archived: true, synced: false })).toEqual({ op: 'tombstone', reason: 'archived' });
    expect(catalogChangeKind({ ...live, synced: false })).toEqual({ op: 'tombstone', reason: 'not_synced' });
    expect(catalogChangeKind({ ...live, inScope: false })).toEqual({ op: 'tombstone', reason: 'not_synced' });
  });

  it('E1 a cursor is a decimal sequence number; anything else is refused', () => {
    expect([parseCursor(undefined), parseCursor(''), parseCursor('0'), parseCursor('42')]).toEqual([0, 0, 0, 42]);
    expect([parseCursor('-1'), parseCursor('01'), parseCursor('1.5'), parseCursor('abc'), parseCursor('2026-12-01T00:00:00Z')]).toEqual([null, null, null, null, null]);
    expect([nextCursor(7, []), nextCursor(7, [8, 9, 12])]).toEqual(['7', '12']);
  });
});
