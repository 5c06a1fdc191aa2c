/**
 * @module stylesheet
 * The admin panel's one small stylesheet, served at `/admin/assets/admin.css`.
 */
export const ADMIN_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f4f6f9}
a{color:#1f5fbf;text-decoration:none}a:hover{text-decoration:underline}
header{display:flex;align-items:center;gap:12px;padding:8px 16px;background:#1f2d44;color:#fff}
header .brand{font-weight:600;font-size:15px;color:#fff;white-space:nowrap}
header nav{display:flex;flex-wrap:nowrap;gap:4px 11px;flex:1;min-width:0;font-size:13px}
header nav a{color:#dbe7ff;white-space:nowrap}header nav a.on{color:#fff;font-weight:600;text-decoration:underline;text-underline-offset:4px}
header .svc{color:#b4c3da;margin-left:6px;white-space:nowrap}
header .lang{color:#dbe7ff;white-space:nowrap;font-size:13px}
@media (max-width:1200px){header{flex-wrap:wrap}header nav{flex-wrap:wrap;flex-basis:100%;order:3}}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:2px solid #f0a500;outline-offset:2px}
header form{margin:0}
header button{background:none;border:1px solid #b4c3da;color:#dbe7ff;padding:3px 10px;border-radius:4px;cursor:pointer;margin:0;white-space:nowrap;font-size:13px}
main{max-width:1200px;margin:20px auto;padding:0 20px}
h1{font-size:22px;margin:0 0 16px}h2{font-size:17px;margin:24px 0 10px}
.card{background:#fff;border:1px solid #dde3ec;border-radius:6px;padding:16px;margin-bottom:16px}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e6eaf0;vertical-align:top}
th{background:#eef2f7;font-weight:600;font-size:13px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
label{display:block;margin:10px 0 4px;font-weight:500}
label.check{display:flex;gap:8px;align-items:center;font-weight:400}
input[type=text],input[type=password],input[type=number],input[type=search],input[type=datetime-local],select{width:100%;max-width:460px;padding:6px 8px;border:1px solid #c3cbd8;border-radius:4px;font:inherit;background:#fff}
.inline{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
.inline label{margin:0}.inline input,.inline select{width:auto}
button,.button{display:inline-block;background:#1f5fbf;color:#fff;border:0;border-radius:4px;padding:7px 14px;font:inherit;cursor:pointer;margin-top:10px}
button.secondary,a.button.secondary{background:#e6ecf5;color:#1d2330}button.danger{background:#b03021}
button:disabled,button[disabled]{background:#d5d9df !important;color:#4f5a6a !important;cursor:not-allowed;border:1px dashed #8a96a8}
.live{margin:10px 0}.live-run{background:#fff;border:1px solid #dde3ec;border-radius:6px;padding:8px 12px;margin-bottom:6px}
.live progress{width:100%;max-width:460px;height:14px;vertical-align:middle}.live .pct{margin-left:8px;font-variant-numeric:tabular-nums}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0}dl.facts dt{font-weight:600;color:#3c4a5e}dl.facts dd{margin:0}
.inline button{margin-top:0}
.hint{color:#4f5d72;font-size:13px;margin:4px 0}
.msg{padding:10px 14px;border-radius:4px;margin-bottom:14px}
.msg.ok{background:#e3f4e8;border:1px solid #9fd3ae}
.msg.error{background:#fdecea;border:1px solid #f1a9a0}
.msg.info{background:#e8f0fb;border:1px solid #a9c3ea}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;background:#e6ecf5}
.badge.ok{background:#d6f0de;color:#1c6b33}.badge.partial,.badge.warn,.badge.draft,.badge.pending{background:#fff1cc;color:#7a5a00}
.badge.failed,.badge.error{background:#fbd9d5;color:#8c2318}.badge.running{background:#dbe8fb}
.badge.ok{background:#d6f0de;color:#175c2b}
.token{font-family:ui-monospace,monospace;background:#fff8d6;padding:8px;border:1px dashed #c9a800;word-break:break-all}
pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:12px}
.thumb{width:48px;height:48px;object-fit:contain;background:#f0f0f0}
.pager{display:flex;gap:14px;align-items:center;margin:10px 0}
.login{max-width:360px;margin:80px auto}
svg.chart{background:#fff;border:1px solid #dde3ec;border-radius:6px}
.muted{color:#5f6b7c}
form:has(input[name=authKind][value=user_token]:checked) .pw-only,form:has(input[name=authKind][value=password]:checked) .token-only{display:none}
`;
