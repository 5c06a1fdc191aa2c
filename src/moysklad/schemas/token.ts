/** @module moysklad/schemas/token — the `POST /security/token` answer. */
import { z } from 'zod';

export const tokenResponseSchema = z.looseObject({ access_token: z.string().min(1) });
