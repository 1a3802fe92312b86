// Path page: pick A and B (search by id or file name, or come from an image page), see
// the chain of images with the similarity of each step; shortest, smooth or fewest.
import { api, formatScore, h, imageCard, imagePicker, resolveImage, showError } from "./common.js";

const error = document.getElementById("error");
const status = document.getElementById("status");
const a = document.getElementById("a");
const b = document.getElementById("b");
const method = document.getElementById("method");
const result = document.getElementById("result");
const pickA = imagePicker(a, () => {});
const pickB = imagePicker(b, () => {});

async function preset(input, picker, id) {
  if (!id) return;
  try {
    const meta = await api(`/api/images/${encodeURIComponent(id)}`);
    picker.set({ id: meta.id, title: meta.title });
  } catch (err) { showError(error, err); }
}

async function run() {
  showError(error, null);
  result.replaceChildren();
  try {
    const [ida, idb] = [await resolveImage(a), await resolveImage(b)];
    status.textContent = "Finding the path…";
    const url = new URL(location.href);
    url.search = new URLSearchParams({ a: ida, b: idb, method: method.value }).toString();
    history.replaceState(null, "", url);
    const p = await api(`/api/path?a=${encodeURIComponent(ida)}&b=${encodeURIComponent(idb)}&method=${method.value}`);
    const items = [];
    p.images.forEach((image, i) => {
      if (i > 0) {
        const bridge = p.bridges.includes(i);
        items.push(h("li", { class: `step${bridge ? " bridge" : ""}`, "aria-hidden": "false" },
          h("span", {}, "→", h("br"), formatScore(p.similarities[i - 1]), bridge ? h("br") : null,
            bridge ? "bridge" : null)));
      }
      items.push(h("li", {}, imageCard(image, { size: 192 })));
    });
    result.replaceChildren(
      h("p", {}, `${p.method} path: ${p.steps} steps, worst step ${formatScore(p.worst)}, model ${p.model}.`),
      h("ol", { class: "chain", id: "chain", "aria-label": "The images of the path, in order" }, items));
    status.textContent = "";
  } catch (err) {
    status.textContent = "";
    showError(error, err);
  }
}

document.getElementById("path-form").addEventListener("submit", (e) => { e.preventDefault(); run(); });
const params = new URLSearchParams(location.search);
if (params.get("method")) method.value = params.get("method");
Promise.all([preset(a, pickA, params.get("a")), preset(b, pickB, params.get("b"))]).then(() => {
  if (params.get("a") && params.get("b")) run();
});
