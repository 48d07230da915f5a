// The KV-cache calculator (included by kv_calculator.html.j2 inside its .kvc element).
// Every figure is deck/model.py's Model.kv_cache_bytes on the constants the export wrote
// into data-calculator, computed in BigInt: exact at any size, as Python's integers are.
(function () {
  "use strict";
  var root = document.currentScript.parentElement;
  var data = JSON.parse(root.getAttribute("data-calculator"));
  var models = {};
  data.models.forEach(function (m) { models[m.name] = m; });
  var dtypeBytes = {};
  data.dtypes.forEach(function (pair) { dtypeBytes[pair[0]] = pair[1]; });
  var steps = data.token_steps;
  var log2Min = Math.log2(steps[0]);
  var log2Span = Math.log2(steps[steps.length - 1]) - log2Min;

  var field = function (name) { return root.querySelector("[name=\"" + name + "\"]"); };
  var model = field("model"), tokens = field("tokens"), batch = field("batch");
  var dtype = field("dtype");
  var context = root.querySelector(".kvc-context");
  var lastBatch = data.batch[0];

  // ── deck/model.py: Model.cached_tokens and Model.kv_cache_bytes ──────────
  function cachedTokens(m, n) {
    // a sliding-window layer keeps at most its window
    if (!m.windows.length) return BigInt(m.layers) * n;
    return m.windows.reduce(function (sum, w) {
      return sum + (w === null || n < BigInt(w) ? n : BigInt(w));
    }, 0n);
  }

  function kvCacheBytes(m, n, kvHeads, batchSize, dtypeName) {
    var perTokenLayer = 2n * BigInt(kvHeads) * BigInt(m.head_dim);
    return perTokenLayer * BigInt(dtypeBytes[dtypeName]) * BigInt(batchSize) *
      cachedTokens(m, BigInt(n));
  }

  // ── deck/format.py: integer and nbytes ──────────────────────────────────
  function integer(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function nbytes(count) {
    // as deck/format.py's nbytes: exact integers, one decimal, halves rounded up
    var n = BigInt(count);
    var units = data.units, unit = 0, scale = 1n;
    while (unit < units.length - 1 && n >= scale * 1024n) {
      scale *= 1024n;
      unit += 1;
    }
    var tenths = (n * 10n) / scale, rest = (n * 10n) % scale;
    if (2n * rest >= scale) tenths += 1n;
    var text = String(tenths / 10n) + "." + String(tenths % 10n);
    return text.replace(/\.0$/, "") + " " + units[unit];
  }

  // ── the page ──────────────────────────────────────────────────────────────
  function at(n) {
    // where n tokens sit on the slider's log scale, 0 to 1
    return (Math.log2(n) - log2Min) / log2Span;
  }

  function share(part, whole) {
    return Number((part * 100000n) / whole) / 1000 + "%";
  }

  function plural(count, word) {
    return integer(count) + " " + word + (count === 1 ? "" : "s");
  }

  function readBatch() {
    var text = batch.value.trim();
    var value = /^\d+$/.test(text) ? Number(text) : NaN;
    var valid = value >= data.batch[0] && value <= data.batch[1];
    batch.setAttribute("aria-invalid", valid ? "false" : "true");
    if (valid) lastBatch = value;
    return lastBatch;
  }

  function showWindows(m) {
    var windows = m.windows.filter(function (w) { return w !== null; });
    var note = "";
    if (windows.length) {
      var low = Math.min.apply(null, windows), high = Math.max.apply(null, windows);
      var span = low === high ? integer(low) : integer(low) + "–" + integer(high);
      note = "Sliding window: " + windows.length + " of " + m.layers +
        " layers keep only the last " + span + " tokens.";
    }
    root.querySelector(".kvc-status").textContent = note;
  }

  function showMaxLength(m, n) {
    var where = at(m.max_len);
    var label = (n > m.max_len ? "past the max length, " : "max length ") + integer(m.max_len);
    if (where > 1) label += " →";
    if (where < 0) label = "← " + label;
    context.style.setProperty("--kvc-max-at", String(Math.min(Math.max(where, 0), 1)));
    context.toggleAttribute("data-max-outside", where < 0 || where > 1);
    context.toggleAttribute("data-past-max", n > m.max_len);
    root.querySelector(".kvc-max-label").textContent = label;
  }

  function update() {
    var m = models[model.value];
    var n = steps[Number(tokens.value)];
    var b = readBatch();
    var shown = m.variants.map(function (variant) {
      var row = root.querySelector("[data-kv=\"" + variant[0].toLowerCase() + "\"]");
      var note = plural(variant[1], "KV head");
      return [row, kvCacheBytes(m, n, variant[1], b, dtype.value), note];
    });
    var weights = BigInt(m.weight_bytes);
    shown.push([root.querySelector("[data-weights]"), weights,
      integer(m.params) + " × " + m.dtype]);
    var largest = shown.reduce(function (top, s) { return s[1] > top ? s[1] : top; }, 1n);
    shown.forEach(function (s) {
      var row = s[0], bytes = s[1];
      row.setAttribute("data-bytes", String(bytes));
      row.querySelector(".kvc-value").textContent = nbytes(bytes);
      row.querySelector(".kvc-note").textContent = s[2];
      row.querySelector(".kvc-bar").style.setProperty("--kvc-share", share(bytes, largest));
    });
    var tokenText = plural(n, "token");
    root.querySelector(".kvc-tokens").textContent = tokenText;
    root.querySelector(".kvc-tokens").setAttribute("data-tokens", String(n));
    tokens.setAttribute("aria-valuetext", tokenText);
    root.querySelector(".kvc-sub").textContent = "K and V of " + plural(m.layers, "layer") +
      " × " + tokenText + " × batch " + b + ", in " + dtype.value;
    showMaxLength(m, n);
    showWindows(m);
  }

  steps.forEach(function (n) {
    if ((n & (n - 1)) !== 0) return;  // powers of two only: 1K, 2K, … 128K
    var mark = document.createElement("span");
    mark.textContent = n / 1024 + "K";
    mark.style.setProperty("--kvc-at", String(at(n)));
    root.querySelector(".kvc-scale").appendChild(mark);
  });

  // ── keyboard: a control keeps the keys it uses; Escape and page keys leave it ──
  // Leaving a control also moves the page's Tab starting point back to the slide's top
  // (focusing the calculator itself, which Tab never stops at, then nothing): the next
  // Tab enters at the first control, not after the one just left.
  function leave(control) {
    root.setAttribute("tabindex", "-1");
    root.focus({ preventScroll: true });
    root.blur();
    if (document.activeElement === control) control.blur();
  }
  var byPointer = false;
  root.addEventListener("pointerdown", function () { byPointer = true; });
  root.addEventListener("keydown", function (event) {
    byPointer = false;
    var control = event.target.closest("input, select");
    if (!control) return;
    if (event.key === "Escape" || event.key === "PageDown" || event.key === "PageUp") {
      // Back to the deck: Escape only leaves the control; a clicker's page keys leave it
      // and reach reveal.js, which turns the page now that nothing is focused.
      event.preventDefault();
      leave(control);
      if (event.key === "Escape") event.stopPropagation();
      return;
    }
    event.stopPropagation();  // arrows, Home, End, digits: the control's, not reveal.js's
  });
  // After a change made with the mouse, the keyboard goes back to the deck.
  root.addEventListener("change", function (event) {
    if (event.target === batch && batch.getAttribute("aria-invalid") === "true") {
      batch.value = String(lastBatch);
      update();
    }
    if (byPointer) leave(event.target);
  });
  [model, dtype].forEach(function (c) { c.addEventListener("change", update); });
  [tokens, batch].forEach(function (c) { c.addEventListener("input", update); });
  document.addEventListener("DOMContentLoaded", function () {
    Reveal.on("slidechanged", function () {
      if (root.contains(document.activeElement)) leave(document.activeElement);
    });
  });

  root.kvCalculator = { kvCacheBytes: kvCacheBytes, nbytes: nbytes, integer: integer };
  update();
})();
