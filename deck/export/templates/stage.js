// The speaker's tools over the offline deck (inlined by deck.html.j2 after deck.js):
//   X  a pointer: a dot that follows the mouse (again: off)
//   D  a pen: draw on the slide with the mouse (again: off); C clears the slide's marks
//   the speaker view (S) gains a rehearsal: each slide's time against its plan, a CSV.
// Clickers send Page Up / Page Down, B or "." and F5 / Esc: none of these keys.
// The marks live in this page's memory only, per slide: the speaker view's frames (loaded
// with ?receiver) run none of this, and every export is made from the videos.
// Written here, not taken from reveal.js-plugins' chalkboard (4.6, on npm): it loads its
// pen cursors as images beside its script file and draws its buttons with Font Awesome,
// neither of which a single inlined offline page has.
(function () {
  if (/receiver/i.test(window.location.search)) return;

  var revealElement = document.querySelector(".reveal");
  var colours = revealElement.getAttribute("data-deck-marks").split(" ");  // theme.py's
  var INK = colours[0], EDGE = colours[1];
  var ASPECT = 16 / 9;  // every quality renders 16:9 (deck/build/quality.py)
  // Sizes as shares of the slide's width, so that a mark looks the same in any window:
  var PEN = 0.0035;  // 6.7 px at 1080p, as the deck's own outlines (theme.STROKE_HIGHLIGHT)
  var PEN_EDGE = 0.0015;  // the background-coloured edge that keeps a mark legible on ink
  var POINTER = 0.014;  // 27 px at 1080p: seen from the back of a room
  var Z_MARKS = 40;  // above the slides and the live calculator, under reveal.js' overlays

  // The 16:9 picture inside a box (the slides are letterboxed, background-size contain).
  function fit(left, top, width, height) {
    var w = Math.min(width, height * ASPECT), h = w / ASPECT;
    return { left: left + (width - w) / 2, top: top + (height - h) / 2, width: w, height: h };
  }
  // Where an event falls on the slide, 0–1 on each axis: through the zoom's transform.
  function onSlide(event) {
    var r = revealElement.getBoundingClientRect();
    var box = fit(r.left, r.top, r.width, r.height);
    return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
  }
  function slideKey() {
    var i = Reveal.getIndices();
    return i.h + "." + (i.v || 0);
  }

  // ── the pen: strokes per slide, in slide coordinates; the canvas zooms with the page
  var canvas = document.createElement("canvas");
  canvas.id = "deck-marks";
  canvas.style.cssText = "position:fixed;left:0;top:0;width:100%;height:100%;" +
    "pointer-events:none;touch-action:none;cursor:crosshair;z-index:" + Z_MARKS;
  document.body.appendChild(canvas);
  var strokes = {};  // slide key → [[ [x, y], … ], …]
  var drawing = null;  // the stroke being drawn
  var penOn = false;

  function paint() {
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(window.innerWidth * ratio);
    canvas.height = Math.round(window.innerHeight * ratio);
    var g = canvas.getContext("2d");
    g.clearRect(0, 0, canvas.width, canvas.height);
    var box = fit(0, 0, canvas.width, canvas.height);
    g.lineCap = "round";
    g.lineJoin = "round";
    [[EDGE, PEN + 2 * PEN_EDGE], [INK, PEN]].forEach(function (pass) {
      g.strokeStyle = pass[0];
      g.lineWidth = pass[1] * box.width;
      (strokes[slideKey()] || []).forEach(function (stroke) {
        g.beginPath();
        stroke.forEach(function (p, n) {
          var x = box.left + p[0] * box.width, y = box.top + p[1] * box.height;
          if (n === 0) { g.moveTo(x, y); g.lineTo(x + 0.01, y); } else g.lineTo(x, y);
        });
        g.stroke();
      });
    });
  }
  canvas.addEventListener("pointerdown", function (event) {
    if (!penOn) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = [onSlide(event)];
    (strokes[slideKey()] = strokes[slideKey()] || []).push(drawing);
    paint();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    drawing.push(onSlide(event));
    paint();
  });
  ["pointerup", "pointercancel"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = null; });
  });
  function setPen(on) {
    penOn = on;
    drawing = null;
    canvas.style.pointerEvents = on ? "auto" : "none";
    if (on) setPointer(false);
  }

  // ── the pointer: on <html>, outside the zoomed <body>, so it stays under the mouse
  var dot = document.createElement("div");
  dot.id = "deck-pointer";
  dot.style.cssText = "position:fixed;display:none;pointer-events:none;border-radius:50%;" +
    "transform:translate(-50%,-50%);z-index:" + (Z_MARKS + 1) + ";background:" + INK +
    ";box-shadow:0 0 0 3px " + EDGE + ",0 0 18px 6px " + INK + ";";
  document.documentElement.appendChild(dot);
  var pointerOn = false;
  function setPointer(on) {
    pointerOn = on;
    dot.style.display = on ? "block" : "none";
    document.documentElement.style.cursor = on ? "none" : "";
    if (on) setPen(false);
  }
  document.addEventListener("pointermove", function (event) {
    if (!pointerOn) return;
    var r = revealElement.getBoundingClientRect();
    var size = POINTER * fit(r.left, r.top, r.width, r.height).width + "px";
    dot.style.width = dot.style.height = size;
    dot.style.left = event.clientX + "px";
    dot.style.top = event.clientY + "px";
  });

  Reveal.addKeyBinding({ keyCode: 68, key: "D", description: "Pen: draw with the mouse (again: stop)" },
    function () { setPen(!penOn); });
  Reveal.addKeyBinding({ keyCode: 67, key: "C", description: "Clear this slide's drawing" },
    function () { delete strokes[slideKey()]; paint(); });
  Reveal.addKeyBinding({ keyCode: 88, key: "X", description: "Pointer (again: off)" },
    function () { setPointer(!pointerOn); });
  Reveal.on("slidechanged", paint);
  Reveal.on("overviewshown", function () { canvas.style.display = "none"; });
  Reveal.on("overviewhidden", function () { canvas.style.display = ""; paint(); });
  window.addEventListener("resize", paint);
  paint();

  // ── the rehearsal, shown in the speaker view: the time on each slide against its plan
  var sections = Array.prototype.slice.call(document.querySelectorAll(".reveal .slides > section"));
  var plan = sections.map(function (s) { return Number(s.getAttribute("data-deck-plan")) || 0; });
  var firstWords = sections.map(function (s) {
    var notes = s.querySelector("aside.notes");
    return notes ? notes.textContent.trim().split(/\s+/).slice(0, 8).join(" ") : "";
  });
  var basis = revealElement.getAttribute("data-deck-plan-basis") || "";
  var STORE = "deck-rehearsal:" + document.title;
  var TICK_MS = 500;
  var run = null;  // {took: [ms per slide], seen: [bool per slide], at: index, since: ms}
  var views = [];  // the speaker views' documents the panel is in

  function current() { return sections.indexOf(Reveal.getCurrentSlide()); }
  function clock(seconds) {
    var s = Math.round(Math.abs(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function signed(seconds) {
    var s = Math.round(seconds);
    return (s > 0 ? "+" : s < 0 ? "\u2212" : "\u00b1") + clock(s);
  }
  function account() {
    var now = performance.now();
    if (run.at >= 0) { run.took[run.at] += now - run.since; run.seen[run.at] = true; }
    run.since = now;
  }
  // The slides the rehearsal showed (a part of the talk can be rehearsed), in order.
  function rows() {
    return plan.map(function (p, i) {
      return { slide: i + 1, plan: p, took: run.took[i] / 1000, words: firstWords[i] };
    }).filter(function (row, i) { return run.seen[i]; });
  }
  function start() {
    var none = plan.map(function () { return 0; });
    run = { took: none, seen: none.map(Boolean), at: current(), since: performance.now() };
    show();
  }
  function stop() {
    account();
    var result = { when: new Date().toISOString(), basis: basis, rows: rows() };
    try { localStorage.setItem(STORE, JSON.stringify(result)); } catch (e) { /* private mode */ }
    run = null;
    show();
  }
  Reveal.on("slidechanged", function () {
    if (!run) return;
    account();
    run.at = current();
  });
  function last() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }
  function csv(result) {
    var lines = ["slide,plan_seconds,took_seconds,difference_seconds,notes"];
    result.rows.forEach(function (r) {
      var took = Math.round(r.took);
      lines.push([r.slide, r.plan, took, took - r.plan,
        '"' + r.words.replace(/"/g, '""') + '"'].join(","));
    });
    return lines.join("\n") + "\n";
  }

  var STYLE = ".deck-rehearsal{padding:10px 16px;border-bottom:1px solid rgba(200,200,200,.5);}" +
    ".deck-rehearsal .label{text-transform:uppercase;font-weight:normal;font-size:.66em;" +
    "opacity:.6;margin:0;}" +
    ".deck-rehearsal button{font:inherit;padding:4px 12px;margin-right:8px;cursor:pointer;}" +
    ".deck-rehearsal .status{margin:6px 0;font-size:1.2em;}" +
    ".deck-rehearsal table{border-collapse:collapse;margin-top:6px;font-size:.9em;}" +
    ".deck-rehearsal td,.deck-rehearsal th{padding:1px 10px;text-align:right;}" +
    ".deck-rehearsal .over{font-weight:bold;}";  // the sign says which way; no hue to learn

  function attach(doc) {
    if (views.indexOf(doc) >= 0 || !doc.getElementById("speaker-controls")) return;
    var style = doc.createElement("style");
    style.textContent = STYLE;
    doc.head.appendChild(style);
    var panel = doc.createElement("div");
    panel.className = "deck-rehearsal";
    panel.id = "deck-rehearsal";
    panel.innerHTML = '<h4 class="label">Rehearsal</h4><div class="status"></div>' +
      '<button type="button" class="toggle"></button>' +
      '<button type="button" class="csv">Download CSV</button><div class="result"></div>';
    var controls = doc.getElementById("speaker-controls");
    controls.insertBefore(panel, controls.querySelector(".speaker-controls-notes"));
    // The plugin copies a slide's notes in without their <aside dir="auto">: the notes'
    // box takes its direction from its text too (Arabic and Hebrew notes flush right).
    var notes = doc.querySelector(".speaker-controls-notes .value");
    if (notes) notes.dir = "auto";
    panel.querySelector(".toggle").addEventListener("click", function () {
      if (run) stop(); else start();
    });
    panel.querySelector(".csv").addEventListener("click", function () {
      var result = last();
      if (!result) return;
      var link = doc.createElement("a");
      link.href = URL.createObjectURL(new Blob([csv(result)], { type: "text/csv" }));
      link.download = "rehearsal.csv";
      doc.body.appendChild(link);
      link.click();
      link.remove();
    });
    views.push(doc);
    show();
  }
  function table(doc, result) {
    var t = doc.createElement("table");
    var head = t.insertRow();
    ["Slide", "Plan", "Took", "Difference"].forEach(function (name) {
      var th = doc.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    });
    var total = { plan: 0, took: 0 };
    result.rows.forEach(function (r) {
      total.plan += r.plan;
      total.took += r.took;
      addRow(t, r.slide, r.plan, r.took);
    });
    addRow(t, "All", total.plan, total.took);
    return t;
  }
  function addRow(t, name, planned, took) {
    var row = t.insertRow();
    var difference = Math.round(took) - planned;
    [name, clock(planned), clock(took), signed(difference)].forEach(function (text) {
      row.insertCell().textContent = text;
    });
    row.cells[3].className = difference > 0 ? "over" : "";
  }
  function show() {
    views = views.filter(function (doc) {
      try { return !!doc.defaultView && !doc.defaultView.closed; } catch (e) { return false; }
    });
    var result = last();
    views.forEach(function (doc) {
      var panel = doc.getElementById("deck-rehearsal");
      if (!panel) return;
      var status = panel.querySelector(".status");
      panel.querySelector(".toggle").textContent = run ? "Stop" : "Start rehearsal";
      panel.querySelector(".csv").disabled = !result || !!run;
      var box = panel.querySelector(".result");
      box.textContent = "";
      if (run) {
        account();
        var i = run.at, here = run.took[i] / 1000, so = 0, planned = 0;
        for (var n = 0; n < plan.length; n++) {
          if (run.seen[n]) { so += run.took[n] / 1000; planned += plan[n]; }
        }
        status.textContent = "Slide " + (i + 1) + ": " + clock(here) + " of " + clock(plan[i]) +
          " (" + signed(here - plan[i]) + "); so far " + clock(so) + " against " +
          clock(planned) + " (" + signed(so - planned) + ")";
      } else if (result) {
        status.textContent = "Last rehearsal, " + result.when.slice(0, 16).replace("T", " ") +
          " UTC, against " + result.basis + ":";
        box.appendChild(table(doc, result));
      } else {
        status.textContent = "Times each slide against its plan (" + basis + ").";
      }
    });
  }
  setInterval(function () { if (run && views.length) show(); }, TICK_MS);
  // The speaker view (reveal.js' notes plugin) sends a heartbeat every second from its
  // own window, which this page opened: the panel goes into that window's controls.
  window.addEventListener("message", function (event) {
    var data = null;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (!data || data.namespace !== "reveal-notes" || data.type !== "heartbeat") return;
    try { attach(event.source.document); } catch (e) { /* a window of another origin */ }
  });
})();
