// Duplicates page: pairs above a threshold (slider), side by side, labelled "same" or
// "different" with a click (saved in the collection, they calibrate the threshold; only
// when the server allows it, else the page says so), exports of the pairs and of the
// de-duplicated list.
import { altText, api, formatScore, h, imageUrl, pictureUrl, showError } from "./common.js";

const error = document.getElementById("error");
const status = document.getElementById("status");
const slider = document.getElementById("threshold");
const shown = document.getElementById("threshold-value");
const order = document.getElementById("order");
const keep = document.getElementById("keep");
const list = document.getElementById("pairs");
const more = document.getElementById("more");
const PAGE = 50;
let offset = 0;
let seq = 0;

const params = new URLSearchParams(location.search);
let fromUrl = Boolean(params.get("threshold")); // else the library's default threshold
if (fromUrl) slider.value = params.get("threshold");
if (params.get("order")) order.value = params.get("order");

function side(id, title) {
  const image = { id, title };
  return h("figure", {},
    h("a", { href: imageUrl(id) }, h("img", { src: pictureUrl(id, 400), alt: altText(image), loading: "lazy" })),
    h("figcaption", {}, `${title} · ${id}`));
}

function labelText(label) {
  return label ? h("span", { class: `label-${label}` }, `labelled ${label}`) : h("span", { class: "muted" }, "not labelled");
}

function pairRow(p, writable) {
  const labelled = h("span", { class: "label-state" }, labelText(p.label));
  const buttons = !writable ? [] : ["same", "different"].map((label) => h("button", {
    type: "button", "aria-pressed": p.label === label ? "true" : "false", "data-label": label,
    onclick: async (e) => {
      showError(error, null);
      try {
        await api("/api/labels", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ a: p.a, b: p.b, label }),
        });
        p.label = label;
        labelled.replaceChildren(labelText(label));
        for (const b of e.target.parentElement.querySelectorAll("button")) {
          b.setAttribute("aria-pressed", b.dataset.label === label ? "true" : "false");
        }
        showCalibration();
      } catch (err) { showError(error, err); }
    },
  }, label === "same" ? "Same" : "Different"));
  return h("li", { class: "pair", "data-a": p.a, "data-b": p.b },
    side(p.a, p.title_a), side(p.b, p.title_b),
    h("div", { class: "actions", role: "group", "aria-label": `Label ${p.title_a} and ${p.title_b}` },
      h("span", { class: "score" }, formatScore(p.score)), ...buttons, labelled));
}

function syncUrls() {
  const t = slider.value;
  shown.textContent = Number(t).toFixed(3);
  document.getElementById("export-pairs").href = `/api/duplicates/pairs.csv?threshold=${t}`;
  document.getElementById("export-dedup").href = `/api/duplicates/dedup.csv?threshold=${t}&keep=${keep.value}`;
  const url = new URL(location.href);
  url.searchParams.set("threshold", t);
  url.searchParams.set("order", order.value);
  history.replaceState(null, "", url);
}

async function load(append = false) {
  const mine = ++seq;
  showError(error, null);
  if (!append) offset = 0;
  status.textContent = "Finding pairs…";
  try {
    const t = fromUrl || append || offset ? `threshold=${slider.value}&` : "";
    const found = await api(`/api/duplicates?${t}order=${order.value}&offset=${offset}&limit=${PAGE}`);
    if (mine !== seq) return;
    if (!fromUrl) { fromUrl = true; slider.value = found.threshold; syncUrls(); }
    document.getElementById("read-only").hidden = found.labels_writable;
    const rows = found.pairs.map((p) => pairRow(p, found.labels_writable));
    if (append) list.querySelector("ul").append(...rows);
    else list.replaceChildren(h("ul", { style: "list-style:none;padding:0" }, rows));
    offset += found.pairs.length;
    more.hidden = offset >= found.total;
    status.textContent = found.total
      ? `${found.total} pairs in ${found.sets} sets (${found.in_sets} images) at cosine ≥ ${found.threshold.toFixed(3)}, ${found.model}; ${found.labelled} pairs labelled.`
      : `No pairs at cosine ≥ ${found.threshold.toFixed(3)}: lower the threshold.`;
  } catch (err) {
    if (mine !== seq) return;
    status.textContent = "";
    showError(error, err);
  }
}

async function showCalibration() {
  const el = document.getElementById("calibration");
  const use = document.getElementById("use-calibrated");
  try {
    const c = await api("/api/calibration");
    if (!c.calibrated) {
      el.textContent = c.labelled
        ? `Not calibrated yet: ${c.reason}`
        : "Label pairs same or different: the threshold is then calibrated on your labels.";
      use.hidden = true;
      return;
    }
    el.textContent = `Calibrated on your labels (${c.same} same, ${c.different} different): threshold ${c.threshold.toFixed(3)}, precision ${c.precision.toFixed(2)}, recall ${c.recall.toFixed(2)}.`;
    use.hidden = false;
    use.onclick = () => { slider.value = c.threshold; syncUrls(); load(); };
  } catch (err) {
    el.textContent = `Calibration: ${err.message}`;
    use.hidden = true;
  }
}

slider.addEventListener("input", syncUrls);
slider.addEventListener("change", () => { fromUrl = true; load(); });
order.addEventListener("change", () => { syncUrls(); load(); });
keep.addEventListener("change", syncUrls);
more.addEventListener("click", () => load(true));
document.getElementById("dup-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });

syncUrls();
load();
showCalibration();
