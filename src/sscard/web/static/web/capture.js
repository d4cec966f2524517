// Capturing images at the window: the webcam (getUserMedia, on https or localhost), a document camera
// that shows up as a camera, or a file; and the signature on an on-screen pad.  The page only collects
// the images: the server checks each one again (the photo rule, image limits) before anything is kept.
// Its texts come in the page's language from <script type="application/json" id="sscard-strings">.
(function () {
  "use strict";

  var T = (function () {
    var node = document.getElementById("sscard-strings");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  })();

  function status(slot, text) { var s = slot.querySelector("[data-camera-status]"); if (s) { s.textContent = text; } }

  function setImage(slot, dataUrl) {
    slot.querySelector("[data-value]").value = dataUrl;
    var img = slot.querySelector("[data-preview]");
    img.src = dataUrl;
    img.hidden = false;
  }

  function startCamera(slot) {
    var video = slot.querySelector("[data-video]");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status(slot, T.cameraUnsupported);
      return;
    }
    status(slot, T.cameraOpening);
    navigator.mediaDevices.getUserMedia({video: true, audio: false}).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      return video.play();
    }).then(function () {
      slot.querySelector("[data-camera-shoot]").disabled = false;
      status(slot, T.cameraOpen);
    }).catch(function (err) {
      var refused = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
      status(slot, refused ? T.cameraRefused : T.cameraMissing);
    });
  }

  function stopCamera(slot) {
    var video = slot.querySelector("[data-video]");
    if (video.srcObject) { video.srcObject.getTracks().forEach(function (t) { t.stop(); }); }
    video.srcObject = null;
    video.hidden = true;
    slot.querySelector("[data-camera-shoot]").disabled = true;
  }

  // The frame, cropped to the slot's aspect ratio around the centre and scaled to its size.
  function shoot(slot) {
    var video = slot.querySelector("[data-video]");
    var w = parseInt(slot.dataset.width, 10), h = parseInt(slot.dataset.height, 10);
    var vw = video.videoWidth, vh = video.videoHeight;
    if (!vw || !vh) { status(slot, T.cameraNotReady); return; }
    var scale = Math.min(vw / w, vh / h);
    var sw = w * scale, sh = h * scale;
    var canvas = document.createElement("canvas");
    canvas.width = w; canvas.height = h;
    canvas.getContext("2d").drawImage(video, (vw - sw) / 2, (vh - sh) / 2, sw, sh, 0, 0, w, h);
    setImage(slot, canvas.toDataURL(slot.dataset.format || "image/jpeg", 0.92));
    stopCamera(slot);
    status(slot, T.shot);
    if (slot.dataset.capture === "photo") {
      var check = document.querySelector("[data-photo-check]");
      if (check) { check.click(); }
    }
  }

  function upload(slot, input) {
    var file = input.files && input.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () {
      setImage(slot, reader.result);
      input.value = "";  // the image travels once, as data
      status(slot, T.fileChosen.replace("{name}", file.name));
      if (slot.dataset.capture === "photo") {
        var check = document.querySelector("[data-photo-check]");
        if (check) { check.click(); }
      }
    };
    reader.readAsDataURL(file);
  }

  function setupSignature(box) {
    var canvas = box.querySelector("[data-signature-canvas]");
    var value = box.querySelector("[data-signature-value]");
    var state = box.querySelector("[data-signature-status]");
    // A white background: the archive keeps a JPEG-like opaque image, not a transparent one.
    var pad = new window.SignaturePad(canvas, {backgroundColor: "rgb(255,255,255)", penColor: "rgb(0,0,0)"});
    if (value.value) {  // a form shown again keeps the signature already made
      pad.fromDataURL(value.value, {ratio: 1, width: canvas.width, height: canvas.height});
      state.textContent = T.signed;
    }
    pad.addEventListener("endStroke", function () {
      value.value = pad.toDataURL("image/png");
      state.textContent = T.signed;
    });
    box.querySelector("[data-signature-clear]").addEventListener("click", function () {
      pad.clear();
      value.value = "";
      state.textContent = T.unsigned;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-capture]").forEach(function (slot) {
      slot.querySelector("[data-camera-start]").addEventListener("click", function () { startCamera(slot); });
      slot.querySelector("[data-camera-shoot]").addEventListener("click", function () { shoot(slot); });
      var input = slot.querySelector("[data-upload]");
      input.addEventListener("change", function () { upload(slot, input); });
      var existing = slot.querySelector("[data-value]").value;
      if (existing) { setImage(slot, existing); }
    });
    document.querySelectorAll("[data-signature]").forEach(setupSignature);
    // The agent's fields only for an application by agent (the server decides what is required).
    document.querySelectorAll("[data-role-choice]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var agent = document.querySelector("[data-agent-fields]");
        if (agent) { agent.hidden = radio.value === "self"; }
      });
    });
  });
})();
