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

  function chart(svg, points) {
    if (!svg) return;
    const ns = "http://www.w3.org/2000/svg";
    const systems = [...new Set(points.flatMap((p) => Object.keys(p[1])))].sort();
    const top = Math.max(1, ...points.flatMap((p) => Object.values(p[1])));
    const n = Math.max(1, points.length - 1);
    const nodes = systems.map((system, i) => {
      const line = document.createElementNS(ns, "polyline");
      line.setAttribute("points", points.map((p, j) =>
        `${(j / n * 590 + 5).toFixed(1)},${(175 - (p[1][system] || 0) / top * 165).toFixed(1)}`).join(" "));
      line.setAttribute("fill", "none");
      line.setAttribute("stroke", colours[i % colours.length]);
      line.setAttribute("stroke-width", "2");
      line.setAttribute("data-system", system);
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", "8"); label.setAttribute("y", String(14 + i * 13));
      label.setAttribute("font-size", "11"); label.setAttribute("fill", colours[i % colours.length]);
      label.textContent = system;
      return [line, label];
    }).flat();
    svg.replaceChildren(...nodes);
  }

  function render(s) {
    text($("clock"), s.clock);
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
