// The case page (#/cases/ID): the record, the parties (masked; unmasked on request, with a logged
// reason), the workflow's allowed actions as forms (POST /cases/{id}/actions), the mediation
// sessions and the agreement, and the timeline of the case's history.
"use strict";
(() => {
  const { el, fmt } = Shanzhi;
  /** A deadline is the end of its day (Beijing time): the API writes it as the next midnight; show the day. */
  const dueDay = (iso) => (iso ? new Date(Date.parse(iso) - 1000).toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" }) : "–");

  const LEVELS = [["village", "村社"], ["town", "镇街"], ["district", "区级"]];
  const OUTCOMES = [
    ["agreement_reached", "调解成功"], ["no_agreement", "调解不成"], ["referred_to_court", "引导诉讼"],
    ["referred_to_arbitration", "引导仲裁"], ["answered", "已答复"], ["withdrawn", "撤回"],
  ];
  const OUTCOME_LABEL = Object.fromEntries(OUTCOMES);
  const LEVEL_LABEL = Object.fromEntries(LEVELS);
  const ROLE_LABEL = { complainant: "申请人", respondent: "被申请人", third_party: "第三人" };
  const RISK_LABEL = { none: "无", low: "低", medium: "中", high: "高" };
  const EVENT_LABEL = {
    registered: "登记", status_changed: "状态变更", category_changed: "更正类别", category_confirmed: "确认类别", routed: "分流",
    accepted: "签收受理", returned: "退回", escalated: "提级", transferred: "转办",
    screening_started: "开始排查", mediation_started: "开始调解", session_recorded: "调解记录",
    agreement_recorded: "达成调解协议", term_checked: "履约回访", judicial_confirmation_requested: "申请司法确认",
    judicial_confirmation_granted: "司法确认", task_completed: "协办完成", resolved: "化解办结",
    followed_up: "回访", reopened: "重新办理", paused: "中止计时", resumed: "恢复计时",
    extension_requested: "申请延期", extension_decided: "延期审批", turned_criminal: "民转刑",
    linked: "关联到主案件", link_confirmed: "确认关联", split: "拆分为独立案件",
    record_attached: "关联记录", record_detached: "解除关联记录",
  };


  // ---- the workflow's actions: label, fields, and the body the API takes ----
  const text = (name, label, extra) => ({ name, label, type: "text", ...extra });
  const area = (name, label, extra) => ({ name, label, type: "textarea", ...extra });
  const choice = (name, label, options, extra) => ({ name, label, type: "select", options, ...extra });
  const reasonField = (label) => area("reason", label || "理由", { required: true });

  const ACTIONS = {
    route: {
      label: "分流", help: "不填则按分流规则指定牵头部门；改派须写明理由。",
      fields: [text("lead", "牵头部门（可选）"), choice("level", "层级（可选）", [["", "按规则"], ...LEVELS]), area("reason", "改派理由")],
      body: (v) => ({ lead: v.lead || undefined, level: v.level || undefined, reason: v.reason || undefined }),
    },
    accept: {
      label: "签收受理",
      fields: [text("department", "受理部门", { required: true, value: (c) => c.lead_department || "", readonly: true })],
      body: (v) => ({ department: v.department }),
    },
    return: {
      label: "退回", fields: [text("department", "退回部门", { required: true, value: (c) => c.lead_department || "", readonly: true }), reasonField("退回理由")],
      body: (v) => ({ department: v.department, reason: v.reason }),
    },
    start_screening: { label: "开始排查", fields: [], body: () => ({}) },
    start_mediation: { label: "开始调解", fields: [], body: () => ({}) },
    record_session: {
      label: "记录调解",
      fields: [
        text("place", "调解地点", { required: true }),
        text("participants", "参加人员（用顿号或逗号分隔）"),
        area("outcome", "调解情况", { required: true }),
      ],
      body: (v) => ({ place: v.place, participants: v.participants.split(/[、,，;；]\s*/).map((s) => s.trim()).filter(Boolean), outcome: v.outcome }),
    },
    record_agreement: {
      label: "记录调解协议", help: "每条协议条款单独登记，到期后系统提醒履约回访。",
      fields: [
        area("term", "协议条款", { required: true }),
        text("amount", "涉及金额（元，可选）", { inputmode: "decimal" }),
        { name: "due", label: "履行期限（可选）", type: "date" },
      ],
      body: (v) => ({ terms: [{ text: v.term, amount_yuan: v.amount || undefined, due: v.due || undefined }] }),
    },
    check_term: {
      label: "履约回访", when: (c) => !!(c.workflow.agreement && c.workflow.agreement.terms.length),
      fields: [
        choice("term", "协议条款", (c) => ((c.workflow.agreement || {}).terms || []).map((t, i) => [String(i), (i + 1) + ". " + t.text])),
        choice("honoured", "是否履行", [["true", "已履行"], ["false", "未履行"]]),
        area("note", "说明（可选）"),
      ],
      body: (v) => ({ term: Number(v.term), honoured: v.honoured === "true", note: v.note || undefined }),
    },
    request_judicial_confirmation: {
      label: "申请司法确认", when: (c) => !!c.workflow.agreement && !c.workflow.agreement.judicial_confirmation, fields: [text("court", "受理法院（可选，默认属地法庭）")],
      body: (v) => ({ court: v.court || undefined }),
    },
    record_judicial_confirmation: {
      label: "登记司法确认", fields: [], body: () => ({}),
      when: (c) => !!(c.workflow.agreement && c.workflow.agreement.judicial_confirmation && !c.workflow.agreement.judicial_confirmation.confirmed_at),
    },
    complete_task: {
      label: "协办完成", when: (c) => (c.co_handlers || []).some((t) => !t.done_at),
      fields: [
        choice("department", "协办部门", (c) => (c.co_handlers || []).filter((t) => !t.done_at).map((t) => [t.department, t.department])),
        area("note", "协办情况（可选）"),
      ],
      body: (v) => ({ department: v.department, note: v.note || undefined }),
    },
    resolve: {
      label: "化解办结",
      fields: [choice("outcome", "办理结果", OUTCOMES), area("summary", "办理情况", { required: true })],
      body: (v) => ({ outcome: v.outcome, summary: v.summary }),
    },
    follow_up: {
      label: "回访",
      fields: [
        choice("satisfaction", "满意度", [["5", "5 非常满意"], ["4", "4 满意"], ["3", "3 基本满意"], ["2", "2 不满意"], ["1", "1 非常不满意"], ["", "未联系上"]]),
        area("comment", "回访情况（可选）"),
      ],
      body: (v) => ({ satisfaction: v.satisfaction ? Number(v.satisfaction) : undefined, comment: v.comment || undefined }),
    },
    reopen: { label: "重新办理", fields: [reasonField()], body: (v) => ({ reason: v.reason }) },
    escalate: {
      label: "提级", fields: [choice("level", "提级到", [["", "上一级"], ["town", "镇街"], ["district", "区级"]]), reasonField("提级理由")],
      body: (v) => ({ level: v.level || undefined, reason: v.reason }),
    },
    transfer: {
      label: "转办", fields: [text("department", "转办部门", { required: true }), reasonField("转办理由")],
      body: (v) => ({ department: v.department, reason: v.reason }),
    },
    pause: { label: "中止计时", when: (c) => !!c.due_at && !c.paused, fields: [reasonField("中止理由")], body: (v) => ({ reason: v.reason }) },
    resume: { label: "恢复计时", when: (c) => c.paused, fields: [], body: () => ({}) },
    request_extension: {
      label: "申请延期", when: (c) => !!c.due_at && !c.workflow.extension,
      fields: [
        { name: "working_days", label: "延期工作日（1–30）", type: "number", min: 1, max: 30, required: true, value: () => "5" },
        reasonField("延期理由"),
        text("requested_by", "申请人", { required: true, value: () => (Shanzhi.session ? Shanzhi.session.user.display_name : "") }),
      ],
      body: (v) => ({ working_days: Number(v.working_days), reason: v.reason, requested_by: v.requested_by }),
    },
    decide_extension: {
      label: "审批延期", when: (c) => !!c.workflow.extension,
      fields: [choice("approve", "审批意见", [["true", "同意"], ["false", "不同意"]]), reasonField("审批说明")],
      body: (v) => ({ approve: v.approve === "true", reason: v.reason }),
    },
    change_category: {
      label: "更正类别", fields: [text("category", "正确的类别（名称或代码，如 劳资纠纷）", { required: true })],
      body: (v) => ({ category: v.category }),
    },
    confirm_category: {
      label: "确认类别", when: (c) => !!c.category, fields: [], body: () => ({}),
    },
    record_crime: {
      label: "登记民转刑", when: (c) => !c.workflow.crime,
      fields: [choice("incident", "性质", [["criminal", "刑事案件"], ["homicide", "命案"]]), reasonField("情况说明")],
      body: (v) => ({ incident: v.incident, reason: v.reason }),
    },
    confirm_link: { label: "确认关联", fields: [], body: () => ({}) },
    split: { label: "拆分为独立案件", fields: [reasonField("拆分理由")], body: (v) => ({ reason: v.reason }) },
  };

  /** The actions offered: those the case's status allows (the API says which), that its state does not rule out. */
  function offered(c) {
    let codes = c.allowed_actions || [];
    if (c.status === "merged" && c.workflow.link) codes = c.workflow.link.confirmed ? ["split"] : ["confirm_link", "split"];
    return codes.filter((code) => ACTIONS[code] && (!ACTIONS[code].when || ACTIONS[code].when(c)));
  }

  function control(spec, c, id) {
    const value = typeof spec.value === "function" ? spec.value(c) : spec.value;
    const common = { id, name: spec.name, required: !!spec.required, readonly: !!spec.readonly };
    if (spec.type === "textarea") return el("textarea", { ...common, rows: 3, maxlength: 2000 }, value || "");
    if (spec.type === "select") {
      const opts = typeof spec.options === "function" ? spec.options(c) : spec.options;
      return el("select", common, opts.map(([v, l]) => el("option", { value: v }, l)));
    }
    return el("input", {
      ...common, type: spec.type, value: value || undefined, min: spec.min, max: spec.max,
      inputmode: spec.inputmode, autocomplete: "off",
    });
  }

  function actionForm(c, code, done, cancel) {
    const a = ACTIONS[code];
    const errors = el("div", { class: "form-errors", role: "alert" });
    const form = el("form", { class: "action-form", "data-action": code, "aria-labelledby": "action-title" },
      el("h3", { id: "action-title" }, a.label),
      a.help ? el("p", { class: "muted" }, a.help) : null,
      a.fields.map((f) => {
        const id = "act-" + code + "-" + f.name;
        return el("div", { class: "field" }, el("label", { for: id }, f.label), control(f, c, id));
      }),
      errors,
      el("p", { class: "actions" },
        el("button", { type: "submit" }, "确认" + a.label), " ",
        el("button", { type: "button", class: "secondary", onclick: cancel }, "取消")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errors.replaceChildren();
      const values = {};
      for (const f of a.fields) values[f.name] = form.elements[f.name].value.trim();
      const missing = a.fields.filter((f) => f.required && !values[f.name]);
      if (missing.length) {
        errors.append(el("p", { class: "error" }, "请填写：" + missing.map((f) => f.label).join("、")));
        form.elements[missing[0].name].focus();
        return;
      }
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const after = await Shanzhi.api("POST", "/cases/" + c.id + "/actions", { action: code, ...a.body(values) });
        done(after, a.label);
      } catch (e) {
        button.disabled = false;
        if (e.status === 422 && e.fields.length) {
          errors.append(el("ul", { class: "error" }, e.fields.map((f) => el("li", {}, f.field + "：" + f.message))));
        } else if (e.code === "illegal_transition" || e.code === "conflict") {
          errors.append(el("p", { class: "error" }, "案件状态已变化，该操作不可用，请刷新页面。（" + e.code + "）"));
        } else {
          errors.append(el("p", { class: "error" }, (e.message || "操作失败") + "（" + e.code + "）"));
        }
      }
    });
    return form;
  }

  function describe(e) {
    const d = e.detail || {};
    const parts = [];
    const r = d.routing;
    if (r) parts.push("牵头：" + r.lead + "（" + (LEVEL_LABEL[r.level] || r.level) + "）" + (r.co_handlers && r.co_handlers.length ? "；协办：" + r.co_handlers.map((t) => t.department).join("、") : ""));
    if (d.department && !r) parts.push(d.department);
    if (d.session) parts.push(d.session.place + "：" + d.session.outcome);
    if (d.agreement) parts.push("协议条款 " + d.agreement.terms.length + " 条：" + d.agreement.terms.map((t) => t.text).join("；"));
    if (d.resolution) parts.push((OUTCOME_LABEL[d.resolution.outcome] || d.resolution.outcome) + "：" + d.resolution.summary);
    if (d.follow_up) parts.push("满意度：" + (d.follow_up.satisfaction || "未联系上") + (d.follow_up.comment ? "；" + d.follow_up.comment : ""));
    if (d.satisfaction !== undefined) parts.push("满意度：" + (d.satisfaction || "未联系上"));
    if (d.from !== undefined && d.to !== undefined && e.kind === "category_changed") parts.push((d.from || "—") + " → " + (d.to || "—"));
    for (const key of ["reason", "summary", "note", "comment"]) if (typeof d[key] === "string" && d[key]) parts.push(d[key]);
    if (d.due_at) parts.push("时限至 " + dueDay(d.due_at));
    return parts.join("；");
  }

  function factsOf(c) {
    const rows = [
      ["案件编号", c.case_number],
      ["状态", c.status_label],
      ["性质", c.kind_label],
      ["来源渠道", c.channel_label + (c.external_id ? "（" + c.external_id + "）" : "")],
      ["受理时间", fmt.time(c.received_at)],
      ["发生地", c.region.name || c.region.code],
      ["类别", c.category ? c.category.name || c.category.code : "—"],
      ["涉及金额", c.amount_yuan ? fmt.int(Number(c.amount_yuan)) + " 元" : "—"],
      ["涉及人数", c.people_count ? c.people_count + " 人" : "—"],
      ["风险等级", RISK_LABEL[c.risk] || c.risk],
      ["牵头部门", c.lead_department ? c.lead_department + (c.level ? "（" + (LEVEL_LABEL[c.level] || c.level) + "）" : "") : "—"],
      ["协办部门", (c.co_handlers || []).length ? (c.co_handlers || []).map((t) => t.department + (t.done_at ? "（已完成）" : "（" + dueDay(t.due_at) + " 前）")).join("、") : "—"],
      ["办理时限", c.due_at ? dueDay(c.due_at) + " 前" + (c.paused ? "（已中止计时）" : "") : "—"],
    ];
    return el("dl", { class: "facts" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  }

  function partiesTable(parties) {
    return el("table", { class: "parties" },
      el("caption", { class: "sr-only" }, "当事人"),
      el("thead", {}, el("tr", {}, ["身份", "姓名/名称", "身份证号", "联系电话"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, parties.length ? parties.map((p) => el("tr", {},
        el("td", {}, ROLE_LABEL[p.role] || p.role, p.kind === "organization" ? "（单位）" : ""),
        el("td", {}, p.name || "—"),
        el("td", { class: "mono" }, p.id_number || "—"),
        el("td", { class: "mono" }, p.phone || "—"),
      )) : el("tr", {}, el("td", { colspan: 4, class: "muted" }, "未登记当事人"))),
    );
  }

  function unmaskBlock(c, partiesBox) {
    const box = el("div", { class: "unmask" });
    const open = el("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": "unmask-form" }, "查看完整个人信息");
    const reason = el("textarea", { id: "unmask-reason", name: "reason", rows: 2, required: true, minlength: 4, maxlength: 200 });
    const msg = el("p", { role: "status", class: "muted" });
    const form = el("form", { id: "unmask-form", hidden: true },
      el("label", { for: "unmask-reason" }, "查看理由"),
      reason,
      el("p", { class: "muted" }, "查看完整个人信息将记录查看人、时间和理由。"),
      el("p", {}, el("button", { type: "submit" }, "确认查看"), " ",
        el("button", { type: "button", class: "secondary", onclick: () => { form.hidden = true; open.setAttribute("aria-expanded", "false"); open.focus(); } }, "取消")),
    );
    open.addEventListener("click", () => {
      form.hidden = false;
      open.setAttribute("aria-expanded", "true");
      reason.focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!reason.value.trim()) {
        msg.textContent = "请填写查看理由。";
        reason.focus();
        return;
      }
      try {
        const r = await Shanzhi.api("POST", "/cases/" + c.id + "/unmask", { reason: reason.value.trim() });
        // Each number as { masked, sealed, clear }: the clear value where the ledger keeps one sealed.
        const shown = (x) => (!x ? null : x.clear || (x.masked ? x.masked + "（未留存原文）" : null));
        const parties = ((r && r.parties) || []).map((p) => ({ ...p, id_number: shown(p.id_number), phone: shown(p.phone) }));
        partiesBox.replaceChildren(partiesTable(parties), el("p", { class: "muted", "data-testid": "unmasked" }, "以上为完整个人信息，本次查看已记录（查看人、时间、理由）。"));
        form.hidden = true;
        open.hidden = true;
        msg.textContent = "";
      } catch (e) {
        msg.textContent = e.status === 403 ? "您无权查看该案件的完整个人信息。"
          : e.status === 404 ? "暂不能查看完整个人信息（案件不存在或不在您的数据范围内）。"
          : e.status === 422 ? "请写明查看理由（4 至 200 个字）。"
          : "查看失败：" + (e.message || e.code);
      }
    });
    box.append(open, form, msg);
    return box;
  }

  function sessionsBlock(c) {
    const w = c.workflow;
    const items = [];
    if (w.sessions && w.sessions.length) {
      items.push(el("h3", {}, "调解记录"), el("ol", { class: "sessions" }, w.sessions.map((s) => el("li", {},
        el("strong", {}, fmt.time(s.at) + " · " + s.place),
        s.participants && s.participants.length ? el("div", { class: "muted" }, "参加人员：" + s.participants.join("、")) : null,
        el("div", {}, s.outcome)))));
    }
    if (w.agreement) {
      const a = w.agreement;
      items.push(el("h3", {}, "调解协议"), el("p", { class: "muted" }, "签订于 " + fmt.time(a.signed_at) +
        (a.judicial_confirmation ? "；司法确认：" + a.judicial_confirmation.court + (a.judicial_confirmation.confirmed_at ? "（已确认）" : "（申请中）") : "")),
      el("table", { class: "terms" },
        el("caption", { class: "sr-only" }, "协议条款"),
        el("thead", {}, el("tr", {}, ["条款", "金额（元）", "履行期限", "履约"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, a.terms.map((t) => el("tr", {},
          el("td", {}, t.text),
          el("td", { class: "n" }, t.amount_yuan ? fmt.int(Number(t.amount_yuan)) : "—"),
          el("td", {}, t.due || "—"),
          el("td", {}, t.honoured === true ? "已履行" : t.honoured === false ? "未履行" : t.check_on ? t.check_on + " 回访" : "—"))))));
    }
    if (w.resolution) {
      items.push(el("h3", {}, "办理结果"), el("p", { "data-testid": "resolution" },
        el("span", { class: "tag green" }, OUTCOME_LABEL[w.resolution.outcome] || w.resolution.outcome), " ",
        w.resolution.summary, el("span", { class: "muted" }, "（" + w.resolution.department + "，" + fmt.time(w.resolution.at) + "）")));
    }
    if (w.follow_ups && w.follow_ups.length) {
      items.push(el("h3", {}, "回访"), el("ul", {}, w.follow_ups.map((f) => el("li", {},
        fmt.time(f.at) + "：满意度 " + (f.satisfaction || "未联系上") + (f.comment ? "，" + f.comment : "")))));
    }
    if (!items.length) items.push(el("p", { class: "muted" }, "尚无调解记录。"));
    return items;
  }

  /** A box of the page's own in the view: a drawing that comes late, after the user moved on, lands off screen. */
  function box(view) {
    const root = el("div");
    view.append(root);
    return root;
  }

  async function render(view, id) {
    let c;
    try {
      c = await Shanzhi.api("GET", "/cases/" + encodeURIComponent(id));
    } catch (e) {
      if (!(e instanceof Shanzhi.ApiError)) throw e;
      const gone = e.status === 404 || e.status === 403 || e.status === 400;
      view.replaceChildren(
        el("h1", {}, gone ? "案件不存在或无权查看" : "案件暂时无法打开"),
        el("p", { class: "muted", "data-testid": "case-error" }, gone ? "该案件不存在，或不在您的数据范围内。（" + e.code + "）" : e.message),
        el("p", {}, el("a", { href: "#/inbox" }, "返回我的待办")),
      );
      return;
    }
    const heading = el("h1", { tabindex: "-1" }, c.case_number + (c.title ? " · " + c.title : ""), " ",
      el("span", { class: "tag status-" + c.status, "data-testid": "case-status" }, c.status_label),
      (c.urgency === "yellow" || c.urgency === "red") && !c.paused ? el("span", { class: "tag urgency " + c.urgency }, c.urgency_label) : null);
    const partiesBox = el("div", {}, partiesTable(c.parties));
    const actionsPanel = el("div", { id: "action-panel" });
    const codes = Shanzhi.may("cases.act") ? offered(c) : [];

    const reload = async (after, label) => {
      Shanzhi.flash(label + "：已完成，案件状态为“" + after.status_label + "”", "ok");
      await render(view, id);
      const h = view.querySelector("h1");
      if (h) h.focus();
    };
    const buttons = el("div", { class: "action-buttons", role: "group", "aria-label": "可办理的操作" },
      codes.map((code) => el("button", {
        type: "button", class: code === "return" || code === "record_crime" ? "secondary danger-text" : "secondary",
        "data-action": code, "aria-controls": "action-panel",
        onclick: (event) => {
          const button = event.currentTarget;
          for (const b of buttons.querySelectorAll("button")) b.setAttribute("aria-pressed", b === button ? "true" : "false");
          const form = actionForm(c, code, reload, () => {
            actionsPanel.replaceChildren();
            button.setAttribute("aria-pressed", "false");
            button.focus();
          });
          actionsPanel.replaceChildren(form);
          const first = form.querySelector("input:not([readonly]), select, textarea, button[type=submit]");
          if (first) first.focus();
        },
      }, ACTIONS[code].label)));

    const linked = [];
    if (c.primary_case_id) {
      linked.push(el("p", { class: "notice" }, "本件为同一事项的关联记录，主案件：", el("a", { href: "#/cases/" + c.primary_case_id }, "查看主案件")));
    }
    if (c.linked_records && c.linked_records.total) {
      linked.push(el("h3", {}, "关联记录（" + c.linked_records.total + " 件）"), el("ul", {}, c.linked_records.records.map((r) =>
        el("li", {}, el("a", { href: "#/cases/" + r.case_id }, r.case_number), " · " + fmt.time(r.received_at) + (r.relation === "repeat" ? " · 重复访" : "")))));
    }

    view.replaceChildren(
      heading,
      el("div", { class: "case-grid" },
        el("div", {},
          el("section", { class: "card", "aria-labelledby": "case-record" }, el("h2", { id: "case-record" }, "基本信息"), factsOf(c)),
          el("section", { class: "card", "aria-labelledby": "case-text" }, el("h2", { id: "case-text" }, "事项描述"),
            el("p", { class: "case-text" }, c.text), linked),
          el("section", { class: "card", "aria-labelledby": "case-parties" }, el("h2", { id: "case-parties" }, "当事人"),
            partiesBox, Shanzhi.may("pii.unmask") ? unmaskBlock(c, partiesBox) : null),
          el("section", { class: "card", "aria-labelledby": "case-mediation" }, el("h2", { id: "case-mediation" }, "调解与协议"), sessionsBlock(c)),
        ),
        el("div", {},
          Shanzhi.may("cases.act") ? el("section", { class: "card", "aria-labelledby": "case-actions" },
            el("h2", { id: "case-actions" }, "办理"),
            codes.length ? buttons : el("p", { class: "muted" }, "当前状态下没有可办理的操作。"),
            actionsPanel) : null,
          el("section", { class: "card", "aria-labelledby": "case-history" }, el("h2", { id: "case-history" }, "办理过程"),
            el("ol", { class: "timeline" }, (c.history || []).slice().reverse().map((e) => el("li", { "data-kind": e.kind },
              el("div", {}, el("strong", {}, EVENT_LABEL[e.kind] || e.kind), " ", el("span", { class: "muted" }, fmt.time(e.at) + " · " + e.actor)),
              el("div", { class: "detail" }, describe(e)))))),
        ),
      ),
    );
    document.title = c.case_number + " · 善治";
  }

  Shanzhi.register("case", {
    title: "案件详情",
    nav: false,
    permission: "cases.read",
    render(view, params) {
      return render(box(view), params[0] || "");
    },
  });
  // #/cases/ID is this page too.
  Shanzhi.register("cases", {
    title: "案件详情",
    nav: false,
    permission: "cases.read",
    render(view, params) {
      if (!params[0]) {
        location.hash = "#/inbox";
        return;
      }
      return render(box(view), params[0]);
    },
  });
})();
