// 一屏观全区: the district (or one town) at a glance, from GET /dashboard — today's and this
// month's figures, the 30-day trend, categories and channels, every town and village as a treemap
// coloured by cases per 1,000 residents with their open warnings, the live list of open warnings,
// and the league tables. It polls every 30 s and redraws in place, without a reload.
// Every chart has its data as a table beside it (a <details> that the keyboard reaches).
"use strict";
(() => {
  const { el, fmt } = Shanzhi;
  const LEVEL_COLOURS = { red: "#c62828", orange: "#e07b00", yellow: "#d4a000", blue: "#5b8fd6" };
  const LEVEL_NAMES = { red: "红色", orange: "橙色", yellow: "黄色", blue: "蓝色" };
  const REFRESH_MS = 30000;
  const CHART_CATEGORIES = 9;

  let charts = [];
  let onResize = null;
  let viewNode = null;
  // The showing of the page that is current: an answer that arrives after the user moved on
  // (leave) draws nothing and starts no polling.
  let showing = null;

  const score = (x) => (x === null || x === undefined ? "–" : x.toFixed(2) + " 分");
  const dayLabel = (iso) => iso.slice(5).replace("-", "/");

  /** Light blue (few cases per 1,000 residents) to deep red (the most), for the treemap. */
  function rateColour(rate, max) {
    if (rate === null || rate === undefined) return "#cfd8e3";
    const t = max > 0 ? Math.min(1, rate / max) : 0;
    // Light to deep along a square root: the low rates, most villages, stay apart.
    const from = [220, 234, 247];
    const to = [183, 28, 28];
    const c = from.map((f, i) => Math.round(f + (to[i] - f) * Math.sqrt(t)));
    return "rgb(" + c.join(",") + ")";
  }

  /** The table of a chart's data. */
  function tableOf({ caption, headers, rows }) {
    return el("table", {},
      el("caption", { class: "sr-only" }, caption),
      el("thead", {}, el("tr", {}, headers.map((h, i) => el("th", { scope: "col", class: i ? "n" : null }, h)))),
      el("tbody", {}, rows.map((r) => el("tr", { class: r.className || null },
        r.cells.map((c, i) => (i === 0 ? el("th", { scope: "row" }, c) : el("td", { class: "n" }, c)))))));
  }

  /**
   * A card holding a chart (role img, labelled with a summary) and its data as a table in a
   * <details> that the keyboard opens. The table is built when opened (and rebuilt on new data
   * while open): the region table alone has some 1,500 cells the first draw need not wait for.
   */
  function chartCard(area, title, id) {
    const chart = el("div", { class: "dash-chart", id, role: "img", "aria-label": title });
    const body = el("div", { class: "dash-scroll", tabindex: "0", role: "region", "aria-label": title + "：数据表" });
    const details = el("details", { class: "dash-data" }, el("summary", {}, "数据表"), body);
    let pending = null;
    const build = () => {
      if (!pending || !details.open) return;
      body.setAttribute("aria-label", pending.caption);
      body.replaceChildren(tableOf(pending));
      pending = null;
    };
    details.addEventListener("toggle", build);
    const card = el("section", { class: "card dash-card dash-" + area, "aria-labelledby": id + "-title" },
      el("h2", { id: id + "-title" }, title), chart, details);
    return {
      card,
      chart,
      setTable(caption, headers, rows) {
        pending = { caption, headers, rows };
        build();
      },
    };
  }

  function tile(label, value, note) {
    return el("div", { class: "dash-kpi" },
      el("dt", {}, label),
      el("dd", {}, el("strong", {}, value), note ? el("span", { class: "muted" }, note) : null));
  }

  function tiles(d) {
    const t = d.today.figures;
    const m = d.month.figures;
    const open = d.warnings.open;
    const red = d.warnings.by_level.red || 0;
    return [
      el("div", { class: "dash-group" },
        el("h2", { id: "dash-today" }, "今日 ", el("span", { class: "muted" }, d.today.date)),
        el("dl", { class: "dash-kpis", "aria-labelledby": "dash-today" },
          tile("受理", fmt.int(t.received)),
          tile("化解", fmt.int(t.resolved), "化解率 " + fmt.pct(t.resolution_rate)),
          tile("镇村两级化解占比", fmt.pct(t.local_resolution_share), fmt.int(t.resolved_locally) + " 件"),
          tile("满意度", score(t.satisfaction), fmt.int(t.satisfaction_ratings) + " 次评价"))),
      el("div", { class: "dash-group" },
        el("h2", { id: "dash-month" }, "本月 ", el("span", { class: "muted" }, d.month.title + "（截至今日）")),
        el("dl", { class: "dash-kpis", "aria-labelledby": "dash-month" },
          tile("受理", fmt.int(m.received)),
          tile("化解", fmt.int(m.resolved), "化解率 " + fmt.pct(m.resolution_rate)),
          tile("镇村两级化解占比", fmt.pct(m.local_resolution_share), "目标 90% 以上"),
          tile("超期件", fmt.int(m.overdue), "本月曾超期"),
          tile("满意度", score(m.satisfaction), fmt.int(m.satisfaction_ratings) + " 次评价"))),
      el("div", { class: "dash-group dash-now" },
        el("h2", { id: "dash-now" }, "当前"),
        el("dl", { class: "dash-kpis", "aria-labelledby": "dash-now" },
          tile("超期在办", fmt.int(d.overdue_now), "此刻已过时限"),
          el("div", { class: "dash-kpi" + (red ? " dash-alert" : "") },
            el("dt", {}, "在办预警"),
            el("dd", {}, el("strong", {}, fmt.int(open)), el("span", { class: "muted" }, "其中红色 " + red))))),
    ];
  }

  function trendOption(d) {
    return {
      animationDuration: 300,
      grid: { left: 4, right: 16, top: 30, bottom: 4, containLabel: true },
      legend: { top: 0, data: ["受理", "化解"] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.trend.map((x) => dayLabel(x.day)), boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "受理", type: "line", smooth: true, symbolSize: 4, data: d.trend.map((x) => x.received), color: "#1f4e8c", areaStyle: { opacity: 0.08 } },
        { name: "化解", type: "line", smooth: true, symbolSize: 4, data: d.trend.map((x) => x.resolved), color: "#2e7d32" },
      ],
    };
  }

  function barOption(names, values, horizontal, colour) {
    const category = { type: "category", data: names, axisLabel: { interval: 0, fontSize: 11 } };
    const value = { type: "value", minInterval: 1 };
    return {
      animationDuration: 300,
      grid: horizontal
        ? { left: 4, right: 40, top: 4, bottom: 4, containLabel: true }
        : { left: 4, right: 8, top: 18, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? { ...category, inverse: true } : value,
      series: [{ type: "bar", data: values, color: colour, barMaxWidth: 28, label: { show: true, position: horizontal ? "right" : "top", fontSize: 11 } }],
    };
  }

  /** The 95th percentile of the villages' rates: the top of the colour scale, so that one outlier does not wash out the rest. */
  function rateScaleTop(d) {
    const rates = d.regions.towns.flatMap((t) => t.villages).map((v) => v.per_1000).filter((x) => x !== null).sort((a, b) => a - b);
    return rates.length ? rates[Math.min(rates.length - 1, Math.floor(rates.length * 0.95))] : 0;
  }

  function treemapOption(d) {
    const max = rateScaleTop(d);
    const node = (r, leaf) => ({
      name: r.name,
      // Area by (estimated) residents, so that the colour, a rate per resident, reads fairly.
      value: r.residents || 1,
      rate: r.per_1000,
      received: r.received,
      warnings: r.open_warnings,
      level: r.warning_level,
      itemStyle: leaf
        ? { color: rateColour(r.per_1000, max), borderColor: r.warning_level ? LEVEL_COLOURS[r.warning_level] : "#fff", borderWidth: r.warning_level ? 2 : 1 }
        : { borderColor: "#34495e" },
      children: leaf ? undefined : r.villages.map((v) => node(v, true)),
    });
    const mark = { red: { color: "#ff8a80" }, orange: { color: "#ffb74d" }, yellow: { color: "#ffe082" }, blue: { color: "#90caf9" } };
    return {
      animationDuration: 300,
      tooltip: {
        formatter: (p) => {
          const x = p.data;
          const warn = x.warnings ? "<br>在办预警 " + x.warnings + " 条（最高" + LEVEL_NAMES[x.level] + "）" : "";
          return echarts.format.encodeHTML(x.name) + "<br>本月案件 " + x.received + " 件<br>千人案件数 " +
            (x.rate === null || x.rate === undefined ? "–" : x.rate.toFixed(2)) + warn;
        },
      },
      series: [{
        type: "treemap",
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        width: "100%",
        height: "100%",
        top: 0, left: 0,
        label: {
          show: true, fontSize: 11, color: "#1d2733", overflow: "truncate",
          formatter: (p) => (p.data.level ? "▲" : "") + p.name,
        },
        upperLabel: {
          show: true, height: 20, color: "#fff", fontWeight: "bold",
          formatter: (p) => (p.data.level ? "{" + p.data.level + "|▲ }" : "") + p.name,
          rich: mark,
        },
        levels: [
          { itemStyle: { gapWidth: 3, borderWidth: 0 } },
          { itemStyle: { gapWidth: 1, borderWidth: 2 } },
        ],
        data: d.regions.towns.map((t) => node(t, false)),
      }],
    };
  }

  function regionRows(d) {
    const rows = [];
    for (const t of d.regions.towns) {
      rows.push({ className: "dash-town-row", cells: [t.name, "（全镇街）", fmt.int(t.received), fmt.int(t.residents), t.per_1000 === null ? "–" : t.per_1000.toFixed(2), t.open_warnings ? t.open_warnings + "（" + LEVEL_NAMES[t.warning_level] + "）" : "0"] });
      for (const v of t.villages) {
        rows.push({ cells: [t.name, v.name, fmt.int(v.received), fmt.int(v.residents), v.per_1000 === null ? "–" : v.per_1000.toFixed(2), v.open_warnings ? v.open_warnings + "（" + LEVEL_NAMES[v.warning_level] + "）" : "0"] });
      }
    }
    return rows;
  }

  const townList = (towns) => towns.slice(0, 3).join("、") + (towns.length > 3 ? " 等 " + towns.length + " 个镇街" : "");

  function warningList(d) {
    const w = d.warnings;
    const levels = el("ul", { class: "dash-levels", "aria-label": "在办预警按等级" },
      w.levels.map((l) => el("li", { class: "tag " + l.code }, l.label + " " + (w.by_level[l.code] || 0))));
    const list = w.latest.length
      ? el("ol", { class: "dash-warnings" }, w.latest.map((x) => el("li", { class: "dash-w-" + x.level },
        el("a", { href: "#/warnings/" + x.id },
          el("span", { class: "tag " + x.level }, x.level_label), " ",
          el("strong", {}, x.subject)),
        el("div", { class: "muted" },
          x.model_label + " · " + x.cases + " 件 · " + x.state_label + (x.towns.length ? " · " + townList(x.towns) : "")),
        el("div", { class: "muted" }, "生成于 " + fmt.time(x.raised_at)))))
      : el("p", { class: "muted" }, "目前没有在办预警。");
    const more = w.open > w.latest.length
      ? el("p", {}, el("a", { href: "#/warnings" }, "全部 " + w.open + " 条在办预警 →")) : null;
    return [levels, list, more];
  }

  /** A league table: the ranked units, then those with too few cases to rank (名次 –). */
  function leagueTable(caption, unitLabel, countLabel, countKey, rows, link) {
    return el("div", { class: "dash-scroll dash-league-box", tabindex: "0", role: "region", "aria-label": caption },
      el("table", { class: "dash-league" },
        el("caption", { class: "sr-only" }, caption),
        el("thead", {}, el("tr", {},
          ["名次", unitLabel, countLabel, "化解率", "镇村占比", "超期", "满意度"].map((h, i) => el("th", { scope: "col", class: i === 1 ? null : "n" }, h)))),
        el("tbody", {}, rows.length ? rows.map((r) => el("tr", {},
          el("td", { class: "n" }, r.rank === null ? "–" : r.rank),
          el("th", { scope: "row" }, link && r.code ? el("a", { href: "#/dashboard/" + r.code }, r.name) : r.name),
          el("td", { class: "n" }, fmt.int(r[countKey])),
          el("td", { class: "n" }, fmt.pct(r.resolution_rate)),
          el("td", { class: "n" }, fmt.pct(r.local_resolution_share)),
          el("td", { class: "n" + (r.overdue ? " dash-bad" : "") }, fmt.int(r.overdue)),
          el("td", { class: "n" }, r.satisfaction === null ? "–" : r.satisfaction.toFixed(2)),
        )) : el("tr", {}, el("td", { colspan: 7, class: "muted" }, "本月暂无数据。")))));
  }

  Shanzhi.register("dashboard", {
    title: "一屏观全区",
    nav: true,
    permission: "dashboard",
    async render(view, params) {
      const me = {};
      showing = me;
      viewNode = view;
      delete view.dataset.ready;
      const region = params && params[0] ? params[0] : null;
      const path = "/dashboard" + (region ? "?region=" + encodeURIComponent(region) : "");
      // Asked first, so that the server works while the page builds itself and ECharts starts.
      const firstAnswer = Shanzhi.api("GET", path);
      const heading = el("h1", { id: "dash-title" }, "一屏观全区");
      // Not a live region: a screen reader would read it out every 30 s. Failures go to the flash line.
      const status = el("p", { class: "muted dash-status" }, "正在载入…");
      let failing = false;
      const back = region ? el("a", { href: "#/dashboard" }, "← 返回全区") : null;
      const tilesBox = el("section", { class: "card dash-tiles", "aria-label": "今日、本月与当前的主要指标" });
      const trend = chartCard("trend", "近30天受理与化解", "dash-trend");
      const regions = chartCard("regions", "镇街与村社（面积为估算常住人口，颜色为本月千人案件数，▲ 为有在办预警）", "dash-regions");
      const legend = el("div", { class: "dash-legend muted" });
      regions.chart.after(legend);
      const categories = chartCard("categories", "本月类别分布", "dash-categories");
      const categoryNote = el("p", { class: "muted dash-note" });
      categories.chart.after(categoryNote);
      const channels = chartCard("channels", "本月来源渠道", "dash-channels");
      const warningsBox = el("div", { class: "dash-warning-list" });
      const warnings = el("section", { class: "card dash-card dash-warnings-card", "aria-labelledby": "dash-warnings-title" },
        el("h2", { id: "dash-warnings-title" }, "在办预警"), warningsBox);
      const townsTitle = el("h2", { id: "dash-towns-title" }, "镇街排行");
      const townsBox = el("div");
      const townsNote = el("p", { class: "muted dash-note" });
      const towns = el("section", { class: "card dash-card dash-towns", "aria-labelledby": "dash-towns-title" }, townsTitle, townsNote, townsBox);
      const deptsBox = el("div");
      const deptsNote = el("p", { class: "muted dash-note" });
      const depts = el("section", { class: "card dash-card dash-depts", "aria-labelledby": "dash-depts-title" },
        el("h2", { id: "dash-depts-title" }, "部门排行"), deptsNote, deptsBox);
      view.append(
        el("div", { class: "dash-head" }, heading, status, back),
        el("div", { class: "dash-grid" }, tilesBox, trend.card, regions.card, warnings, categories.card, channels.card, towns, depts),
      );

      const make = (node) => {
        const chart = echarts.init(node, null, { renderer: "canvas" });
        charts.push(chart);
        return chart;
      };
      const trendChart = make(trend.chart);
      const regionChart = make(regions.chart);
      const categoryChart = make(categories.chart);
      const channelChart = make(channels.chart);
      onResize = () => charts.forEach((c) => c.resize());
      window.addEventListener("resize", onResize);

      // Only what changed is redrawn, so that a refresh does not take away the keyboard focus.
      const last = {};
      const changed = (key, value) => {
        const json = JSON.stringify(value);
        if (last[key] === json) return false;
        last[key] = json;
        return true;
      };

      function draw(d) {
        const scope = d.scope ? d.scope.name : d.district;
        heading.textContent = "一屏观全区 · " + scope;
        status.textContent = d.month.title + " · 数据更新于 " + fmt.time(d.computed_at) + "（每 30 秒自动刷新）";
        if (changed("tiles", [d.today, d.month, d.overdue_now, d.warnings.by_level, d.warnings.open])) {
          tilesBox.replaceChildren(...tiles(d));
        }
        if (changed("trend", d.trend)) {
          trendChart.setOption(trendOption(d), true);
          const sum = (k) => d.trend.reduce((a, x) => a + x[k], 0);
          const today = d.trend[d.trend.length - 1] || { received: 0, resolved: 0 };
          trend.chart.setAttribute("aria-label", "近30天受理与化解折线图：30天共受理 " + sum("received") + " 件、化解 " +
            sum("resolved") + " 件；今日受理 " + today.received + " 件、化解 " + today.resolved + " 件。数据见下方数据表。");
          trend.setTable("近30天每日受理与化解", ["日期", "受理", "化解"],
            d.trend.map((x) => ({ cells: [x.day, fmt.int(x.received), fmt.int(x.resolved)] })));
        }
        if (changed("regions", d.regions)) {
          regionChart.setOption(treemapOption(d), true);
          const all = d.regions.towns.flatMap((t) => t.villages);
          const top = all.filter((v) => v.per_1000 !== null).sort((a, b) => b.per_1000 - a.per_1000).slice(0, 3);
          const warned = all.filter((v) => v.open_warnings).length;
          regions.chart.setAttribute("aria-label", "镇街与村社矩形树图：" + d.regions.towns.length + " 个镇街、" + all.length +
            " 个村社；千人案件数最高的是 " + (top.map((v) => v.name + "（" + v.per_1000.toFixed(2) + "）").join("、") || "无") +
            "；" + warned + " 个村社有在办预警。数据见下方数据表。");
          const max = rateScaleTop(d);
          legend.replaceChildren(
            el("span", {}, "千人案件数 0"), el("span", { class: "dash-gradient", "aria-hidden": "true" }), el("span", {}, max.toFixed(2) + " 及以上"),
            el("span", {}, " · " + d.regions.residents.note + "（" + d.regions.residents.source + "）"));
          regions.setTable("镇街与村社：本月案件、估算常住人口、千人案件数、在办预警",
            ["镇街", "村社", "本月案件", "常住人口（估算）", "千人案件数", "在办预警"], regionRows(d));
        }
        if (changed("categories", d.categories)) {
          // The chart shows the largest categories; the table, every one the API names.
          const shown = d.categories.filter((c) => c.code !== null).slice(0, CHART_CATEGORIES);
          const total = d.categories.reduce((a, c) => a + c.count, 0);
          const rest = total - shown.reduce((a, c) => a + c.count, 0);
          categoryChart.setOption(barOption(shown.map((c) => c.name), shown.map((c) => c.count), true, "#5b8fd6"), true);
          categoryNote.textContent = rest ? "其余类别共 " + fmt.int(rest) + " 件，见数据表。" : "";
          categories.chart.setAttribute("aria-label", "本月类别分布条形图：共 " + total + " 件；" +
            (shown.slice(0, 3).map((c) => c.name + " " + c.count + " 件").join("、") || "暂无数据") + "。数据见下方数据表。");
          categories.setTable("本月各类别受理量", ["类别", "件数"], d.categories.map((c) => ({ cells: [c.name, fmt.int(c.count)] })));
        }
        if (changed("channels", d.channels)) {
          channelChart.setOption(barOption(d.channels.map((c) => c.label), d.channels.map((c) => c.count), false, "#1f4e8c"), true);
          channels.chart.setAttribute("aria-label", "本月来源渠道柱状图：" + d.channels.map((c) => c.label + " " + c.count + " 件").join("、") + "。");
          channels.setTable("本月各渠道受理量", ["渠道", "件数"], d.channels.map((c) => ({ cells: [c.label, fmt.int(c.count)] })));
        }
        if (changed("warnings", d.warnings)) warningsBox.replaceChildren(...warningList(d).filter(Boolean));
        if (changed("league", d.league)) {
          const byTown = d.league.regions.level === "town";
          const note = "本月按化解率排名，办件不足 " + d.league.min_ranked + " 件的不排名";
          townsTitle.textContent = byTown ? "镇街排行" : "村社排行";
          townsNote.textContent = note;
          deptsNote.textContent = note;
          townsBox.replaceChildren(leagueTable((byTown ? "镇街排行：" : "村社排行：") + note, byTown ? "镇街" : "村社", "受理", "received", d.league.regions.rows, byTown && !d.scope));
          deptsBox.replaceChildren(leagueTable("部门排行：" + note, "部门", "承办", "handled", d.league.departments, false));
        }
      }

      const refresh = async () => {
        try {
          const d = await Shanzhi.api("GET", path);
          if (showing !== me) return;
          draw(d);
          if (failing) Shanzhi.flash("");
          failing = false;
        } catch (e) {
          if (showing !== me) return;
          failing = true;
          Shanzhi.flash("一屏观全区刷新失败，将于 30 秒后重试（" + (e.code || e.message) + "）", "error");
        }
      };
      const first = await firstAnswer;
      if (showing !== me) return;
      draw(first);
      view.dataset.ready = "1";
      // For the render benchmark (e2e/bench-dashboard.mjs): the time since navigation began.
      performance.mark("dashboard-ready");
      Shanzhi.every(REFRESH_MS, refresh);
    },
    leave() {
      showing = null;
      if (onResize) window.removeEventListener("resize", onResize);
      onResize = null;
      for (const chart of charts) chart.dispose();
      charts = [];
      if (viewNode) delete viewNode.dataset.ready;
      viewNode = null;
    },
  });
})();
