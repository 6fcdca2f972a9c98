// 窗口受理: the window clerk registers what a citizen brings. While the description is typed the
// intake preview (POST /intake/preview, nothing saved) shows the category, the lead department,
// the risk signals and the earlier cases that may be the same matter; saving (POST /cases) shows
// the case number and the query code to tell the citizen.
"use strict";
(() => {
  const { el } = Shanzhi;
  /** A deadline is the end of its day (Beijing time): the API writes it as the next midnight; show the day. */
  const dueDay = (iso) => (iso ? new Date(Date.parse(iso) - 1000).toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" }) : "–");
  /** replaceChildren that, like el(), flattens lists and skips null, undefined and false. */
  const put = (parent, ...children) =>
    parent.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));

  const CHANNELS = [
    ["window", "来访"], ["hotline", "12345热线"], ["police", "110警情"], ["petition", "信访"],
    ["court", "诉讼"], ["grid", "网格"], ["online", "网上"],
  ];
  const RISK = { none: "无", low: "低", medium: "中", high: "高" };
  // What the intake's 422 codes mean, for the clerk.
  const PROBLEMS = {
    missing_text: "请填写事项描述",
    text_too_long: "事项描述过长",
    missing_region: "请选择所在镇街或村社",
    unknown_region: "所选区域不在本区",
    ambiguous_region: "区域名称不唯一，请从列表中选择",
    bad_id_number: "身份证号码有误（位数或校验位不对）",
    bad_phone: "联系电话有误（11位手机号或带区号的固定电话）",
    control_characters: "含有不可见的控制字符",
    missing_name: "请填写姓名或名称",
  };
  // Which input a field of the API's answer belongs to.
  const FIELD_INPUT = {
    text: "intake-text", region: "intake-town", channel: "intake-channel", title: "intake-title",
    "parties[0].name": "intake-c-name", "parties[0].id_number": "intake-c-id", "parties[0].phone": "intake-c-phone",
    "parties[1].name": "intake-r-name",
  };

  let regions = null; // cached GET /regions
  let timer = null;
  let asked = 0; // the latest preview asked for; older answers are dropped


  function field(id, label, control, hint) {
    control.id = id;
    if (hint) control.setAttribute("aria-describedby", id + "-hint");
    return el("div", { class: "field" },
      el("label", { for: id }, label),
      control,
      hint ? el("p", { id: id + "-hint", class: "muted hint" }, hint) : null,
    );
  }

  function options(pairs, selected) {
    return pairs.map(([value, label]) => el("option", { value, selected: value === selected }, label));
  }

  /** The record as the form holds it, as the intake API reads it. */
  function record(form) {
    const v = (name) => form.elements[name].value.trim();
    const parties = [];
    const complainant = { role: "complainant", name: v("c_name") || undefined, id_number: v("c_id") || undefined, phone: v("c_phone") || undefined };
    if (complainant.name || complainant.id_number || complainant.phone) parties.push(complainant);
    if (v("r_name")) parties.push({ role: "respondent", name: v("r_name"), kind: v("r_kind") });
    return {
      channel: v("channel"),
      title: v("title") || undefined,
      text: v("text"),
      region: v("village") || v("town") || undefined,
      parties: parties.length ? parties : undefined,
    };
  }

  function renderSuggestions(box, p) {
    box.replaceChildren();
    const rows = [];
    const dl = (term, ...desc) => rows.push(el("dt", {}, term), el("dd", {}, ...desc));
    dl("建议类别", p.category.name, " ", el("span", { class: "muted" }, "（置信度 " + Math.round(p.category.confidence * 100) + "%）"));
    if (p.kind) dl("事项性质", p.kind.label);
    if (p.routing) {
      dl("牵头部门", el("strong", { "data-testid": "suggested-lead" }, p.routing.lead), " ", el("span", { class: "tag" }, p.routing.level_label));
      if (p.routing.co_handlers.length) dl("协办部门", p.routing.co_handlers.join("、"));
      dl("分流依据", el("span", { class: "muted" }, p.routing.rule_name));
    } else {
      dl("主管部门", el("strong", { "data-testid": "suggested-lead" }, p.department || "—"),
        " ", el("span", { class: "muted" }, "（选择区域后按分流规则确定牵头部门）"));
    }
    const signals = p.risk.signals.map((s) => el("span", { class: "tag signal" }, s.label + "：" + s.term));
    dl("风险研判", el("span", { class: "tag risk-" + p.risk.level }, "风险" + (RISK[p.risk.level] || p.risk.label)), " ", ...signals);
    if (p.amount_yuan) dl("涉及金额", Shanzhi.fmt.int(Number(p.amount_yuan)) + " 元");
    if (p.people_count) dl("涉及人数", p.people_count + " 人");
    if (p.organizations.length) dl("涉及单位", p.organizations.join("、"));
    box.append(el("dl", { class: "facts" }, rows));

    box.append(el("h3", {}, "可能相关的已有案件"));
    if (!p.related.length) {
      box.append(el("p", { class: "muted" }, "未发现同一当事人或同一事项的在册案件。"));
      return;
    }
    box.append(el("ul", { class: "related" }, p.related.map((r) => !r.visible ? el("li", {},
      el("span", { class: "tag" + (r.relation ? " orange" : "") }, r.relation_label || "相似"),
      " 其他区域的在册案件（不在您的数据范围内）", el("div", {}, r.explanation)) : el("li", {},
      el("a", { href: "#/cases/" + r.case_id }, r.case_number),
      " ", el("span", { class: "tag" + (r.relation ? " orange" : "") }, r.relation_label || "相似"),
      " ", el("span", { class: "tag" }, r.status_label),
      " ", el("span", { class: "muted" }, (r.region && r.region.name ? r.region.name + " · " : "") + Shanzhi.fmt.date(r.received_at)),
      el("div", {}, r.explanation),
      el("div", { class: "muted" }, r.snippet),
    ))));
  }

  function showProblems(summary, form, fields) {
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    summary.replaceChildren();
    if (!fields || !fields.length) return;
    summary.append(el("h2", {}, "请更正以下内容"), el("ul", {}, fields.map((f) => {
      const id = FIELD_INPUT[f.field] || (f.field.startsWith("parties") ? "intake-c-name" : null);
      const input = id && document.getElementById(id);
      if (input) input.setAttribute("aria-invalid", "true");
      const text = PROBLEMS[f.code] || f.message;
      return el("li", {}, input ? el("a", { href: "#" + id, onclick: (e) => { e.preventDefault(); input.focus(); } }, text) : text);
    })));
    summary.hidden = false;
    summary.focus();
  }

  function renderResult(box, c, again) {
    put(box,
      el("h2", { id: "intake-result-title" }, "登记成功"),
      el("p", {}, "请将案件编号和查询码告知来访群众，凭此可查询办理进度："),
      el("dl", { class: "receipt" },
        el("dt", {}, "案件编号"), el("dd", { class: "big", "data-testid": "case-number" }, c.case_number),
        el("dt", {}, "查询码"), el("dd", { class: "big", "data-testid": "query-code" }, c.query_code || "（已登记过的记录不再生成查询码）"),
      ),
      el("dl", { class: "facts" },
        el("dt", {}, "事项类别"), el("dd", {}, c.category ? c.category.name || c.category.code : "—"),
        el("dt", {}, "牵头部门"), el("dd", {}, c.lead_department || (c.primary_case_id ? "已关联到主案件" : "待人工分流")),
        el("dt", {}, "办理时限"), el("dd", {}, c.due_at ? dueDay(c.due_at) + " 前" : "—"),
      ),
      c.primary_case_id
        ? el("p", { class: "notice" }, "该事项与已有案件为同一事项，已自动关联到 ", el("a", { href: "#/cases/" + c.primary_case_id }, "主案件"), "。")
        : null,
      el("p", { class: "actions" },
        el("a", { class: "button", href: "#/cases/" + c.id }, "查看案件"),
        " ",
        el("button", { type: "button", class: "secondary", onclick: again }, "继续登记"),
      ),
    );
    box.hidden = false;
    box.focus();
  }

  Shanzhi.register("intake", {
    title: "窗口受理",
    nav: true,
    permission: "cases.register",
    async render(view) {
      // Drawn into a box of its own: should the user move on while this page still loads, the
      // late drawing lands in a box no longer on screen instead of on the next page.
      const root = el("div");
      view.append(root);
      if (!regions) regions = await Shanzhi.api("GET", "/regions");
      const town = el("select", { name: "town", required: true },
        el("option", { value: "" }, "请选择镇街"),
        regions.towns.map((t) => el("option", { value: t.code }, t.name)));
      const village = el("select", { name: "village" }, el("option", { value: "" }, "（镇街本级 / 不确定）"));
      town.addEventListener("change", () => {
        const t = regions.towns.find((x) => x.code === town.value);
        put(village, el("option", { value: "" }, "（镇街本级 / 不确定）"),
          (t ? t.villages : []).map((v) => el("option", { value: v.code }, v.name)));
      });
      // Town and village staff register mostly in their own area: start there.
      const own = (Shanzhi.session && Shanzhi.session.user.region) || "";
      if (own) {
        town.value = own.slice(0, 9);
        town.dispatchEvent(new Event("change"));
        if (own.length === 12) village.value = own;
      }
      const text = el("textarea", { name: "text", required: true, maxlength: 20000, rows: 7 });
      const summary = el("div", { class: "card problems", tabindex: "-1", role: "alert", hidden: true });
      const suggestions = el("div", { id: "intake-suggestions", "aria-live": "polite" },
        el("p", { class: "muted" }, "输入事项描述后，这里会显示建议的类别、牵头部门、风险信号和可能相关的已有案件。"));
      const status = el("p", { class: "muted", id: "intake-preview-status" });
      const result = el("section", { class: "card result", tabindex: "-1", hidden: true, "aria-labelledby": "intake-result-title" });

      const form = el("form", { class: "card intake-form", "aria-labelledby": "intake-heading", novalidate: true },
        el("fieldset", {},
          el("legend", {}, "事项"),
          field("intake-channel", "来源渠道", el("select", { name: "channel" }, options(CHANNELS, "window"))),
          field("intake-title", "标题（可选）", el("input", { name: "title", maxlength: 200, autocomplete: "off" })),
          field("intake-text", "事项描述", text, "写明何时、何地、何人、何事、诉求；系统会随输入给出分流建议。"),
        ),
        el("fieldset", {},
          el("legend", {}, "发生地"),
          el("div", { class: "row" },
            field("intake-town", "镇街", town),
            field("intake-village", "村社", village)),
        ),
        el("fieldset", {},
          el("legend", {}, "申请人（反映人）"),
          el("div", { class: "row" },
            field("intake-c-name", "姓名", el("input", { name: "c_name", autocomplete: "off", maxlength: 100 })),
            field("intake-c-id", "身份证号", el("input", { name: "c_id", autocomplete: "off", inputmode: "text", maxlength: 18 })),
            field("intake-c-phone", "联系电话", el("input", { name: "c_phone", type: "tel", autocomplete: "off", maxlength: 20 }))),
        ),
        el("fieldset", {},
          el("legend", {}, "被申请人（被反映对象）"),
          el("div", { class: "row" },
            field("intake-r-name", "姓名或单位名称", el("input", { name: "r_name", autocomplete: "off", maxlength: 200 })),
            field("intake-r-kind", "类型", el("select", { name: "r_kind" }, options([["person", "个人"], ["organization", "单位"]], "person")))),
        ),
        el("p", { class: "actions" }, el("button", { type: "submit", id: "intake-submit" }, "登记")),
      );

      async function preview() {
        const body = record(form);
        if (body.text.length < 4) return;
        const mine = ++asked;
        status.textContent = "正在分析…";
        try {
          const p = await Shanzhi.api("POST", "/intake/preview", body);
          if (mine !== asked) return;
          renderSuggestions(suggestions, p);
          status.textContent = "";
        } catch (e) {
          if (mine !== asked) return;
          status.textContent = "暂时无法给出建议（" + (e.code || e.message) + "）";
        }
      }
      const later = () => {
        clearTimeout(timer);
        timer = setTimeout(preview, 400);
      };
      text.addEventListener("input", later);
      for (const name of ["channel", "town", "village", "c_id", "c_phone", "c_name", "r_name", "r_kind"]) {
        form.elements[name].addEventListener("change", later);
      }

      const again = () => {
        form.reset();
        village.replaceChildren(el("option", { value: "" }, "（镇街本级 / 不确定）"));
        result.hidden = true;
        suggestions.replaceChildren(el("p", { class: "muted" }, "输入事项描述后，这里会显示建议。"));
        text.focus();
      };

      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = record(form);
        const missing = [];
        if (!body.text) missing.push({ field: "text", code: "missing_text" });
        if (!town.value) missing.push({ field: "region", code: "missing_region" });
        if (missing.length) return showProblems(summary, form, missing);
        showProblems(summary, form, []);
        summary.hidden = true;
        const button = form.querySelector("#intake-submit");
        button.disabled = true;
        try {
          const c = await Shanzhi.api("POST", "/cases", body);
          clearTimeout(timer);
          asked++;
          Shanzhi.flash("已登记 " + c.case_number, "ok");
          renderResult(result, c, again);
        } catch (e) {
          if (e.status === 422) showProblems(summary, form, e.fields);
          else Shanzhi.showError(e);
        } finally {
          button.disabled = false;
        }
      });

      if (!root.isConnected) return;
      root.append(
        el("h1", { id: "intake-heading" }, "窗口受理 · 矛盾纠纷登记"),
        result,
        summary,
        el("div", { class: "intake" },
          form,
          el("aside", { class: "card suggestions", "aria-labelledby": "intake-suggest-title" },
            el("h2", { id: "intake-suggest-title" }, "智能研判建议"), status, suggestions)),
      );
      text.focus();
    },
    leave() {
      clearTimeout(timer);
      asked++;
    },
  });
})();
