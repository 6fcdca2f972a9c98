// 风险预警: the warnings of the four models by level and state (#/warnings), and one warning
// (#/warnings/ID) with its explanation, factors, cases, history and back-trace (倒查); staff with
// warnings.act acknowledge it, activate a proposed contingency plan, resolve it or dismiss it.
"use strict";
(() => {
  const { el, fmt } = Shanzhi;
  /** replaceChildren that, like el(), flattens lists and skips null, undefined and false. */
  const put = (parent, ...children) =>
    parent.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  const PER_PAGE = 25;
  const LEVELS = [["", "全部级别"], ["blue", "蓝色及以上"], ["yellow", "黄色及以上"], ["orange", "橙色及以上"], ["red", "红色"]];
  const MODELS = [["", "全部模型"], ["event", "涉众事件"], ["person", "重点人员"], ["industry", "行业"], ["region", "区域"]];
  const STATES = [
    ["open", "未结束（待签收、已签收、预案已启动）"], ["raised", "待签收"], ["acknowledged", "已签收"],
    ["plan_activated", "预案已启动"], ["resolved", "已化解"], ["dismissed", "已排除"], ["", "全部"],
  ];
  const LEVEL_LABEL = { blue: "蓝色", yellow: "黄色", orange: "橙色", red: "红色" };
  const filters = { state: "open", min_level: "", model: "", offset: 0 };


  function planName(w, code) {
    if (w.plan === code && w.plan_name) return w.plan_name;
    const p = w.proposed_plans.find((x) => x.code === code);
    return p ? p.name : code;
  }

  function levelTag(w) {
    return el("span", { class: "tag " + w.level }, w.level_label || LEVEL_LABEL[w.level] || w.level);
  }

  function select(id, label, pairs, value) {
    return el("div", { class: "field" }, el("label", { for: id }, label),
      el("select", { id, name: id }, pairs.map(([v, l]) => el("option", { value: v, selected: v === value }, l))));
  }

  async function renderList(view) {
    const form = el("form", { class: "card filters", role: "search", "aria-label": "筛选预警" },
      select("warn-state", "状态", STATES, filters.state),
      select("warn-level", "级别", LEVELS, filters.min_level),
      select("warn-model", "模型", MODELS, filters.model),
      el("div", { class: "field" }, el("button", { type: "submit" }, "查询")));
    const summary = el("p", { class: "muted", id: "warn-summary", "aria-live": "polite" });
    const table = el("table", { class: "warnings", "aria-describedby": "warn-summary" });
    const pager = el("nav", { class: "pager", "aria-label": "翻页" });
    view.append(el("h1", {}, "风险预警"), form, el("div", { class: "card" }, summary, table, pager));

    async function load() {
      const params = new URLSearchParams({ limit: String(PER_PAGE), offset: String(filters.offset) });
      if (filters.state === "open") params.set("open", "true");
      else if (filters.state) params.set("state", filters.state);
      if (filters.min_level) params.set("min_level", filters.min_level);
      if (filters.model) params.set("model", filters.model);
      const r = await Shanzhi.api("GET", "/warnings?" + params);
      summary.textContent = "共 " + r.total + " 条预警，红色在前。";
      table.replaceChildren(
        el("caption", { class: "sr-only" }, "预警列表"),
        el("thead", {}, el("tr", {}, ["级别", "模型", "对象", "研判说明", "涉及案件", "状态", "最近发现"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, r.items.length ? r.items.map((w) => el("tr", { "data-warning": String(w.id) },
          el("td", {}, levelTag(w)),
          el("td", {}, w.model_label),
          el("td", {}, el("a", { href: "#/warnings/" + w.id }, w.subject.label)),
          el("td", { class: "clip muted" }, w.explanation),
          el("td", { class: "n" }, fmt.int(w.case_ids.length)),
          el("td", {}, el("span", { class: "tag state-" + w.state }, w.state_label)),
          el("td", { class: "nowrap" }, w.last_seen_on),
        )) : el("tr", {}, el("td", { colspan: 7, class: "muted" }, "没有符合条件的预警。"))));
      const page = Math.floor(filters.offset / PER_PAGE) + 1;
      const pages = Math.max(1, Math.ceil(r.total / PER_PAGE));
      pager.replaceChildren(
        el("button", { type: "button", class: "secondary", disabled: page <= 1, onclick: () => { filters.offset -= PER_PAGE; load().catch(Shanzhi.showError); } }, "上一页"),
        el("span", {}, " 第 " + page + " / " + pages + " 页 "),
        el("button", { type: "button", class: "secondary", disabled: page >= pages, onclick: () => { filters.offset += PER_PAGE; load().catch(Shanzhi.showError); } }, "下一页"));
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      filters.state = form.elements["warn-state"].value;
      filters.min_level = form.elements["warn-level"].value;
      filters.model = form.elements["warn-model"].value;
      filters.offset = 0;
      load().catch(Shanzhi.showError);
    });
    await load();
    Shanzhi.every(60000, () => load().catch(() => {}));
  }

  /** The actions the warning's state allows (the lifecycle: raised → acknowledged → plan → resolved; dismissed from any open state). */
  function actionsFor(w) {
    const list = [];
    if (w.state === "raised") list.push("acknowledge");
    if ((w.state === "raised" || w.state === "acknowledged") && w.proposed_plans.length) list.push("activate_plan");
    if (w.state === "acknowledged" || w.state === "plan_activated") list.push("resolve");
    if (w.open) list.push("dismiss");
    return list;
  }

  function actionForm(w, code, done) {
    const errors = el("p", { class: "error", role: "alert" });
    const fields = {
      acknowledge: [],
      activate_plan: [el("label", { for: "warn-plan" }, "预案"),
        el("select", { id: "warn-plan", name: "plan" }, w.proposed_plans.map((p) => el("option", { value: p.code }, p.name)))],
      resolve: [el("label", { for: "warn-note" }, "化解情况"), el("textarea", { id: "warn-note", name: "note", rows: 3, required: true })],
      dismiss: [el("label", { for: "warn-reason" }, "排除理由"), el("textarea", { id: "warn-reason", name: "reason", rows: 3, required: true })],
    }[code];
    const label = { acknowledge: "签收", activate_plan: "启动预案", resolve: "化解", dismiss: "排除" }[code];
    const form = el("form", { class: "action-form", "data-action": code, "aria-label": label },
      el("h3", {}, label), fields, errors,
      el("p", {}, el("button", { type: "submit", class: code === "dismiss" ? "danger" : null }, "确认" + label)));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.textContent = "";
      const body = { action: code, expected_version: w.version };
      for (const name of ["plan", "note", "reason"]) if (form.elements[name]) body[name] = form.elements[name].value.trim();
      if ((code === "resolve" && !body.note) || (code === "dismiss" && !body.reason)) {
        errors.textContent = code === "dismiss" ? "请填写排除理由。" : "请填写化解情况。";
        form.querySelector("textarea").focus();
        return;
      }
      try {
        const after = await Shanzhi.api("POST", "/warnings/" + w.id + "/actions", body);
        done(after, label);
      } catch (e) {
        errors.textContent = e.code === "conflict" ? "预警已被他人处理，请刷新后重试。"
          : (e.fields && e.fields.length ? e.fields.map((f) => f.message).join("；") : e.message) + "（" + e.code + "）";
      }
    });
    return form;
  }

  function backtraceBlock(id) {
    const box = el("div", { id: "backtrace", "aria-live": "polite" });
    const button = el("button", { type: "button", class: "secondary" }, "倒查此前相关案件");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const b = await Shanzhi.api("GET", "/warnings/" + id + "/backtrace");
        put(box,
          el("p", { "data-testid": "backtrace-summary" }, el("strong", {}, b.summary),
            b.truncated ? el("span", { class: "muted" }, "（仅列出最早的 " + b.items.length + " 件）") : null),
          b.items.length ? el("table", {},
            el("caption", { class: "sr-only" }, "倒查：此前相关案件"),
            el("thead", {}, el("tr", {}, ["案件编号", "受理时间", "关联", "发生地", "类别", "承办部门", "办理情况"].map((h) => el("th", { scope: "col" }, h)))),
            el("tbody", {}, b.items.map((c) => el("tr", {},
              el("td", {}, el("a", { href: "#/cases/" + c.id }, c.case_number)),
              el("td", {}, fmt.date(c.received_at)),
              el("td", {}, (c.relation_labels || []).join("、")),
              el("td", {}, c.region ? c.region.name : "—"),
              el("td", {}, c.category ? c.category.name || c.category.code : "—"),
              el("td", {}, c.lead_department || "—"),
              el("td", {}, c.status_label + (c.overdue ? "（超期）" : "") + (c.resolved_at ? "，" + fmt.date(c.resolved_at) + " 化解" : "")),
            )))) : null);
        button.hidden = true;
      } catch (e) {
        button.disabled = false;
        Shanzhi.showError(e);
      }
    });
    box.append(button);
    return box;
  }

  async function renderOne(view, id) {
    let w;
    try {
      w = await Shanzhi.api("GET", "/warnings/" + encodeURIComponent(id));
    } catch (e) {
      if (!(e instanceof Shanzhi.ApiError) || e.status >= 500) throw e;
      view.replaceChildren(el("h1", {}, "预警不存在或无权查看"), el("p", {}, el("a", { href: "#/warnings" }, "返回预警列表")));
      return;
    }
    const panel = el("div", { id: "warning-action-panel" });
    const done = async (after, label) => {
      Shanzhi.flash(label + "：已完成，预警状态为“" + after.state_label + "”", "ok");
      await renderOne(view, id);
      const h = view.querySelector("h1");
      if (h) h.focus();
    };
    const actions = Shanzhi.may("warnings.act") ? actionsFor(w) : [];
    const labels = { acknowledge: "签收", activate_plan: "启动预案", resolve: "化解", dismiss: "排除" };
    const buttons = el("div", { class: "action-buttons", role: "group", "aria-label": "预警处置" }, actions.map((code) =>
      el("button", { type: "button", class: "secondary", "data-action": code, "aria-controls": "warning-action-panel", onclick: () => {
        const form = actionForm(w, code, done);
        panel.replaceChildren(form);
        (form.querySelector("select, textarea") || form.querySelector("button[type=submit]")).focus();
      } }, labels[code])));
    const s = w.statistic || {};
    const stat = [];
    if (s.observed !== undefined) stat.push("观察 " + s.observed + " 件");
    if (s.expected !== undefined) stat.push("预期 " + s.expected + " 件");
    if (s.p_value !== undefined) stat.push("p = " + Number(s.p_value).toPrecision(2));
    if (s.llr !== undefined) stat.push("LLR = " + Number(s.llr).toFixed(2));

    view.replaceChildren(
      el("h1", { tabindex: "-1" }, levelTag(w), " ", w.model_label + " · " + w.subject.label, " ",
        el("span", { class: "tag state-" + w.state, "data-testid": "warning-state" }, w.state_label)),
      el("p", { class: "muted" }, el("a", { href: "#/warnings" }, "← 返回预警列表")),
      el("div", { class: "case-grid" },
        el("div", {},
          el("section", { class: "card", "aria-labelledby": "w-explain" }, el("h2", { id: "w-explain" }, "研判说明"),
            el("p", { class: "explanation" }, w.explanation),
            el("p", { class: "muted" }, "评分 " + w.score + (stat.length ? "；" + stat.join("，") : "") + "；自 " + w.since + " 起，首次发现 " + w.first_seen_on + "，最近 " + w.last_seen_on)),
          el("section", { class: "card", "aria-labelledby": "w-factors" }, el("h2", { id: "w-factors" }, "预警因子"),
            el("table", {}, el("caption", { class: "sr-only" }, "预警因子"),
              el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "因子"), el("th", { scope: "col", class: "n" }, "分值"))),
              el("tbody", {}, (w.factors || []).map((f) => el("tr", {}, el("td", {}, f.label), el("td", { class: "n" }, f.points)))))),
          el("section", { class: "card", "aria-labelledby": "w-cases" }, el("h2", { id: "w-cases" }, "涉及案件（" + w.case_ids.length + " 件）"),
            el("ul", { class: "chips" }, w.case_ids.slice(0, 100).map((cid) => el("li", {}, el("a", { href: "#/cases/" + cid }, "案件 " + cid)))),
            w.case_ids.length > 100 ? el("p", { class: "muted" }, "仅列出前 100 件。") : null),
          el("section", { class: "card", "aria-labelledby": "w-backtrace" }, el("h2", { id: "w-backtrace" }, "倒查"), backtraceBlock(w.id)),
        ),
        el("div", {},
          actions.length ? el("section", { class: "card", "aria-labelledby": "w-act" }, el("h2", { id: "w-act" }, "处置"), buttons, panel) : null,
          w.plan ? el("section", { class: "card", "aria-labelledby": "w-plan" }, el("h2", { id: "w-plan" }, "已启动预案：" + (w.plan_name || w.plan)),
            el("table", {}, el("caption", { class: "sr-only" }, "预案任务"),
              el("thead", {}, el("tr", {}, ["责任部门", "任务", "完成期限"].map((h) => el("th", { scope: "col" }, h)))),
              el("tbody", {}, (w.plan_tasks || []).map((t) => el("tr", {}, el("td", {}, t.department), el("td", {}, t.task), el("td", { class: "nowrap" }, t.due_on)))))) : null,
          !w.plan && w.proposed_plans.length ? el("section", { class: "card" }, el("h2", {}, "建议预案"),
            el("ul", {}, w.proposed_plans.map((p) => el("li", {}, p.name)))) : null,
          el("section", { class: "card", "aria-labelledby": "w-history" }, el("h2", { id: "w-history" }, "处置过程"),
            el("ol", { class: "timeline" }, (w.history || []).slice().reverse().map((e) => el("li", {},
              el("div", {}, el("strong", {}, e.action_label), " ", el("span", { class: "muted" }, fmt.time(e.at) + " · " + e.actor)),
              e.detail && (e.detail.reason || e.detail.note || e.detail.plan)
                ? el("div", { class: "detail" }, e.detail.reason || e.detail.note || planName(w, e.detail.plan)) : null)))),
        ),
      ),
    );
    document.title = "预警 " + w.subject.label + " · 善治";
  }

  Shanzhi.register("warnings", {
    title: "风险预警",
    nav: true,
    permission: "warnings.read",
    render(view, params) {
      if (!params[0]) return renderList(view);
      // A box of its own: a drawing that comes late, after the user moved on, lands off screen.
      const root = el("div");
      view.append(root);
      return renderOne(root, params[0]);
    },
  });
})();
