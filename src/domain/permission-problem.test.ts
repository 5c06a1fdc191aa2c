import { describe, expect, it } from 'vitest';
import { JOB_FAMILIES, jobFamilyOf, permissionProblemOf, PERMISSION_PROBLEMS, PROBLEM_TEXT } from './permission-problem.js';

describe('permission and tariff problems', () => {
  it('C10 MoySklad refusals map to what the shop must change', () => {
    const cases: Array<[number | undefined, string]> = [
      [13004, 'report/stock/bystore/current'],
      [13003, 'report/stock/all'],
      [13005, 'report/stock/all/current'],
      [1043, 'report/counterparty'],
      [1016, 'report/counterparty'],
      [1016, 'entity/product'],
      [1017, 'entity/counterparty/x'],
      [1018, 'entity/customerorder/x/positions/y'],
      [1045, 'entity/customerorder'],
      [30004, 'entity/webhook'],
      [1061, 'entity/organization'],
      [1070, 'entity/webhookstock'],
      [1049, 'entity/product'],
      [undefined, 'entity/product'],
    ];
    expect(cases.map(([msCode, path]) => permissionProblemOf({ status: 403, msCode, path }))).toEqual([
      'no_stock_report',
      'no_stock_report',
      'stock_report_too_large',
      'no_crm_tariff',
      'no_crm_right',
      'no_view_right',
      'no_edit_right',
      'no_delete_right',
      'no_create_right',
      'webhooks_admin_only',
      'no_api_access',
      'tariff_restriction',
      null,
      null,
    ]);
  });

  it('C10 every problem has a Russian sentence that says what to change in MoySklad', () => {
    for (const code of PERMISSION_PROBLEMS) {
      expect(PROBLEM_TEXT[code].ru).toMatch(/[а-яё]/i);
      expect(PROBLEM_TEXT[code].ru).toMatch(/МойСклад/);
      expect(PROBLEM_TEXT[code].ru).not.toMatch(/[a-z_]{4,}\.[a-z]/); // no job kinds or field names
    }
  });

  it('C10 a job kind belongs to the family its refusal stops', () => {
    expect(['stock.full', 'stock.incremental', 'balance', 'webhooks', 'nomenclature.full', 'categories', 'outbox', 'whatever'].map(jobFamilyOf)).toEqual([
      'stock',
      'stock',
      'balance',
      'webhooks',
      'nomenclature',
      'categories',
      'outbox',
      'other',
    ]);
  });

  it('C10 the families are the syncs\' own kind names, in the order the API documents them', () => {
    expect(JOB_FAMILIES).toEqual(['stock', 'balance', 'webhooks', 'nomenclature', 'categories', 'photos', 'outbox', 'other']);
  });
});
