// What every browser test shares: the server and users from the environment (set by
// crates/shanzhi/tests/browser.rs), Debian's Chromium driven by playwright-core, and the guards
// every page runs under — no console error, no page error, no request to a host other than the
// server — plus screenshots, login and the label check.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));

export const BASE_URL = (process.env.SHANZHI_E2E_BASE_URL || "").replace(/\/$/, "");
if (!BASE_URL) throw new Error("SHANZHI_E2E_BASE_URL is not set: run the suite through `cargo test -p shanzhi --test browser`");
/** { role: { username, password, … } } for the users the Rust test created. */
export const USERS = JSON.parse(process.env.SHANZHI_E2E_USERS || "{}");
/** What the Rust test prepared: the case text, region and the department it routes to, etc. */
export const FIXTURE = JSON.parse(process.env.SHANZHI_E2E_FIXTURE || "{}");
export const SCREENSHOTS = process.env.SHANZHI_E2E_SCREENSHOTS || join(here, "screenshots");
mkdirSync(SCREENSHOTS, { recursive: true });
// A failure's screenshot is of this run only.
for (const f of readdirSync(SCREENSHOTS)) if (f.startsWith("FAILED-")) rmSync(join(SCREENSHOTS, f));

const CHROMIUM = process.env.SHANZHI_E2E_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
const host = new URL(BASE_URL).host;

let browser = null;
export async function launch() {
  if (!browser) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  return browser;
}
export async function close() {
  if (browser) await browser.close();
  browser = null;
}

/**
 * A fresh browser context (own cookies) and page, guarded. `allow` lists console errors a test
 * expects, as { url: RegExp, status: number } for a resource that answers 4xx on purpose.
 * `problems` collects what the guards caught.
 */
export async function openPage({ allow = [] } = {}) {
  const b = await launch();
  const context = await b.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  const expected = allow;
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const url = msg.location().url || "";
    const text = msg.text();
    const known = expected.some((a) => a.url.test(url) && text.includes("status of " + a.status));
    if (!known) problems.push("console error: " + text + (url ? " (" + url + ")" : ""));
  });
  page.on("pageerror", (e) => problems.push("page error: " + (e.stack || e.message)));
  page.on("requestfailed", (r) => {
    const u = new URL(r.url());
    if (u.host === host) problems.push("request failed: " + r.method() + " " + r.url() + " " + (r.failure() || {}).errorText);
  });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    const u = new URL(url);
    if (u.host !== host) {
      problems.push("request to another host: " + url);
      return route.abort("blockedbyclient");
    }
    if (DEV_ASSETS && u.pathname.startsWith("/assets/")) return devAsset(route, u.pathname);
    return route.continue();
  });
  return { page, context, problems };
}

/**
 * A test in its own guarded page: fails on any console error, page error or request to another
 * host; on failure saves a screenshot `FAILED-<shot>.png` and adds what the page showed.
 */
export function browserTest(name, shot, body, { allow } = {}) {
  return test(name, async () => {
    const { page, context, problems } = await openPage({ allow: typeof allow === "function" ? allow() : allow });
    try {
      await body(page);
      assert.deepEqual(problems, [], "the page must make no console error, page error or foreign request");
    } catch (e) {
      await screenshot(page, "FAILED-" + shot).catch(() => {});
      const flash = await page.locator("#flash").innerText({ timeout: 1000 }).catch(() => "");
      const seen = "\n  url: " + page.url() + (flash ? "\n  flash: " + flash : "") +
        (problems.length ? "\n  the guards caught:\n    " + problems.join("\n    ") : "");
      throw new Error(e.message + seen, { cause: e });
    } finally {
      await context.close();
    }
  });
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: join(SCREENSHOTS, name + ".png"), fullPage });
}

/** Opens the site and logs in through the login form. */
export async function login(page, who) {
  const user = USERS[who];
  assert.ok(user, "no user for the role " + who + " in SHANZHI_E2E_USERS");
  await page.goto(BASE_URL + "/");
  await page.locator("#username").fill(user.username);
  await page.locator("#password").fill(user.password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.locator("#who").getByText(user.display_name || user.username).waitFor();
  await page.locator("main h1").first().waitFor();
  return user;
}

/** Goes to a hash route of the single-page app and waits for its main heading. */
export async function visit(page, hash) {
  // Resolved once the shell's own hashchange handler has run: it empties the view at once, so
  // the heading waited for below is the new page's, not the last one's.
  await page.evaluate((h) => new Promise((resolve) => {
    if (location.hash === h) return resolve();
    window.addEventListener("hashchange", () => setTimeout(resolve, 0), { once: true });
    location.hash = h;
  }), hash);
  await page.locator("main h1").first().waitFor();
}

/** Every form field of the page has a label (label[for], a wrapping label, aria-label or aria-labelledby). */
export async function assertLabelled(page, where) {
  const unlabelled = await page.locator("input, select, textarea").evaluateAll((nodes) => nodes
    .filter((n) => n.type !== "hidden")
    .filter((n) => !(n.labels && n.labels.length) && !n.getAttribute("aria-label") && !n.getAttribute("aria-labelledby"))
    .map((n) => n.outerHTML.slice(0, 120)));
  assert.deepEqual(unlabelled, [], "every field on " + where + " has a label");
}

/** The page's own API call, with its session cookie (and CSRF token for writes): the status and body. */
export async function apiFromPage(page, method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // Shanzhi is a global `const` of the page's scripts: in scope here, but not on window.
    const s = typeof Shanzhi === "undefined" ? null : Shanzhi.session;
    if (method !== "GET" && s) headers["X-CSRF-Token"] = s.csrf_token;
    const r = await fetch("/api/v1" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, [method, path, body]);
}

// For development only, never set by browser.rs: SHANZHI_E2E_DEV_ASSETS=crates/shanzhi-web/assets
// serves /assets/ from the source tree, so that a page can be tried without rebuilding the binary.
const DEV_ASSETS = process.env.SHANZHI_E2E_DEV_ASSETS;
async function devAsset(route, path) {
  const { readFile } = await import("node:fs/promises");
  try {
    const body = await readFile(join(DEV_ASSETS, path.slice("/assets/".length)));
    const type = path.endsWith(".css") ? "text/css" : "text/javascript";
    return route.fulfill({ status: 200, contentType: type + "; charset=utf-8", body });
  } catch {
    return route.continue();
  }
}
