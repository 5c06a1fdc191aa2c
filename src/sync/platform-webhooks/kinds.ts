/** @module sync/platform-webhooks/kinds E3: the job kind that sends the platform's due webhook deliveries (global, no credential lease). */
export const WEBHOOK_DELIVERY_KIND = 'webhooks.deliver';
export const WEBHOOK_DELIVERY_JOB_KINDS = [WEBHOOK_DELIVERY_KIND] as const;
