// Behaviour shared by every page: focus on the error summary, busy states, the idle-timeout warning.
// No rule of the procedure lives here: the server checks everything again.
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
    document.querySelectorAll("[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
      });
    });
    idleTimer.start();
  });

  // htmx: mark the swapped region busy while a request runs; focus the new error summary after a swap.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) { target.setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) { target.removeAttribute("aria-busy"); }
    idleTimer.restart();
  });
  document.addEventListener("htmx:afterSettle", function (event) { focusErrorSummary(event.detail.elt); });

  // The session ends after data-idle-seconds without a request; warn data-warn-seconds before, with a
  // 继续 button that asks the server to keep the session (WCAG 2.2.1: at least 20 s to answer).
  var idleTimer = {
    warnAt: null, endAt: null, tick: null,
    start: function () {
      var body = document.body;
      this.idle = parseInt(body.dataset.idleSeconds || "0", 10);
      this.warn = parseInt(body.dataset.warnSeconds || "60", 10);
      this.keepaliveUrl = body.dataset.keepaliveUrl;
      this.dialog = document.getElementById("idle-warning");
      if (!this.idle || !this.dialog) { return; }
      var self = this;
      this.dialog.querySelector("[data-idle-continue]").addEventListener("click", function () { self.keepAlive(); });
      this.dialog.addEventListener("cancel", function (event) { event.preventDefault(); self.keepAlive(); });
      this.restart();
    },
    restart: function () {
      if (!this.idle) { return; }
      var now = Date.now();
      this.endAt = now + this.idle * 1000;
      this.warnAt = this.endAt - this.warn * 1000;
      if (this.dialog && this.dialog.open) { this.dialog.close(); }
      if (!this.tick) { var self = this; this.tick = window.setInterval(function () { self.check(); }, 1000); }
    },
    check: function () {
      var now = Date.now();
      if (now >= this.endAt - 2000) { this.expire(); return; }
      if (now >= this.warnAt) {
        var left = Math.max(0, Math.round((this.endAt - now) / 1000));
        this.dialog.querySelector("[data-idle-countdown]").textContent = String(left);
        if (!this.dialog.open) { this.dialog.showModal(); }
      }
    },
    keepAlive: function () {
      var self = this;
      var token = document.querySelector("[name=csrfmiddlewaretoken]");
      fetch(this.keepaliveUrl, {method: "POST", credentials: "same-origin",
                                headers: {"X-CSRFToken": token ? token.value : ""}})
        .then(function (response) {
          if (response.ok) { self.restart(); } else { self.expire(); }
        })
        .catch(function () { self.restart(); });
    },
    expire: function () {
      window.clearInterval(this.tick);
      this.tick = null;
      var form = document.getElementById("sign-out-form");
      if (form) {
        form.querySelector("[name=reason]").value = "idle";
        form.submit();
      } else {
        window.location.reload();
      }
    }
  };
  window.sscardIdleTimer = idleTimer;
})();
