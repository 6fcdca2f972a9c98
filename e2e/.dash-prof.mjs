import { chromium } from "playwright-core";
const BASE = "http://127.0.0.1:18088";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"], headless: true });
const ctx = await b.newContext({ viewport: { width: 1920, height: 1080 } });
await ctx.request.post(BASE + "/api/v1/session", { data: { username: "dashadmin", password: "dash-pass-123" } });
for (let i = 0; i < 3; i++) {
  const page = await ctx.newPage();
  await page.goto(BASE + "/#/dashboard");
  await page.locator("main[data-ready='1']").waitFor({ timeout: 30000 });
  const r = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    const res = performance.getEntriesByType("resource").map((e) => [e.name.replace(location.origin, ""), Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize]);
    return { dcl: Math.round(n.domContentLoadedEventEnd), ready: Math.round(performance.getEntriesByName("dashboard-ready")[0].startTime), res };
  });
  console.log(JSON.stringify(r));
  await page.close();
}
await b.close();
