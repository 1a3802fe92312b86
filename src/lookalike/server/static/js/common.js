// Shared helpers of the lookalike pages: JSON requests with readable errors, image
// cards, an image picker (search by id or file name), and the upload/drop box.

/** Fetch JSON from the API; throw an Error whose message is the server's description. */
export async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    throw new Error(`Cannot reach the lookalike server (${err.message}). Is it still running?`);
  }
  let body = null;
  const text = await response.text();
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!response.ok) {
    const why = body && body.description ? body.description : `${response.status} ${response.statusText}`;
    const err = new Error(why);
    err.status = response.status;
    throw err;
  }
  return body;
}

/** Show an error (or clear it with null) in a role=alert element. */
export function showError(el, err) {
  el.textContent = err ? (err.message || String(err)) : "";
}

/** Create an element: h("a", {href: "/"}, "text", child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** The IIIF URL of an image's picture that fits in size x size. */
export function pictureUrl(id, size = 256) {
  return `/iiif/${encodeURIComponent(id)}/full/!${size},${size}/0/default.jpg`;
}

export function imageUrl(id) {
  return `/image/${encodeURIComponent(id)}`;
}

/** The alt text of an image: its file name (or title) and id. */
export function altText(image) {
  return image.title && image.title !== image.id ? `${image.title} (${image.id})` : image.id;
}

export function formatScore(s) {
  return Number(s).toFixed(3);
}

/** A link card: thumbnail, title, optional score line. */
export function imageCard(image, { score = null, extra = null, size = 256, href = null } = {}) {
  return h("a", { class: "card", href: href || imageUrl(image.id), "data-id": image.id },
    h("img", { src: pictureUrl(image.id, size), alt: altText(image), loading: "lazy",
      width: size, height: size }),
    h("span", { class: "caption" },
      image.title || image.id,
      score === null ? null : h("br"),
      score === null ? null : h("span", { class: "score" }, `similarity ${formatScore(score)}`),
      extra));
}

/** A grid (ul) of image cards. */
export function imageGrid(items, options = {}) {
  return h("ul", { class: "grid" }, items.map((it) =>
    h("li", {}, imageCard(it, { score: it.score ?? null, ...options }))));
}

/**
 * An image picker on a text input: typing searches ids and file names (debounced), the
 * arrow keys move through the suggestions, Enter picks. onPick({id, title}).
 */
export function imagePicker(input, onPick) {
  const wrap = input.closest(".picker");
  const list = h("ul", { role: "listbox", id: `${input.id}-list`, hidden: true });
  wrap.append(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  let items = [];
  let active = -1;
  let timer = null;
  let seq = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }
  function highlight(i) {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
    if (i >= 0) input.setAttribute("aria-activedescendant", list.children[i].id);
  }
  function pick(item) {
    input.value = item.title;
    input.dataset.id = item.id;
    close();
    onPick(item);
  }
  async function search() {
    const mine = ++seq;
    const q = input.value.trim();
    if (!q) { close(); return; }
    const found = await api(`/api/images?q=${encodeURIComponent(q)}&limit=12`);
    if (mine !== seq) return;
    items = found.results;
    list.replaceChildren(...items.map((it, i) => h("li", {
      role: "option", id: `${list.id}-${i}`, "aria-selected": "false",
      onmousedown: (e) => { e.preventDefault(); pick(it); },
    }, h("img", { src: pictureUrl(it.id, 64), alt: "" }), `${it.title} · ${it.id}`)));
    if (!items.length) list.replaceChildren(h("li", { class: "muted" }, "no image matches"));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(items.length ? 0 : -1);
  }
  input.addEventListener("input", () => {
    delete input.dataset.id;
    clearTimeout(timer);
    timer = setTimeout(() => search().catch(() => close()), 150);
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden || !items.length) return;
    if (e.key === "ArrowDown") { e.preventDefault(); highlight((active + 1) % items.length); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight((active - 1 + items.length) % items.length); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); pick(items[active]); }
    else if (e.key === "Escape") close();
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  return {
    set(item) { input.value = item.title; input.dataset.id = item.id; },
    get() { return input.dataset.id || null; },
  };
}

/** Resolve what a person typed in a picker: its picked id, else an exact id or file name. */
export async function resolveImage(input) {
  if (input.dataset.id) return input.dataset.id;
  const q = input.value.trim();
  if (!q) throw new Error(`Choose an image for "${input.labels[0]?.textContent || input.name}".`);
  const found = await api(`/api/images?q=${encodeURIComponent(q)}&limit=2`);
  const exact = found.results.find((r) => r.id === q || r.title === q);
  if (exact) return exact.id;
  if (found.total === 1) return found.results[0].id;
  throw new Error(found.total ? `"${q}" matches ${found.total} images: pick one from the list.`
    : `No image matches "${q}".`);
}

const MAX_UPLOAD = 20 * 1024 * 1024;

/**
 * The upload/drop box: a file input plus a drop zone; shows the neighbours of the
 * picture it is given. Bad files say why (type, size, the server's reason).
 */
export function uploadBox(root) {
  const input = root.querySelector("input[type=file]");
  const kInput = root.querySelector("input[name=k]");
  const out = root.querySelector(".upload-results");
  const error = root.querySelector(".message");
  const status = root.querySelector(".status");

  async function send(file) {
    showError(error, null);
    out.replaceChildren();
    if (!file) return;
    if (file.type && !file.type.startsWith("image/")) {
      showError(error, new Error(`"${file.name}" is not an image (${file.type}): choose a JPEG, PNG or WebP file.`));
      return;
    }
    if (file.size > MAX_UPLOAD) {
      showError(error, new Error(`"${file.name}" is ${(file.size / 1048576).toFixed(1)} MB: the limit is 20 MB.`));
      return;
    }
    const form = new FormData();
    form.append("file", file);
    status.textContent = `Looking for images like ${file.name}…`;
    try {
      const k = kInput ? kInput.value : 9;
      const found = await api(`/api/neighbors?k=${encodeURIComponent(k)}`, { method: "POST", body: form });
      out.replaceChildren(h("h3", {}, `Images like ${file.name}`), imageGrid(found.results));
    } catch (err) {
      showError(error, new Error(`Cannot search with "${file.name}": ${err.message}`));
    } finally {
      status.textContent = "";
    }
  }
  input.addEventListener("change", () => send(input.files[0]));
  root.addEventListener("dragover", (e) => { e.preventDefault(); root.classList.add("over"); });
  root.addEventListener("dragleave", () => root.classList.remove("over"));
  root.addEventListener("drop", (e) => {
    e.preventDefault();
    root.classList.remove("over");
    send(e.dataTransfer.files[0]);
  });
  return { send };
}

export const UPLOAD_HTML = `
  <h2 id="upload-h">Search with an outside image</h2>
  <p>Drop an image here or <label>choose a file <input type="file" accept="image/*" name="file"></label>
  <label>k <input type="number" name="k" min="1" max="100" value="9" style="width:4em"></label></p>
  <p class="status" role="status" aria-live="polite"></p>
  <p class="message" role="alert"></p>
  <div class="upload-results"></div>`;
