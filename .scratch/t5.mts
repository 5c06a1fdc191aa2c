import { z } from 'zod';
const a = z.string().superRefine((v, ctx) => { if (v.includes('\u0000')) ctx.addIssue({ code: 'custom', message: 'ctl', continue: false }); }).trim().refine((v) => v === 'ok', 'bad');
console.log(JSON.stringify(a.safeParse('x\u0000').error?.issues.map((i) => i.message)));
const b = z.string().refine((v) => !v.includes('\u0000'), { message: 'ctl', abort: true }).trim().refine((v) => v === 'ok', 'bad');
console.log(JSON.stringify(b.safeParse('x\u0000').error?.issues.map((i) => i.message)));
