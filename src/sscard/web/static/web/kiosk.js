// The kiosk pages (自助一体机): the on-screen number pad, voice prompts (speechSynthesis, zh-CN, off by
// default: body[data-voice=on] after the customer's switch), and the idle countdown.  No rule lives here:
// the idle time comes from the server (data-idle-seconds) and the server ends an idle customer by itself.
(function () {
  "use strict";

  function numpads() {
    document.querySelectorAll("[data-numpad-for]").forEach(function (pad) {
      var input = document.getElementById(pad.getAttribute("data-numpad-for"));
      if (!input) { return; }
      pad.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-key]");
        if (!button) { return; }
        var key = button.getAttribute("data-key");
        var max = parseInt(input.getAttribute("maxlength") || "64", 10);
        if (key === "clear") { input.value = ""; }
        else if (key === "back") { input.value = input.value.slice(0, -1); }
        else if (input.value.length < max) { input.value += key; }
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  }

  function speak() {
    if (document.body.getAttribute("data-voice") !== "on" || !("speechSynthesis" in window)) { return; }
    var texts = [];
    document.querySelectorAll("[data-speak]").forEach(function (el) { texts.push(el.getAttribute("data-speak")); });
    if (!texts.length) { return; }
    var utterance = new SpeechSynthesisUtterance(texts.join("。"));
    utterance.lang = "zh-CN";
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  function idle() {
    var body = document.body;
    var total = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
    var warning = parseInt(body.getAttribute("data-idle-warning") || "0", 10);
    var banner = document.getElementById("kiosk-idle");
    var endForm = document.getElementById("kiosk-idle-end");
    if (!total || !banner || !endForm) { return; }
    var count = banner.querySelector("[data-idle-count]");
    var last = Date.now();
    var ended = false;
    function touched() {
      if (ended) { return; }
      last = Date.now();
      if (!banner.hidden) { banner.hidden = true; }
    }
    ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (name) {
      document.addEventListener(name, touched, { capture: true, passive: true });
    });
    banner.querySelector("[data-idle-continue]").addEventListener("click", touched);
    window.setInterval(function () {
      if (ended) { return; }
      var left = Math.ceil(total - (Date.now() - last) / 1000);
      if (left <= 0) {
        ended = true;
        // the half-filled form goes from the page at once, then the server ends the customer session
        document.querySelectorAll("main form").forEach(function (form) { form.reset(); });
        document.querySelectorAll("main input:not([type=hidden]), main textarea").forEach(function (el) { el.value = ""; });
        endForm.submit();
      } else if (left <= warning) {
        if (banner.hidden) { banner.hidden = false; }
        count.textContent = String(left);
      }
    }, 250);
  }

  document.addEventListener("DOMContentLoaded", function () { numpads(); speak(); idle(); });
})();
