// drills room: reads the drill's state from a server-sent event stream and sends lines.
// No framework and no build step; the page works with no internet access.
"use strict";
(function () {
  const token = document.body.dataset.token;
  const $ = (id) => document.getElementById(id);
  const colours = ["#b3261e", "#1f5fa8", "#a86400", "#2e7d32", "#6a3d9a", "#00838f", "#555"];
  const text = (el, value) => { if (el) el.textContent = value; };
  const list = (el, items) => {
    if (!el) return;
    el.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      if (typeof item === "string") li.textContent = item; else { li.textContent = item[0]; li.className = item[1]; }
      return li;
    }));
    el.scrollTop = el.scrollHeight;
  };

  const seconds = (clock) => { const [h, m, x] = clock.split(":").map(Number); return h * 3600 + m * 60 + x; };

  // The damage by system over drill time: one line per system, inline SVG.
  function chart(svg, points) {
    if (!svg || !points.length) return;
    const ns = "http://www.w3.org/2000/svg";
    const make = (tag, attrs, content) => {
      const node = document.createElementNS(ns, tag);
      Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
      if (content !== undefined) node.textContent = content;
      return node;
    };
    const systems = [...new Set(points.flatMap((p) => Object.keys(p[1])))].sort();
    const top = Math.max(1, ...points.flatMap((p) => Object.values(p[1])));
    const t0 = seconds(points[0][0]);
    const span = Math.max(1, seconds(points[points.length - 1][0]) - t0);
    const x = (p) => (40 + (seconds(p[0]) - t0) / span * 550).toFixed(1);
    const y = (v) => (160 - v / top * 145).toFixed(1);
    const nodes = [
      make("line", { x1: 40, y1: 160, x2: 590, y2: 160, stroke: "#999" }),
      make("text", { x: 36, y: 19, "font-size": 10, "text-anchor": "end" }, top.toLocaleString()),
      make("text", { x: 36, y: 163, "font-size": 10, "text-anchor": "end" }, "0"),
      make("text", { x: 40, y: 175, "font-size": 10 }, points[0][0]),
      make("text", { x: 590, y: 175, "font-size": 10, "text-anchor": "end" }, points[points.length - 1][0]),
    ];
    systems.forEach((system, i) => {
      const colour = colours[i % colours.length];
      nodes.push(make("polyline", { points: points.map((p) => `${x(p)},${y(p[1][system] || 0)}`).join(" "),
        fill: "none", stroke: colour, "stroke-width": 2, "data-system": system }));
      nodes.push(make("text", { x: 48, y: 14 + i * 12, "font-size": 10, fill: colour }, system));
    });
    svg.replaceChildren(...nodes);
  }

  let speedShown = false;

  function render(s) {
    text($("clock"), s.clock);
    if (!speedShown && $("speed")) { $("speed").value = s.speed; speedShown = true; }
    const pace = $("pace");
    text(pace, s.held ? "clock held" : s.ending ? "playing out the rest" : `${s.speed}x`);
    if (pace) pace.className = s.held ? "held" : "";
    text($("damaged"), `${s.damaged.toLocaleString()} records`);
    list($("by-system"), Object.entries(s.by_system).map(([k, v]) => `${k}: ${v.toLocaleString()}`));
    chart($("chart"), s.chart);
    const job = $("job-state");
    text(job, `${s.job}: ${s.job_paused ? "paused" : "running"}${s.contained ? " · contained" : ""}${s.restarted ? " · restarted" : ""}`);
    if (job) job.className = s.job_paused ? "paused" : "running";
    list($("feeders"), s.feeders.map((f) => [`${f.name} (${f.kind}): ${f.on ? "on" : "off"}`, f.on ? "on" : "off"]));
    text($("detected"), s.detected ? `detected ${s.detected}` : "not detected yet");
    list($("alerts"), s.alerts);
    list($("log"), s.log);
    text($("may"), s.actions.length ? `you may: ${s.actions.join(", ")} (and help)` : "you watch; 'note' is yours");
    const answers = $("answers");
    if (answers) { answers.textContent = s.answers.join("\n"); answers.scrollTop = answers.scrollHeight; }
    if (s.truth) {
      const t = s.truth;
      const rows = [["fault", `${t.fault} from ${t.fault_starts}`],
        ["records wrong now", t.left_wrong === null ? "measuring" : t.left_wrong.toLocaleString()],
        ["owner away", t.owner_away ? "yes" : "no"], ["scope submitted", t.scope_submitted ? "yes" : "no"],
        ["cause written", t.cause || "none yet"], ["twists so far", t.twists.join("; ") || "none"],
        ["journal", t.journal || "none"]];
      $("truth").replaceChildren(...rows.flatMap(([k, v]) => {
        const dt = document.createElement("dt"); dt.textContent = k;
        const dd = document.createElement("dd"); dd.textContent = v; return [dt, dd];
      }));
    }
    if (s.error) text($("detected"), `the drill failed: ${s.error}`);
  }

  async function post(path, body) {
    const response = await fetch(`${path}/${token}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    return response.json();
  }

  const form = $("act"), line = $("line"), options = $("options");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = line.value;
    if (!value.trim()) return;
    line.value = ""; list(options, []);
    await post("/act", { line: value });
  });
  line.addEventListener("keydown", async (event) => {
    if (event.key !== "Tab") return;
    event.preventDefault();
    const response = await fetch(`/complete/${token}?text=${encodeURIComponent(line.value)}`);
    const found = (await response.json()).options;
    const words = line.value.split(" ");
    const pick = (option) => { words[words.length - 1] = option; line.value = words.join(" ") + (/[=-]$/.test(option) ? "" : " "); list(options, []); line.focus(); };
    if (found.length === 1) pick(found[0]);
    else { list(options, found); [...options.children].forEach((li) => li.addEventListener("click", () => pick(li.textContent))); }
  });
  document.querySelectorAll("[data-control]").forEach((button) =>
    button.addEventListener("click", () => post("/control", { what: button.dataset.control })));
  const setSpeed = $("set-speed");
  if (setSpeed) setSpeed.addEventListener("click", () => post("/control", { what: "speed", value: $("speed").value }));
  document.querySelectorAll("button.twist").forEach((button) =>
    button.addEventListener("click", () => post("/act", { line: button.dataset.line })));

  const source = new EventSource(`/events/${token}`);
  source.onmessage = (event) => {
    const state = JSON.parse(event.data);
    render(state);
    if (state.over) { source.close(); window.location.assign(`/report/${token}`); }
  };
})();
