// The atlas: every image of the collection on one <canvas>, placed by its 2-D map
// coordinates. Pan (drag, arrow keys), zoom (wheel, +/-), click or Enter to open.
// Level of detail: coloured dots when zoomed out; when few enough points are in view,
// small IIIF thumbnails of just those points, fetched lazily and kept as ImageBitmaps.

export const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#bab0ac", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];

const MAX_THUMBS_IN_VIEW = 1500; // above this, dots
const MIN_THUMB_PX = 14;         // below this on screen, dots
const CACHE_MAX = 4000;          // ImageBitmaps kept
const CONCURRENT = 6;            // thumbnail requests at once

export class Atlas {
  constructor(canvas, data, { onOpen, onFocus, tip } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.ids = data.ids;
    this.titles = data.titles;
    this.x = Float32Array.from(data.x);
    this.y = Float32Array.from(data.y);
    this.cluster = data.cluster || null;
    this.n = this.ids.length;
    this.onOpen = onOpen || (() => {});
    this.onFocus = onFocus || (() => {});
    this.tip = tip;
    this.spacing = 0.9 / Math.sqrt(Math.max(this.n, 1)); // world units per image
    this.cache = new Map();   // key -> ImageBitmap | "loading" | "failed"
    this.queue = [];
    this.inflight = 0;
    this.focused = -1;        // keyboard cursor: index of the image nearest the centre
    this.dirty = true;
    this.stats = { mode: "dots", thumbnails: 0, visible: 0 };
    this._buildBuckets();
    this._bind();
    this.resize();
    this.fit();
    this.dirty = false;
    this.draw(); // now, not at the next animation frame: the first data shows at once
    this.observer = new ResizeObserver(() => { this.resize(); this.request(); });
    this.observer.observe(canvas);
    const loop = () => {
      if (this.dead) return;
      if (this.dirty) { this.dirty = false; this.draw(); }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  request() { this.dirty = true; }

  /** Stop drawing and free the pictures (before a new atlas replaces this one). */
  destroy() {
    this.dead = true;
    this.observer.disconnect();
    for (const v of this.cache.values()) if (v && v.close) v.close();
    this.cache.clear();
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.w = Math.max(1, r.width);
    this.h = Math.max(1, r.height);
    this.canvas.width = Math.round(this.w * dpr);
    this.canvas.height = Math.round(this.h * dpr);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  fit() {
    let maxX = 0, maxY = 0;
    for (let i = 0; i < this.n; i++) { maxX = Math.max(maxX, this.x[i]); maxY = Math.max(maxY, this.y[i]); }
    // room for half a picture on every side
    const pad = this.spacing;
    this.scale = 0.96 * Math.min(this.w / (maxX + pad), this.h / (maxY + pad));
    this.ox = (this.w - maxX * this.scale) / 2;
    this.oy = (this.h - maxY * this.scale) / 2;
    this.request();
  }

  toScreen(i) { return [this.x[i] * this.scale + this.ox, this.y[i] * this.scale + this.oy]; }

  /** Screen position of an image (for tests and for the keyboard cursor). */
  screenPosition(id) {
    const i = this.ids.indexOf(id);
    return i < 0 ? null : this.toScreen(i);
  }

  zoom(factor, cx = this.w / 2, cy = this.h / 2) {
    const s = Math.min(Math.max(this.scale * factor, 20), 400 / this.spacing);
    factor = s / this.scale;
    this.ox = cx - (cx - this.ox) * factor;
    this.oy = cy - (cy - this.oy) * factor;
    this.scale = s;
    this.request();
  }

  pan(dx, dy) { this.ox += dx; this.oy += dy; this.request(); }

  _buildBuckets() {
    this.g = Math.max(1, Math.ceil(Math.sqrt(this.n) / 2));
    this.buckets = new Map();
    for (let i = 0; i < this.n; i++) {
      const key = this._cell(this.x[i]) * 100003 + this._cell(this.y[i]);
      if (!this.buckets.has(key)) this.buckets.set(key, []);
      this.buckets.get(key).push(i);
    }
  }

  _cell(v) { return Math.min(this.g - 1, Math.max(0, Math.floor(v * this.g))); }

  /** Index of the image nearest the screen point within radius px, or -1. */
  hit(sx, sy, radius) {
    const wx = (sx - this.ox) / this.scale, wy = (sy - this.oy) / this.scale;
    const wr = radius / this.scale;
    let best = -1, bestD = wr * wr;
    const c0 = this._cell(wx - wr), c1 = this._cell(wx + wr);
    const r0 = this._cell(wy - wr), r1 = this._cell(wy + wr);
    for (let cx = c0; cx <= c1; cx++) {
      for (let cy = r0; cy <= r1; cy++) {
        for (const i of this.buckets.get(cx * 100003 + cy) || []) {
          const d = (this.x[i] - wx) ** 2 + (this.y[i] - wy) ** 2;
          if (d <= bestD) { bestD = d; best = i; }
        }
      }
    }
    return best;
  }

  thumbSide() { return Math.min(this.spacing * this.scale, 192); }

  _thumb(i, size) {
    const key = `${this.ids[i]}@${size}`;
    const got = this.cache.get(key);
    if (got === undefined) { this.cache.set(key, "loading"); this.queue.push([key, i, size]); this._pump(); }
    if (got && got !== "loading" && got !== "failed") {
      this.cache.delete(key); this.cache.set(key, got); // most recently used last
      return got;
    }
    // a smaller picture while the sharper one loads
    const other = this.cache.get(`${this.ids[i]}@${size === 128 ? 64 : 128}`);
    return other && other !== "loading" && other !== "failed" ? other : null;
  }

  _pump() {
    while (this.inflight < CONCURRENT && this.queue.length) {
      const [key, i, size] = this.queue.pop(); // newest first: what is in view now
      const [sx, sy] = this.toScreen(i);
      if (sx < -50 || sy < -50 || sx > this.w + 50 || sy > this.h + 50) { this.cache.delete(key); continue; }
      this.inflight++;
      const url = `/iiif/${encodeURIComponent(this.ids[i])}/full/!${size},${size}/0/default.jpg`;
      fetch(url)
        .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(r.status))))
        .then((b) => createImageBitmap(b))
        .then((bmp) => { this.cache.set(key, bmp); this._evict(); })
        .catch(() => this.cache.set(key, "failed"))
        .finally(() => { this.inflight--; this.request(); this._pump(); });
    }
  }

  _evict() {
    while (this.cache.size > CACHE_MAX) {
      const [key, v] = this.cache.entries().next().value;
      if (v && v.close) v.close();
      this.cache.delete(key);
    }
  }

  colour(i) { return this.cluster ? PALETTE[this.cluster[i] % PALETTE.length] : "#8ab4f8"; }

  draw() {
    const { ctx, w, h } = this;
    ctx.fillStyle = "#15181b";
    ctx.fillRect(0, 0, w, h);
    const side = this.thumbSide();
    const visible = [];
    for (let i = 0; i < this.n; i++) {
      const sx = this.x[i] * this.scale + this.ox, sy = this.y[i] * this.scale + this.oy;
      if (sx > -side && sy > -side && sx < w + side && sy < h + side) visible.push(i);
    }
    const thumbs = side >= MIN_THUMB_PX && visible.length <= MAX_THUMBS_IN_VIEW;
    for (const [key] of this.queue) this.cache.delete(key); // only what is in view now
    this.queue.length = 0;
    let drawn = 0;
    if (thumbs) {
      const size = side * (window.devicePixelRatio || 1) > 64 ? 128 : 64;
      for (const i of visible) {
        const [sx, sy] = this.toScreen(i);
        const bmp = this._thumb(i, size);
        if (bmp) {
          const f = side / Math.max(bmp.width, bmp.height);
          const bw = bmp.width * f, bh = bmp.height * f;
          ctx.drawImage(bmp, sx - bw / 2, sy - bh / 2, bw, bh);
          if (this.cluster) {
            ctx.strokeStyle = this.colour(i);
            ctx.lineWidth = Math.max(1, side / 24);
            ctx.strokeRect(sx - bw / 2, sy - bh / 2, bw, bh);
          }
          drawn++;
        } else {
          // Its place, the size of the picture, while the picture loads.
          ctx.fillStyle = "#2b3036";
          ctx.fillRect(sx - side / 2, sy - side / 2, side, side);
          ctx.fillStyle = this.colour(i);
          ctx.fillRect(sx - 3, sy - 3, 6, 6);
        }
      }
    } else {
      const r = Math.max(1.5, Math.min(4, side / 3));
      for (const i of visible) {
        ctx.fillStyle = this.colour(i);
        const [sx, sy] = this.toScreen(i);
        ctx.fillRect(sx - r, sy - r, 2 * r, 2 * r);
      }
    }
    if (this.focused >= 0 && document.activeElement === this.canvas) {
      const [sx, sy] = this.toScreen(this.focused);
      const r = Math.max(8, side / 2 + 3);
      ctx.strokeStyle = "#f0a30a";
      ctx.lineWidth = 3;
      ctx.strokeRect(sx - r, sy - r, 2 * r, 2 * r);
    }
    this.stats = { mode: thumbs ? "thumbnails" : "dots", thumbnails: drawn, visible: visible.length };
    this.canvas.dataset.mode = this.stats.mode;
    this.canvas.dataset.visible = String(visible.length);
    this.canvas.dataset.thumbnails = String(drawn);
  }

  _focusCentre() {
    const i = this.hit(this.w / 2, this.h / 2, Math.max(this.w, this.h));
    if (i !== this.focused) { this.focused = i; if (i >= 0) this.onFocus(i); }
    this.request();
  }

  _bind() {
    const c = this.canvas;
    let drag = null;
    c.addEventListener("pointerdown", (e) => {
      c.setPointerCapture(e.pointerId);
      drag = { x: e.clientX, y: e.clientY, moved: 0 };
    });
    c.addEventListener("pointermove", (e) => {
      const r = c.getBoundingClientRect();
      if (drag) {
        const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        drag.moved += Math.abs(dx) + Math.abs(dy);
        drag.x = e.clientX; drag.y = e.clientY;
        this.pan(dx, dy);
      }
      const i = this.hit(e.clientX - r.left, e.clientY - r.top, Math.max(6, this.thumbSide() / 2));
      if (this.tip) {
        this.tip.hidden = i < 0;
        if (i >= 0) {
          this.tip.textContent = this.titles[i];
          this.tip.style.left = `${e.clientX - r.left + 12}px`;
          this.tip.style.top = `${e.clientY - r.top + 12}px`;
        }
      }
      c.style.cursor = i >= 0 ? "pointer" : "grab";
    });
    c.addEventListener("pointerup", (e) => {
      const r = c.getBoundingClientRect();
      const click = drag && drag.moved < 5;
      drag = null;
      if (!click) return;
      const i = this.hit(e.clientX - r.left, e.clientY - r.top, Math.max(6, this.thumbSide() / 2));
      if (i >= 0) this.onOpen(this.ids[i]);
    });
    c.addEventListener("pointerleave", () => { if (this.tip) this.tip.hidden = true; });
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = c.getBoundingClientRect();
      this.zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    c.addEventListener("dblclick", (e) => {
      const r = c.getBoundingClientRect();
      this.zoom(2, e.clientX - r.left, e.clientY - r.top);
    });
    c.addEventListener("focus", () => this._focusCentre());
    c.addEventListener("blur", () => this.request());
    c.addEventListener("keydown", (e) => {
      const step = 60;
      const keys = {
        ArrowLeft: () => this.pan(step, 0), ArrowRight: () => this.pan(-step, 0),
        ArrowUp: () => this.pan(0, step), ArrowDown: () => this.pan(0, -step),
        "+": () => this.zoom(1.4), "=": () => this.zoom(1.4), "-": () => this.zoom(1 / 1.4),
        "0": () => this.fit(),
        Enter: () => { if (this.focused >= 0) this.onOpen(this.ids[this.focused]); },
      };
      if (keys[e.key]) { e.preventDefault(); keys[e.key](); if (e.key !== "Enter") this._focusCentre(); }
    });
  }
}
