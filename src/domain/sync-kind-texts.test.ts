import { describe, expect, it } from 'vitest';
import { ALL_JOB_KINDS } from '../sync/job-kinds.js';
import { KIND_TEXTS } from './sync-kind-texts.js';

describe('sync kind texts', () => {
  it('B8 every job kind has a Russian and an English name and description for staff', () => {
    const missing = ALL_JOB_KINDS.filter((k) => !KIND_TEXTS[k]?.name.ru || !KIND_TEXTS[k]?.name.en || !KIND_TEXTS[k]?.about.ru || !KIND_TEXTS[k]?.about.en);
    expect(missing).toEqual([]);
  });
});
