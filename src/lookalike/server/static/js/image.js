// Image page: the picture, its metadata, its k nearest neighbours (each a link, so a
// person walks from image to image), links to the path and graph pages, an upload box.
import { UPLOAD_HTML, api, altText, h, imageGrid, pictureUrl, showError, uploadBox } from "./common.js";

const id = document.body.dataset.id;
const title = document.body.dataset.title;
const error = document.getElementById("error");
const status = document.getElementById("status");
const kInput = document.getElementById("k");

const params = new URLSearchParams(location.search);
if (params.get("k")) kInput.value = params.get("k");

function formatBytes(n) {
  if (n == null) return "?";
  return n > 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${(n / 1024).toFixed(0)} kB`;
}

async function showImage() {
  document.getElementById("title").textContent = title;
  const picture = document.getElementById("picture");
  picture.src = pictureUrl(id, 560);
  picture.alt = altText({ id, title });
  document.getElementById("full-link").href = `/iiif/${encodeURIComponent(id)}/full/max/0/default.jpg`;
  const meta = await api(`/api/images/${encodeURIComponent(id)}`);
  const rows = [
    ["Id", meta.id],
    ["File", meta.title],
    ["Size", `${meta.width} × ${meta.height} px, ${formatBytes(meta.bytes)}`],
    ["Modified", meta.mtime ? new Date(meta.mtime * 1000).toLocaleString() : "?"],
    ["Models", meta.models.join(", ")],
  ];
  for (const [k, v] of Object.entries(meta.metadata || {})) {
    rows.push([k, typeof v === "object" ? JSON.stringify(v) : String(v)]);
  }
  document.getElementById("meta").replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  document.getElementById("actions").replaceChildren(
    h("a", { href: `/path?a=${encodeURIComponent(id)}` }, "Path from this image…"),
    h("a", { href: `/graph?seed=${encodeURIComponent(id)}` }, "Graph around this image"),
  );
}

async function showNeighbours() {
  showError(error, null);
  const k = kInput.value;
  status.textContent = "Searching…";
  try {
    const found = await api(`/api/neighbors/${encodeURIComponent(id)}?k=${encodeURIComponent(k)}`);
    const grid = imageGrid(found.results);
    grid.id = "neighbour-grid";
    document.getElementById("neighbours").replaceChildren(grid);
    status.textContent = `${found.results.length} most similar images (${found.model}).`;
  } catch (err) {
    status.textContent = "";
    showError(error, err);
  }
}

document.getElementById("k-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("k", kInput.value);
  history.replaceState(null, "", url);
  showNeighbours();
});

const upload = document.getElementById("upload");
upload.innerHTML = UPLOAD_HTML;
uploadBox(upload);

showImage().catch((err) => showError(error, err));
showNeighbours();
