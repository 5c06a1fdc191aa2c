/** @module sync/webhooks/kinds The job kinds of MoySklad webhooks: reconciling the subscriptions (B3) and applying deletions (R17). */
export const WEBHOOKS_KIND = 'webhooks';
export const DELETIONS_KIND = 'nomenclature.deletions';
export const WEBHOOK_JOB_KINDS = [WEBHOOKS_KIND, DELETIONS_KIND] as const;
