// 考核评价: a month's metrics per town and department (GET /assessments?period=…), the villages'
// safe-village star ratings, and the cases behind any count (GET /assessments/cases).
"use strict";
(() => {
  const { el, fmt } = Shanzhi;
  /** replaceChildren that, like el(), flattens lists and skips null, undefined and false. */
  const put = (parent, ...children) =>
    parent.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  // The columns of the towns' and departments' tables: a count (drillable) or a rate.
  const COLUMNS = [
    { label: "受理量", count: "received" },
    { label: "化解件", count: "resolved" },
    { label: "化解率", rate: "resolution_rate" },
    { label: "镇村化解占比", rate: "local_resolution_share" },
    { label: "按时签收率", rate: "accepted_on_time_rate" },
    { label: "超期件", count: "overdue" },
    { label: "重复访", count: "repeat_visits" },
    { label: "满意度", rate: "mean_satisfaction", format: (x) => (x === null || x === undefined ? "–" : x.toFixed(2)) },
    { label: "民转刑", count: "crimes" },
  ];
  let chosenPeriod = null;
  let chosenTown = "";

  function thisMonth() {
    // Beijing time, as the district counts its months.
    const d = new Date(Date.now() + 8 * 3600 * 1000);
    return d.toISOString().slice(0, 7);
  }

  function stars(n) {
    return el("span", { class: "stars", role: "img", "aria-label": n + " 星" }, "★".repeat(n) + "☆".repeat(Math.max(0, 5 - n)));
  }

  Shanzhi.register("assessment", {
    title: "考核评价",
    nav: true,
    permission: "assessment.read",
    async render(view) {
      const period = chosenPeriod || thisMonth();
      const input = el("input", { id: "assess-period", name: "period", type: "month", value: period, max: thisMonth(), required: true });
      const form = el("form", { class: "card filters", "aria-label": "选择考核期" },
        el("div", { class: "field" }, el("label", { for: "assess-period" }, "考核月份"), input),
        el("div", { class: "field" }, el("button", { type: "submit" }, "查看")));
      const body = el("div", { "aria-live": "polite" });
      const drill = el("section", { class: "card", id: "drill", tabindex: "-1", hidden: true, "aria-labelledby": "drill-title" });
      view.append(el("h1", {}, "考核评价"), form, drill, body);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!input.value) return;
        chosenPeriod = input.value;
        load(input.value).catch(Shanzhi.showError);
      });

      let trigger = null; // the figure whose cases are shown: focus goes back to it on close
      async function showCases(p, figure, label, unit, unitName) {
        trigger = document.activeElement;
        const params = new URLSearchParams({ period: p, figure, unit });
        const r = await Shanzhi.api("GET", "/assessments/cases?" + params);
        put(drill,
          el("h2", { id: "drill-title" }, unitName + " · " + (r.label || label) + "（" + r.total + " 件）"),
          r.cases.length ? el("table", {},
            el("caption", { class: "sr-only" }, "指标对应的案件"),
            el("thead", {}, el("tr", {}, ["案件编号", "受理时间", "村社", "类别", "牵头部门", "状态"].map((h) => el("th", { scope: "col" }, h)))),
            el("tbody", {}, r.cases.map((c) => el("tr", {},
              el("td", {}, el("a", { href: "#/cases/" + c.id }, c.case_number || "案件 " + c.id)),
              el("td", { class: "nowrap" }, fmt.date(c.received_at)),
              el("td", {}, c.region_name || c.region),
              el("td", {}, c.category_name || c.category || "—"),
              el("td", {}, c.lead || "—"),
              el("td", {}, c.status_label || c.status))))) : el("p", { class: "muted" }, "没有对应的案件。"),
          r.total > r.cases.length ? el("p", { class: "muted" }, "仅列出前 " + r.cases.length + " 件。") : null,
          el("p", {}, el("button", { type: "button", class: "secondary", onclick: () => {
            drill.hidden = true;
            if (trigger && trigger.isConnected) trigger.focus();
          } }, "关闭")));
        drill.hidden = false;
        drill.focus();
      }

      function metricsTable(caption, rows, p) {
        return el("table", { class: "metrics" },
          el("caption", {}, caption),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "单位"),
            COLUMNS.map((c) => el("th", { scope: "col", class: "n" }, c.label)))),
          el("tbody", {}, rows.map((row) => el("tr", {},
            el("th", { scope: "row" }, row.name),
            COLUMNS.map((c) => {
              const m = row.metrics;
              if (c.rate) return el("td", { class: "n" }, (c.format || fmt.pct)(m.rates[c.rate]));
              const n = m.counts[c.count];
              if (!n) return el("td", { class: "n" }, fmt.int(n));
              return el("td", { class: "n" }, el("button", {
                type: "button", class: "link", "aria-label": "查看" + row.name + c.label + "的 " + n + " 件案件",
                onclick: () => showCases(p, c.count, c.label, row.unit, row.name).catch(Shanzhi.showError),
              }, fmt.int(n)));
            })))));
      }

      async function load(p) {
        body.replaceChildren(el("p", { class: "muted" }, "正在计算…"));
        drill.hidden = true;
        const a = await Shanzhi.api("GET", "/assessments?period=" + encodeURIComponent(p));
        const d = a.district;
        const towns = a.towns.map((t) => ({ name: t.name, unit: "town:" + t.code, metrics: t.metrics, code: t.code }));
        const departments = a.departments
          .filter((x) => x.metrics.counts.handled || x.metrics.counts.received)
          .map((x) => ({ name: x.name, unit: "department:" + x.name, metrics: x.metrics }))
          .sort((x, y) => y.metrics.counts.received - x.metrics.counts.received);
        const townSelect = el("select", { id: "assess-town", name: "town" },
          el("option", { value: "" }, "全部镇街"),
          a.towns.map((t) => el("option", { value: t.code, selected: t.code === chosenTown }, t.name)));
        const villagesBox = el("div", {});
        const renderVillages = () => {
          chosenTown = townSelect.value;
          const list = a.villages.filter((v) => !chosenTown || v.town === chosenTown);
          villagesBox.replaceChildren(el("table", { class: "villages" },
            el("caption", { class: "sr-only" }, "村社星级"),
            el("thead", {}, el("tr", {}, ["村社", "星级", "得分", "否决项", "受理量", "超期件"].map((h) => el("th", { scope: "col" }, h)))),
            el("tbody", {}, list.map((v) => {
              const r = v.rating;
              const town = a.towns.find((t) => t.code === v.town);
              const drillable = (figure, label) => {
                const n = v.metrics.counts[figure];
                return n ? el("button", { type: "button", class: "link", "aria-label": "查看" + v.name + label + "的 " + n + " 件案件",
                  onclick: () => showCases(p, figure, label, "village:" + v.code, (town ? town.name : "") + v.name).catch(Shanzhi.showError) }, fmt.int(n)) : fmt.int(n);
              };
              return el("tr", {},
                el("th", { scope: "row" }, v.name, town ? el("span", { class: "muted" }, "（" + town.name + "）") : null),
                el("td", {}, r ? stars(r.stars) : "未评定"),
                el("td", { class: "n" }, r ? r.score.toFixed(1) : "–"),
                el("td", {}, r && r.vetoes && r.vetoes.length ? r.vetoes.map((x) => x.label || x.code || String(x)).join("、") : "—"),
                el("td", { class: "n" }, drillable("received", "受理量")),
                el("td", { class: "n" }, drillable("overdue", "超期件")));
            }))));
        };
        townSelect.addEventListener("change", renderVillages);
        renderVillages();
        body.replaceChildren(
          el("section", { class: "card", "aria-labelledby": "assess-district" },
            el("h2", { id: "assess-district" }, "全区 · " + a.title + "（" + a.from + " 至 " + a.to + "）"),
            el("div", { class: "kpis" },
              [["受理量", fmt.int(d.counts.received)], ["化解率", fmt.pct(d.rates.resolution_rate)],
                ["镇村两级化解占比", fmt.pct(d.rates.local_resolution_share)], ["超期件", fmt.int(d.counts.overdue)],
                ["满意度", d.rates.mean_satisfaction === null ? "–" : d.rates.mean_satisfaction.toFixed(2)],
                ["民转刑", fmt.int(d.counts.crimes)]].map(([k, v]) => el("div", { class: "kpi" }, el("span", { class: "muted" }, k), el("strong", {}, v))))),
          el("section", { class: "card", "aria-labelledby": "assess-towns" }, el("h2", { id: "assess-towns" }, "镇街考核"),
            el("div", { class: "scroll" }, metricsTable("各镇街指标（点击数字查看对应案件）", towns, p))),
          el("section", { class: "card", "aria-labelledby": "assess-depts" }, el("h2", { id: "assess-depts" }, "部门考核"),
            el("div", { class: "scroll" }, departments.length ? metricsTable("有案件的部门（按受理量）", departments, p) : el("p", { class: "muted" }, "本期没有部门办理案件。"))),
          el("section", { class: "card", "aria-labelledby": "assess-villages" }, el("h2", { id: "assess-villages" }, "星级平安村社"),
            el("p", { class: "muted" }, (a.scheme ? a.scheme.name + "（" + a.scheme.version + "）" : "") + (a.residents && a.residents.estimated ? "；常住人口为估算：" + a.residents.source : "")),
            el("div", { class: "field" }, el("label", { for: "assess-town" }, "镇街"), townSelect),
            el("div", { class: "scroll" }, villagesBox)),
        );
      }
      await load(period);
    },
  });
})();
