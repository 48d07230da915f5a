// `deck serve`'s script in the deck's page (deck/commands/serve.py adds it before
// </body>, with the #deck-serve element it reads). The speaker's page (its URL carries
// the token) posts each slide and fragment it shows and obeys the remote's next and
// previous; every other page follows the posted slide and cannot drive. Q shows the
// QR code of the audience address; with --qr the title slide shows it too.
(function () {
  "use strict";
  // The speaker view (S) shows this page in frames (this slide, the next one), which the
  // speaker's window drives: they neither follow nor post (the next one would lead).
  if (window.top !== window.self) return;
  var box = document.getElementById("deck-serve");
  var speaker = box.getAttribute("data-role") === "speaker";
  var titleQr = box.hasAttribute("data-title-qr");
  var token = new URLSearchParams(location.search).get("token") || "";
  // The keys a follower keeps: full screen (F), the QR code (Q), the key list (?), its
  // own video's play or pause (Space), black screen (B, .). Every other key navigates.
  var FOLLOWER_KEYS = [70, 81, 191, 32, 66, 190];
  var applying = false;  // a slide shown because it was posted, not chosen here
  // This page's name in the states it posts: the states it hears back are its own past
  // ones (a later slide may be showing by then), which it must not go back to.
  var page = Array.from(crypto.getRandomValues(new Uint8Array(8)), function (b) {
    return (b + 256).toString(16).slice(1);
  }).join("");

  function indices() {
    var i = Reveal.getIndices();
    return { h: i.h, v: i.v || 0, f: typeof i.f === "number" ? i.f : null };
  }

  function same(a, b) { return a.h === b.h && a.v === b.v && a.f === b.f; }

  // Only a slide that differs moves the page: a repeated state must not reset what a
  // follower does on its own slide (the calculator's inputs).
  function show(state) {
    if (state.by === page || same(state, indices())) return;
    applying = true;
    try { Reveal.slide(state.h, state.v, state.f === null ? undefined : state.f); }
    finally { applying = false; }
    placeQr();
  }

  // One post at a time, the latest state last: two posts in flight could arrive in the
  // wrong order and leave the room one slide behind.
  var posting = false, posted = null;
  function post() {
    var state = indices();
    if (posting || (posted && same(posted, state))) return;
    posting = true;
    fetch("/state?token=" + encodeURIComponent(token), {
      method: "POST", body: JSON.stringify(Object.assign({ by: page }, state)),
      cache: "no-store"
    }).then(function (answer) {
      if (answer.ok) posted = state;
      return answer.ok;
    }).catch(function () { return false; }).then(function (ok) {
      posting = false;
      if (ok && !same(indices(), state)) post();  // (a failed post waits for the next move)
    });
  }

  function moved() {
    placeQr();
    if (speaker && !applying) post();
  }

  // The QR code: the whole overlay on Q (or a click on it to close), a corner of the
  // title slide with --qr.
  var shown = false;
  function placeQr() {
    var corner = titleQr && !shown && Reveal.getIndices().h === 0;
    box.className = shown ? "deck-serve-full" : corner ? "deck-serve-corner" : "";
    box.hidden = !shown && !corner;
  }
  function toggleQr() { shown = !shown; placeQr(); }
  box.addEventListener("click", function () { if (shown) toggleQr(); });

  function start() {
    Reveal.addKeyBinding(
      { keyCode: 81, key: "Q", description: "QR code of the audience address" }, toggleQr);
    ["slidechanged", "fragmentshown", "fragmenthidden"].forEach(function (name) {
      Reveal.on(name, moved);
    });
    if (!speaker) {
      Reveal.configure({
        touch: false,
        keyboardCondition: function (event) {
          return FOLLOWER_KEYS.indexOf(event.keyCode) >= 0;
        }
      });
    }
    var events = new EventSource(speaker ? "/events?token=" + encodeURIComponent(token)
                                         : "/events");
    // data-connected: the page hears the speaker (EventSource reconnects by itself)
    events.addEventListener("open", function () { box.setAttribute("data-connected", ""); });
    events.addEventListener("error", function () { box.removeAttribute("data-connected"); });
    events.addEventListener("state", function (e) { show(JSON.parse(e.data)); });
    events.addEventListener("command", function (e) {
      if (e.data === "next") Reveal.next();
      else if (e.data === "prev") Reveal.prev();
    });
    placeQr();
  }
  if (Reveal.isReady()) start(); else Reveal.on("ready", start);
})();
