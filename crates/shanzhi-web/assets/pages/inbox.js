// 我的待办: the cases in the user's scope, nearest deadline first (GET /cases?order=due), with the
// yellow (临期) and red (超期) marks the API computes on the holiday calendar; filters and paging.
"use strict";
(() => {
  const { el } = Shanzhi;
  const PER_PAGE = 20;
  /** A deadline is the end of its day (Beijing time): the API writes it as the next midnight; show the day. */
  const dueDay = (iso) => (iso ? new Date(Date.parse(iso) - 1000).toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" }) : "–");
  const STATUSES = [
    ["", "全部状态"], ["registered", "已登记"], ["routed", "已分流"], ["accepted", "已受理"], ["returned", "已退回"],
    ["screening", "排查中"], ["mediating", "调解中"], ["resolved", "已化解"], ["closed", "已办结"], ["merged", "已合并"],
  ];
  // The filters survive a visit to a case and back.
  const state = { status: "", q: "", overdue: false, page: 1 };

  /** A case number (YH-2026-000123) names the case whose id is its last digits. */
  function caseIdOf(text) {
    const m = /^[A-Za-z]+-\d{4}-0*(\d+)$/.exec(text.trim());
    return m ? m[1] : null;
  }

  function urgencyTag(c) {
    if (c.paused) return el("span", { class: "tag" }, "已中止计时");
    if (c.urgency !== "yellow" && c.urgency !== "red") return null;
    return el("span", { class: "tag urgency " + c.urgency }, c.urgency_label || (c.urgency === "red" ? "超期" : "临期"));
  }

  Shanzhi.register("inbox", {
    title: "我的待办",
    nav: true,
    permission: "cases.read",
    async render(view) {
      const status = el("select", { id: "inbox-status", name: "status" },
        STATUSES.map(([v, l]) => el("option", { value: v, selected: v === state.status }, l)));
      const q = el("input", { id: "inbox-q", name: "q", type: "search", value: state.q, autocomplete: "off", placeholder: "案件编号或描述中的词" });
      const overdue = el("input", { id: "inbox-overdue", name: "overdue", type: "checkbox", checked: state.overdue });
      const filters = el("form", { class: "card filters", role: "search", "aria-label": "筛选待办" },
        el("div", { class: "field" }, el("label", { for: "inbox-status" }, "状态"), status),
        el("div", { class: "field grow" }, el("label", { for: "inbox-q" }, "查找"), q),
        el("div", { class: "field check" }, overdue, el("label", { for: "inbox-overdue" }, "只看超期")),
        el("div", { class: "field" }, el("button", { type: "submit" }, "查询")),
      );
      const summary = el("p", { class: "muted", id: "inbox-summary", "aria-live": "polite" });
      const table = el("table", { class: "cases", "aria-describedby": "inbox-summary" });
      const pager = el("nav", { class: "pager", "aria-label": "翻页" });
      view.append(el("h1", {}, "我的待办"), filters, el("div", { class: "card" }, summary, table, pager));

      async function load() {
        const params = new URLSearchParams({ order: "due", page: String(state.page), per_page: String(PER_PAGE) });
        if (state.status) params.set("status", state.status);
        if (state.q) params.set("q", state.q);
        if (state.overdue) params.set("overdue", "true");
        const r = await Shanzhi.api("GET", "/cases?" + params);
        const pages = Math.max(1, Math.ceil(r.total / PER_PAGE));
        summary.textContent = "共 " + r.total + " 件，按办理时限排序；黄色为临期，红色为超期。";
        table.replaceChildren(
          el("caption", { class: "sr-only" }, "待办案件"),
          el("thead", {}, el("tr", {},
            ["案件编号", "标题 / 描述", "类别", "发生地", "状态", "牵头部门", "办理时限（截止日）"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, r.cases.length ? r.cases.map((c) => el("tr", { class: c.urgency && !c.paused ? "due-" + c.urgency : null, "data-case": c.case_number },
            el("td", { class: "nowrap" }, el("a", { href: "#/cases/" + c.id }, c.case_number)),
            el("td", { class: "desc" }, c.title ? el("strong", {}, c.title) : null, el("div", { class: "muted clip" }, c.text)),
            el("td", {}, c.category ? c.category.name || c.category.code : "—"),
            el("td", {}, c.region.name || c.region.code),
            el("td", {}, el("span", { class: "tag status-" + c.status }, c.status_label)),
            el("td", {}, c.lead_department || "—"),
            el("td", { class: "nowrap" }, c.due_at ? dueDay(c.due_at) : "—", " ", urgencyTag(c)),
          )) : el("tr", {}, el("td", { colspan: 7, class: "muted" }, "没有符合条件的案件。"))),
        );
        pager.replaceChildren(
          el("button", { type: "button", class: "secondary", disabled: state.page <= 1, onclick: () => { state.page--; load().catch(Shanzhi.showError); } }, "上一页"),
          el("span", {}, " 第 " + state.page + " / " + pages + " 页 "),
          el("button", { type: "button", class: "secondary", disabled: state.page >= pages, onclick: () => { state.page++; load().catch(Shanzhi.showError); } }, "下一页"),
        );
      }

      filters.addEventListener("submit", (event) => {
        event.preventDefault();
        const id = caseIdOf(q.value);
        if (id) {
          location.hash = "#/cases/" + id;
          return;
        }
        state.status = status.value;
        state.q = q.value.trim();
        state.overdue = overdue.checked;
        state.page = 1;
        load().catch(Shanzhi.showError);
      });
      await load();
      // Deadlines turn yellow and red by themselves: refresh while the page is open.
      Shanzhi.every(60000, () => load().catch(() => {}));
    },
  });
})();
