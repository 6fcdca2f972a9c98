import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
const BASE = "http://127.0.0.1:18088";
let js = readFileSync("../crates/shanzhi-web/assets/pages/dashboard.js", "utf8");
// time each setOption and the draw
js = js.replace("function draw(d) {", "function draw(d) { const __t = performance.now(); try { return draw0(d); } finally { console.log('draw', Math.round(performance.now() - __t)); } }\n      function draw0(d) {");
js = js.replace(/(\w+Chart)\.setOption\(/g, "__timed($1, ");
js = js.replace('"use strict";', '"use strict";\nfunction __timed(c, ...a) { const t = performance.now(); c.setOption(...a); console.log("setOption", c.getDom().id, Math.round(performance.now() - t)); }');
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"], headless: true });
const ctx = await b.newContext({ viewport: { width: 1920, height: 1080 } });
await ctx.route("**/pages/dashboard.js", (r) => r.fulfill({ status: 200, contentType: "text/javascript", body: js }));
await ctx.request.post(BASE + "/api/v1/session", { data: { username: "dashadmin", password: "dash-pass-123" } });
for (let i = 0; i < 3; i++) {
  const page = await ctx.newPage();
  page.on("console", (m) => console.log(i, m.text()));
  await page.goto(BASE + "/#/dashboard");
  await page.locator("main[data-ready='1']").waitFor({ timeout: 30000 });
  console.log(i, "ready", Math.round(await page.evaluate(() => performance.getEntriesByName("dashboard-ready")[0].startTime)));
  await page.close();
}
await b.close();
