// The shell of the web UI: session, API calls with the CSRF token, the hash router and the
// navigation. Each page lives in pages/*.js and registers itself with Shanzhi.register.
"use strict";

const Shanzhi = (() => {
  const pages = new Map();
  let session = null; // { user, permissions, csrf_token }
  let current = null; // { name, page }
  const timers = new Set();

  class ApiError extends Error {
    constructor(status, code, message, fields) {
      super(message);
      this.status = status;
      this.code = code;
      this.fields = fields || [];
    }
  }

  /** Calls the JSON API; throws ApiError with the API's code on a 4xx/5xx. */
  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && session) headers["X-CSRF-Token"] = session.csrf_token;
    const response = await fetch("/api/v1" + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    if (response.status === 204) return null;
    const json = await response.json().catch(() => null);
    if (!response.ok) {
      const e = (json && json.error) || {};
      if (response.status === 401 && path !== "/session") {
        session = null;
        showLogin();
      }
      throw new ApiError(response.status, e.code || "http_" + response.status, e.message || "请求失败", e.fields);
    }
    return json;
  }

  /** Builds an element: el("td", { class: "n" }, "12"). Text children are never parsed as HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function flash(message, kind) {
    const box = document.getElementById("flash");
    box.textContent = message || "";
    box.className = "flash" + (message ? " " + (kind || "ok") : "");
  }

  /** Shows an API error in the flash line, in Chinese where the code is known. */
  function showError(e) {
    const known = {
      forbidden: "无权进行此操作",
      out_of_scope: "超出您的数据范围",
      case_not_found: "案件不存在或不在您的数据范围内",
      csrf: "页面已过期，请刷新后重试",
      conflict: "数据已被他人修改，请刷新后重试",
    };
    flash((known[e.code] || e.message || "操作失败") + (e.code ? "（" + e.code + "）" : ""), "error");
  }

  function register(name, page) {
    pages.set(name, page);
  }

  function may(permission) {
    return !!session && session.permissions.includes(permission);
  }

  /** Repeats fn every ms while the current page is shown. */
  function every(ms, fn) {
    const id = setInterval(fn, ms);
    timers.add(id);
    return id;
  }

  function leave() {
    for (const id of timers) clearInterval(id);
    timers.clear();
    if (current && current.page.leave) current.page.leave();
    current = null;
  }

  function renderNav() {
    const nav = document.getElementById("nav");
    const who = document.getElementById("who");
    nav.replaceChildren();
    who.replaceChildren();
    if (!session) return;
    for (const [name, page] of pages) {
      if (!page.nav || (page.permission && !may(page.permission))) continue;
      nav.append(el("a", { href: "#/" + name, "data-page": name }, page.title));
    }
    const u = session.user;
    who.append(
      el("span", {}, u.display_name + " · " + u.role_label + (u.scope_label ? " · " + u.scope_label : "")),
      el("button", { type: "button", class: "secondary", onclick: logout }, "退出"),
    );
  }

  function defaultPage() {
    for (const [name, page] of pages) {
      if (page.nav && (!page.permission || may(page.permission))) return name;
    }
    return "inbox";
  }

  async function route() {
    if (!session) return showLogin();
    const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
    const name = parts[0] || defaultPage();
    const page = pages.get(name);
    leave();
    flash("");
    const view = document.getElementById("view");
    view.replaceChildren();
    for (const a of document.querySelectorAll("nav#nav a")) {
      if (a.dataset.page === name) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (!page || (page.permission && !may(page.permission))) {
      view.append(el("h1", {}, "页面不存在或无权访问"));
      return;
    }
    current = { name, page };
    document.title = page.title + " · 善治";
    try {
      await page.render(view, parts.slice(1));
    } catch (e) {
      if (e instanceof ApiError) showError(e);
      else throw e;
    }
  }

  function showLogin() {
    leave();
    renderNav();
    const view = document.getElementById("view");
    view.replaceChildren();
    pages.get("login").render(view, []);
  }

  async function loggedIn(s) {
    session = s;
    renderNav();
    await route();
  }

  async function logout() {
    try {
      await api("DELETE", "/session");
    } catch (e) {
      // Already logged out on the server: nothing to undo.
    }
    session = null;
    location.hash = "";
    showLogin();
  }

  async function start() {
    window.addEventListener("hashchange", () => route());
    // The skip link moves the focus to the page; following its #view would be a route.
    const skip = document.querySelector("a.skip");
    if (skip) skip.addEventListener("click", (e) => { e.preventDefault(); document.getElementById("view").focus(); });
    try {
      const answer = await api("GET", "/session");
      session = answer.user ? answer : null;
    } catch (e) {
      session = null;
    }
    renderNav();
    await route();
  }

  const fmt = {
    int: (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("zh-CN")),
    pct: (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%"),
    time: (iso) => (iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "–"),
    date: (iso) => (iso ? new Date(iso).toLocaleDateString("zh-CN") : "–"),
  };

  return {
    api, el, flash, showError, register, may, every, start, loggedIn, fmt, ApiError,
    get session() { return session; },
  };
})();
