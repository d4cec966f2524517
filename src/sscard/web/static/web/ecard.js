// The 电子社保卡 page: count the seconds left down and, once the code has expired, load the page again
// (a GET: the server issues a new code).  The page works without it (the words say when it expires).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var card = document.querySelector("[data-ecard]");
    if (!card) { return; }
    var left = parseInt(card.getAttribute("data-seconds-left"), 10);
    var countdown = card.querySelector("[data-ecard-countdown]");
    var words = countdown ? countdown.textContent : "";
    var shown = String(left);
    var timer = window.setInterval(function () {
      left -= 1;
      if (left > 0) {
        if (countdown && words.indexOf(shown) !== -1) {
          countdown.textContent = words.replace(shown, String(left));
        }
        return;
      }
      window.clearInterval(timer);
      var expired = card.querySelector("[data-ecard-expired]");
      if (expired) { expired.hidden = false; }
      if (countdown) { countdown.hidden = true; }
      window.location.assign(window.location.pathname);
    }, 1000);
  });
}());
