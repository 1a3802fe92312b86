// Collection page: counts, models, failed images, the atlas,
// a paged grid of images with search (the keyboard- and screen-reader-friendly way in),
// and the upload box.
import { Atlas, PALETTE } from "./atlas.js";
import { UPLOAD_HTML, api, h, imageGrid, imageUrl, showError, uploadBox } from "./common.js";

const error = document.getElementById("error");
const params = new URLSearchParams(location.search);
const PAGE = 48;
let offset = Number(params.get("offset") || 0);

function stat(label, value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

async function showSummary() {
  const s = await api("/api/collection");
  document.getElementById("title").textContent = s.name;
  document.title = `${s.name} · lookalike`;
  document.getElementById("stats").replaceChildren(
    stat("Images", s.images), stat("Indexed", s.indexed), stat("Failed", s.failed),
    stat("Models", s.models.length));
  if (s.models.length) {
    document.getElementById("models").replaceChildren(h("table", {},
      h("caption", { class: "visually-hidden" }, "Models"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Model"), h("th", { scope: "col" }, "Dimensions"),
        h("th", { scope: "col" }, "Images with vectors"), h("th", { scope: "col" }, "Kept as"))),
      h("tbody", {}, s.models.map((m) => h("tr", {}, h("td", {}, m.name), h("td", {}, m.dim), h("td", {}, m.vectors),
        h("td", {}, `${m.encoding}, ${m.bytes_per_image} bytes per image`))))));
  } else {
    document.getElementById("models").replaceChildren(h("p", { class: "muted" },
      "No vectors yet: run lookalike index SOURCE --collection PATH."));
  }
  if (s.failed_images.length) {
    document.getElementById("failed-section").hidden = false;
    document.getElementById("failed").replaceChildren(...s.failed_images.map((f) =>
      h("tr", {}, h("td", {}, f.file), h("td", {}, f.error))));
  }
  return s;
}

async function showPage() {
  const q = document.getElementById("q").value.trim();
  const status = document.getElementById("browse-status");
  status.textContent = "Loading…";
  try {
    const found = await api(`/api/images?q=${encodeURIComponent(q)}&offset=${offset}&limit=${PAGE}`);
    document.getElementById("browse").replaceChildren(imageGrid(found.results, { size: 192 }));
    status.textContent = found.total
      ? `${offset + 1}–${offset + found.results.length} of ${found.total}`
      : `No image matches "${q}".`;
    document.getElementById("prev").hidden = offset === 0;
    document.getElementById("next").hidden = offset + PAGE >= found.total;
  } catch (err) {
    status.textContent = "";
    showError(error, err);
  }
}

function legend(k) {
  const el = document.getElementById("legend");
  if (!k) { el.replaceChildren(); return; }
  el.replaceChildren(...Array.from({ length: k }, (_, c) =>
    h("span", {}, h("i", { style: `background:${PALETTE[c % PALETTE.length]}` }), `cluster ${c}`)));
}

async function showAtlas() {
  const method = document.getElementById("map-method");
  const colour = document.getElementById("map-clusters");
  const status = document.getElementById("atlas-status");
  for (const k of [5, 10, 20, 40]) colour.append(h("option", { value: k }, `${k} clusters`));
  method.value = params.get("map") || "umap";
  colour.value = params.get("clusters") || localStorage.getItem("lookalike.clusters") || "";
  if (!colour.value) colour.value = "";
  let atlas = null;

  const loading = document.getElementById("atlas-loading");
  async function load() {
    const name = method.options[method.selectedIndex].text;
    status.textContent = "Computing the map (the first time takes a while)…";
    loading.textContent = `Computing the ${name} map of the collection (the first time takes a while)…`;
    loading.classList.remove("failed");
    loading.hidden = false;
    showError(error, null);
    try {
      const k = colour.value;
      const data = await api(`/api/map?method=${method.value}${k ? `&clusters=${k}` : ""}`);
      const focusText = document.getElementById("atlas-focus");
      if (atlas) atlas.destroy();
      const old = document.getElementById("atlas");
      const fresh = old.cloneNode(true); // without the old listeners
      old.replaceWith(fresh);
      atlas = new Atlas(fresh, data, {
        onOpen: (id) => { location.href = imageUrl(id); },
        onFocus: (i) => { focusText.textContent = data.titles[i]; },
        tip: document.getElementById("atlas-tip"),
      });
      window.lookalikeAtlas = atlas;
      loading.hidden = true; // the atlas drew its dots at once; thumbnails follow
      legend(k ? Number(k) : 0);
      status.textContent = `${data.ids.length} images, ${data.method.toUpperCase()} of ${data.model} vectors.`;
    } catch (err) {
      status.textContent = "";
      loading.textContent = `No map: ${err.message}`;
      loading.classList.add("failed");
      showError(error, new Error(`Cannot draw the map: ${err.message}`));
    }
  }
  const reload = () => {
    const url = new URL(location.href);
    url.searchParams.set("map", method.value);
    if (colour.value) url.searchParams.set("clusters", colour.value); else url.searchParams.delete("clusters");
    history.replaceState(null, "", url);
    load();
  };
  method.addEventListener("change", reload);
  colour.addEventListener("change", reload);
  document.getElementById("atlas-fit").addEventListener("click", () => atlas && atlas.fit());
  await load();
}

document.getElementById("q").value = params.get("q") || "";
document.getElementById("browse-form").addEventListener("submit", (e) => {
  e.preventDefault();
  offset = 0;
  showPage();
});
document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); showPage(); });
document.getElementById("next").addEventListener("click", () => { offset += PAGE; showPage(); });

const upload = document.getElementById("upload");
upload.innerHTML = UPLOAD_HTML;
uploadBox(upload);

showPage();
showSummary().catch((err) => showError(error, err));
showAtlas().catch((err) => showError(error, err));
