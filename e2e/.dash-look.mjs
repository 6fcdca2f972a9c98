import { chromium } from "playwright-core";
const base = process.env.BASE || "http://127.0.0.1:18088";
const user = process.env.USER_NAME || "dashadmin";
const width = Number(process.env.W || 1920), height = Number(process.env.H || 1080);
const hash = process.env.HASH || "#/dashboard";
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"], headless: true });
const ctx = await b.newContext({ viewport: { width, height }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
const page = await ctx.newPage();
page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") console.log("console", m.type(), m.text()); });
page.on("pageerror", (e) => console.log("pageerror", e.stack || e.message));
await page.goto(base + "/");
await page.locator("#username").fill(user);
await page.locator("#password").fill("dash-pass-123");
await page.getByRole("button", { name: "登录" }).click();
await page.locator("#who button").waitFor();
const t0 = Date.now();
await page.evaluate((h) => { location.hash = h; }, hash);
await page.locator("main[data-ready='1']").waitFor({ timeout: 30000 });
console.log("ready after", Date.now() - t0, "ms");
await page.waitForTimeout(800);
await page.screenshot({ path: `/tmp/dashshots/dash-${width}x${height}${process.env.TAG || ""}.png`, fullPage: process.env.FULL === "1" });
if (process.env.TAB) {
  for (let i = 0; i < Number(process.env.TAB); i++) await page.keyboard.press("Tab");
  console.log("focused:", await page.evaluate(() => document.activeElement.outerHTML.slice(0, 150)));
}
await b.close();
