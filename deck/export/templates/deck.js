// The offline deck's own script (inlined by deck.html.j2): videos and posters from
// base64 to blob: URLs, reveal.js's settings, the overview's last frames, and the keys:
// Space plays or pauses (as in the live presenter), never "next slide".
(function () {
  function blobUrl(dataUri) {
    var comma = dataUri.indexOf(",");
    var mime = dataUri.slice(5, comma).split(";")[0];
    var b64 = dataUri.slice(comma + 1);
    var bytes;
    if (Uint8Array.fromBase64) {
      bytes = Uint8Array.fromBase64(b64);
    } else {
      var bin = atob(b64);
      bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    }
    return URL.createObjectURL(new Blob([bytes], { type: mime }));
  }
  // [section, first frame, last frame] as blob: URLs
  var posters = [];
  document.querySelectorAll(".reveal .slides > section").forEach(function (section) {
    if (section.hasAttribute("data-deck-video")) {  // the small deck has pictures only
      section.setAttribute("data-background-video", blobUrl(section.getAttribute("data-deck-video")));
      section.removeAttribute("data-deck-video");
    }
    var poster = blobUrl(section.getAttribute("data-deck-poster"));
    var overview = section.getAttribute("data-deck-overview");  // the small deck: the poster
    posters.push([section, poster, overview ? blobUrl(overview) : poster]);
    section.removeAttribute("data-deck-poster");
    section.removeAttribute("data-deck-overview");
  });
  // The talk's length in seconds (pacing timer of the speaker view), if one was given.
  var totalTime = Number(document.querySelector(".reveal").getAttribute("data-deck-total-time"));

  // reveal.js hands plugins its deck instance, whose keyboard holds the help's key list.
  // Kept in this closure, not on the plugin: the speaker view receives the config (its
  // plugins included) as JSON, and a deck there would make it circular (no pacing timer).
  var revealDeck = null;
  var help = { id: "deck-help", init: function (deck) { revealDeck = deck; } };

  Reveal.initialize({
    plugins: [RevealNotes, RevealZoom, help],
    // Alt+click zooms (2×) into the point clicked, and out again; Escape zooms out. The
    // plugin's default on Linux is Ctrl+click: one key, named in the help, everywhere.
    zoomKey: "alt",
    // 100% x 100% plus background-size contain: fills any window, letterboxed.
    width: "100%",
    height: "100%",
    margin: 0,
    controls: false,
    progress: false,
    // Every frame carries the deck-wide slide number (and the PDF, PPTX and live presenter
    // show the same): a second counter from reveal.js would only cover part of the slide.
    slideNumber: false,
    // Escape closes an overlay, else opens the overview, as reveal.js does, except while
    // the slide is zoomed (Alt+click): then it only zooms out (the zoom plugin's own key).
    keyboard: {
      27: function () {
        var zoomed = document.documentElement.classList.contains("zoomed");
        if (Reveal.isOverlayOpen()) Reveal.toggleHelp(false);  // closes the open overlay
        else if (!zoomed) Reveal.toggleOverview();
      }
    },
    navigationMode: "linear",
    // Never switch narrow windows to the scroll view: a video deck is watched slide by slide.
    scrollActivationWidth: null,
    hash: false,
    history: false,
    transition: "none",
    backgroundTransition: "none",
    // Videos within this many slides are created (and decoded) ahead of time.
    viewDistance: 3,
    autoSlide: 0,
    help: true,
    pause: true,
    totalTime: totalTime || undefined
  });

  // Paint each slide's first frame (column 1) or, in the overview, its last (column 2).
  function paintPosters(column) {
    posters.forEach(function (entry) {
      var background = entry[0].slideBackgroundElement;
      if (background) background.style.backgroundImage = "url(" + entry[column] + ")";
    });
  }
  Reveal.on("ready", function () { paintPosters(1); });
  Reveal.on("overviewshown", function () { paintPosters(2); });
  Reveal.on("overviewhidden", function () { paintPosters(1); });

  // The help overlay (?) lists each key once: Space is taken out of reveal.js's
  // "next slide" keys (it is bound below), the clickers' Page Down / Page Up (which
  // reveal.js already handles) are named, navigation comes first, and B / . say what
  // they do. After "ready": reveal.js fills the list while it starts.
  Reveal.on("ready", function () {
    var shortcuts = revealDeck.keyboard.getShortcuts();
    var others = {};
    Object.keys(shortcuts).forEach(function (keys) {
      var navigation = /SPACE/.test(keys) || /^(Next|Previous) slide$/.test(shortcuts[keys]);
      if (!navigation) others[keys] = shortcuts[keys];
      delete shortcuts[keys];
    });
    shortcuts["&#8594;  ,  &#8595;  ,  PAGE DOWN  ,  N  ,  L  ,  J"] = "Next slide";
    shortcuts["&#8592;  ,  &#8593;  ,  PAGE UP  ,  P  ,  H  ,  K"] = "Previous slide";
    Object.assign(shortcuts, others);
    shortcuts["B  ,  ."] = "Black screen (press again to resume)";
    shortcuts["ALT  +  CLICK"] = "Zoom into the point clicked (again, or Esc: out)";
  });

  // Space plays or pauses the current slide's video; that is all it does.
  Reveal.addKeyBinding({ keyCode: 32, key: "SPACE", description: "Play / pause the video" },
    function () {
      var video = Reveal.getCurrentSlide().slideBackgroundContentElement
        .querySelector("video");
      if (!video) return;
      if (video.paused) video.play();
      else video.pause();
    });
})();
