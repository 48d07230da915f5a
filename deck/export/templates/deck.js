// The offline deck's own script (inlined by deck.html.j2): videos and posters from
// base64 to blob: URLs, reveal.js's settings, and Space to play or pause.
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
  var posters = [];
  document.querySelectorAll(".reveal .slides > section").forEach(function (section) {
    section.setAttribute("data-background-video", blobUrl(section.getAttribute("data-deck-video")));
    section.removeAttribute("data-deck-video");
    posters.push([section, blobUrl(section.getAttribute("data-deck-poster"))]);
    section.removeAttribute("data-deck-poster");
  });

  Reveal.initialize({
    plugins: [RevealNotes],
    // 100% x 100% plus background-size contain: fills any window, letterboxed.
    width: "100%",
    height: "100%",
    margin: 0,
    controls: false,
    progress: false,
    slideNumber: "c/t",
    showSlideNumber: "all",
    keyboard: true,
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
    pause: true
  });

  Reveal.on("ready", function () {
    posters.forEach(function (pair) {
      var background = pair[0].slideBackgroundElement;
      if (background) background.style.backgroundImage = "url(" + pair[1] + ")";
    });
  });

  // Space plays or pauses the current slide's video.
  Reveal.addKeyBinding({ keyCode: 32, key: "Space", description: "Play / pause video" },
    function () {
      var video = Reveal.getCurrentSlide().slideBackgroundContentElement
        .querySelector("video");
      if (!video) Reveal.next();
      else if (video.paused) video.play();
      else video.pause();
    });
})();
