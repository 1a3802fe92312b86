// Graph page: grow a graph from a seed (depth, k), lay it out with d3-force (vendored),
// draw it on a canvas with thumbnails on the nodes (drag, pan, zoom, click to open),
// its metrics beside it, and GraphML/GEXF exports.
import { api, h, imagePicker, imageUrl, pictureUrl, resolveImage, showError } from "./common.js";

const d3 = window.d3;
const error = document.getElementById("error");
const status = document.getElementById("status");
const seedInput = document.getElementById("seed");
const depthInput = document.getElementById("depth");
const kInput = document.getElementById("k");
const canvas = document.getElementById("graph");
const tip = document.getElementById("graph-tip");
const ctx = canvas.getContext("2d");
const picker = imagePicker(seedInput, () => {});
const NODE = 44;
const DEPTH_COLOURS = ["#f0a30a", "#1a5fb4", "#26a269", "#9141ac", "#c64600"];

let view = { scale: 1, ox: 0, oy: 0 };
let graph = null;
let sim = null;

function size() {
  const r = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(r.width * dpr);
  canvas.height = Math.round(r.height * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return r;
}

function toScreen(x, y) { return [x * view.scale + view.ox, y * view.scale + view.oy]; }
function toWorld(sx, sy) { return [(sx - view.ox) / view.scale, (sy - view.oy) / view.scale]; }

function draw() {
  if (!graph) return;
  const r = canvas.getBoundingClientRect();
  ctx.clearRect(0, 0, r.width, r.height);
  for (const l of graph.links) {
    const [x1, y1] = toScreen(l.source.x, l.source.y);
    const [x2, y2] = toScreen(l.target.x, l.target.y);
    ctx.strokeStyle = `rgba(40, 60, 90, ${0.15 + 0.75 * Math.max(0, l.similarity) ** 2})`;
    ctx.lineWidth = 1 + 3 * Math.max(0, l.similarity) ** 4;
    ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke();
  }
  const s = NODE * Math.min(2, Math.max(0.5, view.scale));
  for (const n of graph.nodes) {
    const [x, y] = toScreen(n.x, n.y);
    ctx.fillStyle = DEPTH_COLOURS[Math.min(n.depth ?? 0, DEPTH_COLOURS.length - 1)];
    const frame = n.id === graph.seed ? 5 : 2;
    ctx.fillRect(x - s / 2 - frame, y - s / 2 - frame, s + 2 * frame, s + 2 * frame);
    if (n.img && n.img.complete && n.img.naturalWidth) {
      const f = s / Math.max(n.img.naturalWidth, n.img.naturalHeight);
      const w = n.img.naturalWidth * f, hh = n.img.naturalHeight * f;
      ctx.fillStyle = "#fff";
      ctx.fillRect(x - s / 2, y - s / 2, s, s);
      ctx.drawImage(n.img, x - w / 2, y - hh / 2, w, hh);
    }
  }
}

function nodeAt(sx, sy) {
  const s = NODE * Math.min(2, Math.max(0.5, view.scale));
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    const [x, y] = toScreen(n.x, n.y);
    if (Math.abs(sx - x) <= s / 2 + 2 && Math.abs(sy - y) <= s / 2 + 2) return n;
  }
  return null;
}

function bind() {
  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    if (!graph) return;
    canvas.setPointerCapture(e.pointerId);
    const r = canvas.getBoundingClientRect();
    const node = nodeAt(e.clientX - r.left, e.clientY - r.top);
    drag = { node, x: e.clientX, y: e.clientY, moved: 0 };
    if (node) { node.fx = node.x; node.fy = node.y; sim.alphaTarget(0.2).restart(); }
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!graph) return;
    const r = canvas.getBoundingClientRect();
    if (drag) {
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      drag.moved += Math.abs(dx) + Math.abs(dy);
      drag.x = e.clientX; drag.y = e.clientY;
      if (drag.node) {
        const [wx, wy] = toWorld(e.clientX - r.left, e.clientY - r.top);
        drag.node.fx = wx; drag.node.fy = wy;
      } else { view.ox += dx; view.oy += dy; draw(); }
    }
    const over = nodeAt(e.clientX - r.left, e.clientY - r.top);
    tip.hidden = !over;
    canvas.style.cursor = over ? "pointer" : "grab";
    if (over) {
      tip.textContent = over.title;
      tip.style.left = `${e.clientX - r.left + 12}px`;
      tip.style.top = `${e.clientY - r.top + 12}px`;
    }
  });
  canvas.addEventListener("pointerup", () => {
    if (!drag) return;
    const { node, moved } = drag;
    drag = null;
    if (node) { node.fx = null; node.fy = null; sim.alphaTarget(0); }
    if (node && moved < 5) location.href = imageUrl(node.id);
  });
  canvas.addEventListener("pointerleave", () => { tip.hidden = true; });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    const cx = e.clientX - r.left, cy = e.clientY - r.top;
    const f = Math.exp(-e.deltaY * 0.0015);
    const s = Math.min(8, Math.max(0.1, view.scale * f));
    view.ox = cx - (cx - view.ox) * (s / view.scale);
    view.oy = cy - (cy - view.oy) * (s / view.scale);
    view.scale = s;
    draw();
  }, { passive: false });
  new ResizeObserver(() => { size(); draw(); }).observe(canvas);
}

function metrics(stats) {
  const rows = [
    ["Nodes", stats.nodes], ["Edges", stats.edges], ["Density", stats.density.toFixed(3)],
    ["Mean degree", stats.mean_degree.toFixed(2)], ["Components", stats.components],
    ["Largest component", stats.largest_component], ["Clustering", stats.clustering.toFixed(3)],
    ["Diameter", `${stats.diameter}${stats.diameter_exact === false ? " (approx.)" : ""}`],
    ["Degree histogram", stats.degree_histogram.map((c, d) => (c ? `${d}: ${c}` : null)).filter(Boolean).join(", ")],
  ];
  document.getElementById("metrics").replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

async function grow() {
  showError(error, null);
  try {
    const seed = await resolveImage(seedInput);
    const q = `seed=${encodeURIComponent(seed)}&depth=${encodeURIComponent(depthInput.value)}&k=${encodeURIComponent(kInput.value)}`;
    status.textContent = "Growing the graph…";
    history.replaceState(null, "", `${location.pathname}?${q}`);
    const g = await api(`/api/graph?${q}`);
    if (sim) sim.stop();
    const r = size();
    view = { scale: 1, ox: r.width / 2, oy: r.height / 2 };
    graph = { seed: g.seed, nodes: g.nodes.map((n) => ({ ...n })), links: g.edges.map((e) => ({ ...e })) };
    for (const n of graph.nodes) {
      n.img = new Image();
      n.img.alt = n.title;
      n.img.onload = draw;
      n.img.src = pictureUrl(n.id, 96);
    }
    sim = d3.forceSimulation(graph.nodes)
      .force("link", d3.forceLink(graph.links).id((n) => n.id)
        .distance((l) => 50 + 160 * (1 - Math.max(0, l.similarity))))
      .force("charge", d3.forceManyBody().strength(-260))
      .force("collide", d3.forceCollide(NODE * 0.7))
      .force("x", d3.forceX(0).strength(0.04))
      .force("y", d3.forceY(0).strength(0.04))
      .on("tick", draw);
    metrics(g.stats);
    const ex = document.getElementById("exports");
    ex.hidden = false;
    document.getElementById("export-graphml").href = `/api/graph.graphml?${q}`;
    document.getElementById("export-gexf").href = `/api/graph.gexf?${q}`;
    document.getElementById("node-list").replaceChildren(...g.nodes.map((n) =>
      h("li", {}, h("a", { href: imageUrl(n.id), "data-id": n.id }, n.title), ` (depth ${n.depth ?? 0})`)));
    status.textContent = `${g.nodes.length} images, ${g.edges.length} links.${g.notes.length ? ` ${g.notes.join(" ")}` : ""}`;
    canvas.dataset.nodes = String(g.nodes.length);
  } catch (err) {
    status.textContent = "";
    showError(error, err);
  }
}

/** For tests and scripts: where a node is on the screen (page coordinates). */
window.lookalikeGraph = {
  nodePosition(id) {
    const n = graph && graph.nodes.find((m) => m.id === id);
    if (!n) return null;
    const r = canvas.getBoundingClientRect();
    const [x, y] = toScreen(n.x, n.y);
    return [r.left + x, r.top + y];
  },
  settle() { if (sim) { sim.stop(); for (let i = 0; i < 300; i++) sim.tick(); draw(); } },
  ids() { return graph ? graph.nodes.map((n) => n.id) : []; },
};

bind();
document.getElementById("graph-form").addEventListener("submit", (e) => { e.preventDefault(); grow(); });
const params = new URLSearchParams(location.search);
if (params.get("depth")) depthInput.value = params.get("depth");
if (params.get("k")) kInput.value = params.get("k");
if (params.get("seed")) {
  api(`/api/images/${encodeURIComponent(params.get("seed"))}`)
    .then((meta) => { picker.set({ id: meta.id, title: meta.title }); return grow(); })
    .catch((err) => showError(error, err));
}
