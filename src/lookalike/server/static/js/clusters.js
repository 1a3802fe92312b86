// Clusters page: k-medoids representatives with their cluster sizes; choose one to see
// its members (most typical first), each a link to its image page.
import { altText, api, h, imageGrid, pictureUrl, showError } from "./common.js";

const error = document.getElementById("error");
const status = document.getElementById("status");
const kInput = document.getElementById("k");
const reps = document.getElementById("representatives");
const more = document.getElementById("more");
const PAGE = 100;
let current = null;

async function showClusters() {
  showError(error, null);
  status.textContent = "Clustering (the first time for this k takes a while)…";
  try {
    const k = kInput.value;
    const found = await api(`/api/clusters?k=${encodeURIComponent(k)}`);
    localStorage.setItem("lookalike.clusters", String(found.k));
    reps.replaceChildren(...found.clusters.map((c) => h("li", {},
      h("button", {
        type: "button", class: "card cluster-card", "data-cluster": c.cluster,
        "aria-label": `Cluster ${c.cluster}: ${c.size} images, represented by ${altText({ id: c.medoid, title: c.title })}`,
        onclick: () => showMembers(found.k, c.cluster),
      },
      h("img", { src: pictureUrl(c.medoid, 256), alt: altText({ id: c.medoid, title: c.title }), loading: "lazy" }),
      h("span", { class: "caption" }, `Cluster ${c.cluster}: ${c.size} image${c.size === 1 ? "" : "s"}`, h("br"),
        h("span", { class: "score" }, c.title))))));
    status.textContent = `${found.images} images in ${found.k} clusters (${found.method}).`;
    return found;
  } catch (err) {
    status.textContent = "";
    showError(error, err);
    return null;
  }
}

async function showMembers(k, cluster, append = false) {
  showError(error, null);
  const offset = append ? current.offset : 0;
  try {
    const found = await api(`/api/clusters/${cluster}?k=${k}&offset=${offset}&limit=${PAGE}`);
    current = { k, cluster, offset: offset + found.members.length };
    for (const b of reps.querySelectorAll(".cluster-card")) {
      b.classList.toggle("selected", Number(b.dataset.cluster) === cluster);
      b.setAttribute("aria-pressed", Number(b.dataset.cluster) === cluster ? "true" : "false");
    }
    document.getElementById("members-section").hidden = false;
    document.getElementById("members-h").textContent =
      `Cluster ${cluster}: ${found.size} images, the most typical first`;
    const grid = imageGrid(found.members, { size: 192 });
    grid.id = append ? "" : "member-grid";
    if (append) document.getElementById("member-grid").append(...grid.children);
    else document.getElementById("members").replaceChildren(grid);
    more.hidden = current.offset >= found.size;
    const url = new URL(location.href);
    url.searchParams.set("k", k);
    url.searchParams.set("cluster", cluster);
    history.replaceState(null, "", url);
  } catch (err) { showError(error, err); }
}

document.getElementById("clusters-form").addEventListener("submit", (e) => {
  e.preventDefault();
  document.getElementById("members-section").hidden = true;
  const url = new URL(location.href);
  url.searchParams.set("k", kInput.value);
  url.searchParams.delete("cluster");
  history.replaceState(null, "", url);
  showClusters();
});
more.addEventListener("click", () => showMembers(current.k, current.cluster, true));

const params = new URLSearchParams(location.search);
if (params.get("k")) kInput.value = params.get("k");
showClusters().then((found) => {
  if (found && params.get("cluster") !== null) showMembers(found.k, Number(params.get("cluster")));
});
