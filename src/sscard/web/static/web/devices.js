// Window devices reached from the browser.  window.sscardDevices.idReader is the ID-card reader hook:
// by default the server's configured reader answers (the simulated one in the demo and the tests) and
// htmx swaps its result in; a deployment with a local device service replaces the hook with one that
// reads 127.0.0.1 after the clerk's click (browsers require a user action for local-network calls).
(function () {
  "use strict";
  window.sscardDevices = window.sscardDevices || {};

  function fill(id, value) {
    var el = document.getElementById(id);
    if (el && value) { el.value = value; el.dispatchEvent(new Event("change", {bubbles: true})); }
  }

  // A reader result swapped in: copy the card's data into the form it belongs to.
  document.addEventListener("htmx:afterSwap", function (event) {
    var card = event.detail.target.querySelector("[data-reader-card]");
    if (!card) { return; }
    var d = card.dataset;
    if (event.detail.target.id === "reader-result") {
      fill("field-number", d.number);
      var form = event.detail.target.closest("form");
      if (form) { form.requestSubmit(); }
      return;
    }
    fill("field-applicant_doc_type", "id_card");
    fill("field-applicant_number", d.number);
    fill("field-applicant_name", d.name);
    fill("field-applicant_gender", d.gender);
    fill("field-applicant_ethnicity", d.ethnicity);
    fill("field-applicant_address", d.address);
    card.remove();  // the number stays only in the form's own field
  });

  // The code scanner (扫码枪) is a keyboard: it types the QR's text into the focused field and presses
  // Enter, which submits the scan form.  Once answered, the field is emptied (a code is used once) and
  // focused again for the next scan.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-scan-form]");
    if (!form) { return; }
    var field = form.querySelector("input[name=code]");
    if (field) { field.value = ""; field.focus(); }
  });
})();
