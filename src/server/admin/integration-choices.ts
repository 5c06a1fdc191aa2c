/**
 * @module integration-choices
 * The integrations as filter choices (named by their region) for the log and history pages.
 */
import { RegionRepository } from '../../store/repositories/region-repository.js';
import type { AdminPanelDeps } from './admin-helpers.js';

export interface IntegrationOption {
  id: number;
  name: string;
}

/** Every integration with its region's name ('—' when the region is gone). */
export async function integrationOptions(deps: Pick<AdminPanelDeps, 'db' | 'clock' | 'setup'>): Promise<IntegrationOption[]> {
  const names = new Map((await new RegionRepository(deps.db, deps.clock).list()).map((r) => [r.id, r.name]));
  return (await deps.setup.integrations.list()).map((i) => ({ id: i.id, name: names.get(i.regionId) ?? '—' }));
}

/** Integrations as the choices of a filter select (value = id, label = region name). */
export const integrationChoices = (list: ReadonlyArray<IntegrationOption>) => list.map((i) => ({ value: String(i.id), label: i.name }));
