// The one screen's render time in a real browser (Debian's headless Chromium via playwright-core):
// from opening #/dashboard to the page's `data-ready` mark, which pages/dashboard.js sets once the
// first data is drawn (figures, four charts, the warnings and the league tables).
//
//   SHANZHI_E2E_BASE_URL=http://127.0.0.1:8080 SHANZHI_BENCH_USER=admin SHANZHI_BENCH_PASSWORD=… \
//     node e2e/bench-dashboard.mjs [--runs 5] [--width 1920 --height 1080]
//
// Each run is a full page load of /#/dashboard in a logged-in context (scripts, styles, ECharts,
// the session, the dashboard's API answer, drawing). The first run finds the server's dashboard
// cache cold (unless another client asked in the last 10 s); the next ones within 10 s find it
// warm; with --uncached the bench waits 11 s before each run so that every run is cold. Prints
// Markdown rows for BENCHMARKS.md.
import { chromium } from "playwright-core";

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf("--" + name);
  return i >= 0 ? args[i + 1] : fallback;
};
const BASE = (process.env.SHANZHI_E2E_BASE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const USER = process.env.SHANZHI_BENCH_USER || "admin";
const PASSWORD = process.env.SHANZHI_BENCH_PASSWORD;
if (!PASSWORD) throw new Error("set SHANZHI_BENCH_PASSWORD (and SHANZHI_BENCH_USER) to a user made with `shanzhi user add`");
const RUNS = Number(opt("runs", "5"));
const width = Number(opt("width", "1920"));
const height = Number(opt("height", "1080"));
const uncached = args.includes("--uncached");

const browser = await chromium.launch({
  executablePath: process.env.SHANZHI_E2E_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  headless: true,
});
const context = await browser.newContext({ viewport: { width, height }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
const login = await context.request.post(BASE + "/api/v1/session", { data: { username: USER, password: PASSWORD } });
if (!login.ok()) throw new Error("login failed: " + login.status() + " " + (await login.text()));

const problems = [];
const times = [];
for (let run = 0; run < RUNS; run++) {
  if (uncached && run > 0) await new Promise((r) => setTimeout(r, 11000));
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !/favicon/.test(m.location().url || "")) problems.push(m.text());
  });
  const started = Date.now();
  await page.goto(BASE + "/#/dashboard");
  await page.locator("main[data-ready='1']").waitFor({ timeout: 30000 });
  const elapsed = Date.now() - started;
  // The page's own mark, from the start of navigation (no Node round trip).
  const mark = await page.evaluate(() => Math.round(performance.getEntriesByName("dashboard-ready").pop().startTime));
  times.push({ elapsed, mark });
  await page.close();
}
await browser.close();
if (problems.length) console.error("problems:", problems);

const sorted = times.map((t) => t.mark).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`| navigation start to the dashboard drawn (performance mark), ${width}×${height}${uncached ? ", server cache cold every run" : ""} | first ${times[0].mark} ms | median of ${RUNS} ${median} ms | min ${sorted[0]} ms | max ${sorted[sorted.length - 1]} ms |`);
console.log("runs (mark ms / wall ms):", times.map((t) => t.mark + "/" + t.elapsed).join(", "));
